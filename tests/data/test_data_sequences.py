"""Sequence tasks and real series: layouts (N, T, F), correct targets, adjustable length,
chronological splits."""
from __future__ import annotations

import numpy as np
import pytest

from data_helpers import needs
from engine.data import load_dataset
from engine.data.cache import raw_arrays
from engine.data.series import make_windows


def test_adding_target_is_the_sum_of_the_two_marked_values():
    data = load_dataset("adding", length=120, samples=300)
    x, y = data.x_train, data.y_train
    assert x.shape == (240, 120, 2) and y.shape == (240, 1)
    np.testing.assert_array_equal(x[:, :, 1].sum(1), 2.0)
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(1), rtol=1e-6)
    # One marker in each half: the first must be carried at least half the sequence.
    assert (x[:, :60, 1].sum(1) == 1).all()


def test_copy_task_recalls_the_first_symbols():
    data = load_dataset("copy", length=30, recall=3, samples=200)
    x, y = data.x_train, data.y_train
    assert x.shape[1:] == (30, 10) and y.shape == (160, 3) and y.dtype == np.int64
    np.testing.assert_array_equal(x[:, :3, :8].argmax(-1), y)
    assert (x[:, 3:-1, 8] == 1).all() and (x[:, -1, 9] == 1).all()  # blanks, then the cue
    single = load_dataset("copy", length=50)
    assert single.y_train.shape == (1600,) and single.output_shape == (8,)


def test_parity_labels_count_the_ones():
    data = load_dataset("parity", length=25)
    assert data.x_train.shape[1:] == (25, 1)
    np.testing.assert_array_equal(data.y_train[:, 0], data.x_train[:, :, 0].sum(1) % 2)
    assert abs(data.y_train.mean() - 0.5) < 0.05


def test_sine_windows_continue_smoothly():
    data = load_dataset("sine_wave", length=30, horizon=3, noise=0.0)
    assert data.x_train.shape == (1600, 30, 1) and data.y_train.shape == (1600, 3)
    # Without noise the next value is close to the last one (at most 0.12 cycles a step).
    step = np.abs(data.y_train[:, 0] - data.x_train[:, -1, 0])
    assert step.max() < 2 * np.pi * 0.12 + 1e-5


@pytest.mark.parametrize("name", ["adding", "copy", "parity"])
def test_length_can_be_raised(name):
    assert load_dataset(name, length=400, samples=100).x_train.shape[1] == 400


def test_make_windows_slides_one_step():
    inputs, targets, first = make_windows(np.arange(10.0), window=3, horizon=2)
    assert inputs.shape == (6, 3, 1) and targets.tolist()[0] == [3.0, 4.0] and first[0] == 3


@needs("sunspots")
def test_sunspots_has_309_years_and_validation_is_the_end():
    raw = raw_arrays("sunspots")
    assert len(raw["value"]) == 309 and raw["time"][0] == 1700 and raw["time"][-1] == 2008
    data = load_dataset("sunspots", window=10, val_split=0.2)
    assert data.x_train.shape == (237, 10, 1) and data.extras["split_time"] == 1947.0
    # Standardized with the training part: the last training target, unscaled, is the 1946 count.
    mean, std = data.extras["mean"], data.extras["std"]
    assert data.y_train[-1, 0] * std + mean == pytest.approx(raw["value"][246], rel=1e-4)
    assert data.x_val[0, -1, 0] == pytest.approx(data.y_train[-1, 0])


@needs("co2")
def test_co2_is_weekly_without_gaps():
    raw = raw_arrays("co2")
    assert len(raw["value"]) == 2284 and np.isfinite(raw["value"]).all()
    assert 310 < raw["value"].min() and raw["value"].max() < 380
    data = load_dataset("co2", window=52, horizon=4)
    assert data.x_train.shape[1:] == (52, 1) and data.y_train.shape[1] == 4
