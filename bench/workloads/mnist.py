"""Workload (b): MNIST-shaped MLP 784-128-64-10, ReLU, softmax cross-entropy, Adam (lr 1e-3).

PyTorch runs twice: default Adam (foreach) and `Adam(fused=True)`, the fastest stock optimizer and
so the fair best-PyTorch baseline. Layerlab runs per step (`Trainer.step` on pre-cut batches) and in
chunks (`Trainer.train`, which also draws its minibatches from the whole set), both through the
fused kernel, and per step through the layer-by-layer path (`layerwise`) for comparison.
"""
import functools

from bench.workloads import MNIST_SIZES
from bench.workloads.common import classification_data, cycled_batches, dense_spec, layerlab_runs, \
    torch_dense_stack, torch_training_step

LR = 1e-3
SAMPLES = 8192
STEPS_PER_TRAIN_CALL = 20


def mnist_spec(batch):
    return dense_spec(MNIST_SIZES, "relu", "linear", "cross_entropy", {"type": "adam", "lr": LR}, batch)


def _runs(batch, threads):
    return layerlab_runs(mnist_spec(batch), *classification_data(SAMPLES, 784, 10), STEPS_PER_TRAIN_CALL,
                         threads)


def _layerlab_step(batch, threads, quick, fused=True):
    return _runs(batch, threads)[0](fused)


def _layerlab_train(batch, threads, quick):
    return _runs(batch, threads)[1]()


def _torch(batch, fused, threads, quick):
    import torch

    model = torch_dense_stack(MNIST_SIZES, torch.nn.ReLU)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, fused=fused or None)
    step = torch_training_step(model, torch.nn.CrossEntropyLoss(), optimizer)
    x, labels = classification_data(SAMPLES, 784, 10)
    batches = cycled_batches(x, labels, batch, convert=torch.from_numpy)

    def run():
        step(*next(batches))

    return run, 1


layerlab_step_64 = functools.partial(_layerlab_step, 64)
layerlab_step_256 = functools.partial(_layerlab_step, 256)
layerlab_layerwise_step_64 = functools.partial(_layerlab_step, 64, fused=False)
layerlab_layerwise_step_256 = functools.partial(_layerlab_step, 256, fused=False)
layerlab_train_64 = functools.partial(_layerlab_train, 64)
layerlab_train_256 = functools.partial(_layerlab_train, 256)
torch_default_64 = functools.partial(_torch, 64, False)
torch_default_256 = functools.partial(_torch, 256, False)
torch_fused_64 = functools.partial(_torch, 64, True)
torch_fused_256 = functools.partial(_torch, 256, True)
