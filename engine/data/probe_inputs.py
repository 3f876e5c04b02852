"""Turn what a learner draws or types into the inputs a trained model expects, exactly as the
data set's own samples were prepared (same normalization, layout, vocabulary and padding).

>>> data = load_dataset("digits8", normalization="minus_one_to_one", flatten=True)
>>> images_like(data, np.zeros((1, 8, 8), np.float32)).tolist()[0][:3]
[-1.0, -1.0, -1.0]
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .images import normalize
from .text import Vocabulary, encode_bag_of_words, encode_ids, tokenize


def images_like(data: Dataset, images: np.ndarray) -> np.ndarray:
    """images: (N, H, W) or (N, C, H, W) in [0, 1] (e.g. a drawn digit) -> model inputs."""
    shape = data.extras.get("image_shape")
    if shape is None:
        raise ValueError(f"data set '{data.name}' is not an image set")
    x = np.array(images, dtype=np.float32).reshape(-1, *shape)
    stats = {k: np.asarray(data.extras[k], np.float32) for k in ("mean", "std") if k in data.extras}
    x = normalize(x, data.extras["normalization"], stats)
    return x.reshape(len(x), -1) if data.options.get("flatten") else x


def texts_like(data: Dataset, texts: list[str]) -> np.ndarray:
    """Sentences -> token ids (N, max_len) or bag-of-words rows, with the data set's vocabulary."""
    if "vocabulary" not in data.extras:
        raise ValueError(f"data set '{data.name}' is not a text set")
    vocab = Vocabulary(list(data.extras["vocabulary"]))
    tokens = [tokenize(t) for t in texts]
    if data.extras["representation"] == "bag_of_words":
        return encode_bag_of_words(tokens, vocab)
    return encode_ids(tokens, vocab, data.options["max_len"], data.options["padding"])
