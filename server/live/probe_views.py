"""Views that look inside the network through the engine's probes (engine.probes).

Each is registered by `@view` in server.live.views; see there for how to add one.
"""
from functools import lru_cache, partial

import numpy as np

from server.live.codec import encode_tensor
from server.live.views import compact, single_network, view

GRID_RESOLUTION = (16, 128, 64)  # min, max, default points per side of the neuron grid
SAMPLE_COUNT = 16


@view("gradients", max_fps=20)
def gradients_view(context, options):
    """The last training batch's gradient: L2 norm per parameter (chart it over time) and per
    parameter its stats and histogram (bins, edges)."""
    from engine.probes import gradient_stats
    if not single_network(context):
        return None
    stats = gradient_stats(context.model, bins=int(np.clip(options.get("bins", 32), 4, 128)))
    return {"norms": {name: entry["norm"] for name, entry in stats.items()}, "stats": stats}


@view("neuron_grid", max_fps=30, needs_data=True)
def neuron_grid_view(context, options):
    """Every neuron over a grid of the 2-D input plane; the last slice is the output neuron, whose
    0.5 contour is the decision boundary. Only for 2-D data sets (they carry their features)."""
    from engine.probes import neuron_grid, neuron_layout
    extras = getattr(context.data, "extras", None) or {}
    if "features" not in extras or not single_network(context):
        return None  # not a 2-D data set: there is no plane to draw
    low, high = (list(extras.get("domain") or (-6.0, 6.0)) + [6.0])[:2]
    lowest, highest, default = GRID_RESOLUTION
    resolution = int(np.clip(options.get("resolution", default), lowest, highest))
    features = tuple(extras["features"])
    extent = (float(low), float(high), float(low), float(high))
    grid = neuron_grid(context.model, n=resolution, extent=extent, features=feature_map(features))
    neurons = [{"layer": layer, "unit": unit} for layer, count in neuron_layout(context.model) for unit in range(count)]
    return {**encode_tensor(grid, "uint8", per_slice=True), "extent": list(extent), "neurons": neurons}


@lru_cache(maxsize=64)
def feature_map(features: tuple[str, ...]):
    """One function object per feature list: the engine caches a grid's inputs by this key, so
    every session with the same features shares one cached grid instead of rebuilding it."""
    from engine.data.features import expand_features
    return partial(expand_features, features=features)


@view("activations", max_fps=20, needs_data=True)
def activations_view(context, options):
    """Every layer's output for one validation sample (feature maps for images)."""
    from engine.probes import activations
    data = context.data
    index = int(np.clip(options.get("sample", 0), 0, max(0, len(data.x_val) - 1)))
    sample = data.x_val[index: index + 1]
    if not len(sample) or not single_network(context):
        return None
    layers = activations(context.model, sample)
    return {"sample": index, "layers": {layer: compact(values[0]) for layer, values in layers.items()}}


def _classify(context, x: np.ndarray):
    """(predicted class, confidence) per sample, or None when the network is not a classifier."""
    if context.spec.get("loss") not in ("binary_cross_entropy", "cross_entropy") or not len(x):
        return None
    if context.spec.get("mode") in ("autoencoder", "gan"):
        return None  # a rebuilt image or a real/fake score is not a class (their own views show them)
    output = np.asarray(context.model.forward(x, training=False), np.float32)
    classes = int(context.data.num_classes or 2)
    if output.ndim != 2 or output.shape[1] not in (1, classes):
        return None  # not one score per class of this data set: nothing to tally
    if output.shape[1] == 1:
        positive = output[:, 0]
        return (positive > 0.5).astype(np.int64), np.where(positive > 0.5, positive, 1 - positive)
    shifted = np.exp(output - output.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    return probabilities.argmax(axis=1), probabilities.max(axis=1)


def _labels(y: np.ndarray) -> np.ndarray:
    return np.asarray(y).reshape(len(y), -1)[:, 0].astype(np.int64)


@view("confusion", max_fps=5, needs_data=True)
def confusion_view(context, options):
    """Rows: the true class; columns: the predicted one; on (up to 2,000 of) the validation set."""
    data = context.data
    x, y = data.x_val[:2000], data.y_val[:2000]
    classified = _classify(context, x)
    if classified is None:
        return None
    classes = int(data.num_classes or 2)
    matrix = np.zeros((classes, classes), np.float32)
    np.add.at(matrix, (_labels(y), classified[0]), 1)
    return {"matrix": encode_tensor(matrix), "class_names": list(data.class_names or range(classes))}


@view("predictions", max_fps=5, needs_data=True)
def predictions_view(context, options):
    """A fixed sample of validation examples, then misclassified ones, with what the net says.
    For a regression (a forecast) the first `count` samples' targets and predicted values."""
    data = context.data
    count = int(np.clip(options.get("count", SAMPLE_COUNT), 1, 64))
    x, y = data.x_val[:2000], data.y_val[:2000]
    classified = _classify(context, x)
    if classified is None:
        return _regression_predictions(context, x[:count], y[:count])
    predicted, confidence = classified
    wrong = np.flatnonzero(predicted != _labels(y))
    chosen = np.concatenate([np.arange(min(count, len(x))), wrong[~np.isin(wrong, np.arange(count))][:count]])
    inputs = x[chosen]
    return {"index": chosen.tolist(), "inputs": compact(inputs),
            "labels": _labels(y)[chosen].tolist(), "predicted": predicted[chosen].tolist(),
            "confidence": encode_tensor(confidence[chosen]), "misclassified": int(len(wrong)),
            "total": int(len(x))}


def _regression_predictions(context, x: np.ndarray, y: np.ndarray):
    """Targets against predictions, one number (or a few) per sample; None for anything else (a
    GAN, an autoencoder's image-sized output), which has its own views."""
    if not single_network(context) or context.spec.get("mode") == "autoencoder" or not len(x):
        return None
    output = np.asarray(context.model.forward(x, training=False), np.float32).reshape(len(x), -1)
    targets = np.asarray(y, np.float32).reshape(len(x), -1)
    if output.shape != targets.shape or output.shape[1] > SAMPLE_COUNT:
        return None
    return {"task": "regression", "index": list(range(len(x))), "inputs": compact(x),
            "labels": encode_tensor(targets), "predicted": encode_tensor(output),
            "mean_abs_error": float(np.mean(np.abs(output - targets)))}
