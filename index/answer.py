"""Short answers quoted verbatim from the clauses, or an honest refusal with the nearest clauses.

No language model: a fact answer is the comma-delimited phrase of the best-matching sentence that best
answers the question; a numeric answer is a figure (with its unit) whose context names the question's
indicator, for the year asked. A question about a city, year or policy area the corpus does not cover
is refused with the reason, and the nearest clauses are shown instead.

Reading the question is index/question.py, quoting a fact answer index/quote.py; this module decides
which answer a question gets, and gives numeric answers, the cities answer and refusals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index.figures import Figure, clause_figures, find_figures, years_in
from index.index_facts import facts_of
from index.question import PERIODS, Question, bigram_recall, parse_question
from index.quote import SEGMENT_END, SENTENCE_END, quote_answer
from index.search import ACROSS_CITIES, Hit, Searcher, SearchFilters
from ingest.model import Clause, Document
from ingest.normalize import normalize

LOW_CONFIDENCE = 0.3     # an answer under it is flagged for checking (Answer.unsure)
TOPIC_GAP = 0.6          # share of the question's known words missing from a city's documents to refuse
# A figure that a quantity is said to reach ("…达1000家以上", "…提高到75%") answers "how many"; a figure
# that only counts something else in passing ("每年遴选200家…") does less well.
_STATED = re.compile(r"(达|达到|超过|突破|增至|增长到|增加到|提高到|提升到|不低于|不少于|为|是)[\s约近]*$")
STATED_BONUS = 0.15


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

    def __post_init__(self) -> None:
        if self.abstained == (self.text is not None):
            raise ValueError("an answer has text exactly when it is not abstained")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside 0..1")

    @property
    def unsure(self) -> bool:
        """A quoted answer to check before trusting: under LOW_CONFIDENCE the quote is mostly not the answer
        (16 of 19 wrong quotes, 10 of 38 right ones on the gold and held-out fact/paraphrase questions). The
        threshold is measured on quotes only: a cities answer's confidence is the share of cities named."""
        return not self.abstained and not self.per_city and self.confidence < LOW_CONFIDENCE

    def to_json(self) -> dict:
        return {"answer": self.text, "abstained": self.abstained, "confidence": round(self.confidence, 3),
                "unsure": self.unsure, "reason": self.reason, "quote": self.quote,
                "citations": [h.to_json() for h in self.citations],
                "related": [h.to_json() for h in self.related]}


# -- document coverage -------------------------------------------------------------------------------

def document_horizon(document: Document, clause_texts: list[str]) -> tuple[int, int] | None:
    """The years a document plans for: its title's range (2018―2020年, 十四五), else from its date to the
    last year its text names."""
    title = normalize(document.title)
    for name, span in PERIODS.items():
        if name in title:
            return span
    years = years_in(title)
    if years:
        first = re.search(r"((?:19|20)[0-9]{2})", title)
        return (int(first.group(1)) if first else years[0][0], max(y for y, _, _ in years))
    start = int(document.date[:4]) if document.date else None
    named = [y for t in clause_texts for y, _, _ in years_in(t)]
    later = [y for y in named if start is None or y >= start]
    if start is None and not named:
        return None
    return (start or min(named), max(later) if later else start)


def _covers(horizon: tuple[int, int] | None, period: tuple[int, int]) -> bool:
    return horizon is not None and horizon[0] <= period[1] and period[0] <= horizon[1]


# -- the answer ----------------------------------------------------------------------------------------

def answer(searcher: Searcher, question: str, filters: SearchFilters | None = None) -> Answer:
    filters = filters or SearchFilters()
    result = searcher.search(question, k=20, filters=filters)
    cities = filters.cities or result.understood.cities
    hits = [h for h in result.hits if not cities or h.document.city in cities] or result.hits
    if result.unknown_places and not cities:
        return _refuse(question, "；".join(result.notes), result.hits)
    q = parse_question(question, tuple(cities))
    if q.period and cities:
        reason = _period_gap(searcher, cities, q.period)
        if reason:
            return _refuse(question, reason, hits)
    if cities:
        reason = _topic_gap(searcher, q, cities)
        if reason:
            return _refuse(question, reason, hits)
    if not cities and not q.numeric and ACROSS_CITIES.search(normalize(question)):
        across = _cities_answer(searcher, q, result.hits)
        if across:
            return across
    if q.numeric:
        found = _numeric_answer(searcher, q, hits, cities)
        if not found.abstained or q.period:
            return found
        # No figure names the question's words, but a quoted phrase may still hold the figure (企业研发费用
        # 加计扣除比例提高到75%, asked as "能额外多抵扣多少"): take it only when it has a figure.
        fact = _fact_answer(searcher, q, hits, cities)
        return fact if fact.text and find_figures(fact.text) else found
    return _fact_answer(searcher, q, hits, cities)


def _topic_gap(searcher: Searcher, q: Question, cities) -> str | None:
    """A reason to refuse when most of the question's words that the corpus knows appear in other
    cities' documents but never in these cities' (廊坊 + 新能源汽车: other cities have it, 廊坊 does not).
    Words the corpus never uses say nothing: a paraphrase is worded unlike any policy."""
    facts = facts_of(searcher)
    here, anywhere = facts.words_of_city, facts.words
    words = [w for w in dict.fromkeys(searcher.lexical.tokenizer(q.core)) if len(w) >= 2 and w in anywhere]
    missing = [w for w in words if not any(w in here.get(c, set()) for c in cities)]
    if len(missing) >= 2 and len(missing) >= TOPIC_GAP * len(words):
        shown = [w for w in missing if not any(w != m and w in m for m in missing)]   # 新能源, not also 能源
        place = "、".join(_city_display(searcher, c) for c in cities)
        return f"语料中{place}的政策文件没有涉及" + "".join(f"“{w}”" for w in shown)
    return None


def _city_display(searcher: Searcher, city: str) -> str:
    return next((d.city_display for d in searcher.documents if d.city == city), city)


SPECIFIC_SHARE = 0.2    # a word in at most this share of clauses names a measure (院士工作站), not a theme (创新)
_FRAMING = {"分别", "安排", "做法", "情况", "城市", "地方", "各地", "各市", "上"}   # 各市在…上分别有什么安排


def _cities_answer(searcher: Searcher, q: Question, hits: list[Hit]) -> Answer | None:
    """"哪些城市/各市…": the cities that take the measure, each cited by its best clause. A city counts when
    one of its clauses among the hits uses one of the question's two most specific words; None when the
    question has no specific word (then it is answered like any other)."""
    facts = facts_of(searcher)
    limit = max(3, SPECIFIC_SHARE * len(searcher.clauses))
    words = [w for w in dict.fromkeys(searcher.lexical.tokenizer(ACROSS_CITIES.sub("", q.core)))
             if len(w) >= 2 and w not in _FRAMING and 0 < facts.clause_frequency[w] <= limit]
    specific = sorted(words, key=lambda w: facts.clause_frequency[w])[:2]
    if not specific:
        return None
    best: dict[str, Hit] = {}
    for hit in hits:
        text = normalize(" ".join([*hit.clause.section, hit.clause.text]))
        if hit.document.city and hit.document.city not in best and any(w in text for w in specific):
            best[hit.document.city] = hit
    if not best:
        return None
    names = "、".join(h.document.city_display for h in best.values())
    return Answer(q.text, names, False, len(best) / len(searcher.cities), None, list(best.values()), [], None,
                  per_city=True)


def _refuse(question: str, reason: str, related: list[Hit]) -> Answer:
    return Answer(question, None, True, 0.0, reason, [], related[:3])


def _city_docs(searcher: Searcher, cities) -> list[Document]:
    return [d for d in searcher.documents if d.city in cities]


def _horizon(searcher: Searcher, doc: Document) -> tuple[int, int] | None:
    return document_horizon(doc, [c.text for c in searcher.clauses_of(doc.doc_id)])


def _period_gap(searcher: Searcher, cities, period: tuple[int, int]) -> str | None:
    """A reason to refuse when no document of the cities covers the years asked, else None."""
    docs = _city_docs(searcher, cities)
    spans = [h for h in (_horizon(searcher, d) for d in docs) if h]
    named = {y for d in docs for c in searcher.clauses_of(d.doc_id) for y, _, _ in years_in(c.text)}
    if not spans or any(_covers(s, period) for s in spans) or any(period[0] <= y <= period[1] for y in named):
        return None
    asked = f"{period[0]}年" if period[0] == period[1] else f"{period[0]}—{period[1]}年"
    place = "、".join(d.city_display for d in {d.city: d for d in docs}.values())
    covered = "；".join(f"《{d.title}》{h[0]}—{h[1]}年" for d in docs if (h := _horizon(searcher, d)))
    return f"语料中{place}的政策文件没有涉及{asked}（现有文件：{covered}）"


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    figure: Figure
    context: str
    score: float
    overlap: float


def _figure_context(text: str, figure: Figure) -> tuple[str, str]:
    """(phrase, sentence) a figure belongs to: its comma segment, and its sentence up to that segment's
    end (对域外机构投资…的, 按投资额的1%予以最高100万元的补贴: the subject is phrases before)."""
    starts = [m.end() for m in SEGMENT_END.finditer(text, 0, figure.start)]
    start = starts[-1] if starts else 0
    end_match = SEGMENT_END.search(text, figure.end)
    end = end_match.start() if end_match else len(text)
    sentence_starts = [m.end() for m in SENTENCE_END.finditer(text, 0, figure.start)]
    return text[start:end], text[(sentence_starts[-1] if sentence_starts else 0):end]


def _numeric_answer(searcher: Searcher, q: Question, hits: list[Hit], cities) -> Answer:
    asked_figures = {normalize(m.group(0)) for m in re.finditer(r"[0-9.]+[^\s0-9.，,？?]{0,2}", normalize(q.text))}
    candidates: list[_Candidate] = []
    horizons: dict[str, tuple[int, int] | None] = {}
    for rank, hit in enumerate(hits[:10]):
        doc = hit.document
        if doc.doc_id not in horizons:
            horizons[doc.doc_id] = _horizon(searcher, doc)
        doc_year = int(doc.date[:4]) if doc.date else None
        for figure in clause_figures(hit.clause):
            if normalize(figure.text) in asked_figures:
                continue                              # the 20亿元 of "销售收入20亿元以上的企业"
            past = _reviews_past(hit.clause, doc_year)
            if q.period:
                year_ok = (q.period[0] <= figure.year <= q.period[1]) if figure.year else \
                    _covers(horizons[doc.doc_id], q.period) or (past is not None and _covers(past, q.period))
                if not year_ok:
                    continue
            if figure.label:
                phrase = sentence = figure.label
            else:
                phrase, sentence = _figure_context(hit.clause.text, figure)
            # The document's title and headings name the plan and measure the question may refer to.
            overlap = bigram_recall(q.core, " ".join([sentence, doc.title, *hit.clause.section]))
            score = 0.5 * overlap + 0.5 * bigram_recall(q.core, phrase) - 0.02 * rank
            if q.units:
                score += 0.3 if figure.unit in q.units else -0.6
            if q.wants_max:
                score += 0.2 if figure.qualifier in ("最高", "最多") else 0.0
            if not figure.label and _STATED.search(hit.clause.text[max(0, figure.start - 4):figure.start]):
                score += STATED_BONUS                 # 科技型中小企业达1000家以上, not 每年遴选200家科技型…
            if q.period and figure.year and q.period[0] == q.period[1] == figure.year:
                score += YEAR_BONUS                   # "2018年…多少": the figure its sentence dates 2018
            achieved = "完成" in figure.label or (figure.year and doc_year and figure.year < doc_year) or \
                (past is not None and not figure.year)
            if q.wants_target and achieved:
                score -= 0.3
            elif achieved and not q.wants_target and q.period:
                score += 0.2                          # "2020年有多少家": what was reached, not what was planned
            candidates.append(_Candidate(hit, figure, phrase, score, overlap))
    # Only a figure stated among the question's own words can answer it.
    candidates = [c for c in candidates if c.overlap >= 0.34]
    if not candidates:
        return _refuse(q.text, _no_figure_reason(q, cities), hits)
    best = max(candidates, key=lambda c: c.score)
    confidence = float(np.clip(best.overlap, 0.0, 1.0))
    citations = [best.hit] + [h for h in hits[:3] if h.clause.clause_id != best.hit.clause.clause_id]
    return Answer(q.text, best.figure.display, False, confidence, None, citations[:3], [], best.context)


# A plan's review of where things stand ("(一)基础与现状", "“十三五”取得的成效") reports what was reached
# in the years before the plan, though its sentences seldom name a year.
_REVIEW = re.compile(r"基础|现状|成效|成就|回顾|进展|发展成果")
YEAR_BONUS = 0.2


def _reviews_past(clause: Clause, doc_year: int | None) -> tuple[int, int] | None:
    """The five years before the document's date when the clause sits in a review section, else None."""
    if doc_year is None or not any(_REVIEW.search(s) for s in clause.section[:-1] or clause.section):
        return None
    return (doc_year - 5, doc_year - 1)


def _no_figure_reason(q: Question, cities) -> str:
    where = "、".join(c + "市" for c in cities) if cities else "语料中"
    when = f"{q.period[0]}年" if q.period and q.period[0] == q.period[1] else \
        (f"{q.period[0]}—{q.period[1]}年" if q.period else "")
    return f"{where}的政策文件中没有找到{when}“{q.core}”的数字"


# -- fact answers --------------------------------------------------------------------------------------

def _fact_answer(searcher: Searcher, q: Question, hits: list[Hit], cities) -> Answer:
    quoted = quote_answer(searcher, q, hits)
    if quoted is None:
        return _refuse(q.text, "语料中没有找到相关条款", hits)
    best, text, confidence = quoted
    citations = [best.hit] + [h for h in hits[:3] if h.clause.clause_id != best.hit.clause.clause_id]
    return Answer(q.text, text, False, confidence, None, citations[:3], [], best.sentence)
