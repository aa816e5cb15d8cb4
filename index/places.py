"""Results by place, for pages that show many places: groups keyed by `Document.place` (a provincial
regulation's place is its province, never "no city"; a county's document goes with its city) and labelled
with the `city_display` of their documents, best place first; then the first few places and the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from index.search import Hit
from ingest.model import Document

T = TypeVar("T")


@dataclass(frozen=True)
class PlaceGroup:
    place: str                  # Document.place: 沧州, 浙江 (a provincial regulation), 全国
    label: str                  # as shown: 沧州市; 丽水市、景宁畲族自治县 when a county's document is among them
    hits: tuple[Hit, ...]       # in their order


def place_label(docs: Iterable[Document]) -> str:
    """The distinct display names of a place's documents, in order: 丽水市、景宁畲族自治县."""
    return "、".join(dict.fromkeys(d.place_display for d in docs))


def group_by_place(hits: Iterable[Hit]) -> list[PlaceGroup]:
    """Hits by place, places in the order of their best hit, hits in their order."""
    grouped: dict[str, list[Hit]] = {}
    for hit in hits:
        grouped.setdefault(hit.document.place, []).append(hit)
    return [PlaceGroup(place, place_label(h.document for h in group), tuple(group))
            for place, group in grouped.items()]


def first_places(items: Iterable[T], place_of: Callable[[T], str], shown: int,
                 per_place: int | None = None) -> tuple[list[T], list[T]]:
    """The items of the first `shown` places, at most `per_place` of each (all unless told), in the order
    items come (best first), and the others in that order too."""
    taken: dict[str, int] = {}
    first, rest = [], []
    for item in items:
        place = place_of(item)
        if place not in taken and len(taken) < shown:
            taken[place] = 0
        if place in taken and (per_place is None or taken[place] < per_place):
            taken[place] += 1
            first.append(item)
        else:
            rest.append(item)
    return first, rest
