"""Sanity: a small reference model trained by Layerlab's own engine learns each real data set.

Each test trains in chunks, checks validation accuracy after each chunk and stops once a goal a
little above the required accuracy is reached (so a pass has a margin). Training is seeded, so
the steps needed are the same on every machine; the step budget bounds the work and a generous
wall-clock cap bounds a badly overloaded machine (marked slow; CI runs them).
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from data_helpers import needs
from engine.data import load_dataset

pytestmark = pytest.mark.slow


def mlp_spec(inputs: int, hidden: list[int], outputs: int, loss: str, lr: float, batch: int) -> dict:
    layers = [{"id": f"h{i + 1}", "type": "dense", "units": units, "activation": "relu"}
              for i, units in enumerate(hidden)]
    head = "sigmoid" if loss == "binary_cross_entropy" else "linear"
    layers.append({"id": "out", "type": "dense", "units": outputs, "activation": head})
    return {"input": {"shape": [inputs]}, "layers": layers, "loss": loss,
            "optimizer": {"type": "adam", "lr": lr}, "batch_size": batch, "seed": 0}


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    outputs = np.concatenate([model.forward(x[i:i + 2000], training=False) for i in range(0, len(x), 2000)])
    if outputs.shape[1] == 1:
        return float(((outputs[:, 0] > 0.5) == (y[:, 0] > 0.5)).mean())
    return float((outputs.argmax(1) == y).mean())


def train_until(spec: dict, data, target: float, max_steps: int, budget_s: float, chunk: int = 250):
    """Trains until validation accuracy reaches target; returns (accuracy, steps, seconds)."""
    from engine import Trainer, build_model
    model = build_model(spec, seed=0)
    trainer = Trainer(model, spec)
    start, steps, score = time.perf_counter(), 0, 0.0
    while steps < max_steps and time.perf_counter() - start < budget_s:
        trainer.train(data.x_train, data.y_train, steps=chunk)
        steps += chunk
        score = accuracy(model, data.x_val, data.y_val)
        if score >= target:
            break
    elapsed = time.perf_counter() - start
    print(f"{data.name}: validation accuracy {score:.4f} after {steps} steps in {elapsed:.1f} s")
    return score, steps, elapsed


@needs("mnist")
def test_mnist_10k_mlp_reaches_94_percent():
    data = load_dataset("mnist", flatten=True)
    spec = mlp_spec(784, [128, 64], 10, "cross_entropy", 1e-3, 64)
    score, _, _ = train_until(spec, data, 0.955, max_steps=4000, budget_s=240)
    assert score >= 0.94


@needs("fashion_mnist")
def test_fashion_mnist_mlp_reaches_85_percent():
    data = load_dataset("fashion_mnist", flatten=True)
    spec = mlp_spec(784, [128, 64], 10, "cross_entropy", 1e-3, 64)
    score, _, _ = train_until(spec, data, 0.87, max_steps=8000, budget_s=300, chunk=500)
    assert score >= 0.85


@needs("sentiment")
def test_sentiment_bag_of_words_reaches_70_percent():
    data = load_dataset("sentiment", representation="bag_of_words", vocab_size=2000)
    spec = mlp_spec(2000, [32], 1, "binary_cross_entropy", 1e-3, 32)
    score, _, _ = train_until(spec, data, 0.80, max_steps=3000, budget_s=120, chunk=150)
    assert score >= 0.70


def test_generated_spiral_is_learnable_with_sin_features():
    data = load_dataset("spiral", samples=600, noise=0.0, features=["x1", "x2", "sin_x1", "sin_x2"])
    spec = mlp_spec(4, [16, 16], 1, "binary_cross_entropy", 0.01, 16)
    score, _, _ = train_until(spec, data, 0.95, max_steps=8000, budget_s=120, chunk=500)
    assert score >= 0.9


@pytest.mark.parametrize("name,required,flatten", [
    ("iris", 0.9, None), ("wine", 0.9, None), ("breast_cancer", 0.9, None), ("digits8", 0.9, True)])
def test_small_classics_are_learnable(name, required, flatten):
    data = load_dataset(name, **({"flatten": True} if flatten else {}))
    binary = data.task == "binary_classification"
    spec = mlp_spec(data.input_shape[0], [32], 1 if binary else data.num_classes,
                    "binary_cross_entropy" if binary else "cross_entropy", 0.01, 16)
    score, _, _ = train_until(spec, data, required + 0.03, max_steps=3000, budget_s=120, chunk=100)
    assert score >= required
