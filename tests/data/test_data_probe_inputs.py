"""A drawn image or a typed sentence is prepared exactly like the data set's own samples."""
from __future__ import annotations

import numpy as np
import pytest

from data_helpers import needs
from engine.data import images_like, load_dataset, texts_like


@needs("digits8")
@pytest.mark.parametrize("normalization", ["unit", "standardize", "minus_one_to_one"])
@pytest.mark.parametrize("flatten", [False, True])
def test_images_like_reproduces_validation_samples(normalization, flatten):
    data = load_dataset("digits8", normalization=normalization, flatten=flatten)
    unit = load_dataset("digits8").x_val[:5, 0]  # what a learner would draw: (N, 8, 8) in [0, 1]
    np.testing.assert_allclose(images_like(data, unit), data.x_val[:5], rtol=1e-5, atol=1e-5)


@needs("sentiment")
@pytest.mark.parametrize("options", [{}, {"padding": "post", "max_len": 8},
                                     {"representation": "bag_of_words", "vocab_size": 400}])
def test_texts_like_reproduces_validation_sentences(options):
    data = load_dataset("sentiment", **options)
    sentences = data.extras["texts_val"][:7]
    np.testing.assert_array_equal(texts_like(data, sentences), data.x_val[:7])


def test_probe_helpers_refuse_the_wrong_kind_of_data():
    xor = load_dataset("xor")
    with pytest.raises(ValueError):
        images_like(xor, np.zeros((1, 2, 2)))
    with pytest.raises(ValueError):
        texts_like(xor, ["hello"])


def test_metadata_carries_small_extras_only():
    meta = load_dataset("spiral", features=["x1", "x2", "sin_x1"]).metadata()
    assert meta["extras"]["features"] == ["x1", "x2", "sin_x1"] and "points_train" not in meta["extras"]
