"""Reader for IDX files (the MNIST file format), plain or gzip-compressed.

Layout: 2 zero bytes, a type code, the number of dimensions, then one big-endian uint32 per
dimension, then the values in C order. The reader checks every part and says what is wrong,
because uploads use it as well as the installed Fashion-MNIST files.

>>> header = bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big")
>>> read_idx(header + bytes([1, 2, 3])).tolist()
[1, 2, 3]
"""
from __future__ import annotations

import gzip
import io
import zlib

import numpy as np

# IDX type codes -> big-endian numpy dtypes.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
GZIP_MAGIC = b"\x1f\x8b"


class IdxFormatError(ValueError):
    """The bytes are not a valid IDX file; the message says which part is wrong."""


def maybe_gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompresses gzip data, refusing to inflate beyond `max_bytes` (a gzip bomb guard)."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise IdxFormatError(f"the gzip data is damaged ({error}); re-compress the file") from None
    if len(out) > max_bytes:
        raise IdxFormatError(f"decompresses to more than {max_bytes:,} bytes, the upload limit")
    return out


def read_idx_header(data: bytes) -> tuple[np.dtype, tuple[int, ...], int]:
    """Returns (dtype, shape, offset of the values) after checking the magic number."""
    if len(data) < 4:
        raise IdxFormatError(f"only {len(data)} bytes; an IDX file starts with a 4-byte magic number")
    if data[0] != 0 or data[1] != 0:
        raise IdxFormatError(
            f"bad magic number 0x{data[:4].hex()}: an IDX file starts with two zero bytes "
            "(e.g. 0x00000803 for images, 0x00000801 for labels)")
    type_code, ndim = data[2], data[3]
    if type_code not in IDX_DTYPES:
        raise IdxFormatError(f"unknown value type 0x{type_code:02x} in the magic number; "
                             "expected 0x08 (unsigned byte) or another IDX type")
    if not 1 <= ndim <= 4:
        raise IdxFormatError(f"the magic number declares {ndim} dimensions; expected 1 to 4")
    offset = 4 + 4 * ndim
    if len(data) < offset:
        raise IdxFormatError(f"truncated header: {ndim} dimensions need {offset} bytes, "
                             f"the file has {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.dtype(IDX_DTYPES[type_code]), shape, offset


def read_idx(data: bytes, max_bytes: int = 1 << 31) -> np.ndarray:
    """IDX bytes (optionally gzip) -> array in native byte order."""
    data = maybe_gunzip(data, max_bytes)
    dtype, shape, offset = read_idx_header(data)
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(data) - offset
    dims = " x ".join(map(str, shape))
    if actual < expected:
        raise IdxFormatError(f"truncated: the header declares {dims} values ({expected:,} bytes) "
                             f"but only {actual:,} bytes follow; the file was cut short")
    if actual > expected:
        raise IdxFormatError(f"{actual - expected:,} unexpected bytes after the {dims} values "
                             "the header declares")
    values = np.frombuffer(data, dtype=dtype, offset=offset).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def read_idx_file(path, max_bytes: int = 1 << 31) -> np.ndarray:
    with open(path, "rb") as handle:
        return read_idx(handle.read(), max_bytes)
