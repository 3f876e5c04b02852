"""Train/validation splits that are deterministic for a seed.

>>> labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
>>> train, val = stratified_split(labels, 0.25, seed=0)
>>> np.bincount(labels[val]).tolist(), np.bincount(labels[train]).tolist()
([1, 1], [3, 3])
"""
from __future__ import annotations

import numpy as np


def _val_counts_per_class(class_counts: np.ndarray, val_fraction: float) -> np.ndarray:
    """Largest-remainder rounding: per-class shares that add up to round(N * fraction) exactly."""
    total_val = int(round(class_counts.sum() * val_fraction))
    exact = class_counts * val_fraction
    counts = np.floor(exact).astype(np.int64)
    leftover = total_val - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:leftover]] += 1
    # Keep at least one training and (where possible) one validation sample per class.
    counts = np.minimum(counts, np.maximum(class_counts - 1, 0))
    counts = np.where((counts == 0) & (class_counts >= 2), 1, counts)
    return counts


def stratified_split(labels: np.ndarray, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (train, val) with every class split in the same proportion, both sorted by a
    seeded shuffle so batches drawn in order are mixed."""
    labels = np.asarray(labels).reshape(-1)
    rng = np.random.default_rng(seed)
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    val_counts = _val_counts_per_class(counts, val_fraction)
    train_parts, val_parts = [], []
    for c in range(len(classes)):
        members = rng.permutation(np.flatnonzero(inverse == c))
        val_parts.append(members[: val_counts[c]])
        train_parts.append(members[val_counts[c]:])
    train = rng.permutation(np.concatenate(train_parts))
    val = rng.permutation(np.concatenate(val_parts))
    return train, val


def random_split(n: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled (train, val) index arrays, for regression targets that have no classes."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = min(max(int(round(n * val_fraction)), 1), n - 1)
    return order[n_val:], order[:n_val]


def chronological_split(n: int, val_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """The last part of a time series is the validation set: a forecaster must not peek ahead."""
    n_val = min(max(int(round(n * val_fraction)), 1), n - 1)
    return np.arange(n - n_val), np.arange(n - n_val, n)


def take(arrays: tuple[np.ndarray, ...], index: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(a[index] for a in arrays)
