"""Helpers for the data tests: skip a test (with the install command) when its source is not
installed, and load each data set once per test session. (A uniquely named module, because test
folders here are not packages.)"""
from __future__ import annotations

import functools

import pytest

from engine.data import DATASETS, load_dataset
from engine.data.sources import SOURCES


def needs(name: str):
    """Marks a test that needs data set `name`'s source; skipped with the install command."""
    source = SOURCES[DATASETS[name].source]
    return pytest.mark.skipif(not source.available(),
                              reason=f"{name}: source not installed ({source.install})")


def with_source(names):
    """pytest.param per data set name, each skipped when its source is missing."""
    return [pytest.param(n, marks=needs(n), id=n) for n in names]


@functools.lru_cache(maxsize=None)
def loaded(name: str, **options):
    # Cached: the same defaults are checked by several tests; arrays are not modified by tests.
    return load_dataset(name, **options)
