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
    # A non-finite value would poison the range; it is drawn as the range's low end instead.
    finite = np.where(np.isfinite(array), array, np.nan)
    rows = finite.reshape(array.shape[0], -1) if per_slice and array.ndim > 0 else finite.reshape(1, -1)
    with np.errstate(all="ignore"):
        low = np.nan_to_num(np.nanmin(rows, axis=1, initial=np.inf, where=~np.isnan(rows)), posinf=0.0)
        high = np.nan_to_num(np.nanmax(rows, axis=1, initial=-np.inf, where=~np.isnan(rows)), neginf=0.0)
    scale = np.where(high > low, (high - low) / 255.0, 1.0).astype(np.float32)
    with np.errstate(invalid="ignore"):
        levels = np.rint((rows - low[:, None]) / scale[:, None])
    quantized = np.clip(np.nan_to_num(levels, nan=0.0), 0, 255).astype(np.uint8)
    tensor = {"dtype": "uint8", "shape": list(array.shape), "data": quantized.tobytes()}
    if per_slice and array.ndim > 0:
        tensor.update(scale=scale.tolist(), offset=low.astype(np.float32).tolist())
    else:
        tensor.update(scale=float(scale[0]), offset=float(low[0]))
    return tensor


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
