"""2-D toy problems in the spirit of the TensorFlow Playground, generated with a seed.

Points live in the square [-6, 6]²; `noise` (0..0.5) jitters them so classes overlap. Each
data set carries the raw points in `extras["points_train"/"points_val"]` for plotting, and the
network sees the selected `features` (x1, x2, x1², x2², x1·x2, sin x1, sin x2).

>>> d = load_dataset("spiral", samples=200, noise=0.0, features=["x1", "x2", "sin_x1"])
>>> d.x_train.shape, d.y_train.shape
((160, 3), (160, 1))
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset, binary_targets, class_labels
from .features import FEATURES, expand_features
from .options import Option, split_options
from .registry import register
from .splits import random_split, stratified_split

DOMAIN = (-6.0, 6.0)
RADIUS = 5.0


def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def circle(n, noise, rng):
    n_in, n_out = _halves(n)
    radius = np.concatenate([rng.uniform(0, 0.5, n_in), rng.uniform(0.7, 1.0, n_out)]) * RADIUS
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    labels = np.concatenate([np.ones(n_in), np.zeros(n_out)])
    return points + rng.normal(0, noise * RADIUS * 0.5, points.shape), labels


def xor(n, noise, rng):
    # Half the points in the positive quadrants (signs agree), half in the negative ones; a small
    # margin off the axes keeps the clean problem separable.
    n_neg, n_pos = _halves(n)
    labels = np.concatenate([np.zeros(n_neg), np.ones(n_pos)])
    first_sign = rng.choice([-1.0, 1.0], n)
    signs = np.stack([first_sign, np.where(labels == 1, first_sign, -first_sign)], 1)
    points = rng.uniform(0.3, RADIUS, (n, 2)) * signs
    return points + rng.normal(0, noise * RADIUS * 0.5, points.shape), labels


def gaussian(n, noise, rng):
    n_neg, n_pos = _halves(n)
    spread = 0.5 + 3.0 * noise
    centres = np.concatenate([np.full((n_neg, 2), -2.0), np.full((n_pos, 2), 2.0)])
    labels = np.concatenate([np.zeros(n_neg), np.ones(n_pos)])
    return centres + rng.normal(0, spread, (n, 2)), labels


def spiral_arms(n, noise, rng, arms):
    """`arms` interleaved spirals; arm c is rotated by 2πc/arms."""
    labels = np.arange(n) % arms
    t = rng.uniform(0, 1, n)
    radius = t * RADIUS
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * labels / arms
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], 1)
    return points + rng.normal(0, noise * 2.0, points.shape), labels


def moons(n, noise, rng):
    n_upper, n_lower = _halves(n)
    t = np.concatenate([rng.uniform(0, np.pi, n_upper), rng.uniform(0, np.pi, n_lower)])
    upper = np.stack([np.cos(t[:n_upper]), np.sin(t[:n_upper])], 1)
    lower = np.stack([1 - np.cos(t[n_upper:]), 0.5 - np.sin(t[n_upper:])], 1)
    points = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 3.5
    labels = np.concatenate([np.zeros(n_upper), np.ones(n_lower)])
    return points + rng.normal(0, noise * 2.0, points.shape), labels


def blobs(n, noise, rng, centres):
    labels = np.arange(n) % centres
    angle = 2 * np.pi * labels / centres
    middle = 3.5 * np.stack([np.cos(angle), np.sin(angle)], 1)
    return middle + rng.normal(0, 0.6 + 2.0 * noise, (n, 2)), labels


def plane(n, noise, rng):
    points = rng.uniform(-RADIUS, RADIUS, (n, 2))
    target = (points[:, 0] + points[:, 1]) / (2 * RADIUS)
    return points, target + rng.normal(0, noise, n)


# Signed bumps on a 3x2 grid: the target is the nearest bump's height, a smooth bumpy surface.
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def multi_gaussian(n, noise, rng):
    points = rng.uniform(-RADIUS, RADIUS, (n, 2))
    dist2 = ((points[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(-1)
    target = (_BUMPS[:, 2] * np.exp(-dist2 / (2 * 1.3 ** 2))).sum(1)
    return points, target + rng.normal(0, noise, n)


def _toy_options(noise: float, extra: tuple = ()) -> tuple:
    return (
        Option("samples", 500, "int", low=20, high=5000, help="number of points (train + validation)"),
        Option("noise", noise, "float", low=0.0, high=0.5, help="jitter of the points / targets"),
        Option("features", ("x1", "x2"), "multi", choices=FEATURES,
               help="input columns computed from the point (x1, x2, x1², x2², x1·x2, sin x1, sin x2)"),
        *extra,
        *split_options(0.2),
    )


def _finish(name, task, points, labels, features, val_split, seed, num_classes=None,
            class_names=None):
    if task == "regression":
        train, val = random_split(len(points), val_split, seed)
        targets = labels.astype(np.float32).reshape(-1, 1)
    else:
        train, val = stratified_split(labels, val_split, seed)
        targets = binary_targets(labels) if task == "binary_classification" else class_labels(labels)
    x = expand_features(points, features)
    if class_names is None and num_classes is not None:
        class_names = tuple(f"class {c}" for c in range(num_classes))
    return Dataset(
        name, task, x[train], targets[train], x[val], targets[val], num_classes=num_classes,
        class_names=class_names,
        extras={"features": list(features), "domain": list(DOMAIN),
                "points_train": points[train].astype(np.float32),
                "points_val": points[val].astype(np.float32)})


def _register_binary(name, title, generator, noise_default, description):
    @register(name, title=title, group="toy2d", task="binary_classification", input_shape=(2,),
              output_shape=(1,), size={"train": 400, "val": 100}, source="generated",
              options=_toy_options(noise_default), num_classes=2,
              class_names=("negative", "positive"), description=description)
    def load(samples, noise, features, val_split, seed):
        points, labels = generator(samples, noise, np.random.default_rng(seed))
        return _finish(name, "binary_classification", points, labels, features, val_split, seed,
                       num_classes=2, class_names=("negative", "positive"))
    return load


_register_binary("circle", "Circle", circle, 0.0, "A disc of one class inside a ring of the other.")
_register_binary("xor", "XOR", xor, 0.0, "Opposite quadrants share a class; no single line separates them.")
_register_binary("gaussian", "Two Gaussians", gaussian, 0.0, "Two Gaussian clusters; nearly linearly separable.")
_register_binary("spiral", "Spiral", lambda n, s, r: spiral_arms(n, s, r, 2), 0.0,
                 "Two interleaved spirals: needs depth or sin features.")
_register_binary("moons", "Two moons", moons, 0.05, "Two interleaving half circles.")


def _register_multiclass(name, title, generator, count_option, description):
    @register(name, title=title, group="toy2d", task="multiclass_classification",
              input_shape=(2,), output_shape=(count_option.default,),
              size={"train": 400, "val": 100}, source="generated",
              options=_toy_options(0.05, (count_option,)), num_classes=count_option.default,
              class_names=tuple(f"class {c}" for c in range(count_option.default)),
              description=description, max_classes=int(count_option.high))
    def load(samples, noise, features, val_split, seed, **counts):
        classes = counts[count_option.name]
        points, labels = generator(samples, noise, np.random.default_rng(seed), classes)
        return _finish(name, "multiclass_classification", points, labels, features, val_split,
                       seed, num_classes=classes)
    return load


_register_multiclass("spirals", "Spirals (3+ arms)", spiral_arms,
                     Option("arms", 3, "int", low=2, high=6, help="number of spiral arms = classes"),
                     "Several interleaved spiral arms, one class each.")
_register_multiclass("blobs", "Blobs", blobs,
                     Option("centres", 4, "int", low=2, high=8, help="number of clusters = classes"),
                     "Gaussian clusters on a ring, one class each.")


def _register_regression(name, title, generator, description):
    @register(name, title=title, group="toy2d", task="regression", input_shape=(2,),
              output_shape=(1,), size={"train": 400, "val": 100}, source="generated",
              options=_toy_options(0.0), description=description)
    def load(samples, noise, features, val_split, seed):
        points, target = generator(samples, noise, np.random.default_rng(seed))
        return _finish(name, "regression", points, target, features, val_split, seed)
    return load


_register_regression("plane", "Regression: plane", plane, "Target rises linearly with x1 + x2.")
_register_regression("multi_gaussian", "Regression: multi-Gaussian", multi_gaussian,
                     "Target is a sum of positive and negative Gaussian bumps.")
