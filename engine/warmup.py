"""Compile (or load from the on-disk cache) every engine kernel ahead of the first click on play.

    python -m engine.warmup          # progress bar, then cold/warm timing and cache statistics

``warmup(progress)`` runs tiny real workloads - every activation, loss, optimizer, layer,
regularizer, clipping mode, the perceptron rule and the probes - through the same code paths as
training, so exactly the signatures training uses get compiled. ``progress(name, i, total)`` is
called before each task (and once more with i == total when done).
"""

import importlib
import pkgutil
import sys
import time

import numpy as np

from engine import probes
from engine.kernels.codes import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES
from engine.model import build_model
from engine.train import Trainer

_X = np.linspace(-1.0, 1.0, 8, dtype=np.float32).reshape(4, 2)


def _spec(layers, loss="mse", **extra):
    return {"input": {"shape": [2]}, "layers": layers, "loss": loss, "batch_size": 4, **extra}


def _targets(loss, width):
    if loss == "cross_entropy":
        return np.array([0, 1, 0, 1], np.int64)
    return np.full((4, width), 0.5, np.float32)


def _train_once(spec, loss="mse", width=1):
    model = build_model(spec)
    Trainer(model, spec).step(_X, _targets(loss, width))
    model.forward(_X)
    return model


def _activation_task(name):
    return lambda: _train_once(_spec([{"id": "h", "type": "dense", "units": 3, "activation": name},
                                      {"id": "a", "type": "activation", "activation": name},
                                      {"id": "out", "type": "dense", "units": 1}]))


def _loss_task(name):
    output = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(name, "linear")
    width = 2 if name == "cross_entropy" else 1
    return lambda: _train_once(_spec([{"id": "out", "type": "dense", "units": width, "activation": output}], loss=name),
                               loss=name, width=width)


def _optimizer_task(name):
    return lambda: _train_once(_spec([{"id": "out", "type": "dense", "units": 1}], optimizer={"type": name}))


def _layers_task():
    layers = [{"id": "h", "type": "dense", "units": 4, "activation": "relu", "dropout": 0.2},
              {"id": "bn", "type": "batch_norm"}, {"id": "ln", "type": "layer_norm"},
              {"id": "drop", "type": "dropout", "rate": 0.5},
              {"id": "skip", "type": "dense", "units": 4, "inputs": ["input"], "use_bias": False},
              {"id": "sum", "type": "add", "inputs": ["drop", "skip"]},
              {"id": "cat", "type": "concat", "inputs": ["sum", "h"]},
              {"id": "out", "type": "dense", "units": 1}]
    return lambda: _train_once(_spec(layers))


def _regularization_task():
    def run():
        for reg, clip in (("l1", {"type": "norm", "max_norm": 1.0}), ("l2", {"type": "value", "clip_value": 1.0})):
            _train_once(_spec([{"id": "out", "type": "dense", "units": 1}], regularization={"type": reg, "rate": 0.01},
                              grad_clip=clip))
    return run


def _perceptron_and_probes_task():
    def run():
        spec = _spec([{"id": "p", "type": "dense", "units": 1, "activation": "step"}], mode="perceptron",
                     optimizer={"type": "sgd", "lr": 0.1})
        model = _train_once(spec)
        probes.neuron_grid(model, n=4)
        probes.activations(model, _X)
    return run


def tasks():
    out = [(f"activation {name}", _activation_task(name)) for name in ACTIVATION_CODES]
    out += [(f"loss {name}", _loss_task(name)) for name in LOSS_CODES]
    out += [(f"optimizer {name}", _optimizer_task(name)) for name in OPTIMIZER_CODES]
    out += [("layers: batch_norm, layer_norm, dropout, add, concat", _layers_task()),
            ("regularization and clipping", _regularization_task()),
            ("perceptron and probes", _perceptron_and_probes_task())]
    return out


def kernel_dispatchers():
    """Every njit dispatcher in engine.kernels (for cache statistics)."""
    import engine.kernels as package
    from numba.core.registry import CPUDispatcher

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"engine.kernels.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = value
    return found


def warmup(progress=None) -> dict:
    """Compile or load every kernel; returns {"seconds", "tasks", "compiled", "loaded"}."""
    started = time.perf_counter()
    todo = tasks()
    for i, (name, run) in enumerate(todo):
        if progress is not None:
            progress(name, i, len(todo))
        run()
    if progress is not None:
        progress("done", len(todo), len(todo))
    compiled = loaded = 0
    for dispatcher in kernel_dispatchers().values():
        compiled += sum(dispatcher.stats.cache_misses.values())
        loaded += sum(dispatcher.stats.cache_hits.values())
    return {"seconds": time.perf_counter() - started, "tasks": len(todo), "compiled": compiled, "loaded": loaded}


def _print_progress(name, i, total):
    width = 30
    filled = width * i // total
    sys.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {i}/{total} {name:<56}")
    sys.stdout.flush()


def main():
    process_start = time.perf_counter()
    result = warmup(_print_progress)
    kind = "cold (compiled)" if result["compiled"] else "warm (loaded from cache)"
    print(f"\nkernels ready in {result['seconds']:.2f} s, {kind}: {result['compiled']} compiled, "
          f"{result['loaded']} loaded from cache; {time.perf_counter() - process_start:.2f} s in this process")


if __name__ == "__main__":
    main()
