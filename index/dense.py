"""Dense index over L2-normalised float32 vectors: inner product = cosine similarity.

Exact search (IndexFlatIP) below EXACT_BELOW rows, where brute force is a few milliseconds and can never
miss; HNSW from there. Row i is item i; the mapping to clause ids lives outside this module.

Measured on real sentence vectors (m3e-small, dim 512, the 29k of bench/gold/regs, bench/ann_real.py,
2 cores, load 4): exact search at k=1000 (the Searcher's shortlist) p50 2.1 ms at 10k vectors, 6.1 ms
at 29k, linear in n: over 10 ms from ~48k. HNSW (M=32, efConstruction=80) at k=1000, where efSearch is
lifted to 1000: recall@10 against exact 0.999 / 0.998 at 10k / 29k, p50 0.9 / 1.2 ms; build 0.7 / 2.7 s.
Hence exact below 50,000 rows, HNSW above. EF_SEARCH only applies to calls with k below it (the product asks
k >= 400): at k=10, recall@10 over the development questions 0.995 / 0.982 at efSearch 256 (0.985 / 0.959
at 128; stored vectors as queries 1.000 from efSearch 32).

Rows added to a built index go to a small exact segment beside it (the recent rows) until there are
RECENT_MAX of them, so a document added leaves the main segment's file as it was: the next index folder
links it instead of writing it again (385 MB of the 480 MB written at 165k rows).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import faiss
import numpy as np

EXACT_BELOW = 50_000   # rows; below this, exact search is fast enough and never misses
HNSW_M = 32
EF_CONSTRUCTION = 80
EF_SEARCH = 256
# Filtered HNSW search below this many rows scores the rows exactly. On the 165k vectors of the whole lawref
# folder a city of 30,543 sentences got recall@10 0.82 / 0.92 / 0.97 against exact from the graph with a
# selector at efSearch 1000 / 4000 / 8000 (1.9 / 9.1 / 25 ms), where scoring them exactly costs ~10 ms (16-25
# ms at 50k): exact up to the size where a whole index is searched exactly.
SUBSET_EXACT = 50_000
# Rows of the exact recent segment before they are folded into the main one: scoring 10k rows at k=1000
# costs ~2 ms (the figures above), what one more segment may add to every search.
RECENT_MAX = 10_000
_NORM_TOLERANCE = 1e-3


class DenseHits(NamedTuple):
    """Results for a batch of queries, best first; ragged because -1 (no result) ids are dropped."""

    scores: list[np.ndarray]  # float32 inner products, one array per query
    ids: list[np.ndarray]     # int64 row ids, one array per query


class DenseIndex:
    """A FAISS inner-product index; build with DenseIndex.build, or DenseIndex.load a saved one.

    Row ids run over the main segment, then the recent rows (an exact index, empty until rows are added)."""

    def __init__(self, index: faiss.Index, ef_search: int = EF_SEARCH, recent: faiss.Index | None = None,
                 read_from: tuple[Path, tuple] | None = None) -> None:
        for part in (index, recent):
            if part is not None and part.metric_type != faiss.METRIC_INNER_PRODUCT:
                raise ValueError(
                    f"index metric is {part.metric_type}, not inner product: build it with DenseIndex.build"
                )
        if recent is not None and recent.d != index.d:
            raise ValueError(f"recent rows have dim {recent.d}, the index {index.d}: rebuild with `policyqa build`")
        self._index = index
        self._recent = recent if recent is not None else faiss.IndexFlatIP(index.d)
        self._read_from = read_from   # the main segment's file and its identity, while unchanged since
        self.ef_search = ef_search

    @classmethod
    def build(cls, vectors: np.ndarray, exact_below: int = EXACT_BELOW) -> DenseIndex:
        """Index `vectors` (n, dim), unit length: exact when n < exact_below, else HNSW."""
        vectors = _as_unit_matrix(vectors, "vectors")
        n, dim = vectors.shape
        if n < exact_below:
            index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = EF_CONSTRUCTION
            index.hnsw.efSearch = EF_SEARCH
        index.add(vectors)
        return cls(index)

    def extended(self, vectors: np.ndarray, exact_below: int = EXACT_BELOW) -> DenseIndex:
        """This index with `vectors` as its next rows, in place. They join the recent rows; past RECENT_MAX
        those are folded into the main segment (an HNSW graph grows, kept: building it again costs ~30 s at
        165k rows), and an exact index that reaches exact_below rows becomes HNSW."""
        vectors = _as_unit_matrix(vectors, "vectors")
        if not len(vectors):
            return self
        if self.kind == "flat" and self.ntotal + len(vectors) >= exact_below:
            return DenseIndex.build(np.concatenate([self.vectors(), vectors]), exact_below)
        if self._recent.ntotal + len(vectors) <= RECENT_MAX:
            self._recent.add(vectors)
            return self
        self._index.add(np.concatenate([self._recent.reconstruct_n(0, self._recent.ntotal), vectors]))
        self._recent.reset()
        self._read_from = None
        return self

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal + self._recent.ntotal)

    @property
    def recent_rows(self) -> int:
        """Rows added since the main segment was built, searched exactly beside it."""
        return int(self._recent.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        """"flat" (exact) or "hnsw" (approximate): the main segment's."""
        return "hnsw" if isinstance(self._index, faiss.IndexHNSW) else "flat"

    def vectors(self) -> np.ndarray:
        """Every stored vector (ntotal, dim) float32, row i = item i: what the index was built from."""
        main = self._index.reconstruct_n(0, self._index.ntotal)
        if not self._recent.ntotal:
            return main
        return np.concatenate([main, self._recent.reconstruct_n(0, self._recent.ntotal)])

    def search(self, query_vectors: np.ndarray, k: int) -> DenseHits:
        """Top k rows by inner product for each query row of `query_vectors` (n, dim) or (dim,)."""
        if query_vectors.ndim == 1:
            query_vectors = query_vectors.reshape(1, -1)
        queries = _as_unit_matrix(query_vectors, "query_vectors")
        if queries.shape[1] != self.dim:
            raise ValueError(
                f"query_vectors have dim {queries.shape[1]}, the index has {self.dim}: "
                "encode queries with the model the index was built with"
            )
        k = min(k, self.ntotal)
        n = len(queries)
        if k <= 0:
            return DenseHits([np.empty(0, dtype=np.float32)] * n, [np.empty(0, dtype=np.int64)] * n)
        params = None
        if self.kind == "hnsw":
            # Per call, not on the shared index: efSearch below k would return fewer than k results.
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
        if self._index.ntotal:
            scores, ids = self._index.search(queries, min(k, self._index.ntotal), params=params)
        else:                          # every row is a recent one (an empty build, then documents added)
            scores, ids = np.empty((n, 0), dtype=np.float32), np.empty((n, 0), dtype=np.int64)
        if self._recent.ntotal:
            recent_scores, recent_ids = self._recent.search(queries, min(k, self._recent.ntotal))
            scores = np.concatenate([scores, recent_scores], axis=1)
            ids = np.concatenate([ids, np.where(recent_ids >= 0, recent_ids + self._index.ntotal, -1)], axis=1)
            best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            scores, ids = np.take_along_axis(scores, best, 1), np.take_along_axis(ids, best, 1)
        keep = ids >= 0
        return DenseHits([s[m] for s, m in zip(scores, keep, strict=True)],
                         [i[m] for i, m in zip(ids, keep, strict=True)])

    def search_one(self, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top k (row id, score) for one query vector (dim,), best first: the shape fusion takes."""
        hits = self.search(query_vector.reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(hits.ids[0], hits.scores[0], strict=True)]

    def search_among(self, query_vector: np.ndarray, ids: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top k (row id, score) among the given rows only, best first: a filter applied before the top-k,
        so a narrow filter still gets its k best rows however large the index. Exact search skips the other
        rows; HNSW cannot walk a graph through a sparse subset, so a subset up to SUBSET_EXACT rows is
        scored exactly from its stored vectors, and only a larger one is searched in the graph."""
        ids = np.asarray(ids, dtype=np.int64)
        k = min(k, len(ids))
        if k <= 0:
            return []
        query = _as_unit_matrix(query_vector.reshape(1, -1), "query_vector")
        main_ids, recent_ids = ids[ids < self._index.ntotal], ids[ids >= self._index.ntotal]
        found = self._main_among(query, main_ids, k) if len(main_ids) else []
        if len(recent_ids):
            scores = self._recent.reconstruct_batch(recent_ids - self._index.ntotal) @ query[0]
            found = sorted(found + [(int(i), float(s)) for i, s in zip(recent_ids, scores, strict=True)],
                           key=lambda hit: -hit[1])[:k]
        return found

    def _main_among(self, query: np.ndarray, ids: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(ids))
        if self.kind == "hnsw" and len(ids) <= SUBSET_EXACT:
            scores = self._index.reconstruct_batch(ids) @ query[0]
            top = np.argsort(-scores, kind="stable")[:k]
            return [(int(ids[i]), float(scores[i])) for i in top]
        selector = faiss.IDSelectorBatch(ids)
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k)) \
            if self.kind == "hnsw" else faiss.SearchParameters(sel=selector)
        scores, found = self._index.search(query, k, params=params)
        return [(int(i), float(s)) for i, s in zip(found[0], scores[0], strict=True) if i >= 0]

    def save(self, path: Path) -> None:
        """The main segment at `path` (linked to the file it was read from when unchanged since: a linked
        file is never written to, every index folder is written anew) and the recent rows beside it."""
        path = Path(path)
        if not self._linked(path):
            faiss.write_index(self._index, str(path))
        if self._recent.ntotal:
            faiss.write_index(self._recent, str(recent_path(path)))

    def _linked(self, path: Path) -> bool:
        if self._read_from is None:
            return False
        source, identity = self._read_from
        try:
            os.link(source, path)
        except OSError:               # gone, another file system, or links not supported: write it
            return False
        if _identity(path) == identity:
            return True
        path.unlink()                 # the old file was replaced since it was read: not ours to link
        return False

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"dense index {path} not found: rebuild with `policyqa build`")
        identity = _identity(path)
        index = faiss.read_index(str(path))
        recent = recent_path(path)
        return cls(index, recent=faiss.read_index(str(recent)) if recent.is_file() else None,
                   read_from=(path.resolve(), identity) if _identity(path) == identity else None)


def recent_path(path: Path) -> Path:
    """Where the recent rows of the dense index at `path` are kept."""
    return path.with_name(f"{path.stem}.recent{path.suffix}")


def _identity(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _as_unit_matrix(vectors: np.ndarray, name: str) -> np.ndarray:
    if vectors.ndim != 2:
        raise ValueError(f"{name} has shape {vectors.shape}: give a 2-D array (rows, dim)")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors):
        norms = np.linalg.norm(vectors, axis=1)
        if np.abs(norms - 1).max() > _NORM_TOLERANCE:
            raise ValueError(
                f"{name} are not unit length (norms {norms.min():.3g}..{norms.max():.3g}): "
                "encode with normalize_embeddings=True"
            )
    return vectors
