"""Workload (e): tiny transformer encoder classifier: token ids (vocab 100) of 32 steps ->
embedding 64 + sinusoidal positions -> 2 pre-norm blocks (4 heads, ff 128, gelu) -> mean over
time -> dense 10; cross-entropy, Adam (lr 1e-3), batch 32.

PyTorch: nn.Embedding, the same fixed position table, nn.TransformerEncoderLayer(norm_first=True,
activation="gelu", dropout=0, batch_first=True) x 2, mean, nn.Linear: the stock modules a user
would reach for.
"""
import numpy as np

from bench.workloads.common import cycled_batches, torch_training_step
from bench.workloads.spec_factories import layerlab_factories

STEPS, VOCAB, WIDTH, HEADS, FF, BLOCKS, CLASSES, BATCH = 32, 100, 64, 4, 128, 2, 10, 32
SAMPLES = 1024
LR = 1e-3
STEPS_PER_TRAIN_CALL = 5


def position_table():
    """The sinusoidal table of engine/layers/embedding.py, rebuilt here so torch's process never
    imports the engine."""
    angle = np.arange(STEPS)[:, None] / 10000.0 ** (np.arange(0, WIDTH, 2) / WIDTH)
    table = np.zeros((STEPS, WIDTH), np.float32)
    table[:, 0::2], table[:, 1::2] = np.sin(angle), np.cos(angle)
    return table


def token_data(seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, VOCAB, (SAMPLES, STEPS)).astype(np.float32)
    return ids, rng.integers(0, CLASSES, SAMPLES).astype(np.int64)


def transformer_spec():
    blocks = [{"id": f"block{k + 1}", "type": "transformer_block", "num_heads": HEADS, "ff_dim": FF}
              for k in range(BLOCKS)]
    return {"input": {"shape": [STEPS]}, "loss": "cross_entropy", "batch_size": BATCH, "seed": 0,
            "optimizer": {"type": "adam", "lr": LR},
            "layers": [{"id": "embed", "type": "embedding", "num_embeddings": VOCAB, "embedding_dim": WIDTH},
                       {"id": "pos", "type": "positional_encoding", "max_len": STEPS}, *blocks,
                       {"id": "pool", "type": "sequence_pool", "mode": "mean"},
                       {"id": "out", "type": "dense", "units": CLASSES}]}


layerlab_step, layerlab_train = layerlab_factories(transformer_spec, token_data, BATCH, STEPS_PER_TRAIN_CALL)


def torch_default(threads, quick):
    import torch

    torch.manual_seed(0)
    table = torch.from_numpy(position_table())

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(VOCAB, WIDTH)
            self.blocks = torch.nn.ModuleList(
                torch.nn.TransformerEncoderLayer(WIDTH, HEADS, FF, dropout=0.0, activation="gelu",
                                                 batch_first=True, norm_first=True) for _ in range(BLOCKS))
            self.out = torch.nn.Linear(WIDTH, CLASSES)

        def forward(self, ids):
            h = self.embed(ids) + table
            for block in self.blocks:
                h = block(h)
            return self.out(h.mean(dim=1))

    model = Encoder()
    step = torch_training_step(model, torch.nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=LR))
    ids, labels = token_data()
    batches = cycled_batches(ids.astype(np.int64), labels, BATCH, convert=torch.from_numpy)

    def run():
        step(*next(batches))

    return run, 1
