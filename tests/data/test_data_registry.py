"""The registry: metadata every UI needs, option validation, sizes that match what loads,
credits for every source, and the modules' docstring examples."""
from __future__ import annotations

import doctest
import importlib
import json
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import engine.data
from engine.data import DATASETS, OptionError, catalog, credits, load_dataset
from engine.data.credits import CREDITS
from engine.data.sources import SOURCES

from data_helpers import loaded, with_source

REQUIRED_KEYS = {"name", "title", "group", "task", "input_shape", "output_shape", "num_classes",
                 "class_names", "size", "source", "licence", "citation", "options", "available",
                 "install", "suggested_loss"}


def test_catalog_is_json_and_complete():
    entries = json.loads(json.dumps(catalog()))
    assert {e["name"] for e in entries} == set(DATASETS)
    for entry in entries:
        assert REQUIRED_KEYS <= set(entry), entry["name"]
        for option in entry["options"]:
            assert {"name", "default", "kind"} <= set(option)


def test_issue_lists_every_data_set():
    expected = {"circle", "xor", "gaussian", "spiral", "moons", "plane", "multi_gaussian",
                "spirals", "blobs", "mnist", "fashion_mnist", "digits8", "shapes", "iris", "wine",
                "breast_cancer", "sentiment", "sine_wave", "adding", "copy", "parity",
                "sunspots", "co2", "first_names"}
    assert expected <= set(DATASETS)


@pytest.mark.parametrize("name", with_source(DATASETS))
def test_default_load_matches_the_registry(name):
    info, data = DATASETS[name], loaded(name)
    assert data.input_shape == info.input_shape
    assert data.output_shape == info.output_shape
    assert {"train": len(data.x_train), "val": len(data.x_val)} == info.size
    assert data.task == info.task and data.num_classes == info.num_classes
    assert len(data.y_train) == len(data.x_train) and len(data.y_val) == len(data.x_val)
    assert data.x_train.dtype in (np.float32, np.int64)
    json.dumps(data.metadata())


@pytest.mark.parametrize("name", with_source(DATASETS))
def test_label_layout_follows_the_task(name):
    data = loaded(name)
    if data.task in ("multiclass_classification", "sequence_classification", "generation"):
        assert data.y_train.dtype == np.int64 and data.y_train.ndim == 1
        assert 0 <= data.y_train.min() and data.y_train.max() < data.num_classes
    else:
        assert data.y_train.dtype == np.float32 and data.y_train.ndim == 2
    if data.task == "binary_classification":
        assert set(np.unique(data.y_train)) == {0.0, 1.0}
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_val).all()


def test_unknown_name_and_options_are_refused_with_the_field():
    with pytest.raises(OptionError) as unknown:
        load_dataset("cifar10")
    assert unknown.value.field == "name" and "xor" in unknown.value.message
    with pytest.raises(OptionError) as option:
        load_dataset("xor", colour="red")
    assert option.value.field == "colour" and "noise" in option.value.message
    with pytest.raises(OptionError) as bounds:
        load_dataset("spiral", noise=2.0)
    assert bounds.value.field == "noise" and "between 0.0 and 0.5" in bounds.value.message
    with pytest.raises(OptionError):
        load_dataset("xor", samples=10.5)
    with pytest.raises(OptionError):
        load_dataset("xor", features=["x3"])


def test_every_source_is_credited_and_used():
    listed = {c["source"]: c for c in credits()}
    assert set(listed) == set(SOURCES) == set(CREDITS)
    for credit in listed.values():
        assert credit["licence"] and credit["citation"] and credit["datasets"], credit["source"]
    assert "CC BY-SA 3.0" in listed["mnist"]["licence"]
    assert "Zalando" in listed["fashion_mnist"]["notice"]
    assert "Kotzias" in listed["sentiment"]["citation"]


def test_licence_page_credits_every_source():
    page = (Path(__file__).resolve().parents[2] / "docs" / "data-licences.md").read_text()
    for phrase in ("CC BY-SA 3.0", "LeCun", "Zalando SE", "Xiao", "Kotzias", "KDD 2015", "UCI",
                   "statsmodels", "Moby Word II", "scikit-learn"):
        assert phrase in page


# module -> the data set its docstring examples load (when that is not a generated one)
EXAMPLE_NEEDS = {"names": "first_names", "sentiment": "sentiment", "series": "sunspots",
                 "classics": "iris", "images": "digits8", "probe_inputs": "digits8"}


def _modules():
    yield engine.data
    for info in pkgutil.walk_packages(engine.data.__path__, "engine.data."):
        yield importlib.import_module(info.name)


@pytest.mark.parametrize("module", list(_modules()), ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    needed = EXAMPLE_NEEDS.get(module.__name__.rsplit(".", 1)[-1])
    if needed and not DATASETS[needed].available():
        pytest.skip(f"the examples load {needed}, whose source is not installed")
    result = doctest.testmod(module, extraglobs={"load_dataset": load_dataset, "np": np,
                                                 "preview": engine.data.preview},
                             optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_load_shared_returns_one_copy_per_name_and_options():
    from engine.data import load_shared
    from engine.data.registry import SHARED_LIMIT
    first = load_shared("xor", samples=100)
    assert load_shared("xor", samples=100, noise=0.0) is first  # the defaults spelled out
    assert load_shared("xor", samples=120) is not first
    for samples in range(200, 200 + SHARED_LIMIT):
        load_shared("xor", samples=samples)
    assert load_shared("xor", samples=100) is not first  # evicted, loaded again
