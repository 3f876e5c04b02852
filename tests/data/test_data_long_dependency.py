"""The adding problem is built so that memory matters: at length 50 a plain RNN stays at the
trivial guess (MSE ≈ 0.167, always predicting 1) while an LSTM solves it.

Checked with PyTorch (a test-only dependency) as the reference learner, because this is a
property of the data; the engine's own recurrent layers are tested against PyTorch elsewhere.
"""
from __future__ import annotations

import numpy as np
import pytest

from engine.data import load_dataset

pytestmark = pytest.mark.slow
torch = pytest.importorskip("torch")


def validation_mse(kind: str, length: int, steps: int) -> float:
    torch.manual_seed(0)
    data = load_dataset("adding", length=length, samples=4000)
    x, y = torch.tensor(data.x_train), torch.tensor(data.y_train)
    cell = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}[kind](2, 32, batch_first=True)
    head = torch.nn.Linear(32, 1)
    optimizer = torch.optim.Adam([*cell.parameters(), *head.parameters()], lr=3e-3)
    batches = torch.Generator().manual_seed(0)
    for _ in range(steps):
        index = torch.randint(0, len(x), (32,), generator=batches)
        out, _ = cell(x[index])
        loss = ((head(out[:, -1]) - y[index]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        out, _ = cell(torch.tensor(data.x_val))
        return float(((head(out[:, -1]) - torch.tensor(data.y_val)) ** 2).mean())


def test_trivial_guess_scores_about_one_sixth():
    data = load_dataset("adding", length=50, samples=4000)
    assert np.mean((data.y_val - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.02)


def test_lstm_solves_length_50_where_a_plain_rnn_does_not():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        lstm, rnn = validation_mse("lstm", 50, 2500), validation_mse("rnn", 50, 2500)
    finally:
        torch.set_num_threads(previous)
    print(f"adding, length 50: LSTM MSE {lstm:.4f}, RNN MSE {rnn:.4f}")
    assert lstm < 0.02 and rnn > 0.1
