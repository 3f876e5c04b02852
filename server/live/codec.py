"""Tensors on the wire: {dtype, shape, data} with little-endian bytes, never lists of numbers.

    >>> t = encode_tensor(np.arange(6, dtype=np.float32).reshape(2, 3), "uint8")
    >>> t["dtype"], t["shape"], len(t["data"])
    ('uint8', [2, 3], 6)
    >>> decode_tensor(t).round(1).tolist()
    [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]

uint8 tensors carry `scale` and `offset` (value = offset + scale * byte). With per_slice=True
each slice along the first axis gets its own pair (lists), so e.g. every neuron's heatmap in a
neuron grid uses its full 0..255 range instead of sharing the range of the loudest neuron.
"""
import warnings

import msgpack
import numpy as np

WIRE_DTYPES = ("float32", "float16", "uint8")


def encode_tensor(values, dtype: str = "float32", per_slice: bool = False) -> dict:
    array = np.asarray(values, dtype=np.float32)
    if dtype == "uint8":
        return _quantize(array, per_slice)
    if dtype not in WIRE_DTYPES:
        raise ValueError(f"wire dtype must be one of {WIRE_DTYPES}, not {dtype!r}")
    little = array.astype(np.dtype(dtype).newbyteorder("<"), copy=False)
    return {"dtype": dtype, "shape": list(array.shape), "data": np.ascontiguousarray(little).tobytes()}


def _quantize(array: np.ndarray, per_slice: bool) -> dict:
    rows = array.reshape(array.shape[0], -1) if per_slice and array.ndim > 0 else array.reshape(1, -1)
    low, high = _ranges(rows)
    scale = np.where(high > low, (high - low) / np.float32(255), np.float32(1)).astype(np.float32)
    # (x - low) / scale + 0.5, truncated: rounding to 0..255 (the top lands on 255.5 -> 255).
    # In place, a few passes: this runs for every neuron-grid frame of every client.
    levels = np.subtract(rows, low[:, None], dtype=np.float32)
    levels *= (1 / scale)[:, None]
    levels += np.float32(0.5)
    if not np.isfinite(levels).all():  # a NaN or inf is drawn at the range's low end
        levels = np.clip(np.nan_to_num(levels, nan=0.0, posinf=0.0, neginf=0.0), 0, 255)
    quantized = levels.astype(np.uint8)
    tensor = {"dtype": "uint8", "shape": list(array.shape), "data": quantized.tobytes()}
    if per_slice and array.ndim > 0:
        tensor.update(scale=scale.tolist(), offset=low.tolist())
    else:
        tensor.update(scale=float(scale[0]), offset=float(low[0]))
    return tensor


def _ranges(rows: np.ndarray):
    """Per-row (low, high) of the finite values; (0, 0) for a row with none."""
    if rows.shape[1] == 0:
        zeros = np.zeros(rows.shape[0], np.float32)
        return zeros, zeros
    low, high = rows.min(axis=1), rows.max(axis=1)
    if np.isfinite(low).all() and np.isfinite(high).all():  # NaN would have shown in min and max
        return low, high
    finite = np.where(np.isfinite(rows), rows, np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices
        low, high = np.nanmin(finite, axis=1), np.nanmax(finite, axis=1)
    return np.nan_to_num(low, nan=0.0).astype(np.float32), np.nan_to_num(high, nan=0.0).astype(np.float32)


def decode_tensor(tensor: dict) -> np.ndarray:
    """The inverse of encode_tensor (used by tests, the bench and tools)."""
    dtype = np.dtype(tensor["dtype"]).newbyteorder("<")
    array = np.frombuffer(tensor["data"], dtype=dtype).astype(np.float32)
    shape = tuple(tensor["shape"])
    if tensor["dtype"] != "uint8":
        return array.reshape(shape)
    scale, offset = np.asarray(tensor["scale"], np.float32), np.asarray(tensor["offset"], np.float32)
    rows = array.reshape(scale.size, -1) if scale.ndim else array.reshape(1, -1)
    return (offset.reshape(-1, 1) + scale.reshape(-1, 1) * rows).reshape(shape)


def pack(message: dict) -> bytes:
    """A binary frame: one msgpack map; tensors' bytes travel as msgpack bin, uncopied by JSON."""
    return msgpack.packb(message, use_bin_type=True)


def unpack(frame: bytes) -> dict:
    return msgpack.unpackb(frame, raw=False)
