"""What saving the embedding cache costs during a cold build, as a build saves it: after every batch.

Synthetic unit vectors (no model), n sentences of dim 512 saved in batches: the append-only shards of
`EmbeddingCache.add` against rewriting one file with everything so far (how the cache was saved before),
in the same run. Usage: python -m bench.cache_writes [N ...]   (default 5000 30000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import row, section
from index.embed import EmbeddingCache

BATCH_SHARDS = 512      # what encode_with_cache saves at once
BATCH_BEFORE = 64       # what a build saved at once before (its progress slices)


def shards(n: int, vectors: np.ndarray, folder: Path) -> float:
    cache = EmbeddingCache(folder)
    started = time.perf_counter()
    for start in range(0, n, BATCH_SHARDS):
        keys = [f"k{i}" for i in range(start, min(n, start + BATCH_SHARDS))]
        cache.add("m", keys, vectors[start:start + BATCH_SHARDS])
    assert len(cache.load("m")) == n
    return time.perf_counter() - started


def rewrite(n: int, vectors: np.ndarray, folder: Path) -> float:
    cache = EmbeddingCache(folder)
    entries: dict[str, np.ndarray] = {}
    started = time.perf_counter()
    for start in range(0, n, BATCH_BEFORE):
        entries = {**cache.load("m"), **{f"k{i}": vectors[i] for i in range(start, min(n, start + BATCH_BEFORE))}}
        cache._write(cache._file("m"), "m", entries)
    return time.perf_counter() - started


def main(sizes: list[int]) -> None:
    section("embedding cache saves during a cold build")
    for n in sizes:
        vectors = np.random.default_rng(0).standard_normal((n, 512)).astype(np.float32)
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            new, old = shards(n, vectors, Path(a)), rewrite(n, vectors, Path(b))
        row(f"{n} sentences: shards / one file rewritten", f"{new:.1f} s / {old:.1f} s", f"{old / new:.0f}x less")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [5000, 30000])
