"""Views that look inside the network through the engine's probes (engine.probes).

Each is registered by `@view` in server.live.views; see there for how to add one.
"""
import numpy as np

from server.live.codec import encode_tensor
from server.live.views import compact, histogram, view

GRID_RESOLUTION = (16, 128, 64)  # min, max, default points per side of the neuron grid
SAMPLE_COUNT = 16


@view("gradients", max_fps=20)
def gradients_view(context, options):
    """L2 norm of the last batch's gradient of every parameter, and a histogram of each."""
    from engine.probes import gradients
    bins = int(options.get("bins", 32))
    grads = gradients(context.model)
    return {"norms": {name: float(np.linalg.norm(values)) for name, values in grads.items()},
            "histograms": {name: histogram(values, bins) for name, values in grads.items()}}


@view("neuron_grid", max_fps=30, needs_data=True)
def neuron_grid_view(context, options):
    """Every neuron over a grid of the 2-D input plane; the last slice is the decision boundary."""
    from engine.data.features import expand_features
    from engine.probes import neuron_grid
    extras = getattr(context.data, "extras", {}) or {}
    if "features" not in extras:
        return None  # not a 2-D data set: there is no plane to draw
    low, high = extras.get("domain", (-6.0, 6.0))[:2]
    lowest, highest, default = GRID_RESOLUTION
    resolution = int(np.clip(options.get("resolution", default), lowest, highest))
    axis = np.linspace(low, high, resolution, dtype=np.float32)
    x1, x2 = np.meshgrid(axis, axis[::-1])  # row 0 is the top of the picture: the largest x2
    points = np.stack([x1.ravel(), x2.ravel()], axis=1)
    maps, neurons = neuron_grid(context.model, expand_features(points, tuple(extras["features"])))
    grid = np.asarray(maps, np.float32).reshape(len(neurons), resolution, resolution)
    return {**encode_tensor(grid, "uint8", per_slice=True), "extent": [float(low), float(high), float(low), float(high)],
            "neurons": neurons}


@view("activations", max_fps=20, needs_data=True)
def activations_view(context, options):
    """Every layer's output for one validation sample (feature maps for images)."""
    from engine.probes import activations
    data = context.data
    index = int(np.clip(options.get("sample", 0), 0, max(0, len(data.x_val) - 1)))
    sample = data.x_val[index: index + 1]
    if not len(sample):
        return None
    layers = activations(context.model, sample)
    return {"sample": index, "layers": {layer: compact(values[0]) for layer, values in layers.items()}}


def _classify(context, x: np.ndarray):
    """(predicted class, confidence) per sample, or None when the network is not a classifier."""
    if context.spec.get("loss") not in ("binary_cross_entropy", "cross_entropy") or not len(x):
        return None
    output = np.asarray(context.model.forward(x, training=False), np.float32)
    if output.ndim != 2:
        return None
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
    """A fixed sample of validation examples, then misclassified ones, with what the net says."""
    data = context.data
    count = int(np.clip(options.get("count", SAMPLE_COUNT), 1, 64))
    x, y = data.x_val[:2000], data.y_val[:2000]
    classified = _classify(context, x)
    if classified is None:
        return None
    predicted, confidence = classified
    wrong = np.flatnonzero(predicted != _labels(y))
    chosen = np.concatenate([np.arange(min(count, len(x))), wrong[~np.isin(wrong, np.arange(count))][:count]])
    inputs = x[chosen]
    return {"index": chosen.tolist(), "inputs": compact(inputs),
            "labels": _labels(y)[chosen].tolist(), "predicted": predicted[chosen].tolist(),
            "confidence": encode_tensor(confidence[chosen]), "misclassified": int(len(wrong)),
            "total": int(len(x))}
