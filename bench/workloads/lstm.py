"""Workload (d): LSTM input 16, hidden 64, 50 steps, batch 32, last state -> dense 2, cross-entropy,
Adam (lr 1e-3). PyTorch: nn.LSTM(batch_first=True) + nn.Linear, as a user would write it.

Layerlab runs per step and in chunks (bench/workloads/spec_factories.py).
"""
import numpy as np

from bench.workloads.common import cycled_batches, torch_training_step
from bench.workloads.spec_factories import layerlab_factories

STEPS, FEATURES, HIDDEN, CLASSES, BATCH = 50, 16, 64, 2, 32
SAMPLES = 1024
LR = 1e-3
STEPS_PER_TRAIN_CALL = 5


def sequence_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((SAMPLES, STEPS, FEATURES), dtype=np.float32)
    return x, rng.integers(0, CLASSES, SAMPLES).astype(np.int64)


def lstm_spec():
    return {"input": {"shape": [STEPS, FEATURES]}, "loss": "cross_entropy", "batch_size": BATCH, "seed": 0,
            "optimizer": {"type": "adam", "lr": LR},
            "layers": [{"id": "lstm", "type": "lstm", "hidden_size": HIDDEN},
                       {"id": "out", "type": "dense", "units": CLASSES}]}


layerlab_step, layerlab_train = layerlab_factories(lstm_spec, sequence_data, BATCH, STEPS_PER_TRAIN_CALL)


def torch_default(threads, quick):
    import torch

    torch.manual_seed(0)

    class LastState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(FEATURES, HIDDEN, batch_first=True)
            self.out = torch.nn.Linear(HIDDEN, CLASSES)

        def forward(self, x):
            return self.out(self.lstm(x)[0][:, -1])

    model = LastState()
    step = torch_training_step(model, torch.nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=LR))
    batches = cycled_batches(*sequence_data(), BATCH, convert=torch.from_numpy)

    def run():
        step(*next(batches))

    return run, 1
