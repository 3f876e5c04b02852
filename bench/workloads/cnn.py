"""Workload (c): CNN conv5x5x8-relu-maxpool2-conv5x5x16-relu-maxpool2-dense10 on 1x28x28,
softmax cross-entropy, Adam (lr 1e-3), batch 64.

Layerlab runs per step (`Trainer.step` on pre-cut batches) and in chunks (`Trainer.train`, which
also draws its minibatches from the whole set); PyTorch runs the same net as a user would write it.
"""
from bench.workloads.common import classification_data, cycled_batches, torch_training_step

BATCH = 64
LR = 1e-3
SAMPLES = 4096
STEPS_PER_TRAIN_CALL = 10
IMAGE = (1, 28, 28)


def cnn_spec():
    layers = [
        {"id": "c1", "type": "conv2d", "out_channels": 8, "kernel_size": 5, "activation": "relu"},
        {"id": "p1", "type": "max_pool2d", "kernel_size": 2},
        {"id": "c2", "type": "conv2d", "out_channels": 16, "kernel_size": 5, "activation": "relu"},
        {"id": "p2", "type": "max_pool2d", "kernel_size": 2},
        {"id": "flat", "type": "flatten"},
        {"id": "out", "type": "dense", "units": 10},
    ]
    return {"input": {"shape": list(IMAGE)}, "layers": layers, "loss": "cross_entropy",
            "optimizer": {"type": "adam", "lr": LR}, "batch_size": BATCH, "seed": 0}


def image_data():
    x, labels = classification_data(SAMPLES, 28 * 28, 10)
    return x.reshape(SAMPLES, *IMAGE), labels


def _layerlab_trainer():
    from engine import Trainer, build_model

    spec = cnn_spec()
    return Trainer(build_model(spec, seed=0), spec)


def layerlab_step(threads, quick):
    trainer = _layerlab_trainer()
    batches = cycled_batches(*image_data(), BATCH)

    def run():
        trainer.step(*next(batches))

    return run, 1


def layerlab_train(threads, quick):
    trainer = _layerlab_trainer()
    x, labels = image_data()

    def run():
        trainer.train(x, labels, steps=STEPS_PER_TRAIN_CALL)

    return run, STEPS_PER_TRAIN_CALL


def torch_default(threads, quick):
    import torch

    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 4 * 4, 10))
    step = torch_training_step(model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=LR))
    batches = cycled_batches(*image_data(), BATCH, convert=torch.from_numpy)

    def run():
        step(*next(batches))

    return run, 1
