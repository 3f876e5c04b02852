"""Compile (or load from the on-disk cache) every engine kernel ahead of the first click on play.

    python -m engine.warmup          # progress bar, then cold/warm timing and cache statistics

``warmup(progress)`` first calls every kernel family on tiny float32 arrays (one compile each,
so the progress display moves while the compiler works), then runs tiny real workloads - every
activation, loss, optimizer, layer, regularizer, clipping mode, the perceptron rule, the fused
paths and the probes - through the same code as training, so every signature training uses is
compiled. ``progress(name, i, total)`` is called before each task (and with i == total at the end).
"""

import importlib
import pkgutil
import sys
import time

import numpy as np

from engine import probes
from engine.kernels import activations, dense, dropout, losses, norm, optim, perceptron, regularize
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


def _sequence_task(recurrent_only):
    """Token ids -> embedding -> ... -> per-step or pooled heads: every sequence layer and kernel."""
    if recurrent_only:
        layers = [{"id": "r", "type": "rnn", "hidden_size": 3, "return_sequences": True},
                  {"id": "q", "type": "rnn", "hidden_size": 3, "nonlinearity": "relu", "return_sequences": True},
                  {"id": "g", "type": "gru", "hidden_size": 3, "return_sequences": True},
                  {"id": "l", "type": "lstm", "hidden_size": 3}]
    else:
        layers = [{"id": "p", "type": "positional_encoding", "kind": "learned", "max_len": 4},
                  {"id": "s", "type": "positional_encoding"},
                  {"id": "m", "type": "multi_head_attention", "num_heads": 2, "causal": True},
                  {"id": "t", "type": "transformer_block", "num_heads": 2, "ff_dim": 4, "dropout": 0.1},
                  {"id": "pool", "type": "sequence_pool"}]
    spec = {"input": {"shape": [3]}, "loss": "cross_entropy", "batch_size": 4,
            "layers": [{"id": "e", "type": "embedding", "num_embeddings": 5, "embedding_dim": 4}, *layers,
                       {"id": "out", "type": "dense", "units": 2}]}
    ids = np.arange(12, dtype=np.float32).reshape(4, 3) % 5

    def run():
        model = build_model(spec)
        Trainer(model, spec).step(ids, np.array([0, 1, 0, 1], np.int64))
        probes.sequence_state(model, ids, probes.sequence_layers(model)[-1])
    return run


def _image_task():
    """Every image layer in one small network: conv, pooling, upsampling and patch kernels."""
    layers = [{"id": "c", "type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": "same", "activation": "relu"},
              {"id": "mp", "type": "max_pool2d", "kernel_size": 2},
              {"id": "ap", "type": "avg_pool2d", "kernel_size": 1},
              {"id": "up", "type": "upsample2d"},
              {"id": "t", "type": "conv2d_transpose", "out_channels": 2, "kernel_size": 2, "stride": 2},
              {"id": "g", "type": "global_avg_pool2d"},
              {"id": "patch", "type": "patch_embed", "patch_size": 2, "embed_dim": 2, "inputs": ["t"]},
              {"id": "flat", "type": "flatten"},
              {"id": "r", "type": "reshape", "shape": [-1]},
              {"id": "cat", "type": "concat", "inputs": ["g", "r"]},
              {"id": "out", "type": "dense", "units": 2}]
    spec = {"input": {"shape": [1, 4, 4]}, "layers": layers, "loss": "cross_entropy", "batch_size": 4}
    images = np.linspace(-1.0, 1.0, 64, dtype=np.float32).reshape(4, 1, 4, 4)

    def run():
        model = build_model(spec)
        Trainer(model, spec).step(images, np.array([0, 1, 0, 1], np.int64))
        probes.saliency(model, images)
    return run


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


def _kernel_family_tasks():
    f32 = np.float32
    z, a, g = np.linspace(-2, 2, 12, dtype=f32).reshape(4, 3), np.empty((4, 3), f32), np.ones((4, 3), f32)
    w, b = np.ones((3, 2), f32), np.zeros(3, f32)
    flat, state, hyper = np.ones(6, f32), np.zeros((optim.STATE_SLOTS, 6), f32), np.zeros(optim.HYPER_SIZE)
    labels, segments = np.zeros(4, np.int64), (np.array([0], np.int64), np.array([3], np.int64))
    x3, c = np.ones((4, 3, 1), f32), np.ones(3, f32)

    def norms():
        norm.batch_norm_fwd_train(x3, c, c, c.copy(), c.copy(), 0.1, 1e-5, x3.copy(), c.copy(), c.copy(), x3.copy())
        norm.batch_norm_fwd_eval(x3, c, c, c, c, 1e-5, x3.copy())
        norm.batch_norm_bwd(x3, x3, c, c, x3.copy(), c.copy(), c.copy())
        norm.layer_norm_fwd(z, c, c, 1e-5, a, np.empty(4, f32), np.empty(4, f32), a.copy())
        norm.layer_norm_bwd(g, z, c, np.ones(4, f32), a, c.copy(), c.copy())

    def elementwise_and_regularization():
        dropout.dropout_fwd(flat, np.ones(6, np.uint8), 2.0, flat.copy())
        dropout.dropout_bwd(flat, np.ones(6, np.uint8), 2.0, flat.copy())
        regularize.add_penalty_grads(flat, flat.copy(), *segments, regularize.REG_L2, 0.1)
        regularize.penalty(flat, *segments, regularize.REG_L1, 0.1)
        regularize.clip_grads_by_norm(flat.copy(), 1.0)
        regularize.clip_grads_by_value(flat.copy(), 1.0)

    return [
        ("kernels: activations", lambda: (activations.activation_fwd(3, z, a), activations.activation_bwd(3, z, a, g, a.copy()))),
        ("kernels: dense", lambda: (dense.dense_fwd(z[:, :2].copy(), w, b, a),
                                    dense.dense_bwd(z[:, :2].copy(), w, g, z[:, :2].copy(), w.copy(), b.copy(), True))),
        ("kernels: losses", lambda: (losses.loss_fwd(0, z, g, labels), losses.loss_bwd(0, z, g, labels, a))),
        ("kernels: optimizers", lambda: optim.optimizer_step(1, flat.copy(), flat, state, hyper, 1)),
        ("kernels: batch_norm, layer_norm", norms),
        ("kernels: dropout, regularization, clipping", elementwise_and_regularization),
        ("kernels: embedding, rnn, gru, lstm (through their layers)", _sequence_task(recurrent_only=True)),
        ("kernels: attention, positional_encoding, transformer_block", _sequence_task(recurrent_only=False)),
        ("kernels: conv, pooling, upsampling, patches (through their layers)", _image_task()),
        ("kernels: perceptron rule", lambda: perceptron.perceptron_update(z[:, :2].copy(), a[:, :1].copy(), w[:1].copy(), b[:1].copy(), 0.1)),
        ("fused training kernel (dense stacks)", _loss_task("mse")),
        ("fused neuron grid", lambda: probes.neuron_grid(_train_once(_spec([{"id": "out", "type": "dense", "units": 1}])), n=4)),
    ]


def tasks():
    out = _kernel_family_tasks()
    out += [(f"activation {name}", _activation_task(name)) for name in ACTIVATION_CODES]
    out += [(f"loss {name}", _loss_task(name)) for name in LOSS_CODES]
    out += [(f"optimizer {name}", _optimizer_task(name)) for name in OPTIMIZER_CODES]
    out += [("layers: batch_norm, layer_norm, dropout, add, concat", _layers_task()),
            ("regularization and clipping", _regularization_task()),
            ("perceptron and probes", _perceptron_and_probes_task())]
    return out


def kernel_dispatchers():
    """Every njit dispatcher in engine.kernels and engine.fused (for cache statistics)."""
    from numba.core.registry import CPUDispatcher

    found = {}
    for package_name in ("engine.kernels", "engine.fused"):
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package_name}.{info.name}")
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
