"""Generated sequence tasks, layout (N, T, F) float32.

- sine_wave: forecast the next values of a noisy sine from a window (regression).
- adding: T steps of (value, marker); the target is the sum of the two marked values. Raise
  `length` and a plain RNN stalls at the trivial guess (MSE ≈ 0.167) while an LSTM still learns.
- copy: remember the first symbols through a long blank stretch and recall them at the end.
- parity: is the number of ones in a bit string odd? Needs memory of every step.

>>> d = load_dataset("adding", length=20, samples=100)
>>> d.x_train.shape, d.y_train.shape
((80, 20, 2), (80, 1))
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset, binary_targets, class_labels
from .options import Option, split_options
from .registry import register
from .splits import random_split, stratified_split

COPY_SYMBOLS = 8  # symbols 0..7; channel 8 is the blank, channel 9 the "recall now" cue


def _samples(default: int = 2000) -> Option:
    return Option("samples", default, "int", low=100, high=20000, help="number of sequences")


def _length(default: int, low: int, high: int) -> Option:
    return Option("length", default, "int", low=low, high=high, help="time steps per sequence")


def _split(name, task, x, y, val_split, seed, stratify=None, **meta) -> Dataset:
    train, val = (stratified_split(stratify, val_split, seed) if stratify is not None
                  else random_split(len(x), val_split, seed))
    return Dataset(name, task, x[train], y[train], x[val], y[val], **meta)


@register("sine_wave", title="Sine-wave forecasting", group="sequences", task="forecasting",
          input_shape=(40, 1), output_shape=(1,), size={"train": 1600, "val": 400},
          source="generated",
          options=(_samples(), _length(40, 5, 200),
                   Option("horizon", 1, "int", low=1, high=20, help="future values to predict"),
                   Option("noise", 0.05, "float", low=0.0, high=0.5, help="measurement noise"),
                   *split_options(0.2)),
          description="Windows of sine waves of random frequency and phase; predict what comes next.")
def load_sine_wave(samples, length, horizon, noise, val_split, seed) -> Dataset:
    rng = np.random.default_rng(seed)
    steps = np.arange(length + horizon)[None, :]
    frequency = rng.uniform(0.02, 0.12, (samples, 1))  # cycles per step: 8 to 50 steps a period
    phase = rng.uniform(0, 2 * np.pi, (samples, 1))
    amplitude = rng.uniform(0.5, 1.0, (samples, 1))
    wave = amplitude * np.sin(2 * np.pi * frequency * steps + phase)
    observed = wave[:, :length] + rng.normal(0, noise, (samples, length))
    x = observed[:, :, None].astype(np.float32)
    y = wave[:, length:].astype(np.float32)  # clean future: the model should learn the signal
    return _split("sine_wave", "forecasting", x, y, val_split, seed)


@register("adding", title="Adding problem", group="sequences", task="regression",
          input_shape=(50, 2), output_shape=(1,), size={"train": 1600, "val": 400},
          source="generated", options=(_samples(), _length(50, 5, 500), *split_options(0.2)),
          description="Sum the two marked numbers of a long sequence (Hochreiter & Schmidhuber 1997).")
def load_adding(samples, length, val_split, seed) -> Dataset:
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, (samples, length))
    markers = np.zeros((samples, length))
    # One mark in each half, so the model must carry the first across at least length/2 steps.
    first = rng.integers(0, length // 2, samples)
    second = rng.integers(length // 2, length, samples)
    markers[np.arange(samples), first] = 1.0
    markers[np.arange(samples), second] = 1.0
    x = np.stack([values, markers], axis=2).astype(np.float32)
    y = (values * markers).sum(1, keepdims=True).astype(np.float32)
    return _split("adding", "regression", x, y, val_split, seed)


@register("copy", title="Copy memory task", group="sequences", task="sequence_classification",
          input_shape=(20, COPY_SYMBOLS + 2), output_shape=(COPY_SYMBOLS,),
          num_classes=COPY_SYMBOLS, class_names=tuple(str(s) for s in range(COPY_SYMBOLS)),
          size={"train": 1600, "val": 400}, source="generated",
          options=(_samples(), _length(20, 3, 500),
                   Option("recall", 1, "int", low=1, high=5,
                          help="symbols to remember; targets are (N,) for 1, (N, recall) above"),
                   *split_options(0.2)),
          description="See a few symbols, wait through blanks, then recall them when cued.")
def load_copy(samples, length, recall, val_split, seed) -> Dataset:
    rng = np.random.default_rng(seed)
    recall = min(recall, length - 1)
    symbols = rng.integers(0, COPY_SYMBOLS, (samples, recall))
    channels = np.full((samples, length), COPY_SYMBOLS)  # blank everywhere ...
    channels[:, :recall] = symbols                       # ... but the symbols first
    channels[:, -1] = COPY_SYMBOLS + 1                   # ... and the cue last
    x = np.eye(COPY_SYMBOLS + 2, dtype=np.float32)[channels]
    y = class_labels(symbols[:, 0]) if recall == 1 else symbols.astype(np.int64)
    names = tuple(str(s) for s in range(COPY_SYMBOLS))
    return _split("copy", "sequence_classification", x, y, val_split, seed,
                  stratify=symbols[:, 0], num_classes=COPY_SYMBOLS, class_names=names)


@register("parity", title="Parity of a bit string", group="sequences",
          task="binary_classification", input_shape=(10, 1), output_shape=(1,), num_classes=2,
          class_names=("even", "odd"), size={"train": 1600, "val": 400}, source="generated",
          options=(_samples(), _length(10, 2, 500), *split_options(0.2)),
          description="Count the ones modulo 2: every bit matters, up to the very first.")
def load_parity(samples, length, val_split, seed) -> Dataset:
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (samples, length))
    odd = bits.sum(1) % 2
    return _split("parity", "binary_classification", bits[:, :, None].astype(np.float32),
                  binary_targets(odd), val_split, seed, stratify=odd, num_classes=2,
                  class_names=("even", "odd"))
