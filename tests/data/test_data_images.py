"""Image sets: documented shapes and class counts, stratified deterministic splits,
normalization, flattening and augmentation."""
from __future__ import annotations

import numpy as np
import pytest

from data_helpers import loaded, needs
from engine.data import load_dataset
from engine.data.augment import augment_images
from engine.data.cache import raw_arrays

MNIST_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


@needs("mnist")
def test_mnist_is_the_10k_digits_split_8000_2000_by_class():
    data = loaded("mnist")
    assert data.x_train.shape == (8000, 1, 28, 28) and data.x_val.shape == (2000, 1, 28, 28)
    assert data.x_train.dtype == np.float32 and 0.0 <= data.x_train.min() < data.x_train.max() <= 1.0
    counts = np.bincount(data.y_train, minlength=10) + np.bincount(data.y_val, minlength=10)
    assert counts.tolist() == MNIST_COUNTS
    # Each class keeps its share in validation (largest-remainder rounding of 20 %).
    np.testing.assert_allclose(np.bincount(data.y_val), np.array(MNIST_COUNTS) * 0.2, atol=1)
    assert data.class_names == tuple("0123456789")


@needs("mnist")
def test_mnist_split_is_deterministic_disjoint_and_seeded():
    raw = raw_arrays("mnist")
    a, b = load_dataset("mnist", seed=3), load_dataset("mnist", seed=3)
    np.testing.assert_array_equal(a.y_val, b.y_val)
    np.testing.assert_array_equal(a.x_val, b.x_val)
    other = load_dataset("mnist", seed=4)
    assert not np.array_equal(a.y_val, other.y_val)
    # Train and validation never share an image.
    def keys(x):
        return {hash(row.tobytes()) for row in np.rint(x.reshape(len(x), -1) * 255).astype(np.uint8)}
    assert not keys(a.x_train) & keys(a.x_val)
    assert len(keys(a.x_train) | keys(a.x_val)) <= len(raw["x"])


@needs("fashion_mnist")
def test_fashion_mnist_is_60k_plus_10k_balanced():
    data = loaded("fashion_mnist")
    assert data.x_train.shape == (60000, 1, 28, 28) and data.x_val.shape == (10000, 1, 28, 28)
    assert np.bincount(data.y_train).tolist() == [6000] * 10
    assert np.bincount(data.y_val).tolist() == [1000] * 10
    assert data.class_names[0] == "T-shirt/top" and data.class_names[9] == "Ankle boot"
    assert abs(float(data.x_train.mean()) - 0.2860) < 0.001  # the well-known mean pixel


@needs("fashion_mnist")
def test_fashion_mnist_subset_is_stratified():
    data = load_dataset("fashion_mnist", samples=5000, flatten=True)
    assert data.x_train.shape == (5000, 784)
    assert np.bincount(data.y_train).tolist() == [500] * 10


@needs("digits8")
def test_sklearn_digits_are_8x8_scaled_to_unit():
    data = loaded("digits8")
    assert data.x_train.shape[1:] == (1, 8, 8) and len(data.x_train) + len(data.x_val) == 1797
    assert data.x_train.max() == 1.0


def test_shapes_are_colour_images_of_five_classes():
    data = load_dataset("shapes", samples=500, val_split=0.2)
    assert data.x_train.shape == (400, 3, 32, 32) and data.num_classes == 5
    assert np.bincount(data.y_val).tolist() == [20] * 5
    # Colour: the channels differ.
    assert np.abs(data.x_train[:, 0] - data.x_train[:, 1]).mean() > 0.05


@needs("digits8")
@pytest.mark.parametrize("method,check", [
    ("unit", lambda x: 0 <= x.min() and x.max() <= 1),
    ("minus_one_to_one", lambda x: -1 <= x.min() < 0 and x.max() <= 1),
    ("standardize", lambda x: abs(x.mean()) < 1e-4 and abs(x.std() - 1) < 1e-3),
])
def test_normalizations(method, check):
    data = load_dataset("digits8", normalization=method)
    assert check(data.x_train)
    assert data.extras["normalization"] == method


@needs("digits8")
def test_standardize_uses_training_statistics_only():
    data = load_dataset("digits8", normalization="standardize")
    unit = load_dataset("digits8")
    mean, std = data.extras["mean"][0], data.extras["std"][0]
    np.testing.assert_allclose(data.x_val, (unit.x_val - mean) / std, rtol=1e-4, atol=1e-4)


@needs("digits8")
def test_flatten_gives_vectors():
    data = load_dataset("digits8", flatten=True)
    assert data.x_train.shape[1:] == (64,) and data.extras["image_shape"] == [1, 8, 8]


@needs("digits8")
def test_augmentation_adds_changed_copies_to_training_only():
    plain = load_dataset("digits8")
    augmented = load_dataset("digits8", shift_px=1.0, rotate_deg=15.0, noise_std=0.05, augmented_copies=2)
    assert len(augmented.x_train) == 3 * len(plain.x_train)
    np.testing.assert_array_equal(augmented.x_val, plain.x_val)
    assert np.bincount(augmented.y_train).tolist() == (3 * np.bincount(plain.y_train)).tolist()
    again = load_dataset("digits8", shift_px=1.0, rotate_deg=15.0, noise_std=0.05, augmented_copies=2)
    np.testing.assert_array_equal(augmented.x_train, again.x_train)


def test_augment_images_shift_moves_a_dot_and_identity_keeps_it():
    x = np.zeros((1, 1, 9, 9), np.float32)
    x[0, 0, 4, 4] = 1.0
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(augment_images(x, rng), x)
    moved = augment_images(np.repeat(x, 20, 0), rng, shift_px=2.0)
    centres = [np.unravel_index(m[0].argmax(), (9, 9)) for m in moved]
    assert any(c != (4, 4) for c in centres)
    assert all(abs(r - 4) <= 2 and abs(c - 4) <= 2 for r, c in centres)
    assert np.allclose(moved.sum(axis=(1, 2, 3)), 1.0, atol=1e-5)  # bilinear keeps the mass


def test_rotation_by_ninety_degrees_turns_the_image():
    from engine.data.augment import _warp
    x = np.zeros((1, 1, 5, 5), np.float32)
    x[0, 0, 0, 2] = 1.0  # top middle
    turned = _warp(x, np.array([np.pi / 2]), np.zeros((1, 2)))
    assert turned[0, 0].max() == pytest.approx(1.0, abs=1e-6)
    assert np.unravel_index(turned[0, 0].argmax(), (5, 5)) in {(2, 0), (2, 4)}
