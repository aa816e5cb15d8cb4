"""Score fusion: pure functions over row ids, no index or model in sight.

Search fuses by a convex combination of scores, each list scaled to 0..1 between a floor and its best
(Bruch et al. 2023, "An analysis of fusion functions for hybrid retrieval"): unlike ranks, scores keep how
far a clause stands above the next. Reciprocal rank fusion (Cormack et al. 2009) only needs ranks, for
lists that have no comparable scores (similar measures).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
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
    if k < 0:
        raise ValueError(f"k={k} is negative: use k >= 0 (60 is the usual choice)")
    scores: dict[int, float] = {}
    best_rank: dict[int, int] = {}
    for ranking, weight in zip(rankings, _weights(weights, len(rankings), "rankings"), strict=True):
        seen: set[int] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
            best_rank[item] = min(best_rank.get(item, rank), rank)
    return sorted(scores.items(), key=lambda s: (-s[1], best_rank[s[0]], s[0]))


def _weights(weights: Sequence[float] | None, n: int, what: str) -> Sequence[float]:
    """One weight per list: all 1.0 when none are given."""
    if weights is None:
        return [1.0] * n
    if len(weights) != n:
        raise ValueError(f"weights has {len(weights)} values for {n} {what}: give one weight per {what[:-1]}")
    return weights


@dataclass(frozen=True)
class Scale:
    """Scores mapped to 0..1: floor -> 0, top -> 1 (a score below the floor goes below 0)."""
    floor: float
    top: float

    @classmethod
    def of(cls, scored: Sequence[tuple[int, float]], floor: float | None = None) -> Scale:
        """The scale of a list best first: from its last score (or the floor given) to its first."""
        if not scored:
            return cls(0.0, 1.0)
        return cls(scored[-1][1] if floor is None else floor, scored[0][1])

    def __call__(self, score: float) -> float:
        return (score - self.floor) / (self.top - self.floor) if self.top > self.floor else 1.0


def scaled(scored: Sequence[tuple[int, float]], floor: float | None = None,
           more: Iterable[tuple[int, float]] = ()) -> dict[int, float]:
    """id -> score on the list's own scale (Scale.of(scored, floor)); the (id, score) pairs of `more` that
    the list lacks (scored past its shortlist) are put on the same scale."""
    scale = Scale.of(scored, floor)
    out = {item: scale(score) for item, score in scored}
    for item, score in more:
        out.setdefault(item, scale(score))
    return out


def convex_combination(
    lists: Sequence[dict[int, float]], weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse lists of id -> scaled score: score(id) = sum of weight x its scaled score, an id missing from
    a list getting 0 (its floor) from it. Returns (id, score) best first, equal scores by id."""
    scores: dict[int, float] = {}
    for scores_of, weight in zip(lists, _weights(weights, len(lists), "lists"), strict=True):
        for item, score in scores_of.items():
            scores[item] = scores.get(item, 0.0) + weight * score
    return sorted(scores.items(), key=lambda s: (-s[1], s[0]))


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
