"""UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015) from the fixtures of npm
sentiment@5.0.2: 1,000 Amazon, 1,000 IMDb and 1,000 Yelp sentences, half positive.

>>> d = load_dataset("sentiment", representation="bag_of_words", vocab_size=500)
>>> d.x_train.shape, d.y_train.shape
((2400, 500), (2400, 1))
"""
from __future__ import annotations

import json

import numpy as np

from .cache import raw_arrays, raw_source
from .dataset import Dataset, binary_targets
from .options import Option, split_options
from .registry import register
from .sources import npm_dir
from .splits import stratified_split
from .text import Vocabulary, encode_bag_of_words, encode_ids, tokenize

DOMAINS = ("amazon", "imdb", "yelp")


@raw_source("sentiment", source="sentiment")
def convert_sentiment() -> dict:
    texts, labels, domains = [], [], []
    for index, domain in enumerate(DOMAINS):
        path = npm_dir() / "sentiment" / "test" / "fixtures" / f"{domain}.json"
        with open(path, encoding="utf-8") as handle:
            rows = json.load(handle)
        # Each file ends with one {"text": "", "class": null} entry; only 0/1 rows are data.
        rows = [r for r in rows if r.get("class") in (0, 1) and r.get("text", "").strip()]
        texts += [r["text"].strip() for r in rows]
        labels += [r["class"] for r in rows]
        domains += [index] * len(rows)
    return {"text": np.array(texts, dtype=str), "y": np.array(labels, np.uint8),
            "domain": np.array(domains, np.uint8)}


OPTIONS = (
    Option("representation", "token_ids", "choice", choices=("token_ids", "bag_of_words"),
           help="token_ids: (T,) integers for an embedding layer; bag_of_words: a 0/1 vector for dense layers"),
    Option("max_len", 32, "int", low=4, high=128, help="tokens kept per sentence (token_ids)"),
    Option("padding", "pre", "choice", choices=("pre", "post"),
           help="where the padding zeros go (pre suits recurrent layers)"),
    Option("vocab_size", 2000, "int", low=50, high=10000, help="most frequent training words kept"),
    Option("min_count", 1, "int", low=1, high=20, help="drop words seen fewer times in training"),
    Option("domain", "all", "choice", choices=("all",) + DOMAINS, help="which review site"),
    *split_options(0.2),
)


@register("sentiment", title="Sentiment sentences (UCI)", group="text",
          task="binary_classification", input_shape=(32,), output_shape=(1,), num_classes=2,
          class_names=("negative", "positive"), size={"train": 2400, "val": 600},
          source="sentiment", options=OPTIONS,
          description="3,000 review sentences from Amazon, IMDb and Yelp, labelled positive or negative.")
def load_sentiment(representation, max_len, padding, vocab_size, min_count, domain, val_split, seed):
    raw = raw_arrays("sentiment", "sentiment")
    keep = np.ones(len(raw["y"]), bool) if domain == "all" else raw["domain"] == DOMAINS.index(domain)
    texts, labels = raw["text"][keep], raw["y"][keep]
    train, val = stratified_split(labels, val_split, seed)
    tokens = [tokenize(t) for t in texts]
    train_tokens, val_tokens = [tokens[i] for i in train], [tokens[i] for i in val]
    # Built from the training split only: validation words the model never saw map to <unk>.
    vocab = Vocabulary.build(train_tokens, vocab_size, min_count)
    if representation == "token_ids":
        x_train, x_val = (encode_ids(t, vocab, max_len, padding) for t in (train_tokens, val_tokens))
    else:
        x_train, x_val = encode_bag_of_words(train_tokens, vocab), encode_bag_of_words(val_tokens, vocab)
    return Dataset("sentiment", "binary_classification", x_train, binary_targets(labels[train]),
                   x_val, binary_targets(labels[val]), num_classes=2,
                   class_names=("negative", "positive"),
                   extras={"vocabulary": vocab.tokens, "representation": representation,
                           "texts_val": texts[val].tolist()})
