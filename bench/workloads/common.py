"""Shared pieces of the workload implementations: synthetic data and batch cycling.

All data is float32 and synthetic with the right shapes: timing does not depend on the values,
and both sides of a comparison see the same arrays.
"""
import itertools

import numpy as np

BATCHES_CYCLED = 32


def regression_data(samples, features, outputs, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, features), dtype=np.float32)
    y = np.tanh(x.sum(axis=1, keepdims=True)).astype(np.float32)[:, :outputs]
    return x, y


def classification_data(samples, features, classes, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((samples, features), dtype=np.float32)
    labels = rng.integers(0, classes, samples).astype(np.int64)
    return x, labels


def cycled_batches(x, y, batch_size, count=BATCHES_CYCLED, convert=None):
    """Pre-cut `count` batches and cycle them, so timing excludes batch assembly.

    `convert` (e.g. torch.from_numpy) is applied to every cut array.
    """
    convert = convert or (lambda a: a)
    count = min(count, len(x) // batch_size)  # never an empty or short batch
    batches = [
        (convert(np.ascontiguousarray(x[i * batch_size:(i + 1) * batch_size])),
         convert(np.ascontiguousarray(y[i * batch_size:(i + 1) * batch_size])))
        for i in range(count)
    ]
    return itertools.cycle(batches)


def layerlab_runs(spec, x, y, steps_per_train_call, threads):
    """(step runner, train runner) for one fresh engine Trainer on (x, y).

    step: Trainer.step on cycled pre-cut batches (fused=False switches the fused path off);
    train: Trainer.train drawing its own minibatches, steps_per_train_call steps per call."""
    from engine import Trainer, build_model
    from engine.config import set_thread_policy, suggest_thread_policy

    # the engine's one thread policy decides who may use the allowed threads: BLAS only for
    # batches and layers big enough to gain (perf-baselines.md), one thread otherwise
    widest = max(layer["units"] for layer in spec["layers"])
    set_thread_policy(suggest_thread_policy(spec["batch_size"], widest), threads)

    def make_trainer(fused):
        trainer = Trainer(build_model(spec, seed=0), spec)
        if not fused:
            trainer.fused = None  # the layer-by-layer path, for comparison
        return trainer

    def step_runner(fused=True):
        trainer, batches = make_trainer(fused), cycled_batches(x, y, spec["batch_size"])
        return (lambda: trainer.step(*next(batches))), 1

    def train_runner():
        trainer = make_trainer(True)
        return (lambda: trainer.train(x, y, steps=steps_per_train_call)), steps_per_train_call

    return step_runner, train_runner


def dense_spec(sizes, hidden_activation, output_activation, loss, optimizer, batch_size):
    """A sequential dense network spec in Layerlab's JSON format (DESIGN.md section 2)."""
    layers = [
        {"id": f"h{i + 1}", "type": "dense", "units": units, "activation": hidden_activation}
        for i, units in enumerate(sizes[1:-1])
    ]
    layers.append({"id": "out", "type": "dense", "units": sizes[-1], "activation": output_activation})
    return {
        "input": {"shape": [sizes[0]]},
        "layers": layers,
        "loss": loss,
        "optimizer": optimizer,
        "batch_size": batch_size,
        "seed": 0,
    }


def torch_dense_stack(sizes, activation_module):
    import torch

    torch.manual_seed(0)
    modules = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            modules.append(activation_module())
    return torch.nn.Sequential(*modules)


def torch_training_step(model, loss_fn, optimizer):
    """One PyTorch training step as a user would write it."""

    def step(xb, yb):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss

    return step
