"""Workload (a): the playground net 2-8-8-1, tanh hidden layers, linear output, MSE, SGD, batch 10.

Layerlab runs it two ways: `Trainer.train` with K steps per call (how a session's worker thread
trains between frames) and `Trainer.step` once per call (the per-step API).
"""
from bench.workloads import PLAYGROUND_SIZES
from bench.workloads.common import cycled_batches, dense_spec, regression_data, torch_dense_stack, \
    torch_training_step

BATCH = 10
LR = 0.03
STEPS_PER_TRAIN_CALL = 1000
SAMPLES = 500


def playground_spec():
    return dense_spec(PLAYGROUND_SIZES, "tanh", "linear", "mse", {"type": "sgd", "lr": LR}, BATCH)


def _layerlab_trainer():
    from engine import Trainer, build_model

    spec = playground_spec()
    model = build_model(spec, seed=0)
    return Trainer(model, spec)


def layerlab_train(threads, quick):
    trainer = _layerlab_trainer()
    x, y = regression_data(SAMPLES, 2, 1)

    def run():
        trainer.train(x, y, steps=STEPS_PER_TRAIN_CALL)

    return run, STEPS_PER_TRAIN_CALL


def layerlab_step(threads, quick, fused=True):
    trainer = _layerlab_trainer()
    if not fused:
        trainer.fused = None  # the layer-by-layer path, for comparison
    batches = cycled_batches(*regression_data(SAMPLES, 2, 1), BATCH)

    def run():
        trainer.step(*next(batches))

    return run, 1


def layerlab_layerwise_step(threads, quick):
    return layerlab_step(threads, quick, fused=False)


def torch_default(threads, quick):
    import torch

    model = torch_dense_stack(PLAYGROUND_SIZES, torch.nn.Tanh)
    step = torch_training_step(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=LR))
    x, y = regression_data(SAMPLES, 2, 1)
    batches = cycled_batches(x, y, BATCH, convert=torch.from_numpy)

    def run():
        step(*next(batches))

    return run, 1

