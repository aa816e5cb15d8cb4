"""Similar measures in other cities: the clauses elsewhere that take the same kind of measure as a source.

A measure is found by meaning (dense: each sentence of the source, with the heading that names the
measure, against every embedded sentence of the corpus) and by its key terms (BM25), fused by rank.
The source's own place (its city, or its province for a provincial regulation) is never returned: the
point is to see what the others do.
"""

from __future__ import annotations

import numpy as np

from index.figures import in_goals_section, in_review_section
from index.fuse import best_per_group, reciprocal_rank_fusion
from index.places import group_by_place
from index.search import SHORTLIST, Hit, Searcher
from ingest.model import Clause
from ingest.numbering import parse_numbering
from ingest.references import article_map, expand_references
from ingest.sentences import sentences

DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0     # key terms (天使投资, 科技特派员) count as much as meaning: held-out recall@5 0.82 -> 0.86


def similar(searcher: Searcher, clause_id: str | None = None, text: str | None = None, k: int = 5,
            per_city: int = 2) -> list[Hit]:
    """Clauses of other cities taking the same kind of measure, best first, at most per_city per city.

    Give a clause_id, or a text: a text that is (part of) a clause is resolved to that clause, whose
    city is then excluded; any other text is simply the query and no city is excluded.
    """
    if clause_id is None and not (text and text.strip()):
        raise ValueError("give a clause_id or a text to find similar measures for")
    source: Clause | None = searcher.clause(clause_id) if clause_id else searcher.find_clause_by_text(text or "")
    query = text.strip() if text and text.strip() else source.text  # a pasted part names the measure itself
    if source:
        query = expand_references(query, article_map(searcher.clauses_of(source.doc_id)))
    numbering = parse_numbering(query)
    query = query[numbering.length:] if numbering and len(query) > numbering.length else query  # 第十六条 …
    heading = _heading(source) if source else ""
    own_place = searcher.document(source.doc_id).place if source else None
    rows = _ranked_rows(searcher, query, heading)
    if source and not (in_goals_section(source) or in_review_section(source)):
        rows = _measures_first(searcher, rows)
    out: list[Hit] = []
    taken: dict[str | None, int] = {}
    for row, score in rows:
        clause = searcher.clauses[row]
        if source and clause.clause_id == source.clause_id:
            continue
        place = searcher.document(clause.doc_id).place
        if source and place == own_place:
            continue
        if taken.get(place, 0) >= per_city:
            continue
        taken[place] = taken.get(place, 0) + 1
        out.append(searcher.hit(row, score))
        if len(out) == k:
            break
    return out


def similar_by_city(searcher: Searcher, clause_id: str | None = None, text: str | None = None, k: int = 10,
                    per_city: int = 2) -> dict[str, list[Hit]]:
    """The same hits grouped by place (沧州市 -> hits; index.places), places in the order of their best hit."""
    hits = similar(searcher, clause_id=clause_id, text=text, k=k, per_city=per_city)
    return {group.label: list(group.hits) for group in group_by_place(hits)}


def focus_of(searcher: Searcher, clause: Clause, question: str) -> str | None:
    """The clause's sentence most like a question: the measure meant by a reader who asked it, when the
    clause holds several (its best-matching part finds closer measures elsewhere than the whole clause:
    held-out recall@5 0.65 whole -> 0.82 part). None for a one-sentence clause."""
    parts = sentences(clause.text)
    if len(parts) < 2 or not question.strip():
        return None
    vectors = searcher.embedder.encode([question, *parts])
    return parts[int(np.argmax(vectors[1:] @ vectors[0]))]


def _measures_first(searcher: Searcher, rows: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Clauses under a goals heading (二、主要目标) after every other, for a source that takes a measure
    (not one that sets or reviews goals): a goals clause names a little of every topic, so it matched any
    measure's words and took a place's two slots from its measures (bench/README.md: fresh-seeds tune
    similar recall@5 0.667 -> 0.833)."""
    goals = [in_goals_section(searcher.clauses[row]) for row, _ in rows]
    return [r for r, g in zip(rows, goals, strict=True) if not g] + [r for r, g in zip(rows, goals, strict=True) if g]


def _heading(clause: Clause) -> str:
    """The nearest heading that names the clause's measure, without its number (2.加快发展天使投资 ->
    加快发展天使投资; a regulation's 第十六条 names nothing, so its chapter's: 技术交易服务机构). A number
    would only match other documents' same numbers."""
    for heading in reversed(clause.section):
        numbering = parse_numbering(heading)
        words = heading[numbering.length:].strip() if numbering else heading.strip()
        if words:
            return words
    return ""


def _ranked_rows(searcher: Searcher, query: str, heading: str) -> list[tuple[int, float]]:
    # One dense query per sentence (a long clause holds several measures), each clause scored by its
    # best-matching sentence. Each sentence goes with the heading, as the index's units carry theirs, and
    # also alone: a pasted sentence of a long clause may name a measure its heading does not (a clause
    # headed 科技创业… that also builds 科技金融专营机构).
    parts = sentences(query)[:12] or [query]
    queries = [*(f"{heading}：{p}" for p in parts), *parts] if heading else parts
    vectors = searcher.embedder.encode(queries)
    n = searcher.dense.ntotal
    scored = [hit for vector in vectors for hit in searcher.dense.search_one(vector, min(n, 400))]
    dense = [row for row, _, _ in best_per_group(scored, lambda unit: int(searcher.owners[unit]))]
    lexical = [row for row, _ in searcher.lexical.search(f"{heading} {query}", k=min(len(searcher.clauses), SHORTLIST))]
    return reciprocal_rank_fusion([dense, lexical], weights=[DENSE_WEIGHT, LEXICAL_WEIGHT])
