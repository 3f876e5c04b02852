"""evaluate(): accuracy counts every labelled row, per sample or per time step."""

import numpy as np

from engine import build_model
from engine.metrics import evaluate


def _per_step_classifier():
    spec = {"input": {"shape": [4, 3]}, "loss": "cross_entropy",
            "layers": [{"id": "out", "type": "dense", "units": 5, "activation": "softmax"}]}
    return build_model(spec, seed=0)


def test_per_step_accuracy_compares_every_time_step_with_its_label():
    model = _per_step_classifier()
    x = np.random.default_rng(0).normal(size=(6, 4, 3)).astype(np.float32)
    logits = model.run(x)[model.output_id]
    predicted = np.argmax(logits, axis=-1)              # (6, 4)
    labels = predicted.copy()
    labels[:, 0] = (labels[:, 0] + 1) % 5                # exactly one step in four is wrong
    result = evaluate(model, None, x, labels)
    assert result["accuracy"] == 0.75


def test_per_sample_accuracy_is_the_fraction_of_matching_argmax():
    spec = {"input": {"shape": [2]}, "loss": "cross_entropy",
            "layers": [{"id": "out", "type": "dense", "units": 3, "activation": "softmax"}]}
    model = build_model(spec, seed=1)
    x = np.random.default_rng(1).normal(size=(8, 2)).astype(np.float32)
    predicted = np.argmax(model.run(x)[model.output_id], axis=1)
    labels = predicted.copy()
    labels[:2] = (labels[:2] + 1) % 3
    assert evaluate(model, None, x, labels)["accuracy"] == 0.75
