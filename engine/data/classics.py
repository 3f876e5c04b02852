"""Small classic tables bundled with scikit-learn: iris, wine, breast cancer.

Features are standardized with the training split's mean and standard deviation (the
validation split never leaks into them); the statistics travel in `extras`.

>>> d = load_dataset("iris")
>>> d.x_train.shape, d.num_classes
((120, 4), 3)
"""
from __future__ import annotations

import numpy as np

from .cache import raw_arrays, raw_source
from .dataset import Dataset, binary_targets, class_labels
from .options import Option, split_options
from .registry import register
from .splits import stratified_split

# name -> (sklearn loader, samples, features, class names)
TABLES = {
    "iris": ("load_iris", 150, 4, ("setosa", "versicolor", "virginica")),
    "wine": ("load_wine", 178, 13, ("class_0", "class_1", "class_2")),
    "breast_cancer": ("load_breast_cancer", 569, 30, ("malignant", "benign")),
}
TITLES = {"iris": "Iris flowers", "wine": "Wine cultivars", "breast_cancer": "Breast cancer (Wisconsin)"}


def _converter(loader_name: str):
    def convert() -> dict:
        import sklearn.datasets  # imported lazily: a second of start-up otherwise
        bunch = getattr(sklearn.datasets, loader_name)()
        return {"x": bunch.data.astype(np.float32), "y": bunch.target.astype(np.uint8),
                "feature_names": np.array(bunch.feature_names, dtype=str)}
    return convert


def standardize_columns(x_train: np.ndarray, x_val: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    mean = x_train.mean(0)
    std = np.maximum(x_train.std(0), 1e-6)
    stats = {"mean": mean.tolist(), "std": std.tolist()}
    return ((x_train - mean) / std).astype(np.float32), ((x_val - mean) / std).astype(np.float32), stats


def _register_table(name: str, loader_name: str, samples: int, features: int, class_names):
    raw_source(name, source="sklearn")(_converter(loader_name))
    binary = len(class_names) == 2
    task = "binary_classification" if binary else "multiclass_classification"
    n_val = int(round(samples * 0.2))

    @register(name, title=TITLES[name], group="classics", task=task, input_shape=(features,),
              output_shape=(1,) if binary else (len(class_names),), num_classes=len(class_names),
              class_names=class_names, size={"train": samples - n_val, "val": n_val},
              source="sklearn",
              options=(Option("standardize", True, "bool", help="zero mean, unit variance per feature"),
                       *split_options(0.2)),
              description=f"{samples} samples, {features} measured features, {len(class_names)} classes (UCI).")
    def load(standardize: bool, val_split: float, seed: int) -> Dataset:
        raw = raw_arrays(name, name)
        x, y = raw["x"], raw["y"]
        train, val = stratified_split(y, val_split, seed)
        x_train, x_val, stats = x[train], x[val], {}
        if standardize:
            x_train, x_val, stats = standardize_columns(x_train, x_val)
        targets = binary_targets if binary else class_labels
        return Dataset(name, task, np.ascontiguousarray(x_train), targets(y[train]),
                       np.ascontiguousarray(x_val), targets(y[val]), num_classes=len(class_names),
                       class_names=class_names,
                       extras={"feature_names": raw["feature_names"].tolist(), **stats})
    return load


for _name, (_loader, _samples, _features, _classes) in TABLES.items():
    _register_table(_name, _loader, _samples, _features, _classes)
