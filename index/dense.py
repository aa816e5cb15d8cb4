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
"""

from __future__ import annotations

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
_NORM_TOLERANCE = 1e-3


class DenseHits(NamedTuple):
    """Results for a batch of queries, best first; ragged because -1 (no result) ids are dropped."""

    scores: list[np.ndarray]  # float32 inner products, one array per query
    ids: list[np.ndarray]     # int64 row ids, one array per query


class DenseIndex:
    """A FAISS inner-product index; build with DenseIndex.build, or DenseIndex.load a saved one."""

    def __init__(self, index: faiss.Index, ef_search: int = EF_SEARCH) -> None:
        if index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise ValueError(
                f"index metric is {index.metric_type}, not inner product: build it with DenseIndex.build"
            )
        self._index = index
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
        """This index with `vectors` as its next rows. HNSW grows in place, its graph kept (building it
        again costs ~30 s at 165k rows); an exact index that reaches exact_below rows becomes HNSW."""
        vectors = _as_unit_matrix(vectors, "vectors")
        if not len(vectors):
            return self
        if self.kind == "flat" and self.ntotal + len(vectors) >= exact_below:
            return DenseIndex.build(np.concatenate([self.vectors(), vectors]), exact_below)
        self._index.add(vectors)
        return self

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        """"flat" (exact) or "hnsw" (approximate)."""
        return "hnsw" if isinstance(self._index, faiss.IndexHNSW) else "flat"

    def vectors(self) -> np.ndarray:
        """Every stored vector (ntotal, dim) float32, row i = item i: what the index was built from."""
        return self._index.reconstruct_n(0, self.ntotal)

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
        if k <= 0:
            n = len(queries)
            return DenseHits([np.empty(0, dtype=np.float32)] * n, [np.empty(0, dtype=np.int64)] * n)
        params = None
        if self.kind == "hnsw":
            # Per call, not on the shared index: efSearch below k would return fewer than k results.
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
        scores, ids = self._index.search(queries, k, params=params)
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
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        if not Path(path).is_file():
            raise FileNotFoundError(f"dense index {path} not found: rebuild with `policyqa build`")
        return cls(faiss.read_index(str(path)))


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
