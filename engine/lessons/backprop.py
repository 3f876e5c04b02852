"""Backpropagation written out by hand for a small stack of dense layers (numpy, float64).

The chain rule, one layer at a time from the output back: each layer's error signal ``delta``
(dLoss/d pre-activation) gives its weight gradient (delta^T times the layer's input) and, through
its weights and the previous activation's slope, the delta of the layer below.

    >>> import numpy as np
    >>> from engine import build_model
    >>> spec = {"input": {"shape": [2]}, "loss": "mse",
    ...         "layers": [{"id": "h", "type": "dense", "units": 2, "activation": "sigmoid"},
    ...                    {"id": "out", "type": "dense", "units": 1}]}
    >>> model = build_model(spec)
    >>> x, y = np.array([[1.0, 0.0]], np.float32), np.array([[1.0]], np.float32)
    >>> by_hand = hand_backprop(model, x, y)
    >>> bool(np.allclose(by_hand["grads"]["h.weight"], model.grads(x, y)[1]["h.weight"], atol=1e-6))
    True
"""

import numpy as np

ACTIVATIONS = {  # value, slope as a function of the value (what backprop needs)
    "linear": (lambda z: z, lambda a: np.ones_like(a)),
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda a: a * (1.0 - a)),
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0).astype(np.float64)),
}


def hand_backprop(model, x, y) -> dict:
    """Loss, per-parameter gradients and per-layer numbers (input, output, delta) for a dense stack."""
    params = {name: v.astype(np.float64) for name, v in model.params().items()}
    layers = model.spec.layers
    if any(layer.type != "dense" or layer.activation not in ACTIVATIONS for layer in layers):
        raise ValueError("hand backprop covers dense layers with linear, sigmoid, tanh or relu")
    inputs, zs, outs = [], [], []
    a = np.asarray(x, np.float64)
    for layer in layers:
        inputs.append(a)
        z = a @ params[f"{layer.id}.weight"].T + params[f"{layer.id}.bias"]
        a = ACTIVATIONS[layer.activation][0](z)
        zs.append(z)
        outs.append(a)
    target = np.asarray(y, np.float64).reshape(a.shape)
    loss_name = model.spec.loss
    if loss_name == "mse":
        loss = float(np.mean((a - target) ** 2))
        delta = 2.0 * (a - target) / a.size * ACTIVATIONS[layers[-1].activation][1](a)
    elif loss_name == "binary_cross_entropy":
        p = 1.0 / (1.0 + np.exp(-zs[-1]))
        loss = float(-np.mean(target * np.log(p) + (1 - target) * np.log(1 - p)))
        delta = (p - target) / a.size
    else:
        raise ValueError(f"hand backprop covers mse and binary_cross_entropy, not {loss_name}")
    grads, numbers = {}, []
    for index in range(len(layers) - 1, -1, -1):
        layer = layers[index]
        grads[f"{layer.id}.weight"] = delta.T @ inputs[index]
        grads[f"{layer.id}.bias"] = delta.sum(axis=0)
        numbers.append({"id": layer.id, "input": inputs[index][0].tolist(), "output": outs[index][0].tolist(),
                        "delta": delta[0].tolist()})
        if index:
            below = layers[index - 1].activation
            delta = (delta @ params[f"{layer.id}.weight"]) * ACTIVATIONS[below][1](outs[index - 1])
    return {"loss": loss, "grads": grads, "layers": numbers[::-1]}
