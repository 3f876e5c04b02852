"""NPZ uploads (numpy.savez): arrays `x` and `y`, or `x_train`, `y_train`, `x_val`, `y_val`."""
from __future__ import annotations

import io
import zipfile

import numpy as np

from .limits import UploadError, UploadLimits

SINGLE_KEYS = ("x", "y")
SPLIT_KEYS = ("x_train", "y_train", "x_val", "y_val")


def _open_archive(data: bytes, limits: UploadLimits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError("file", "is not a valid .npz archive; save it with numpy.savez(path, "
                          "x=..., y=...)") from None
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.max_unpacked_bytes:
        raise UploadError("file", f"unpacks to {unpacked:,} bytes, over the limit of "
                          f"{limits.max_unpacked_bytes:,}; upload fewer samples")
    return archive


def _chosen_keys(keys: list[str]) -> tuple[str, ...]:
    for wanted in (SINGLE_KEYS, SPLIT_KEYS):
        if set(wanted) <= set(keys):
            return wanted
    raise UploadError("keys", f"the archive holds {sorted(keys) or 'no arrays'}; expected 'x' and "
                      "'y' (or x_train, y_train, x_val, y_val): numpy.savez(path, x=..., y=...)")


def parse_npz(data: bytes, limits: UploadLimits) -> dict[str, np.ndarray]:
    """key -> array for the keys found (x, y) or (x_train, y_train, x_val, y_val)."""
    _open_archive(data, limits)
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError) as error:
        raise UploadError("file", f"cannot be read as .npz ({error})") from None
    with archive:
        keys = _chosen_keys([k for k in archive.files])
        arrays = {}
        for key in keys:
            try:
                arrays[key] = archive[key]
            except ValueError:
                raise UploadError(key, "holds Python objects (dtype object), which are not "
                                  "loaded for safety; save a numeric array") from None
            except (OSError, zipfile.BadZipFile, EOFError) as error:
                raise UploadError(key, f"is damaged ({error}); save the file again") from None
    return arrays
