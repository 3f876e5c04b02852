"""IDX uploads (the MNIST file format): images and labels. Either a .zip holding both files,
or an images file plus `labels_file=(name, bytes)`. Each may be gzip-compressed."""
from __future__ import annotations

import io
import zipfile

import numpy as np

from ..idx import IdxFormatError, read_idx
from .limits import UploadError, UploadLimits


def _read(field: str, data: bytes, limits: UploadLimits) -> np.ndarray:
    try:
        return read_idx(data, limits.max_unpacked_bytes)
    except IdxFormatError as error:
        raise UploadError(field, str(error)) from None


def _members_of_zip(data: bytes, limits: UploadLimits) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError("file", "is not a valid .zip archive; zip the images and labels IDX "
                          "files together") from None
    members = [info for info in archive.infolist() if not info.is_dir()]
    if sum(info.file_size for info in members) > limits.max_unpacked_bytes:
        raise UploadError("file", f"unpacks to more than {limits.max_unpacked_bytes:,} bytes; "
                          "upload fewer images")
    return [(info.filename, archive.read(info)) for info in members]


def _assign(arrays: list[tuple[str, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Images have 3 or 4 dimensions, labels 1; file names don't matter."""
    images = [(n, a) for n, a in arrays if a.ndim in (3, 4)]
    labels = [(n, a) for n, a in arrays if a.ndim == 1]
    if len(images) != 1 or len(labels) != 1:
        found = ", ".join(f"{n} {a.shape}" for n, a in arrays) or "nothing"
        raise UploadError("file", "needs exactly one images file (N, H, W) and one labels file "
                          f"(N,); found {found}")
    return images[0][1], labels[0][1]


def parse_idx_upload(filename: str, data: bytes, limits: UploadLimits,
                     labels_file: tuple[str, bytes] | None) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, H, W) or (N, C, H, W), labels (N,)) as stored in the files."""
    if filename.lower().endswith(".zip"):
        members = _members_of_zip(data, limits)
        return _assign([(name, _read(f"file {name}", blob, limits)) for name, blob in members])
    if labels_file is None:
        raise UploadError("labels", "an IDX images file needs its labels file too: upload a .zip "
                          "with both IDX files")
    images = _read("images", data, limits)
    labels = _read("labels", labels_file[1], limits)
    return _assign([(filename, images), (labels_file[0], labels)])
