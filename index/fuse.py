"""Score fusion: pure functions over row ids, no index or model in sight.

Reciprocal rank fusion (Cormack et al. 2009) only needs ranks, so BM25 scores and cosine similarities,
which live on unrelated scales, can be combined without calibration.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

G = TypeVar("G", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked lists of ids (best first) into one: score(id) = sum of weight / (k + rank), rank from 1.

    An id missing from a ranking gets nothing from it; an id repeated in one ranking counts at its best
    rank only. Returns (id, score) best first; equal scores are ordered by their best rank in any
    ranking, then by id, so the result never depends on set or dict order.
    """
    return fuse_ranks([list(enumerate(ranking, start=1)) for ranking in rankings], k, weights)


def fuse_ranks(
    rankings: Sequence[Sequence[tuple[int, int]]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """reciprocal_rank_fusion over (rank, id) pairs: for lists whose ranks are not their positions (a
    subset's rows keep the ranks they have in the whole list)."""
    if k < 0:
        raise ValueError(f"k={k} is negative: use k >= 0 (60 is the usual choice)")
    if weights is None:
        weights = [1.0] * len(rankings)
    elif len(weights) != len(rankings):
        raise ValueError(
            f"weights has {len(weights)} values for {len(rankings)} rankings: give one weight per ranking"
        )
    scores: dict[int, float] = {}
    best_rank: dict[int, int] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[int] = set()
        for rank, item in ranking:
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
            best_rank[item] = min(best_rank.get(item, rank), rank)
    return sorted(scores.items(), key=lambda s: (-s[1], best_rank[s[0]], s[0]))


def best_per_group(
    scored: Sequence[tuple[int, float]], group_of: Callable[[int], G]
) -> list[tuple[G, float, int]]:
    """Score each group by its best member: many embedded sentences map to one clause.

    `scored` is (row id, score) with higher is better; returns (group, best score, row id of the best
    member), best first. Ties keep the order of first appearance in `scored`, so a list already
    sorted best first keeps its order.
    """
    best: dict[G, tuple[float, int, int]] = {}  # group -> (score, row id, position in input)
    for pos, (row, score) in enumerate(scored):
        group = group_of(row)
        if group not in best or score > best[group][0]:
            best[group] = (score, row, best[group][2] if group in best else pos)
    ordered = sorted(best.items(), key=lambda g: (-g[1][0], g[1][2]))
    return [(group, score, row) for group, (score, row, _) in ordered]
