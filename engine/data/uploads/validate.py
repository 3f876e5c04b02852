"""Checks shared by every upload format: sizes, dtype, layout, NaN/Inf, labels and balance.

Every refusal raises UploadError(field, message) where the message says what to change.
"""
from __future__ import annotations

import numpy as np

from ..dataset import Dataset, binary_targets, class_labels
from ..splits import random_split, stratified_split
from .limits import UploadError, UploadLimits

NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float


def check_features(x: np.ndarray, field: str, limits: UploadLimits) -> np.ndarray:
    """float32 features in Layerlab's layout: (N, F), (N, T, F) or (N, C, H, W)."""
    if x.dtype.kind not in NUMERIC_KINDS:
        raise UploadError(field, f"has dtype {x.dtype}; features must be numbers (int or float)")
    if x.ndim < 2 or x.ndim > 4:
        raise UploadError(field, f"has shape {x.shape}; expected (N, features), (N, time, "
                          "features) or (N, channels, height, width)")
    n = len(x)
    if n == 0:
        raise UploadError(field, "has no samples")
    if n < limits.min_samples:
        raise UploadError(field, f"has {n} samples; at least {limits.min_samples} are needed "
                          "to train and validate")
    if n > limits.max_samples:
        raise UploadError(field, f"has {n:,} samples; at most {limits.max_samples:,} are "
                          "allowed — upload a subset")
    per_sample = int(np.prod(x.shape[1:]))
    if per_sample > limits.max_features:
        raise UploadError(field, f"has {per_sample:,} values per sample (shape {x.shape[1:]}); "
                          f"at most {limits.max_features:,} are allowed — use fewer features "
                          "or smaller images")
    if x.ndim == 4 and x.shape[1] not in (1, 3, 4) and x.shape[3] in (1, 3):
        raise UploadError(field, f"shape {x.shape} looks like (N, H, W, C); Layerlab uses (N, C, "
                          "H, W): save x.transpose(0, 3, 1, 2)")
    _check_finite(x, field)
    out = x.astype(np.float32)
    if x.dtype == np.uint8 and x.ndim == 4:
        out /= 255.0  # byte images -> [0, 1], like the built-in image sets
    return out


def _check_finite(values: np.ndarray, field: str) -> None:
    if values.dtype.kind != "f":
        return
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.argwhere(bad)[0][0])
        raise UploadError(field, f"contains {int(bad.sum())} NaN or infinite values (first in "
                          f"sample {first}); fill in or drop those samples")


def _auto_task(y: np.ndarray, limits: UploadLimits) -> str:
    if y.dtype.kind in "US":
        return "classification"
    if y.ndim == 1 and y.dtype.kind in NUMERIC_KINDS and np.isfinite(y).all():
        whole = np.all(np.mod(y, 1) == 0)
        if whole and y.min() >= 0 and y.max() < limits.max_classes:
            return "classification"
    return "regression"


def _class_ids(y: np.ndarray, field: str, limits: UploadLimits) -> tuple[np.ndarray, tuple[str, ...]]:
    """(integer ids 0..K-1, class names) from word or number labels."""
    if y.ndim != 1:
        raise UploadError(field, f"has shape {y.shape}; classification needs one label per "
                          "sample, shape (N,)")
    if y.dtype.kind in "US":
        names, ids = np.unique(y, return_inverse=True)  # words -> classes in alphabetical order
        return ids, tuple(str(n) for n in names)
    if y.dtype.kind not in NUMERIC_KINDS:
        raise UploadError(field, f"has dtype {y.dtype}; labels must be integers 0..K-1 or words")
    _check_finite(y, field)
    fractional = np.flatnonzero(np.mod(y, 1) != 0)
    if fractional.size:
        i = int(fractional[0])
        raise UploadError(field, f"sample {i} has label {y[i]}; classification labels must be "
                          "whole numbers 0..K-1 (choose regression to predict numbers)")
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= limits.max_classes:
        raise UploadError(field, f"labels run from {low} to {high}; they must lie in 0..K-1 "
                          f"with K at most {limits.max_classes}")
    ids = y.astype(np.int64)
    missing = np.flatnonzero(np.bincount(ids, minlength=high + 1) == 0)
    if missing.size:
        raise UploadError(field, f"no sample has label {int(missing[0])}; number the classes "
                          f"0..{high} without gaps")
    return ids, tuple(str(c) for c in range(high + 1))


def _check_balance(ids: np.ndarray, names, field: str, limits: UploadLimits) -> list[str]:
    counts = np.bincount(ids, minlength=len(names))
    if len(names) < 2:
        raise UploadError(field, f"every sample has the label '{names[0]}'; a classifier needs "
                          "at least two classes")
    smallest = int(counts.argmin())
    if counts[smallest] < limits.min_per_class:
        raise UploadError(field, f"class '{names[smallest]}' has {counts[smallest]} sample(s); "
                          f"each class needs at least {limits.min_per_class}")
    ratio = counts.max() / counts[smallest]
    message = (f"class '{names[int(counts.argmax())]}' has {ratio:.0f}x as many samples as class "
               f"'{names[smallest]}'")
    if ratio > limits.max_imbalance:
        raise UploadError(field, f"{message}; at most {limits.max_imbalance:.0f}x is allowed — "
                          "add samples of the small class or drop some of the large one")
    if ratio > limits.warn_imbalance:
        return [f"{message}: accuracy can look good while the small class is never predicted"]
    return []


def check_regression_targets(y: np.ndarray, n: int, field: str) -> np.ndarray:
    if y.dtype.kind not in NUMERIC_KINDS:
        raise UploadError(field, f"has dtype {y.dtype}; regression targets must be numbers")
    if y.ndim > 2:
        raise UploadError(field, f"has shape {y.shape}; regression targets are (N,) or (N, outputs)")
    _check_finite(y, field)
    return y.astype(np.float32).reshape(n, -1)


def build_upload_dataset(name: str, x: np.ndarray, y: np.ndarray, limits: UploadLimits, *,
                         task: str = "auto", val_split: float = 0.2, seed: int = 0,
                         n_train: int | None = None, fields=("x", "y"), extras=None) -> Dataset:
    """Validates x and y and splits them (or keeps the first n_train samples as training)."""
    x_field, y_field = fields
    x = check_features(x, x_field, limits)
    if len(y) != len(x):
        raise UploadError(y_field, f"has {len(y)} labels but {x_field} has {len(x)} samples; "
                          "they must match one to one")
    if task == "auto":
        task = _auto_task(y, limits)
    warnings, names = [], None
    if task == "classification":
        ids, names = _class_ids(y, y_field, limits)
        warnings = _check_balance(ids, names, y_field, limits)
        task = "binary_classification" if len(names) == 2 else "multiclass_classification"
        targets = binary_targets(ids) if len(names) == 2 else class_labels(ids)
        split_by = ids
    elif task == "regression":
        targets, split_by = check_regression_targets(y, len(x), y_field), None
    else:
        raise UploadError("task", f"unknown task '{task}'; use auto, classification or regression")
    if n_train is not None:
        train, val = np.arange(n_train), np.arange(n_train, len(x))
    elif split_by is not None:
        train, val = stratified_split(split_by, val_split, seed)
    else:
        train, val = random_split(len(x), val_split, seed)
    return Dataset(name, task, x[train], targets[train], x[val], targets[val],
                   num_classes=len(names) if names else None, class_names=names,
                   extras=dict(extras or {}), warnings=warnings)
