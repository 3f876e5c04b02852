"""The one registry of data sets, read by the server's catalog, the builder and the docs.

>>> from engine.data import DATASETS, load_dataset
>>> DATASETS["xor"].metadata()["task"]
'binary_classification'
>>> load_dataset("xor", samples=100, val_split=0.2).x_train.shape
(80, 2)
"""
from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .credits import CREDITS, credit_json
from .dataset import SUGGESTED_HEAD, Dataset
from .options import TRAINING_OPTIONS, Option, OptionError, resolve_options, training_options
from .cache import CONVERTERS, is_cached
from .sources import SOURCES, SourceMissing

GROUPS = ("toy2d", "images", "classics", "text", "sequences", "series")


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    group: str
    task: str
    input_shape: tuple  # with the default options
    output_shape: tuple  # of the network's output, with the default options
    num_classes: int | None
    class_names: tuple | None
    size: dict  # {"train": n, "val": n} with the default options
    source: str  # key into SOURCES and CREDITS
    options: tuple[Option, ...]
    loader: Callable[..., Dataset]
    description: str = ""

    def available(self) -> bool:
        """Installed, or already converted into the cache (a deployment may ship only the cache)."""
        return SOURCES[self.source].available() or (self.name in CONVERTERS and is_cached(self.name))

    def require(self) -> None:
        if not self.available():
            raise SourceMissing(self.name, SOURCES[self.source])

    def metadata(self) -> dict:
        """JSON-able description for /api/catalog and the data panel."""
        credit = CREDITS[self.source]
        head = SUGGESTED_HEAD[self.task]
        return {
            "name": self.name, "title": self.title, "group": self.group, "task": self.task,
            "description": self.description,
            "input_shape": list(self.input_shape), "output_shape": list(self.output_shape),
            "num_classes": self.num_classes,
            "class_names": list(self.class_names) if self.class_names else None,
            "size": dict(self.size),
            "suggested_output_activation": head["activation"], "suggested_loss": head["loss"],
            "source": SOURCES[self.source].title, "available": self.available(),
            "install": None if self.available() else SOURCES[self.source].install,
            "licence": credit.licence, "citation": credit.citation,
            "options": [o.to_json() for o in self.options],
        }


DATASETS: dict[str, DatasetInfo] = {}


def register(name: str, *, title: str, group: str, task: str, input_shape, output_shape,
             size: dict, source: str, options: tuple, num_classes=None, class_names=None,
             description: str = "", max_classes: int | None = None):
    """Decorator adding `loader(**resolved_options) -> Dataset` to the registry.

    The training options (train_limit; rare_class / rare_fraction for classification) are added
    to every set and applied by load_dataset, not by the loader. `max_classes`: the most classes
    an option of the set can ask for, when that is more than `num_classes`."""
    assert group in GROUPS and task in SUGGESTED_HEAD and source in SOURCES and name not in DATASETS
    options = tuple(options) + training_options(task, max_classes or num_classes)

    def wrap(loader):
        DATASETS[name] = DatasetInfo(
            name, title, group, task, tuple(input_shape), tuple(output_shape), num_classes,
            tuple(class_names) if class_names else None, size, source, tuple(options), loader,
            description)
        return loader
    return wrap


def dataset_info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise OptionError("name", f"unknown data set '{name}'; choose from {', '.join(DATASETS)}")
    return DATASETS[name]


def load_dataset(name: str, **options) -> Dataset:
    """Loads data set `name` with the given options (the rest take their defaults).

    Raises OptionError for an unknown name or a bad option, SourceMissing (with the install
    command) when the source is not installed."""
    info = dataset_info(name)
    resolved = resolve_options(info.options, options)
    info.require()
    loaded = info.loader(**{k: v for k, v in resolved.items() if k not in TRAINING_OPTIONS})
    loaded = _thin_training_part(loaded, resolved)
    loaded.options = resolved
    return loaded


def _thin_training_part(data: Dataset, options: dict) -> Dataset:
    """Applies rare_fraction (keep the first share of rare_class) and then train_limit (keep the
    first N) to the training part; validation is never changed. Deterministic: the kept samples
    are always the first ones in the training order."""
    n = len(data.x_train)
    keep = np.arange(n)
    fraction = options.get("rare_fraction", 1.0)
    if fraction < 1.0:
        rare = options["rare_class"]
        if data.num_classes is not None and rare >= data.num_classes:
            raise OptionError("rare_class", f"must be below the number of classes ({data.num_classes}), got {rare}")
        labels = np.asarray(data.y_train).reshape(n, -1)[:, 0]
        members = np.flatnonzero(labels == rare)
        keep = np.setdiff1d(keep, members[int(round(len(members) * fraction)):])
    if options.get("train_limit"):
        keep = keep[:options["train_limit"]]
    if len(keep) == n:
        return data
    if len(keep) == 0:
        raise OptionError("rare_fraction" if options.get("rare_fraction", 1.0) < 1.0 else "train_limit",
                          "leaves no training samples")
    extras = {key: (value[keep] if isinstance(value, np.ndarray) else [value[i] for i in keep])
              if key.endswith("_train") and isinstance(value, (np.ndarray, list)) and len(value) == n
              else value for key, value in data.extras.items()}
    return dataclasses.replace(data, x_train=np.ascontiguousarray(data.x_train[keep]),
                               y_train=np.ascontiguousarray(data.y_train[keep]), extras=extras)


SHARED_LIMIT = 4  # distinct (name, options) kept; Fashion-MNIST alone is ~220 MB as float32
_shared: OrderedDict = OrderedDict()
_shared_lock = threading.Lock()


def load_shared(name: str, **options) -> Dataset:
    """Like load_dataset, but callers asking for the same set with the same options get the same
    Dataset object, so a classroom of 60 sessions on Fashion-MNIST holds one copy, not 60.
    The arrays are shared: never modify them in place. (They stay writable, because numba
    compiles a separate kernel for read-only arrays.)"""
    info = dataset_info(name)
    key = (name, tuple(sorted(resolve_options(info.options, options).items())))
    with _shared_lock:
        if key in _shared:
            _shared.move_to_end(key)
            return _shared[key]
    loaded = load_dataset(name, **options)
    with _shared_lock:
        _shared[key] = loaded
        while len(_shared) > SHARED_LIMIT:
            _shared.popitem(last=False)
    return loaded


def catalog() -> list[dict]:
    return [info.metadata() for info in DATASETS.values()]


def credits() -> list[dict]:
    """Every source's credit with the data sets that use it, for the data-licences page."""
    used_by: dict[str, list[str]] = {key: [] for key in CREDITS}
    for info in DATASETS.values():
        used_by[info.source].append(info.name)
    return [credit_json(key, names) for key, names in used_by.items()]
