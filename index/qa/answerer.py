"""The Answerer: reads a question, retrieves for it, and answers with a short quote, a figure, the cities
that take a measure, or an honest refusal with the nearest clauses.

No language model. Reading the question is understand.py; quoting a phrase quote.py; figures numeric.py;
refusals refusal.py; every weight is in weights.py. The Searcher below it only retrieves and filters.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

import numpy as np

from index.figures import find_figures
from index.qa import documents, refusal
from index.qa.facts import facts_of, province_key
from index.qa.numeric import best_figure
from index.qa.quote import quote_answer
from index.qa.sections import section_answer
from index.qa.titles import documents_bearing
from index.qa.understand import ACROSS_CITIES, Places, Question, read_question, unit_fits
from index.qa.weights import (
    CITY_SHARE,
    LOW_CONFIDENCE,
    PENALTY_CHAPTER,
    PLACE_TURN_DECAY,
    REORDER_DEPTH,
    SPECIFIC_SHARE,
    WHOLE_CLAUSE_DEPTH,
    WHOLE_CLAUSE_WEIGHT,
    YEAR_BONUS_RANKS,
)
from index.search import Hit, Searcher, SearchFilters, SearchResult
from ingest import regions
from ingest.citation import quote_span
from ingest.model import Clause
from ingest.normalize import normalize
from ingest.numbering import label_value, parse_numbering

ANSWER_DEPTH = 20          # clauses an answer is chosen from


@dataclass
class Answer:
    question: str
    text: str | None
    abstained: bool
    confidence: float                                   # 0..1
    reason: str | None = None                           # why it was refused, in Chinese
    citations: list[Hit] = field(default_factory=list)  # the clause the answer is quoted from first
    related: list[Hit] = field(default_factory=list)    # nearest clauses when refused
    quote: str | None = None                            # the verbatim span the answer comes from
    per_city: bool = False                              # the answer names cities, one citation each
    per_place: bool = False                             # ... each with its own answer (沧州和廊坊…分别…)

    def __post_init__(self) -> None:
        if self.abstained == (self.text is not None):
            raise ValueError("an answer has text exactly when it is not abstained")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside 0..1")

    @property
    def unsure(self) -> bool:
        """A quoted answer to check before trusting (weights.LOW_CONFIDENCE, measured on quotes only: a
        cities answer's confidence is how close its places' clauses score to the best one)."""
        return not self.abstained and not self.per_city and self.confidence < LOW_CONFIDENCE

    def to_json(self) -> dict:
        return {"answer": self.text, "abstained": self.abstained, "confidence": round(self.confidence, 3),
                "unsure": self.unsure, "reason": self.reason, "quote": self.quote,
                "citations": [h.to_json() for h in self.citations],
                "related": [h.to_json() for h in self.related]}


class Answerer:
    """Question understanding, retrieval for a question, and answers, over one Searcher."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        # Search and the answer both ask which documents a question's titles are: read once per set of titles.
        self._documents_named = lru_cache(maxsize=1024)(self._documents_bearing)

    @cached_property
    def places(self) -> Places:
        docs = self.searcher.documents
        return Places(frozenset(d.city for d in docs if d.city) | frozenset(d.county for d in docs if d.county),
                      frozenset(d.province for d in docs if d.province), any(d.level == "national" for d in docs))

    def understand(self, question: str) -> Question:
        return read_question(question, self.places)

    # -- retrieval for a question ---------------------------------------------------------------------
    def search(self, question: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None,
               q: Question | None = None) -> SearchResult:
        """Clauses for a question: those of the places it is about first (other places after them, for a
        look around), interleaved by city when it asks what several cities do; a year it names lifts the
        clauses that name it. Explicit filters always hold."""
        q = q or self.understand(question)
        filters = filters or SearchFilters()
        dense_query = self._laid_out(question, q)
        named = () if filters.doc_ids else self.named_documents(q)
        notes = [f"语料中没有{place}的政策文件" for place in q.unknown]
        # Reordering by city or by validity needs candidates past the first k; the whole-clause view and the
        # penalty-chapter step the first WHOLE_CLAUSE_DEPTH.
        depth = max(k, REORDER_DEPTH) if q.across or q.current else max(k * 3, WHOLE_CLAUSE_DEPTH)
        rerank = (lambda hs: hs) if q.across else \
            (lambda hs: _by_chapter(self._by_whole_clause(hs, dense_query or question), q))
        if (_has_places(q) or named) and not (filters.cities or filters.provinces):
            # The places (and documents) asked about first, the others after them (for a look around); each
            # part keeps its rank among all candidates, so fusion weighs the two rankings as for any question.
            hits = rerank(self.searcher.search(question, k=depth, mode=mode, filters=filters, dense_query=dense_query,
                                              prefer=SearchFilters(cities=q.cities, provinces=q.provinces,
                                                                   national=bool(q.national), doc_ids=named)).hits)
            inside = [h for h in hits if (not _has_places(q) or _in_places(h, q))
                      and (not named or h.document.doc_id in named)]
            if q.national and not (inside and inside[0].score >= CITY_SHARE * max(h.score for h in hits)):
                # The national texts hold nothing close to what the best clauses say (CITY_SHARE, as a place
                # takes a measure in a cities answer): the question is answered as if no place were named.
                q = replace(q, national=None)
                notes.append("语料中国家层面的文件没有相关条款，以下是各地文件中的条款")
                hits = self._by_year(sorted(hits, key=lambda h: -h.score), q)
            else:
                ids = {h.clause.clause_id for h in inside}
                hits = self._by_year(inside, q) + self._by_year([h for h in hits if h.clause.clause_id not in ids], q)
        else:
            hits = self._by_year(rerank(self.searcher.search(question, k=depth, mode=mode, filters=filters,
                                                            dense_query=dense_query).hits), q)
            if q.across:
                hits = _spread_over_places(hits, self._year_score(q))
        if q.articles and named:
            # The articles it names (第十条) of the documents it names come first, whatever search made of them.
            named_articles = self._articles(q, named, hits[0].score if hits else 1.0, filters.as_of)
            ids = {h.clause.clause_id for h in named_articles}
            hits = named_articles + [h for h in hits if h.clause.clause_id not in ids]
        if q.current:
            # In force first, within the places asked about when it names some.
            folding = self.searcher.folding
            hits = sorted(hits, key=lambda h: (_has_places(q) and not _in_places(h, q),
                                               not folding.in_force(h.document.doc_id, filters.as_of)))
        return SearchResult(hits[:k], understood=q, notes=notes)

    def _laid_out(self, question: str, q: Question) -> str | None:
        """The question laid out like the embedded sentences ("沧州市：…") when it names its city."""
        if not q.cities:
            return None
        names = self.searcher.city_names
        return " ".join(names.get(c, c) for c in q.cities) + "：" + question

    def _by_whole_clause(self, hits: list[Hit], query: str) -> list[Hit]:
        """The first WHOLE_CLAUSE_DEPTH hits again, each plan clause gaining WHOLE_CLAUSE_WEIGHT x its whole
        clause's likeness to the question (index.build.whole_clause_unit), scaled over the plan clauses among
        them; only where they are at least half (among a statute's articles, the few plan clauses would
        always gain). A plan's clause tells one measure in several sentences: the whole finds what no
        sentence alone does (everyday questions)."""
        stored = self.searcher.clause_vectors
        top = hits[:WHOLE_CLAUSE_DEPTH]
        if stored is None or len(top) < 2:
            return hits
        position, vectors = stored
        at = position[[self.searcher.row(h.clause.clause_id) for h in top]]
        plan = at >= 0
        if plan.sum() < max(2, len(top) / 2):
            return hits
        cosines = np.zeros(len(top), dtype=np.float32)
        cosines[plan] = vectors[at[plan]].astype(np.float32) @ self.searcher.embedder.encode_one(query)
        low, high = cosines[plan].min(), cosines[plan].max()
        gains = np.where(plan, WHOLE_CLAUSE_WEIGHT * (cosines - low) / max(high - low, 1e-9), 0.0)
        return _with_gains(hits, [float(g) for g in gains])

    def _by_year(self, hits: list[Hit], q: Question) -> list[Hit]:
        if not q.year:
            return hits
        score = self._year_score(q)
        return sorted(hits, key=lambda h: -score(h))

    @staticmethod
    def _year_score(q: Question):
        """A hit's score with the bonus for naming the year asked."""
        mark = f"{q.year}年" if q.year else None
        return lambda h: h.score + (YEAR_BONUS_RANKS if mark and mark in normalize(h.clause.text) else 0.0)

    # -- answers ------------------------------------------------------------------------------------
    def answer(self, question: str, filters: SearchFilters | None = None) -> Answer:
        filters = filters or SearchFilters()
        if not any(c.isalnum() for c in normalize(question)):
            return _refuse(question, "问题中没有可检索的字词，请用中文写出要问的内容", [])
        q = self.understand(question)
        if not (filters.cities or filters.provinces) and len(q.cities) + len(q.provinces) > 1 and \
                not (q.cities and q.provinces):
            return self._per_place_answer(question, q, filters)
        result = self.search(question, k=ANSWER_DEPTH, filters=filters, q=q)
        q = result.understood                 # as search took it (a national constraint may have been dropped)
        cities = filters.cities or q.cities
        hits = [h for h in result.hits if not cities or h.document.city in cities or h.document.county in cities] \
            or result.hits
        if q.national and not (filters.cities or filters.provinces):
            hits = [h for h in hits if h.document.level == "national"] or hits
        named = () if filters.doc_ids else self.named_documents(q)
        hits = [h for h in hits if h.document.doc_id in named] or hits
        if q.articles and named:
            hits = [h for h in hits if _article_number(h.clause) in q.articles] or hits
        if q.unknown and not (cities or q.provinces or filters.provinces):
            return _refuse(question, refusal.unknown_place_reason(q), result.hits)
        unknown = None if filters.doc_ids else refusal.unknown_topic(self.searcher, q)
        if unknown:
            return _refuse(question, unknown, hits)
        missing = [] if filters.doc_ids else refusal.missing_documents(self.searcher, q)
        if missing:
            return _refuse(question, "；".join(f"语料中没有《{title}》" for title in missing), hits)
        if q.period and cities:
            reason = refusal.period_gap(self.searcher, cities, q.period)
            if reason:
                return _refuse(question, reason, hits)
        asked = cities or tuple(province_key(p) for p in filters.provinces or q.provinces)
        if asked:
            reason = refusal.topic_gap(self.searcher, q, asked) or refusal.measure_gap(self.searcher, q, asked)
            if reason:
                return _refuse(question, reason, hits)
        if q.kind == "cities" and not filters.cities:
            across = self._cities_answer(q, result.hits)
            if across:
                return across
        if q.asks_document or q.asks_effect:
            found = self._document_answer(q, hits)
            if found:
                return found
        if q.numeric:
            found = self._figure_answer(q, hits, cities)
            if not found.abstained or q.period:
                return found
            # No figure names the question's words, but a quoted phrase may still hold the figure (a rate
            # asked about in other words): take it only when it has a figure of the kind asked (多少元 is
            # not answered by a fraction), as a figure answer weighs units.
            fact = self._quote_answer(q, hits)
            figures = find_figures(fact.text) if fact.text else []
            return fact if any(not q.units or unit_fits(f.unit, q.units) for f in figures) else found
        return self._quote_answer(q, hits)

    def _figure_answer(self, q: Question, hits: list[Hit], cities) -> Answer:
        best = best_figure(self.searcher, q, hits)
        if best is None:
            return _refuse(q.text, refusal.no_figure_reason(self.searcher, q, cities), hits)
        confidence = float(np.clip(best.overlap, 0.0, 1.0))
        return Answer(q.text, best.figure.display, False, confidence, None, _cite(best.hit, hits, best.context), [],
                      best.context)

    def named_documents(self, q: Question) -> tuple[str, ...]:
        """The ids of the documents the question names by title (titles.py), held by the corpus."""
        return self._documents_named(q.documents)

    def _documents_bearing(self, titles: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.doc_id for title in titles for d in documents_bearing(self.searcher, title)))

    def _articles(self, q: Question, named: tuple[str, ...], score: float, as_of: str | None) -> list[Hit]:
        """The clauses of the articles the question names in the documents it names; of the newest version only
        when it names a document in several."""
        hits = [self.searcher.hit(self.searcher.row(c.clause_id), score, as_of=as_of)
                for doc_id in named for c in self.searcher.clauses_of(doc_id) if _article_number(c) in q.articles]
        current = [h for h in hits if not (h.standing and h.standing.newer_doc_id)]
        return current or hits

    def _per_place_answer(self, question: str, q: Question, filters: SearchFilters) -> Answer:
        """A question about several places it names (沧州和廊坊…分别…): each place's own answer, one after the
        other with the place's name, each cited by its clause; refused only when every place's is."""
        by_place = [(regions.province_name(p), self.answer(question, replace(filters, provinces=(p,))))
                    for p in q.provinces] or \
                   [(refusal.city_display(self.searcher, c), self.answer(question, replace(filters, cities=(c,))))
                    for c in q.cities]
        answered = [(place, got) for place, got in by_place if not got.abstained]
        if not answered:
            return _refuse(question, "；".join(got.reason or f"{place}：未找到" for place, got in by_place),
                           [h for _, got in by_place for h in got.related[:1]])
        text = "；".join(f"{place}：{got.text if not got.abstained else '未找到'}" for place, got in by_place)
        cited = [got.citations[0] for _, got in answered if got.citations]
        return Answer(question, text, False, min(got.confidence for _, got in answered), None, cited, [], None,
                      per_city=True, per_place=True)

    def _document_answer(self, q: Question, hits: list[Hit]) -> Answer | None:
        """What the question asks of a document itself (documents.py), or None to answer it from the text."""
        fact = documents.metadata_fact(q, hits) if q.asks_document else documents.effect_fact(self.searcher, q, hits)
        if fact is None:
            return None
        if fact.text is None:
            return _refuse(q.text, f"《{fact.hit.document.title}》的文本中没有写明{q.asks_document}", [fact.hit])
        return Answer(q.text, fact.text, False, 1.0, None, _cite(fact.hit, hits, fact.quote), [], fact.quote)

    def _quote_answer(self, q: Question, hits: list[Hit]) -> Answer:
        part = section_answer(self.searcher, q, hits)
        if part:
            first, names = part
            return Answer(q.text, names, False, 1.0, None, _cite(first, hits), [], None)
        quoted = quote_answer(self.searcher, q, hits)
        # A question with no Chinese whose best phrase is at or below the confidence floor (below every right
        # quote measured, weights.py) gets only the nearest text, not an answer. A Chinese question there is
        # still answered: everyday wording can score that low and be right.
        if quoted is None or (quoted[2] <= 0.0 and not refusal.CJK.search(q.text)):
            return _refuse(q.text, refusal.no_clause_reason(self.searcher, q), hits)
        best, text, confidence = quoted
        return Answer(q.text, text, False, confidence, None, _cite(best.hit, hits, text), [], best.sentence)

    def _cities_answer(self, q: Question, hits: list[Hit]) -> Answer | None:
        """The places that take the measure, each cited by its best clause: those whose best clause among the
        hits scores at least CITY_SHARE of the best clause's. None when the question has no specific word
        (then it is answered like any other)."""
        facts = facts_of(self.searcher)
        limit = max(3, SPECIFIC_SHARE * len(self.searcher.clauses))
        words = [w for w in dict.fromkeys(self.searcher.lexical.tokenizer(ACROSS_CITIES.sub("", q.core)))
                 if len(w) >= 2 and w not in _FRAMING and 0 < facts.clause_frequency[w] <= limit]
        top = max((h.score for h in hits), default=0.0)
        if not words or top <= 0:
            return None
        best: dict[str, Hit] = {}
        for hit in hits:
            if hit.score >= CITY_SHARE * top and (hit.document.place not in best or
                                                  hit.score > best[hit.document.place].score):
                best[hit.document.place] = hit
        ordered = sorted(best.values(), key=lambda h: -h.score)
        names = "、".join(h.document.place_display for h in ordered)
        # How close the places named stand to the best one (0.6..1), not how many of the corpus's places they
        # are: a measure taken by few places is no less sure.
        closeness = float(np.mean([h.score / top for h in ordered]))
        return Answer(q.text, names, False, closeness, None, ordered, [], None, per_city=True)


# Words that frame a 各市 question (各市在…上分别有什么安排) and name no measure.
_FRAMING = {"分别", "安排", "做法", "情况", "城市", "地方", "各地", "各市", "上"}


def _by_chapter(hits: list[Hit], q: Question) -> list[Hit]:
    """The first WHOLE_CLAUSE_DEPTH hits again, a statute's penalty articles (法律责任, 罚则) PENALTY_CHAPTER lower
    when the question asks nothing of penalties: such an article repeats the duty it punishes in the duty's
    words, and outranks the article that answers."""
    if q.penalties:
        return hits
    return _with_gains(hits, [-PENALTY_CHAPTER if _in_penalty_chapter(h.clause) else 0.0
                              for h in hits[:WHOLE_CLAUSE_DEPTH]])


def _with_gains(hits: list[Hit], gains: list[float]) -> list[Hit]:
    """The first len(gains) hits with each gain added to its score, sorted again; the rest after them."""
    top = [replace(h, score=h.score + g) for h, g in zip(hits[:len(gains)], gains, strict=True)]
    return sorted(top, key=lambda h: -h.score) + hits[len(gains):]


_PENALTY_CHAPTER = re.compile(r"法律责任|罚则")


def _in_penalty_chapter(clause: Clause) -> bool:
    return any(_PENALTY_CHAPTER.search(heading) for heading in clause.section)


def _article_number(clause: Clause) -> int | None:
    """第十条 -> 10, for a statute's article; None for a plan's clause."""
    numbering = parse_numbering(clause.label or "")
    return label_value(numbering.label) if numbering and numbering.kind == "article" else None


def _has_places(q: Question) -> bool:
    """Does the question constrain its places (cities, provinces, the national level)?"""
    return bool(q.cities or q.provinces or q.national)


def _in_places(hit: Hit, q: Question) -> bool:
    doc = hit.document
    return doc.city in q.cities or doc.county in q.cities or doc.province in q.provinces or \
        (bool(q.national) and doc.level == "national")


def _cite(best: Hit, hits: list[Hit], quoted: str | None = None) -> list[Hit]:
    """The clause quoted first, its citation naming the paragraph or item the quote lies in; then the next
    best clauses."""
    source = replace(best, span=quote_span(best.clause, quoted))
    return ([source] + [h for h in hits[:3] if h.clause.clause_id != best.clause.clause_id])[:3]


def _refuse(question: str, reason: str | None, related: list[Hit]) -> Answer:
    return Answer(question, None, True, 0.0, reason, [], related[:3])


def _spread_over_places(hits: list[Hit], score) -> list[Hit]:
    """Hits in an order that lets many places in: a place's n-th clause counts PLACE_TURN_DECAY^n of its
    score, so a weak place's best clause waits behind a strong place's second (order within a place kept)."""
    turn: dict[str, int] = {}
    keyed = []
    for position, hit in enumerate(hits):
        place = hit.document.place
        turn[place] = turn.get(place, -1) + 1
        keyed.append(((-score(hit) * PLACE_TURN_DECAY ** turn[place], position), hit))
    return [hit for _, hit in sorted(keyed, key=lambda item: item[0])]


_ANSWERERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def answerer_for(searcher: Searcher) -> Answerer:
    """One Answerer per loaded index (its places are computed once)."""
    if searcher not in _ANSWERERS:
        _ANSWERERS[searcher] = Answerer(searcher)
    return _ANSWERERS[searcher]


def answer(searcher: Searcher, question: str, filters: SearchFilters | None = None) -> Answer:
    return answerer_for(searcher).answer(question, filters)
