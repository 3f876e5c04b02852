"""Layerlab's data sets: offline, validated, plain numpy.

>>> from engine.data import DATASETS, load_dataset
>>> data = load_dataset("circle", samples=200, noise=0.1, seed=1)
>>> data.x_train.shape, data.y_train.dtype.name
((160, 2), 'float32')

Public API: DATASETS (registry: name -> DatasetInfo with metadata() and loader),
load_dataset(name, **options) -> Dataset (load_shared: one copy for every caller with the same
options), prepare_all(progress), preview(name, ...),
parse_upload(filename, data, limits) -> Dataset raising UploadError, credits(), catalog(),
images_like / texts_like (a drawn digit or a typed sentence -> the inputs a model expects).
"""
from .dataset import Dataset
from .options import OptionError
from .registry import DATASETS, DatasetInfo, catalog, credits, dataset_info, load_dataset, load_shared
from .sources import SourceMissing
from .prepare import prepare_all

# Importing the modules registers their data sets, in the order the catalog lists them.
from . import toy2d, images, shapes, classics, sentiment, sequences, series, names  # noqa: E402,F401
from .preview import preview  # noqa: E402
from .uploads import UploadError, UploadLimits, parse_upload  # noqa: E402
from .probe_inputs import images_like, texts_like  # noqa: E402

__all__ = [
    "DATASETS", "Dataset", "DatasetInfo", "OptionError", "SourceMissing", "catalog", "credits",
    "dataset_info", "load_dataset", "load_shared", "prepare_all", "preview", "UploadError", "UploadLimits",
    "parse_upload", "images_like", "texts_like",
]
