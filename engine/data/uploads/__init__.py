"""Parsing and validation of uploaded data sets: CSV, NPZ and IDX (MNIST format).

>>> data = parse_upload("points.csv", b"x1,x2,label\\n" + b"".join(
...     f"{i},{i % 3},{i % 2}\\n".encode() for i in range(20)), UploadLimits())
>>> data.task, data.x_train.shape
('binary_classification', (16, 2))
>>> parse_upload("points.txt", b"1,2", UploadLimits())
Traceback (most recent call last):
...
engine.data.uploads.limits.UploadError: filename: ...
"""
from __future__ import annotations

from pathlib import PurePath

import numpy as np

from ..dataset import Dataset
from .csv_format import parse_csv
from .idx_format import parse_idx_upload
from .limits import UploadError, UploadLimits, human_size
from .npz_format import parse_npz
from .validate import build_upload_dataset

IDX_ENDINGS = (".idx", "-ubyte", ".idx.gz", "-ubyte.gz", ".zip")
ACCEPTED = (".csv", ".npz") + IDX_ENDINGS


def upload_format(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith(".npz"):
        return "npz"
    if lower.endswith(IDX_ENDINGS):
        return "idx"
    raise UploadError("filename", f"'{filename}' has an unsupported type; upload a .csv (features "
                      "+ label column), an .npz (arrays x and y) or IDX files (.idx / -ubyte, "
                      "optionally .gz, or both in a .zip)")


def _check_size(data: bytes, limits: UploadLimits) -> None:
    if len(data) == 0:
        raise UploadError("file", "is empty; choose the file again or check that it was saved")
    if len(data) > limits.max_bytes:
        raise UploadError("file", f"is {human_size(len(data))}; the limit is "
                          f"{human_size(limits.max_bytes)} — upload fewer samples")


def _csv_labels(table, limits: UploadLimits) -> np.ndarray:
    labels = table.labels
    empty = np.flatnonzero(labels == "")
    if empty.size:
        raise UploadError(f"column '{table.label_name}'", f"sample {int(empty[0])} has no label; "
                          "every row needs one")
    try:
        return labels.astype(np.float64)
    except ValueError:
        return labels  # words: each distinct word becomes a class


def parse_upload(filename: str, data: bytes, limits: UploadLimits | None = None, *,
                 task: str = "auto", label_column: str | None = None, val_split: float = 0.2,
                 seed: int = 0, labels_file: tuple[str, bytes] | None = None) -> Dataset:
    """Validates an uploaded file and returns it as a Dataset, or raises UploadError.

    task: "auto" (integer or word labels -> classification, else regression), "classification"
    or "regression". For IDX, pass the labels file as labels_file=(name, bytes) or zip both."""
    limits = limits or UploadLimits()
    kind = upload_format(filename)
    _check_size(data, limits)
    name = f"upload:{PurePath(filename).name}"
    options = {"task": task, "val_split": val_split, "seed": seed}
    if kind == "csv":
        table = parse_csv(data, label_column)
        return build_upload_dataset(
            name, table.features, _csv_labels(table, limits), limits, **options,
            fields=("features", f"column '{table.label_name}'"),
            extras={"feature_names": table.feature_names, "label_name": table.label_name})
    if kind == "npz":
        arrays = parse_npz(data, limits)
        if "x" in arrays:
            return build_upload_dataset(name, arrays["x"], arrays["y"], limits, **options)
        return _pre_split_npz(name, arrays, limits, options)
    images, labels = parse_idx_upload(filename, data, limits, labels_file)
    if images.ndim == 3:
        images = images[:, None]  # (N, H, W) -> (N, 1, H, W)
    options["task"] = "classification" if task == "auto" else task
    return build_upload_dataset(name, images, labels, limits, **options, fields=("images", "labels"))


def _pre_split_npz(name, arrays, limits, options) -> Dataset:
    """x_train/y_train/x_val/y_val: validated together, the given split kept."""
    for part in ("train", "val"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if len(x) != len(y):
            raise UploadError(f"y_{part}", f"has {len(y)} labels but x_{part} has {len(x)} "
                              "samples; they must match one to one")
    if arrays["x_val"].shape[1:] != arrays["x_train"].shape[1:]:
        raise UploadError("x_val", f"samples have shape {arrays['x_val'].shape[1:]} but x_train's "
                          f"have {arrays['x_train'].shape[1:]}")
    x = np.concatenate([arrays["x_train"], arrays["x_val"]])
    y = np.concatenate([arrays["y_train"], arrays["y_val"]])
    return build_upload_dataset(name, x, y, limits, task=options["task"],
                                n_train=len(arrays["x_train"]))


__all__ = ["ACCEPTED", "UploadError", "UploadLimits", "parse_upload", "upload_format"]
