"""Probes: what the views show, computed only when asked.

    >>> import numpy as np
    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [2]},
    ...                      "layers": [{"id": "h1", "type": "dense", "units": 3, "activation": "tanh"},
    ...                                 {"id": "out", "type": "dense", "units": 1}]})
    >>> neuron_grid(model, n=5).shape     # 3 hidden + 1 output neuron, 5 x 5 grid
    (4, 5, 5)
    >>> sorted(tensor_stats(np.arange(4.0)))
    ['bins', 'count', 'edges', 'max', 'mean', 'min', 'norm', 'std']

Grid orientation: ``grid[k, i, j]`` is neuron k at x1 = linspace(x_min, x_max, n)[j] and
x2 = linspace(y_max, y_min, n)[i]: row 0 is the top of the picture (largest x2), as an image.
"""

from contextlib import contextmanager

import numpy as np

from engine.fused.grid import fused_neuron_grid, grid_eligible

HISTOGRAM_BINS = 32


@contextmanager
def unobserved(model):
    """Looking must not change training: a training-mode pass for a probe would otherwise move
    batch-norm running statistics and the dropout generator, and overwrite flat_grads."""
    buffers = {name: value.copy() for name, value in model.buffers().items()}
    dropout_state = model.dropout_rng.bit_generator.state
    grads = model.flat_grads.copy()
    try:
        yield
    finally:
        model.set_params(buffers)
        model.dropout_rng.bit_generator.state = dropout_state
        model.flat_grads[...] = grads


def activations(model, x, training=False) -> dict:
    """Output of every layer for the batch x: {layer id: array (batch, *output shape)}."""
    with unobserved(model):
        values = model.run(x, training)
        return {layer.id: np.array(values[layer.id]) for layer in sorted(model.layers, key=lambda l: l.index)}


def gradients(model, x, y) -> dict:
    """Gradient of the mean loss with respect to every parameter, for the batch (x, y)."""
    with unobserved(model):
        model.loss_and_backward(x, y)
        return {name: grad.copy() for name, grad in model.grad_views().items()}


def sequence_layers(model) -> list[str]:
    """Ids of the layers ``sequence_state`` can look inside (recurrent, attention, transformer)."""
    return [layer.id for layer in sorted(model.layers, key=lambda l: l.index) if hasattr(layer, "probe_state")]


def sequence_state(model, x, layer_id) -> dict:
    """Inside one sequence layer for the batch x (eval mode), batch first:
    rnn/lstm/gru -> {"hidden": (N, T, H), "cell": (N, T, H) (lstm), "gates": {"i": (N, T, H), ...}};
    multi_head_attention/transformer_block -> {"attention": (N, heads, T, T)} (row = query step)."""
    if layer_id not in sequence_layers(model):
        raise ValueError(f"layer {layer_id!r} has no sequence state; choose one of {sequence_layers(model)}")
    from engine.layers.sequence import INFERENCE_CHUNK  # a layer keeps the state of one chunk only

    states = []
    for start in range(0, max(len(x), 1), INFERENCE_CHUNK):
        model.run(x[start:start + INFERENCE_CHUNK], training=False)
        states.append(model.layer_by_id[layer_id].probe_state())
    return _join_batches(states)


def _join_batches(parts):
    """Nested dicts of batch-first arrays, concatenated along the batch."""
    if isinstance(parts[0], dict):
        return {key: _join_batches([part[key] for part in parts]) for key in parts[0]}
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def conv_layers(model) -> list[str]:
    """Ids of the layers with image filters (conv2d, conv2d_transpose, patch_embed)."""
    return [layer.id for layer in sorted(model.layers, key=lambda l: l.index)
            if layer.spec.type in ("conv2d", "conv2d_transpose", "patch_embed")]


def conv_filters(model, layer_id) -> np.ndarray:
    """A copy of a conv layer's filters, torch layout: conv2d/patch_embed (out, in, kh, kw),
    conv2d_transpose (in, out, kh, kw). Feature maps are that layer's ``activations`` (N, C, H, W)."""
    if layer_id not in conv_layers(model):
        raise ValueError(f"layer {layer_id!r} has no filters; choose one of {conv_layers(model)}")
    return model.params()[f"{layer_id}.weight"].copy()


def saliency(model, x, output_index=None) -> np.ndarray:
    """Gradient of one output per sample with respect to the input: (batch, *input shape).

    ``output_index`` is a flat index into each sample's output; by default each sample's
    largest output (its predicted class). A softmax output is differentiated before the
    softmax (the class score), as saliency maps usually are. Eval mode; training is untouched.
    """
    with unobserved(model):
        values = model.run(x, training=False)
        out = values[model.output_id].reshape(len(x), -1)
        chosen = out.argmax(axis=1) if output_index is None else np.full(len(x), int(output_index))
        seed = np.zeros_like(out)
        seed[np.arange(len(x)), chosen] = 1.0
        # a softmax output is differentiated before the softmax: the class score
        score = getattr(model.layer_by_id[model.output_id].spec, "activation", None) == "softmax"
        grad = model.backward(seed.reshape(values[model.output_id].shape), from_logits=score, input_grad=True)
        return np.asarray(grad, np.float32)


def tensor_stats(values, bins: int = HISTOGRAM_BINS) -> dict:
    """Norm, mean, std, min, max and a fixed-bin histogram of one tensor (JSON-able)."""
    flat = np.asarray(values, np.float64).reshape(-1)
    finite = flat[np.isfinite(flat)]
    if finite.size == 0:
        return {"count": int(flat.size), "norm": float("nan"), "mean": float("nan"), "std": float("nan"),
                "min": float("nan"), "max": float("nan"), "bins": [0] * bins, "edges": [0.0] * (bins + 1)}
    lo, hi = float(finite.min()), float(finite.max())
    if not hi - lo > 1e-9 * max(abs(lo), abs(hi)):
        # A constant tensor still gets a visible bar; so do huge values too close together for
        # `bins` distinct float edges (numpy refuses such a range, e.g. after a diverging step).
        middle = 0.5 * (lo + hi)
        half = max(0.5, abs(middle) * 1e-6)
        lo, hi = middle - half, middle + half
    counts, edges = np.histogram(finite, bins=bins, range=(lo, hi))
    return {"count": int(flat.size), "norm": float(np.sqrt(np.dot(finite, finite))), "mean": float(finite.mean()),
            "std": float(finite.std()), "min": float(finite.min()), "max": float(finite.max()),
            "bins": counts.tolist(), "edges": edges.tolist()}


def weight_stats(model, bins: int = HISTOGRAM_BINS) -> dict:
    return {name: tensor_stats(values, bins) for name, values in model.params().items()}


def gradient_stats(model, bins: int = HISTOGRAM_BINS) -> dict:
    """Stats of the gradients currently in model.flat_grads (from the last training step)."""
    return {name: tensor_stats(values, bins) for name, values in model.grad_views().items()}


def grid_points(n: int, extent) -> np.ndarray:
    """(n*n, 2) float32 points in row-major image order (see the module docstring)."""
    x_min, x_max, y_min, y_max = extent
    xs = np.linspace(x_min, x_max, n, dtype=np.float64)
    ys = np.linspace(y_max, y_min, n, dtype=np.float64)
    x1, x2 = np.meshgrid(xs, ys)
    return np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)


def neuron_layout(model) -> list[tuple[str, int]]:
    """(layer id, neurons) in the order neuron_grid stacks them: every layer, list order."""
    return [(layer.id, int(np.prod(layer.output_shape))) for layer in sorted(model.layers, key=lambda l: l.index)]


def neuron_grid(model, n: int = 100, extent=(-6.0, 6.0, -6.0, 6.0), features=None) -> np.ndarray:
    """Every neuron's output over an n x n grid of the 2-D input plane.

    Returns float32 (neurons, n, n), neuron-major, neurons ordered as ``neuron_layout``.
    ``features`` maps the (n*n, 2) grid points to the network's input features when the
    network does not take (x1, x2) directly (e.g. x1^2, sin x1 ... from engine.data.features).
    """
    if grid_eligible(model):  # dense stacks: one njit pass, engine/fused/grid.py
        return fused_neuron_grid(model, n, extent, features)
    points = grid_points(n, extent)
    inputs = features(points) if features is not None else points
    values = model.run(inputs, training=False)
    maps = [values[layer_id].reshape(n * n, -1).T for layer_id, _ in neuron_layout(model)]
    return np.ascontiguousarray(np.concatenate(maps, axis=0), dtype=np.float32).reshape(-1, n, n)
