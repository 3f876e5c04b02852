"""2-D generators: shapes, balance, determinism, the feature columns and the geometry."""
from __future__ import annotations

import numpy as np
import pytest

from engine.data import load_dataset
from engine.data.features import FEATURES, expand_features

BINARY = ["circle", "xor", "gaussian", "spiral", "moons"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_sets_are_balanced_and_split_as_asked(name):
    data = load_dataset(name, samples=300, val_split=0.3, noise=0.1, seed=4)
    assert data.x_train.shape == (210, 2) and data.x_val.shape == (90, 2)
    assert data.y_train.shape == (210, 1) and data.y_train.dtype == np.float32
    assert data.y_train.sum() + data.y_val.sum() == 150
    assert abs(data.y_train.mean() - data.y_val.mean()) < 0.05  # stratified


@pytest.mark.parametrize("name", BINARY + ["spirals", "blobs", "plane", "multi_gaussian"])
def test_same_seed_same_data_other_seed_other_data(name):
    first, again = load_dataset(name, seed=7), load_dataset(name, seed=7)
    other = load_dataset(name, seed=8)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_val, again.y_val)
    assert not np.array_equal(first.x_train, other.x_train)


def test_multiclass_variants_have_integer_labels_per_arm_and_centre():
    spirals = load_dataset("spirals", arms=5, samples=1000)
    assert spirals.num_classes == 5 and spirals.y_train.dtype == np.int64
    assert np.bincount(spirals.y_train).tolist() == [160] * 5
    blobs = load_dataset("blobs", centres=7, samples=700, val_split=0.5)
    assert np.bincount(blobs.y_val).tolist() == [50] * 7
    assert blobs.output_shape == (7,)


def test_regression_targets_are_float_columns():
    plane = load_dataset("plane", noise=0.0)
    points = plane.extras["points_train"]
    np.testing.assert_allclose(plane.y_train[:, 0], (points[:, 0] + points[:, 1]) / 10, atol=1e-5)
    bumps = load_dataset("multi_gaussian")
    assert bumps.y_train.shape[1] == 1 and bumps.y_train.min() < -0.5 < 0.5 < bumps.y_train.max()


def test_clean_circle_and_xor_follow_their_rule():
    circle = load_dataset("circle", noise=0.0, samples=400)
    radius = np.hypot(*circle.extras["points_train"].T)
    inside = circle.y_train[:, 0] == 1
    assert radius[inside].max() <= 2.5 < 3.5 <= radius[~inside].min()
    xor = load_dataset("xor", noise=0.0)
    p = xor.extras["points_train"]
    np.testing.assert_array_equal(xor.y_train[:, 0] == 1, p[:, 0] * p[:, 1] > 0)


def test_features_are_the_playground_columns_in_declared_order():
    data = load_dataset("spiral", features=["sin_x2", "x1_x2", "x1", "x2_sq", "x1_sq", "sin_x1", "x2"])
    assert data.extras["features"] == list(FEATURES)
    p = data.extras["points_train"].astype(np.float64)
    expected = np.stack([p[:, 0], p[:, 1], p[:, 0] ** 2, p[:, 1] ** 2, p[:, 0] * p[:, 1],
                         np.sin(p[:, 0]), np.sin(p[:, 1])], 1)
    np.testing.assert_allclose(data.x_train, expected, rtol=1e-5, atol=1e-5)
    assert load_dataset("xor", features="x1,x1_x2").x_train.shape[1] == 2  # query-string form


def test_expand_features_on_a_grid_matches_training_columns():
    grid = np.array([[0.5, -1.0], [2.0, 3.0]])
    np.testing.assert_allclose(expand_features(grid, ("x1_x2", "sin_x2")),
                               [[-0.5, np.sin(-1.0)], [6.0, np.sin(3.0)]], rtol=1e-6)


def test_noise_moves_points():
    clean, noisy = load_dataset("moons", noise=0.0), load_dataset("moons", noise=0.3)
    assert not np.allclose(clean.x_train, noisy.x_train)
