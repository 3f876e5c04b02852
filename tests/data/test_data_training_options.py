"""train_limit, rare_class and rare_fraction: declared on every set (the class pair on
classification sets), validated with the field's name, applied to the training part only."""
from __future__ import annotations

import numpy as np
import pytest

from engine.data import DATASETS, OptionError, catalog, load_dataset

MOONS = {"samples": 400, "noise": 0.2, "seed": 3}


def labels(y):
    return np.asarray(y).reshape(len(y), -1)[:, 0]


def test_every_set_declares_them_in_the_catalog():
    for entry in catalog():
        names = {o["name"]: o for o in entry["options"]}
        assert names["train_limit"] == {"name": "train_limit", "default": 0, "kind": "int", "min": 0,
                                        "max": 10_000_000, "help": names["train_limit"]["help"]}
        classes = entry["task"] in ("binary_classification", "multiclass_classification")
        assert ("rare_class" in names) == classes and ("rare_fraction" in names) == classes, entry["name"]
        if classes:
            assert names["rare_class"]["kind"] == "int" and names["rare_class"]["max"] >= entry["num_classes"] - 1
            assert (names["rare_fraction"]["min"], names["rare_fraction"]["max"], names["rare_fraction"]["default"]) == (0.0, 1.0, 1.0)
    assert {o.name for o in DATASETS["blobs"].options} >= {"rare_class", "centres"}
    assert next(o for o in DATASETS["blobs"].options if o.name == "rare_class").high == 7  # up to 8 centres


def test_train_limit_shrinks_training_only():
    full = load_dataset("moons", **MOONS)
    small = load_dataset("moons", **MOONS, train_limit=25)
    assert len(small.x_train) == len(small.y_train) == 25
    np.testing.assert_array_equal(small.x_train, full.x_train[:25])
    np.testing.assert_array_equal(small.x_val, full.x_val)
    np.testing.assert_array_equal(small.y_val, full.y_val)
    assert len(small.extras["points_train"]) == 25 and len(small.extras["points_val"]) == len(full.x_val)
    assert small.metadata()["train_size"] == 25 and small.metadata()["options"]["train_limit"] == 25
    assert len(load_dataset("moons", **MOONS, train_limit=10**6).x_train) == len(full.x_train)


def test_rare_fraction_thins_one_class_of_training_only():
    full = load_dataset("moons", **MOONS)
    rare = load_dataset("moons", **MOONS, rare_class=1, rare_fraction=0.1)
    before, after = labels(full.y_train), labels(rare.y_train)
    assert (after == 0).sum() == (before == 0).sum()
    assert (after == 1).sum() == round((before == 1).sum() * 0.1)
    np.testing.assert_array_equal(rare.y_val, full.y_val)
    both = load_dataset("moons", **MOONS, rare_class=1, rare_fraction=0.1, train_limit=50)
    np.testing.assert_array_equal(both.x_train, rare.x_train[:50])


def test_multiclass_and_deterministic():
    a = load_dataset("blobs", samples=400, seed=1, rare_class=2, rare_fraction=0.25, train_limit=200)
    b = load_dataset("blobs", samples=400, seed=1, rare_class=2, rare_fraction=0.25, train_limit=200)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    full = load_dataset("blobs", samples=400, seed=1)
    share = lambda y: (y == 2).mean()
    assert share(a.y_train) < 0.5 * share(full.y_train)
    np.testing.assert_array_equal(a.y_val, full.y_val)


@pytest.mark.parametrize("options, field, words", [
    ({"train_limit": -1}, "train_limit", "between"),
    ({"train_limit": 2.5}, "train_limit", "whole number"),
    ({"rare_fraction": 1.5}, "rare_fraction", "between 0.0 and 1.0"),
    ({"rare_class": 2}, "rare_class", "between 0 and 1"),
    ({"rare_class": "b"}, "rare_class", "number"),
])
def test_bad_values_name_the_field(options, field, words):
    with pytest.raises(OptionError) as problem:
        load_dataset("moons", **MOONS, **options)
    assert problem.value.field == field and words in problem.value.message


def test_class_options_are_not_offered_where_there_are_no_classes():
    with pytest.raises(OptionError) as problem:
        load_dataset("sine_wave", rare_fraction=0.5)
    assert problem.value.field == "rare_fraction"
    assert len(load_dataset("sine_wave", train_limit=10).x_train) == 10


def test_rare_class_beyond_the_chosen_class_count_is_refused():
    with pytest.raises(OptionError) as problem:
        load_dataset("blobs", samples=200, centres=3, rare_class=5, rare_fraction=0.5)
    assert problem.value.field == "rare_class" and "number of classes (3)" in problem.value.message
