"""Workload (a): the playground net 2-8-8-1, tanh hidden layers, linear output, MSE, SGD, batch 10.

Layerlab runs it two ways: `Trainer.train` with K steps per call (how a session's worker thread
trains between frames) and `Trainer.step` once per call (the per-step API).
"""
from bench.workloads import PLAYGROUND_SIZES
from bench.workloads.common import cycled_batches, dense_spec, layerlab_runs, regression_data, \
    torch_dense_stack, torch_training_step

BATCH = 10
LR = 0.03
STEPS_PER_TRAIN_CALL = 1000
SAMPLES = 500


def playground_spec():
    return dense_spec(PLAYGROUND_SIZES, "tanh", "linear", "mse", {"type": "sgd", "lr": LR}, BATCH)


def _runs(threads):
    return layerlab_runs(playground_spec(), *regression_data(SAMPLES, 2, 1), STEPS_PER_TRAIN_CALL, threads)


def layerlab_train(threads, quick):
    return _runs(threads)[1]()


def layerlab_step(threads, quick):
    return _runs(threads)[0]()


def layerlab_layerwise_step(threads, quick):
    return _runs(threads)[0](fused=False)


def torch_default(threads, quick):
    import torch

    model = torch_dense_stack(PLAYGROUND_SIZES, torch.nn.Tanh)
    step = torch_training_step(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=LR))
    x, y = regression_data(SAMPLES, 2, 1)
    batches = cycled_batches(x, y, BATCH, convert=torch.from_numpy)

    def run():
        step(*next(batches))

    return run, 1

