"""Sentiment sentences and first names: counts, tokenizer, vocabulary, padding, encodings."""
from __future__ import annotations

import numpy as np
import pytest

from data_helpers import loaded, needs
from engine.data import load_dataset
from engine.data.cache import raw_arrays
from engine.data.text import PAD_ID, UNK_ID, Vocabulary, encode_bag_of_words, encode_ids, tokenize


@needs("sentiment")
def test_sentiment_is_3000_sentences_half_positive_without_the_empty_entries():
    raw = raw_arrays("sentiment")
    assert len(raw["text"]) == 3000 and int(raw["y"].sum()) == 1500
    assert np.bincount(raw["domain"]).tolist() == [1000, 1000, 1000]
    assert all(text.strip() for text in raw["text"])


@needs("sentiment")
def test_sentiment_token_ids_are_padded_integers_with_a_stratified_split():
    data = loaded("sentiment")
    assert data.x_train.shape == (2400, 32) and data.x_train.dtype == np.int64
    assert data.y_train.shape == (2400, 1) and data.y_train.mean() == 0.5 and data.y_val.mean() == 0.5
    vocab = data.extras["vocabulary"]
    assert vocab[:2] == ["<pad>", "<unk>"] and len(vocab) == 2000
    assert data.x_train.max() < len(vocab)
    assert (data.x_train[:, 0] == PAD_ID).mean() > 0.9  # pre-padding: short sentences start with 0


@needs("sentiment")
def test_vocabulary_comes_from_training_sentences_only():
    data = load_dataset("sentiment", vocab_size=10000, max_len=128)
    train_words = set()
    for ids in data.x_train:
        train_words.update(ids[ids > UNK_ID].tolist())
    assert set(range(2, len(data.extras["vocabulary"]))) == train_words
    assert (data.x_val == UNK_ID).any()  # some validation words were never seen


@needs("sentiment")
def test_bag_of_words_and_domains():
    data = load_dataset("sentiment", representation="bag_of_words", vocab_size=300)
    assert data.x_train.shape == (2400, 300) and data.x_train.dtype == np.float32
    assert set(np.unique(data.x_train)) <= {0.0, 1.0}
    imdb = load_dataset("sentiment", domain="imdb", val_split=0.5)
    assert len(imdb.x_train) == len(imdb.x_val) == 500


def test_tokenizer_keeps_words_contractions_and_exclamations():
    assert tokenize("Don't buy it!!! Worst   phone, EVER.") == ["don't", "buy", "it", "!", "!", "!",
                                                             "worst", "phone", "ever"]


def test_padding_and_truncation():
    vocab = Vocabulary.build([["a", "b", "c", "a"]], max_size=10)
    assert vocab.tokens == ["<pad>", "<unk>", "a", "b", "c"]
    ids = encode_ids([["a", "b"], ["c", "a", "b", "z", "a"]], vocab, max_len=4, padding="pre")
    assert ids.tolist() == [[0, 0, 2, 3], [4, 2, 3, UNK_ID]]
    post = encode_ids([["a", "b"]], vocab, max_len=4, padding="post")
    assert post.tolist() == [[2, 3, 0, 0]]
    assert encode_ids([[]], vocab, max_len=3).tolist() == [[0, 0, 0]]
    bag = encode_bag_of_words([["c", "c", "q"]], vocab)
    assert bag.tolist() == [[0, 1, 0, 0, 1]]


def test_vocabulary_cap_and_min_count():
    tokens = [["x"] * 3 + ["y"] * 2 + ["z"]]
    assert Vocabulary.build(tokens, max_size=3).tokens == ["<pad>", "<unk>", "x"]
    assert Vocabulary.build(tokens, max_size=10, min_count=2).tokens == ["<pad>", "<unk>", "x", "y"]


@needs("first_names")
def test_first_names_windows_predict_the_next_character():
    raw = raw_arrays("first_names")
    assert len(raw["name"]) == 8849 and np.bincount(raw["gender"]).tolist() == [4951, 3898]
    data = load_dataset("first_names", context=3)
    alphabet = data.extras["alphabet"]
    assert data.x_train.shape[1:] == (3,) and data.num_classes == len(alphabet) == 28
    # The windows of one name spell it out: the target of each is the next window's last letter.
    first_name = "".join(alphabet[i] for i in data.x_train[1:8, -1])
    assert first_name.replace(".", "").isalpha() or "-" in first_name
    assert (data.y_train == 0).sum() > 0  # end-of-name markers are targets too


@needs("first_names")
def test_first_names_split_keeps_whole_names_apart_and_one_hot_works():
    data = load_dataset("first_names", encoding="one_hot", gender="female", context=5)
    assert data.x_train.shape[1:] == (5, 28) and data.x_train.dtype == np.float32
    np.testing.assert_array_equal(data.x_train.sum(-1), 1.0)
    # Starts of names (all-boundary windows) count the names on each side: 80 / 20 of 4,951.
    starts = (data.x_train[:, :, 0] == 1).all(1).sum(), (data.x_val[:, :, 0] == 1).all(1).sum()
    assert starts == (3961, 990)


@pytest.mark.parametrize("bad", [{"max_len": 2}, {"representation": "tfidf"}, {"domain": "twitter"}])
def test_sentiment_option_errors(bad):
    from engine.data import OptionError
    with pytest.raises(OptionError):
        load_dataset("sentiment", **bad)
