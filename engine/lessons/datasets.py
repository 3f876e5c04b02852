"""A lesson's data: a registered data set plus two lesson-only changes to its training part.

    {"name": "moons", "options": {"samples": 200, "noise": 0.3},
     "train_limit": 40,                     # keep only the first 40 training samples
     "keep_fraction": {"class": 1, "fraction": 0.1}}   # drop 90% of class 1 from training

The validation part is never changed, so runs that differ only in their training data are
scored on the same questions.

    >>> data = load_lesson_data({"name": "xor", "options": {"samples": 200}, "train_limit": 20})
    >>> len(data.x_train), len(data.x_val)
    (20, 40)
"""

import dataclasses

import numpy as np

from engine.data import load_shared


def _labels(data):
    return np.asarray(data.y_train).reshape(len(data.y_train), -1)[:, 0]


def load_lesson_data(dataset: dict):
    data = load_shared(dataset["name"], **dataset.get("options", {}))
    keep = np.arange(len(data.x_train))
    rule = dataset.get("keep_fraction")
    if rule:
        labels = _labels(data)
        members = np.flatnonzero(labels == rule["class"])
        dropped = members[int(round(len(members) * rule["fraction"])):]
        keep = np.setdiff1d(keep, dropped)
    if dataset.get("train_limit"):
        keep = keep[:dataset["train_limit"]]
    if len(keep) == len(data.x_train):
        return data
    return dataclasses.replace(data, x_train=np.ascontiguousarray(data.x_train[keep]),
                               y_train=np.ascontiguousarray(data.y_train[keep]))
