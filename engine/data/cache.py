"""Convert-once cache of the installed sources as compressed .npz files.

Each raw source registers a converter (`@raw_source("mnist", source="mnist")`) that reads the
installed package files and returns plain arrays. `raw_arrays(key)` returns them from the cache
(data/cache/ or $LAYERLAB_DATA_DIR), converting and writing the cache on first use; later loads
never parse JSON or IDX again. Arrays come back read-only and are kept in memory, because a
classroom server loads the same set for many sessions.
"""
from __future__ import annotations

import os
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .sources import SOURCES, cache_dir

# Bump when a converter's output changes: old files are then ignored and rebuilt.
CACHE_VERSION = 1


@dataclass(frozen=True)
class RawSource:
    key: str
    source: str  # key into SOURCES
    convert: Callable[[], dict]


CONVERTERS: dict[str, RawSource] = {}
_memory: dict[tuple[str, str], dict] = {}
_lock = threading.Lock()


def raw_source(key: str, source: str):
    """Decorator registering `convert() -> {name: ndarray}` as the converter of a cached source."""
    def register(convert):
        CONVERTERS[key] = RawSource(key, source, convert)
        return convert
    return register


def cache_path(key: str):
    return cache_dir() / f"{key}.v{CACHE_VERSION}.npz"


def is_cached(key: str) -> bool:
    return cache_path(key).exists()


def raw_arrays(key: str, dataset: str | None = None) -> dict:
    """The arrays of raw source `key`; raises SourceMissing (naming `dataset`) if not installed."""
    path = cache_path(key)
    memo_key = (key, str(path))
    with _lock:
        if memo_key in _memory:
            return _memory[memo_key]
        arrays = _read(path) if path.exists() else None
        if arrays is None:
            arrays = _convert_and_store(key, dataset or key)
        for array in arrays.values():
            array.setflags(write=False)
        _memory[memo_key] = arrays
        return arrays


def convert_to_cache(key: str) -> None:
    """Writes the cache file of `key` (used by prepare_all); an unwritable cache raises OSError."""
    with _lock:
        _convert_and_store(key, key, must_write=True)


def _read(path) -> dict | None:
    """The cached arrays, or None when the file cannot be read (it is then converted again)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def _convert_and_store(key: str, dataset: str, must_write: bool = False) -> dict:
    raw = CONVERTERS[key]
    SOURCES[raw.source].require(dataset)
    arrays = raw.convert()
    try:
        _write_atomically(cache_path(key), arrays)
    except OSError:
        if must_write:
            raise
        # A read-only install still works when loading; it just converts again next process.
    return arrays


def _write_atomically(path, arrays: dict) -> None:
    # Write to a temporary file and rename, so a crash or a concurrent reader never sees half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the server may run as another user
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def forget_memory() -> None:
    """Drops the in-memory copies (tests use this after moving the cache directory)."""
    with _lock:
        _memory.clear()
