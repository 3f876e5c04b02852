"""Converts every installed source once into the compressed cache (`layerlab data prepare`).

>>> summary = prepare_all(lambda name, i, total: print(f"[{i}/{total}] {name}"))  # doctest: +SKIP
"""
from __future__ import annotations

from typing import Callable

from .cache import CONVERTERS, convert_to_cache, is_cached
from .sources import SOURCES

Progress = Callable[[str, int, int], None]


def prepare_all(progress: Progress | None = None) -> dict[str, str]:
    """Converts what is installed and not cached yet. Returns name -> "cached" | "converted" |
    "missing: <install command>"; progress(name, i, total) is called before each source (i from
    1) and once more with i == total when done, so a bar can reach 100%."""
    keys = list(CONVERTERS)
    total = len(keys)
    summary = {}
    for i, key in enumerate(keys, start=1):
        if progress:
            progress(key, i - 1, total)
        source = SOURCES[CONVERTERS[key].source]
        if is_cached(key):
            summary[key] = "cached"
        elif not source.available():
            summary[key] = f"missing: {source.install}"
        else:
            convert_to_cache(key)
            summary[key] = "converted"
    if progress:
        progress("done", total, total)
    return summary
