"""What a lesson measures after training (or, for names ending in ``_start``, before it).

Each measure is ``f(model, spec, data) -> dict`` of JSON-able numbers, registered in MEASURES
by name; presets list the names they need. They only look: training is never changed.

    >>> 'saliency_deletion' in MEASURES, MEASURES['naive_forecast'].__name__
    (True, 'naive_forecast')
"""

import numpy as np

from engine import probes
from engine.lessons.backprop import hand_backprop
from engine.metrics import evaluate

SAMPLE = 256
MEASURES = {}


def measure(name):
    def register(function):
        MEASURES[name] = function
        return function
    return register


def _gradient_norms(model, data):
    """Norm of each weight tensor's gradient on a fixed batch, in layer order, and the ratio
    first/last: a tiny ratio means the early layers hardly learn (vanishing gradients)."""
    grads = probes.gradients(model, data.x_train[:SAMPLE], data.y_train[:SAMPLE])
    norms = {name: float(np.linalg.norm(g)) for name, g in grads.items() if name.endswith(".weight")}
    values = list(norms.values())
    return {"norms": norms, "first_over_last": values[0] / max(values[-1], 1e-30)}


@measure("gradient_norms_start")
def gradient_norms_start(model, spec, data):
    return _gradient_norms(model, data)


@measure("gradient_norms")
def gradient_norms(model, spec, data):
    return _gradient_norms(model, data)


@measure("backprop_numbers")
def backprop_numbers(model, spec, data):
    """The chain rule by hand (numpy, one layer at a time) next to the engine's gradients."""
    x, y = data.x_train[:4], data.y_train[:4]
    by_hand = hand_backprop(model, x, y)
    _, engine_grads = model.grads(x, y)
    worst = max(float(np.max(np.abs(by_hand["grads"][name] - engine_grads[name]))) for name in engine_grads)
    return {"max_abs_difference": worst, "loss": by_hand["loss"], "layers": by_hand["layers"]}


@measure("straight_cuts")
def straight_cuts(model, spec, data, n=48):
    """Per layer: how well one straight line splits each neuron's "on" region of the input plane
    (1.0: a straight cut, as every first-layer neuron makes; lower: a curved or patchy region)."""
    grid = probes.neuron_grid(model, n=n, extent=(-6.0, 6.0, -6.0, 6.0))
    points = probes.grid_points(n, (-6.0, 6.0, -6.0, 6.0)).astype(np.float64)
    design = np.hstack([points, np.ones((len(points), 1))])
    out, start = {}, 0
    for layer_id, count in probes.neuron_layout(model):
        fits = []
        for values in grid[start:start + count].reshape(count, -1):
            on = values > np.median(values)
            if on.all() or not on.any():
                continue  # a constant neuron says nothing about shape
            signs = np.where(on, 1.0, -1.0)
            coef, *_ = np.linalg.lstsq(design, signs, rcond=None)
            fits.append(float(np.mean((design @ coef > 0) == on)))
        out[layer_id] = float(np.mean(fits)) if fits else None
        start += count
    return out


def _deletion_accuracy(model, x, y, order, fraction, fill):
    """Accuracy after setting the first ``fraction`` of each sample's inputs in ``order`` to fill."""
    flat = x.reshape(len(x), -1).copy()
    k = max(1, int(round(flat.shape[1] * fraction)))
    rows = np.arange(len(x))[:, None]
    flat[rows, order[:, :k]] = fill
    return evaluate(model, None, flat.reshape(x.shape), y)["accuracy"]


@measure("saliency_deletion")
def saliency_deletion(model, spec, data, fraction=0.1, samples=300):
    """Blank the 10% of inputs the saliency map ranks highest, or 10% chosen at random: if the
    map points at what matters, its choice hurts accuracy far more."""
    x, y = data.x_val[:samples], data.y_val[:samples]
    attribution = np.abs(probes.saliency(model, x) * x).reshape(len(x), -1)
    top = np.argsort(-attribution, axis=1)
    shuffled = np.argsort(np.random.default_rng(0).random(attribution.shape), axis=1)
    return {"accuracy": evaluate(model, None, x, y)["accuracy"],
            "accuracy_without_salient": _deletion_accuracy(model, x, y, top, fraction, 0.0),
            "accuracy_without_random": _deletion_accuracy(model, x, y, shuffled, fraction, 0.0)}


@measure("feature_importance")
def feature_importance(model, spec, data):
    """Mean |gradient x input| per input feature over the validation set, and the accuracy when
    the most / the least important feature is replaced by its average (0 for standardized data)."""
    x, y = data.x_val, data.y_val
    weights = np.abs(probes.saliency(model, x) * x).mean(axis=0).reshape(-1)
    ranking = np.argsort(-weights)
    names = data.extras.get("feature_names") or [f"x{i}" for i in range(len(weights))]
    order = lambda index: np.tile(np.array([index]), (len(x), 1))  # noqa: E731
    return {"ranking": [str(names[i]) for i in ranking[:5]],
            "accuracy": evaluate(model, None, x, y)["accuracy"],
            "accuracy_without_most": _deletion_accuracy(model, x, y, order(ranking[0]), 1 / len(weights), 0.0),
            "accuracy_without_least": _deletion_accuracy(model, x, y, order(ranking[-1]), 1 / len(weights), 0.0)}


@measure("naive_forecast")
def naive_forecast(model, spec, data):
    """Mean squared error of "the next value equals the last one seen" on the validation set."""
    last = data.x_val[:, -1, :1].reshape(len(data.x_val), -1)
    target = data.y_val.reshape(len(data.y_val), -1)
    return {"val_mse": float(np.mean((target - last[:, :1]) ** 2))}


@measure("attention_to_first_step")
def attention_to_first_step(model, spec, data, samples=200):
    """Average attention weight from the last step (the cue) to the first (the symbol), over heads."""
    layer = probes.sequence_layers(model)[0]
    maps = probes.sequence_state(model, data.x_val[:samples], layer)["attention"]  # (N, heads, T, T)
    return {"layer": layer, "cue_to_symbol": float(maps[:, :, -1, 0].mean()), "uniform": 1.0 / maps.shape[-1]}


@measure("sampled_names")
def sampled_names(model, spec, data, count=8, longest=12):
    """Names made up by sampling one character at a time and feeding it back (seeded)."""
    alphabet, boundary = data.extras["alphabet"], 0
    context = model.input_shape[0]
    rng = np.random.default_rng(0)
    names = []
    for _ in range(count):
        window, name = [boundary] * context, ""
        for _ in range(longest):
            logits = model.forward(np.array([window], np.int64)).reshape(-1).astype(np.float64)
            p = np.exp(logits - logits.max())
            nxt = int(rng.choice(len(p), p=p / p.sum()))
            if nxt == boundary:
                break
            name += alphabet[nxt]
            window = window[1:] + [nxt]
        names.append(name)
    return {"names": names}


@measure("class_recall")
def class_recall(model, spec, data):
    """Per class: the share of its validation samples the model labels correctly ({"0": .., "1": ..})."""
    out = model.forward(data.x_val, training=False).reshape(len(data.x_val), -1)
    labels = np.asarray(data.y_val).reshape(len(data.y_val), -1)[:, 0].astype(np.int64)
    predicted = (out[:, 0] > 0.5).astype(np.int64) if out.shape[1] == 1 else out.argmax(axis=1)
    return {str(c): float(np.mean(predicted[labels == c] == c)) for c in np.unique(labels)}


@measure("reconstruction_baseline")
def reconstruction_baseline(model, spec, data):
    """Validation mean squared error of the autoencoder vs always answering the average image."""
    from engine.modes import anomaly_scores
    x_val = data.x_val[:1000]
    mean_image = data.x_train.mean(axis=0, keepdims=True)
    return {"model_mse": float(anomaly_scores(model, x_val).mean()),
            "mean_image_mse": float(np.mean((x_val - mean_image) ** 2))}


@measure("anomaly_contrast")
def anomaly_contrast(model, spec, data, samples=500):
    """Mean reconstruction error of real validation samples vs uniform-noise inputs of the same shape."""
    from engine.modes import anomaly_scores
    x_val = data.x_val[:samples]
    noise = np.random.default_rng(0).uniform(0.0, 1.0, x_val.shape).astype(np.float32)
    return {"digit_score": float(anomaly_scores(model, x_val).mean()),
            "noise_score": float(anomaly_scores(model, noise).mean())}


def _nearest_real_distance(model, data, real=1000):
    """Mean over generated samples of the distance to the closest real training sample."""
    from engine.modes import generated_samples
    fake = generated_samples(model).reshape(-1, data.x_train[0].size).astype(np.float64)
    reference = data.x_train[:real].reshape(-1, fake.shape[1]).astype(np.float64)
    squared = (fake ** 2).sum(1)[:, None] + (reference ** 2).sum(1)[None, :] - 2 * fake @ reference.T
    return {"mean": float(np.sqrt(np.maximum(squared.min(axis=1), 0.0)).mean())}


@measure("nearest_real_distance_start")
def nearest_real_distance_start(model, spec, data):
    return _nearest_real_distance(model, data)


@measure("nearest_real_distance")
def nearest_real_distance(model, spec, data):
    return _nearest_real_distance(model, data)


@measure("shifted_accuracy")
def shifted_accuracy(model, spec, data, pixels=2, samples=1000):
    """Validation accuracy on digits moved ``pixels`` right and down (zeros shifted in), against
    the unshifted accuracy: how much the network cares where the digit sits."""
    x, y = data.x_val[:samples], data.y_val[:samples]
    side = int(round(np.sqrt(x[0].size)))
    images = x.reshape(len(x), side, side)
    moved = np.zeros_like(images)
    moved[:, pixels:, pixels:] = images[:, :side - pixels, :side - pixels]
    return {"accuracy": evaluate(model, None, x, y)["accuracy"],
            "shifted": evaluate(model, None, moved.reshape(x.shape), y)["accuracy"]}
