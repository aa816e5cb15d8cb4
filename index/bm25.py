"""BM25 rows as token ids, and bm25s's score matrix built from them with numpy.

bm25s builds its matrix with a Python loop over rows (a Counter per row, a set intersection per row for the
document frequencies): 1.9-2.3 s for the 57,653 clauses (5.4M tokens) of the whole lawref folder, paid by
every rebuild however little changed. The same matrix from one sort of (token, row) pairs is the same numbers
(bm25s's Lucene variant, computed in the same order and dtypes; tests/test_lexical.py compares the two).
Rows are also saved as ids (one vocabulary, a flat id array and row offsets), which reads back in a fraction
of the time of splitting 5.4M words out of text.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from itertools import chain, pairwise
from pathlib import Path

import bm25s
import numpy as np

VOCABULARY_FILE = "vocabulary.txt"     # one token per line: tokens never hold whitespace
IDS_FILE = "token_ids.npy"
OFFSETS_FILE = "token_offsets.npy"


class TokenRows:
    """Rows of tokens as a vocabulary (token -> id, in order of first use), the ids of every row one after
    the other, and where each row starts (offsets[i]:offsets[i + 1])."""

    def __init__(self, vocabulary: dict[str, int], ids: np.ndarray, offsets: np.ndarray) -> None:
        self.vocabulary, self.ids, self.offsets = vocabulary, ids, offsets

    @classmethod
    def of(cls, rows: Sequence[list[str]]) -> TokenRows:
        vocabulary = {token: i for i, token in enumerate(dict.fromkeys(chain.from_iterable(rows)))}
        ids = np.fromiter(map(vocabulary.__getitem__, chain.from_iterable(rows)), dtype=np.int32)
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=offsets[1:])
        return cls(vocabulary, ids, offsets)

    @classmethod
    def reusing(cls, old: TokenRows, rows: Sequence[int | list[str]]) -> TokenRows:
        """Rows that are either a row of `old` (its number: its ids are copied, no string is touched) or new
        tokens. Words no row uses any more leave the vocabulary; the others keep their order, new ones follow."""
        vocabulary = dict(old.vocabulary)
        pieces = []
        for row in rows:
            if isinstance(row, int):
                pieces.append(old.ids[old.offsets[row]:old.offsets[row + 1]])
            else:
                pieces.append(np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in row),
                                          dtype=np.int32, count=len(row)))
        ids = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in pieces], out=offsets[1:])
        used = np.bincount(ids, minlength=len(vocabulary)) > 0
        renumbered = (np.cumsum(used) - 1).astype(np.int32)
        words = [word for word, kept in zip(vocabulary, used.tolist(), strict=True) if kept]
        return cls({word: i for i, word in enumerate(words)}, renumbered[ids], offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def rows(self) -> list[list[str]]:
        """The rows as lists of (interned) strings."""
        tokens = np.array([sys.intern(t) for t in self.vocabulary], dtype=object)[self.ids]
        bounds = self.offsets.tolist()
        return [tokens[a:b].tolist() for a, b in pairwise(bounds)]

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        (folder / VOCABULARY_FILE).write_text("".join(t + "\n" for t in self.vocabulary), encoding="utf-8")
        np.save(folder / IDS_FILE, self.ids, allow_pickle=False)
        np.save(folder / OFFSETS_FILE, self.offsets, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> TokenRows:
        folder = Path(folder)
        words = (folder / VOCABULARY_FILE).read_text(encoding="utf-8").split("\n")[:-1]
        ids = np.load(folder / IDS_FILE, allow_pickle=False)
        offsets = np.load(folder / OFFSETS_FILE, allow_pickle=False)
        if len(ids) != offsets[-1] or (len(ids) and ids.max() >= len(words)):
            raise ValueError(f"{folder / IDS_FILE} does not match its vocabulary and offsets")
        return cls({t: i for i, t in enumerate(words)}, ids, offsets)


def bm25_index(tokens: TokenRows) -> bm25s.BM25:
    """A bm25s.BM25 (Lucene variant, its default k1 and b) over the rows, as bm25s.BM25.index would build it."""
    bm25 = bm25s.BM25()
    n_rows, n_tokens = len(tokens), len(tokens.vocabulary)
    lengths = np.diff(tokens.offsets)
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    # One entry per (token, row) with its count, sorted by token then row: bm25s's column order.
    stride = max(n_rows, 1)
    pairs, counts = np.unique(tokens.ids.astype(np.int64) * stride + rows, return_counts=True)
    token, row = np.divmod(pairs, stride)
    per_token = np.bincount(token, minlength=n_tokens)
    # bm25s: idf in float64 stored as float32; term frequency part in float64 (tf / (k1 (1 - b + b l / avg) + tf))
    idf = np.log(1 + (n_rows - per_token + 0.5) / (per_token + 0.5)).astype(np.float32)
    average = lengths.mean() if n_rows else 0.0
    tf = counts.astype(np.float32)
    part = tf / (bm25.k1 * ((1 - bm25.b) + bm25.b * lengths[row] / average) + tf)
    indptr = np.zeros(n_tokens + 1, dtype=np.int64)
    np.cumsum(per_token, out=indptr[1:])
    bm25.scores = {"data": (idf[token] * part).astype(np.float32), "indices": row.astype(np.int32),
                   "indptr": indptr, "num_docs": n_rows}
    bm25.vocab_dict = {**tokens.vocabulary}
    bm25.vocab_dict.setdefault("", n_tokens)      # bm25s's empty token, for a row without words
    bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
    bm25.nonoccurrence_array = None
    return bm25
