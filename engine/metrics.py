"""Evaluation metrics on a data set: mean loss and, for classifiers, accuracy (eval mode).

    >>> import numpy as np
    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [2]}, "loss": "cross_entropy",
    ...                      "layers": [{"id": "out", "type": "dense", "units": 3, "activation": "softmax"}]})
    >>> sorted(evaluate(model, None, np.zeros((5, 2), np.float32), np.array([0, 1, 2, 0, 1])))
    ['accuracy', 'loss']

Accuracy: cross_entropy -> argmax equals the label; binary_cross_entropy -> output on the right
side of 0.5 (every output unit counts); perceptron mode -> step output equals the target (its
"loss" is then the error rate, as Trainer reports it). Regression losses report no accuracy.
"""

import numpy as np

from engine.kernels.codes import LOSS_BINARY_CROSS_ENTROPY, LOSS_CROSS_ENTROPY

EVAL_CHUNK = 4096  # bounds the workspace of one forward pass on large validation sets


def evaluate(model, spec=None, x=None, y=None, chunk: int = EVAL_CHUNK) -> dict:
    """{"loss": mean loss over (x, y)[, "accuracy": fraction correct]}; ``spec`` defaults to the model's."""
    mode = spec.get("mode", model.spec.mode) if isinstance(spec, dict) else model.spec.mode
    if mode == "autoencoder":  # the target is the input itself (labels, if any, are ignored)
        y = x
    if mode == "gan":  # two networks: how the game stands on x (labels ignored)
        from engine.modes.gan import gan_evaluation  # engine.modes imports the trainer
        return gan_evaluation(model, x) if len(x) else {}
    n = len(x)
    if n == 0:
        return {}
    loss_sum, correct, counted = 0.0, 0, 0
    for start in range(0, n, chunk):
        xb, yb = x[start:start + chunk], y[start:start + chunk]
        rows = len(xb)
        if mode == "perceptron":
            out = model.forward(xb)
            target = np.asarray(yb, np.float32).reshape(out.shape)
            hits = int(np.sum(out == target))
            loss_sum += (out.size - hits) / out.size * rows
            correct, counted = correct + hits, counted + out.size
            continue
        loss_sum += model.loss(xb, yb) * rows  # every loss is a mean over rows times a constant
        if model.loss_code == LOSS_CROSS_ENTROPY:
            # (N, C) or per time step (N, T, C) with (N, T) labels: every labelled row counts
            out = model.run(xb)[model.output_id]
            labels = np.asarray(yb).reshape(-1)
            correct += int(np.sum(np.argmax(out.reshape(-1, out.shape[-1]), axis=1) == labels))
            counted += labels.size
        elif model.loss_code == LOSS_BINARY_CROSS_ENTROPY:
            logits = model._loss_input(model.run(xb))
            target = np.asarray(yb, np.float32).reshape(logits.shape)
            correct += int(np.sum((logits > 0) == (target > 0.5)))
            counted += logits.size
    result = {"loss": loss_sum / n}
    if counted:
        result["accuracy"] = correct / counted
    return result
