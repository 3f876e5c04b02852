"""In CI every real source is installed (scripts/setup.sh installs them all): assert that each
loads, so a missing setup step fails loudly instead of turning into skipped tests."""
from __future__ import annotations

import os

import pytest

from engine.data import DATASETS, load_dataset
from engine.data.sources import SOURCES


@pytest.mark.skipif(not os.environ.get("CI"), reason="only in CI, where every source is installed")
def test_every_real_source_is_installed_and_loads():
    missing = [f"{key}: {s.install}" for key, s in SOURCES.items() if not s.available()]
    assert not missing, f"sources missing in CI: {missing}"
    for name, info in DATASETS.items():
        data = load_dataset(name)
        assert len(data.x_train) == info.size["train"], name
