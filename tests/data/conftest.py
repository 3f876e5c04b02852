"""Fixtures of the data tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """An empty cache directory for this test, and no in-memory copies from other tests."""
    from engine.data.cache import forget_memory
    monkeypatch.setenv("LAYERLAB_DATA_DIR", str(tmp_path / "cache"))
    forget_memory()
    yield tmp_path / "cache"
    forget_memory()
