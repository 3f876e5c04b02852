"""Small JSON-able previews of a data set for the data panel (/api/datasets/<name>/preview).

Arrays are sent as {"dtype", "shape", "data": base64 little-endian bytes}, like the wire's
tensors, never as long JSON lists. Image previews read the cached uint8 pixels, so a preview
never normalizes 60,000 images.

>>> preview("xor", count=5)["kind"]
'points'
"""
from __future__ import annotations

import base64

import numpy as np

from .cache import raw_arrays
from .options import resolve_options
from .registry import dataset_info, load_dataset
from .shapes import draw_shapes, SHAPE_NAMES

# data set -> (raw cache key, pixel key, label key, largest pixel value)
RAW_IMAGES = {
    "mnist": ("mnist", "x", "y", 255), "fashion_mnist": ("fashion_mnist", "x_test", "y_test", 255),
    "digits8": ("digits8", "x", "y", 16),
}
MAX_COUNT = 64


def encode_tensor(array: np.ndarray) -> dict:
    array = np.ascontiguousarray(array)
    little = array.astype(array.dtype.newbyteorder("<"), copy=False)
    return {"dtype": str(array.dtype), "shape": list(array.shape),
            "data": base64.b64encode(little.tobytes()).decode("ascii")}


def preview(name: str, count: int = 16, **options) -> dict:
    """A few samples of `name` (with its options, where they change what the samples look like)."""
    info = dataset_info(name)
    resolve_options(info.options, options)  # a bad option is refused the same way for every set
    info.require()
    count = int(min(max(count, 1), MAX_COUNT))
    builder = _BY_GROUP[info.group]
    out = builder(name, count, options)
    out.update({"name": name, "task": info.task,
                "class_names": list(info.class_names) if info.class_names else None})
    return out


def _one_per_class_first(labels: np.ndarray, count: int) -> np.ndarray:
    """Indices cycling through the classes, so a preview of 10 digits shows 0 to 9."""
    by_class = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    picks = [members[i] for i in range(count) for members in by_class if i < len(members)]
    return np.array(picks[:count], dtype=np.int64)


def _images(name, count, options):
    if name == "shapes":
        labels = np.arange(count) % len(SHAPE_NAMES)
        pixels = np.rint(draw_shapes(labels, 0.05, np.random.default_rng(0)) * 255).astype(np.uint8)
    else:
        key, x_key, y_key, pixel_max = RAW_IMAGES[name]
        raw = raw_arrays(key, name)
        picks = _one_per_class_first(raw[y_key], count)
        labels = raw[y_key][picks]
        scaled = raw[x_key][picks].astype(np.float32) * (255.0 / pixel_max)
        pixels = np.rint(scaled).astype(np.uint8)[:, None]
    return {"kind": "images", "images": encode_tensor(pixels), "labels": labels.astype(int).tolist()}


def _points(name, count, options):
    data = load_dataset(name, **options)
    points, labels = data.extras["points_train"], data.y_train.reshape(len(data.y_train), -1)[:, 0]
    return {"kind": "points", "points": encode_tensor(points.astype(np.float32)),
            "labels": encode_tensor(labels.astype(np.float32)), "domain": data.extras["domain"]}


def _table(name, count, options):
    raw = raw_arrays(name, name)
    picks = _one_per_class_first(raw["y"], count)
    return {"kind": "table", "columns": raw["feature_names"].tolist(),
            "rows": np.round(raw["x"][picks].astype(np.float64), 4).tolist(),
            "labels": raw["y"][picks].astype(int).tolist()}


def _text(name, count, options):
    if name == "first_names":
        raw = raw_arrays("first_names", name)
        picks = np.random.default_rng(0).choice(len(raw["name"]), count, replace=False)
        return {"kind": "text", "examples": [{"text": str(raw["name"][i]), "label": None} for i in picks]}
    raw = raw_arrays("sentiment", name)
    picks = _one_per_class_first(raw["y"], count)
    return {"kind": "text", "examples": [{"text": str(raw["text"][i]), "label": int(raw["y"][i])}
                                         for i in picks]}


def _sequences(name, count, options):
    if name == "first_names":
        return _text(name, count, options)
    data = load_dataset(name, **{"samples": 100, **options})
    shown = min(count, 4)
    return {"kind": "sequences", "x": encode_tensor(data.x_val[:shown].astype(np.float32)),
            "y": encode_tensor(data.y_val[:shown].astype(np.float32))}


def _series(name, count, options):
    raw = raw_arrays(name, name)
    step = max(1, len(raw["value"]) // 400)  # at most ~400 points for a sparkline
    return {"kind": "series", "time": encode_tensor(raw["time"][::step].astype(np.float32)),
            "values": encode_tensor(raw["value"][::step].astype(np.float32)),
            "length": int(len(raw["value"]))}


_BY_GROUP = {"images": _images, "toy2d": _points, "classics": _table, "text": _text,
             "sequences": _sequences, "series": _series}
