"""Text to numbers: a tokenizer, a vocabulary built from the training split, padding and
truncation to token ids (for embedding layers) and a bag-of-words encoding (for dense layers).

>>> vocab = Vocabulary.build([tokenize("Great phone, great price!")], max_size=10)
>>> vocab.tokens[:4]
['<pad>', '<unk>', 'great', '!']
>>> encode_ids([tokenize("great battery")], vocab, max_len=4).tolist()
[[0, 0, 2, 1]]
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
# Words (with inner apostrophes: "don't") and the punctuation that carries sentiment.
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Vocabulary:
    tokens: list[str]  # id -> token; ids 0 and 1 are <pad> and <unk>

    @classmethod
    def build(cls, token_lists, max_size: int, min_count: int = 1) -> "Vocabulary":
        """Most frequent tokens first (ties alphabetical, so the ids are deterministic)."""
        counts = Counter(token for tokens in token_lists for token in tokens)
        ranked = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        return cls([PAD, UNK] + ranked[: max(max_size - 2, 0)])

    def __len__(self) -> int:
        return len(self.tokens)

    def ids(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokens)}


def encode_ids(token_lists, vocab: Vocabulary, max_len: int, padding: str = "pre") -> np.ndarray:
    """int64 (N, max_len): sentences cut to their first max_len tokens and padded with 0.

    "pre" padding puts the zeros first, so a recurrent layer reads the real words last and its
    final state still remembers them; "post" puts them at the end."""
    lookup = vocab.ids()
    out = np.full((len(token_lists), max_len), PAD_ID, np.int64)
    for row, tokens in enumerate(token_lists):
        ids = [lookup.get(t, UNK_ID) for t in tokens[:max_len]]
        if ids:
            if padding == "pre":
                out[row, max_len - len(ids):] = ids
            else:
                out[row, :len(ids)] = ids
    return out


def encode_bag_of_words(token_lists, vocab: Vocabulary) -> np.ndarray:
    """float32 (N, len(vocab)): 1 where the word occurs in the sentence (<pad> stays 0)."""
    lookup = vocab.ids()
    out = np.zeros((len(token_lists), len(vocab)), np.float32)
    for row, tokens in enumerate(token_lists):
        out[row, [lookup.get(t, UNK_ID) for t in tokens]] = 1.0
    return out
