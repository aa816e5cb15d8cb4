"""Short answers quoted verbatim from the clauses, or an honest refusal with the nearest clauses.

No language model: a fact answer is the comma-delimited phrase of the best-matching sentence that best
answers the question; a numeric answer is a figure (with its unit) whose context names the question's
indicator, for the year asked. A question about a city, year or policy area the corpus does not cover
is refused with the reason, and the nearest clauses are shown instead.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from index.figures import Figure, clause_figures, find_figures, years_in
from index.search import ACROSS_CITIES, Hit, Searcher, SearchFilters
from ingest.model import Document
from ingest.normalize import normalize
from ingest.sentences import sentence_spans

MAX_ANSWER = 30          # characters: an answer is a phrase, not a clause
MAX_LIST_ANSWER = 60     # a "哪些" question is answered by its whole list of names, still not a clause
LIST_BONUS = 0.3         # for a list phrase (…、…) when the question asks "哪些"
TOP_CLAUSES = 5          # clauses whose sentences compete for the answer
SENTENCES_KEPT = 3       # best sentences whose phrases compete
PHRASE_COS = 1.5         # weight of a phrase's own likeness to the question (0.5 -> 1.5: dev 0.60 -> 0.68)
BARE_SENTENCE_COS = 0.5  # weight of a sentence's likeness to the question without its context prefix
TOPIC_GAP = 0.6          # share of the question's known words missing from a city's documents to refuse
ECHO_PENALTY = 0.8       # for a phrase made only of the question's own characters
FOLLOW_BONUS = 0.5       # for the phrase right after one that restates the question
FRAME_PENALTY = 0.3      # for a frame (对于…, 按照…) or a subject (…等, …的): the measure follows it
HEADING_PENALTY = 0.3    # for the clause's own heading: it names the measure, the text after it answers
_DUTY = re.compile(r"[(（](牵头|责任|配合)单位")
_FRAME = re.compile(r"^(对于|对|凡|针对|围绕|依托|按照|根据|通过|为了|为)|[等的]$")

# "多少", "几家", 比例/比重 ... ask for a figure; "哪几个" does not.
_NUMERIC = re.compile(r"多少|(?<!哪)几[家个项名人所倍次亿万]|比例是|比重|占比|强度|金额|数额|百分之")
_PERIODS = {"十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_TARGET = re.compile(r"目标|要|计划|力争|预期|将|争取")
# A figure that a quantity is said to reach ("…达1000家以上", "…提高到75%") answers "how many"; a figure
# that only counts something else in passing ("每年遴选200家…") does less well.
_STATED = re.compile(r"(达|达到|超过|突破|增至|增长到|增加到|提高到|提升到|不低于|不少于|为|是)[\s约近]*$")
STATED_BONUS = 0.15
# Question words and fillers: never evidence that a clause is about the question.
_FILLER = re.compile(
    r"什么|哪些|哪个|哪家|哪所|哪几个|哪|多少[家个项名人位所倍次]?|几[家个项名人位所倍次]|如何|怎么样|怎么|怎样|是否|有没有|能不能|需不需要|是不是|会不会|"
    r"吗|呢|吧|有关|方面|具体|主要|目标|计划|要求|是否|的|了|期间|政策|措施|举措|"
    r"[\W_]"
)
# Units a question word asks for: 多少家 -> 家; 比重 -> %.
_UNIT_HINTS = (
    (re.compile(r"多少家|几家"), ("家",)),
    (re.compile(r"多少[名人位]|几[名人位]"), ("名", "人", "位")),
    (re.compile(r"多少项|几项"), ("项",)),
    (re.compile(r"多少个|几个"), ("个",)),
    (re.compile(r"比例|比重|占比|强度|百分之|增长率|覆盖率"), ("%", "个百分点", "百分点")),
    (re.compile(r"金额|资金|补贴|补助|奖励|资助|奖补|投入|经费|收入|成交额|交易额|规模|元"),
     ("元", "亿元", "万元", "千元", "亿", "万", "美元", "亿美元", "万美元")),
)
_SEGMENT_END = re.compile(r"[，,；;：:。！？!?\n]")
_SENTENCE_END = re.compile(r"[；;。！？!?\n]")


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

    def to_json(self) -> dict:
        return {"answer": self.text, "abstained": self.abstained, "confidence": round(self.confidence, 3),
                "reason": self.reason, "quote": self.quote,
                "citations": [h.to_json() for h in self.citations],
                "related": [h.to_json() for h in self.related]}


@dataclass(frozen=True)
class Question:
    text: str
    core: str                             # without city, years and question words: what it is about
    numeric: bool
    period: tuple[int, int] | None        # the years asked about: 2025 -> (2025, 2025); 十四五 -> (2021, 2025)
    units: tuple[str, ...]                # units the question asks for, () when it does not say
    wants_target: bool                    # 目标/要/计划: a planned figure, not an achieved one
    wants_max: bool                       # 最高补贴多少
    wants_list: bool = False              # 哪些/哪几: several names answer it


def parse_question(question: str, cities: tuple[str, ...] = ()) -> Question:
    text = normalize(question)
    period = None
    bare = re.findall(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9年])", text)     # "2025目标" without 年
    years = [y for y, _, _ in years_in(text)] + [int(y) for y in bare]
    if years:
        period = (min(years), max(years))
    for name, span in _PERIODS.items():
        if name in text:
            period = span
    core = text
    for city in cities:
        core = core.replace(city + "市", "").replace(city, "")
    core = re.sub(r"(19|20)[0-9]{2}年?|十[二三四五]五|“|”", "", core)
    core = _FILLER.sub("", core)
    units: tuple[str, ...] = ()
    for pattern, hint in _UNIT_HINTS:
        if pattern.search(text):
            units = hint
            break
    return Question(question, core, bool(_NUMERIC.search(text)), period, units,
                    bool(_TARGET.search(text)), "最高" in text or "最多" in text, bool(re.search(r"哪些|哪几", text)))


def bigram_recall(query: str, text: str) -> float:
    """Share of the query's character bigrams found in text: word overlap without a tokenizer."""
    grams = {query[i:i + 2] for i in range(len(query) - 1)}
    if not grams:
        return 0.0
    hay = normalize(text)
    return sum(g in hay for g in grams) / len(grams)


# -- document coverage -------------------------------------------------------------------------------

def document_horizon(document: Document, clause_texts: list[str]) -> tuple[int, int] | None:
    """The years a document plans for: its title's range (2018―2020年, 十四五), else from its date to the
    last year its text names."""
    title = normalize(document.title)
    for name, span in _PERIODS.items():
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
    facts = _facts(searcher)
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


@dataclass
class _IndexFacts:
    """What answers look up per clause and city, computed once per loaded index."""
    words_of_city: dict[str, set[str]]      # words of each city's titles, headings and clauses
    words: set[str]                         # of the whole corpus
    clause_frequency: Counter               # word -> number of clauses (with their headings) using it
    units_of: dict[int, list[int]]          # row -> its embedded sentences, in order


_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _facts(searcher: Searcher) -> _IndexFacts:
    if searcher not in _FACTS:
        tokenizer = searcher.lexical.tokenizer
        per_city: dict[str, set[str]] = {}
        frequency: Counter = Counter()
        for clause in searcher.clauses:
            doc = searcher.document(clause.doc_id)
            per_city.setdefault(doc.city or "", set()).update(
                tokenizer(" ".join([doc.title, *clause.section, clause.text])))
            frequency.update(set(tokenizer(" ".join([*clause.section, clause.text]))))
        units_of: dict[int, list[int]] = {}
        for unit, row in enumerate(searcher.owners.tolist()):
            units_of.setdefault(int(row), []).append(unit)
        _FACTS[searcher] = _IndexFacts(per_city, set().union(*per_city.values()) if per_city else set(),
                                       frequency, units_of)
    return _FACTS[searcher]


SPECIFIC_SHARE = 0.2    # a word in at most this share of clauses names a measure (院士工作站), not a theme (创新)
_FRAMING = {"分别", "安排", "做法", "情况", "城市", "地方", "各地", "各市", "上"}   # 各市在…上分别有什么安排


def _cities_answer(searcher: Searcher, q: Question, hits: list[Hit]) -> Answer | None:
    """"哪些城市/各市…": the cities that take the measure, each cited by its best clause. A city counts when
    one of its clauses among the hits uses one of the question's two most specific words; None when the
    question has no specific word (then it is answered like any other)."""
    facts = _facts(searcher)
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
    starts = [m.end() for m in _SEGMENT_END.finditer(text, 0, figure.start)]
    start = starts[-1] if starts else 0
    end_match = _SEGMENT_END.search(text, figure.end)
    end = end_match.start() if end_match else len(text)
    sentence_starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, figure.start)]
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


def _reviews_past(clause, doc_year: int | None) -> tuple[int, int] | None:
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

@dataclass(frozen=True)
class _Span:
    hit: Hit
    rank: int
    sentence: str
    start: int            # offsets of the span in the clause text
    end: int


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-delimited phrases of text[start:end], offsets into text, each without its punctuation."""
    out, s = [], start
    for m in _SEGMENT_END.finditer(text, start, end):
        if m.start() > s:
            out.append((s, m.start()))
        s = m.end()
    if s < end:
        out.append((s, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _echo(question: str, phrase: str) -> float:
    """Share of the phrase's characters that the question already has: 1.0 = it only repeats it."""
    chars = [c for c in normalize(phrase) if c.isalnum()]
    if not chars:
        return 1.0
    asked = set(normalize(question))
    return sum(c in asked for c in chars) / len(chars)


# Question words whose answer fills their slot (建设[什么]平台); 如何/怎样 are answered after, not inside.
_WH = re.compile(r"什么|哪些|哪个|哪家|哪所|哪几个|哪|多少")


def wh_anchors(question: str) -> tuple[str, str]:
    """The words on each side of the question word: "要深化与[哪家机构]的院地合作" -> ("深化与", "的院地").

    An answer phrase usually keeps one of them around the new words (深化与中国科学院的院地合作).
    """
    text = normalize(question)
    m = _WH.search(text)
    if not m:
        return "", ""
    left = re.sub(r"[\W_]|^[要是由在]", "", text[max(0, m.start() - 3):m.start()])
    right = re.sub(r"[\W_]", "", text[m.end():m.end() + 5])
    if right[:1] in "家个所些种类项":                     # 哪[家]公司: the measure word is not an anchor
        right = right[1:]
    right = right.replace("的", "")                       # 公司的氢燃料 -> 公司氢燃: the answer ends in 公司
    return left[-3:], right[:4]


# What a "which X" question asks for: 由哪个[县]来担当 -> a phrase naming a county (固安县) answers it.
_ANSWER_TYPE = re.compile(r"(?:哪[个家所些几]?|什么)(县|公司|学校|大学|学院|高校|部门|单位)")
# How a name of each kind ends: a 部门 is a 局, 委 or 办 (市科技和地震局).
_NAME_ENDS = {"部门": "局|委|办|厅|部门", "单位": "局|委|办|厅|院|所|单位", "学校": "学校|大学|学院",
              "高校": "大学|学院|高校"}
TYPE_BONUS = 0.6
_GENERIC = set("关各等级类个家所或和与及本该其全省市县区我")   # 有关部门, 各县, 省级…: no name


def answer_type(question: str) -> str | None:
    m = _ANSWER_TYPE.search(normalize(question))
    return m.group(1) if m else None


def _type_score(phrase: str, kind: str | None, question: str) -> float:
    """TYPE_BONUS when the phrase names something of the asked kind that the question does not (固安县)."""
    if not kind:
        return 0.0
    hay, asked = normalize(phrase), normalize(question)
    for m in re.finditer(_NAME_ENDS.get(kind, re.escape(kind)), hay):
        name = hay[max(0, m.start() - 2):m.end()]
        before = hay[m.start() - 1] if m.start() else ""
        if re.match(r"[\u4e00-\u9fff]", before) and before not in _GENERIC and name not in asked:
            return TYPE_BONUS
    return 0.0


def _anchor_score(phrase: str, anchors: tuple[str, str]) -> float:
    hay = normalize(phrase)
    score = 0.0
    for anchor in anchors:
        if len(anchor) >= 2 and (anchor in hay or anchor[:2] in hay or anchor[-2:] in hay):
            score += 0.5 if anchor in hay else 0.25
    return score


def _unit_scores(searcher: Searcher, vector: np.ndarray, rows: set[int]) -> dict[int, float]:
    """Cosine of the question (vector) to every embedded sentence (with its context prefix) of the given
    clause rows, straight from the index: the same scores search ranked clauses by."""
    n = searcher.dense.ntotal
    return {unit: score for unit, score in searcher.dense.search_one(vector, min(n, 4000))
            if int(searcher.owners[unit]) in rows}


def rank_sentences(searcher: Searcher, q: Question, hits: list[Hit]) -> list[tuple[_Span, float]]:
    """Sentences of the top clauses, best first: the index's own sentence score (cosine with the
    context prefix) plus word overlap, a little less for clauses search ranked lower."""
    top = hits[:TOP_CLAUSES]
    facts = _facts(searcher)
    rows = {searcher.row(h.clause.clause_id) for h in top}
    question = searcher.embedder.encode([q.text])[0]
    unit_scores = _unit_scores(searcher, question, rows)
    out: list[tuple[_Span, float]] = []
    for rank, hit in enumerate(top):
        text = hit.clause.text
        units = facts.units_of.get(searcher.row(hit.clause.clause_id), [])
        spans = sentence_spans(text) if hit.clause.kind != "table_row" else [(0, len(text))]
        for i, (s, e) in enumerate(spans):
            # Units are the clause's sentences in order; should they ever disagree, use the clause's best.
            cos = unit_scores.get(units[i], 0.0) if len(units) == len(spans) else \
                max((unit_scores.get(u, 0.0) for u in units), default=0.0)
            out.append((_Span(hit, rank, text[s:e], s, e), cos + 0.3 * bigram_recall(q.core, text[s:e]) - 0.02 * rank))
    if out:
        # The sentence alone against the question: its indexed vector carries the clause's context prefix,
        # the same for every sentence of a clause, which blurs which of them answers (fact containment
        # 0.56 -> 0.60 on the dev set).
        vectors = searcher.embedder.encode([span.sentence for span, _ in out])
        out = [(span, score + BARE_SENTENCE_COS * float(c))
               for (span, score), c in zip(out, vectors @ question, strict=True)]
    return out


def rank_phrases(searcher: Searcher, q: Question, ranked_sentences: list[tuple[_Span, float]],
                 sentences_kept: int | None = None) -> list[tuple[_Span, float]]:
    """Comma phrases of the best sentences, best first. A phrase gains from its sentence's score, its own
    likeness to the question, the words around the question word (深化与[…]的院地合作), and loses when
    it only repeats the question (the answer is then the next phrase: "如何探索…" -> 探索园区投入…)."""
    order = sorted(range(len(ranked_sentences)), key=lambda i: -ranked_sentences[i][1])
    sentences = [s for s, _ in ranked_sentences]
    pool: dict[tuple[str, int], tuple[_Span, float]] = {}

    def add(sent: _Span, a: int, b: int, parent: float) -> None:
        key = (sent.hit.clause.clause_id, a)
        if key not in pool or pool[key][1] < parent:
            pool[key] = (_Span(sent.hit, sent.rank, sent.sentence, a, b), parent)

    for i in order[:sentences_kept or SENTENCES_KEPT]:
        sent, parent = ranked_sentences[i]
        for a, b in _segments(sent.hit.clause.text, sent.start, sent.end):
            add(sent, a, b, parent)
        nxt = i + 1
        if nxt < len(sentences) and sentences[nxt].hit is sent.hit:
            after = sentences[nxt]
            for a, b in _segments(after.hit.clause.text, after.start, after.end)[:1]:
                add(after, a, b, parent - 0.05)
    if not pool:
        return []
    items = list(pool.values())
    texts = [span.hit.clause.text[span.start:span.end] for span, _ in items]
    vectors = searcher.embedder.encode([q.text, *texts])
    anchors = wh_anchors(q.text)
    kind = answer_type(q.text)
    scored = []
    for (span, parent), text, cos in zip(items, texts, vectors[1:] @ vectors[0], strict=True):
        score = parent + PHRASE_COS * float(cos) + 0.3 * bigram_recall(q.core, text) + _anchor_score(text, anchors)
        score += _type_score(text, kind, q.text)
        if q.wants_list and "、" in text:
            score += LIST_BONUS
        score -= ECHO_PENALTY * _repeats(q, text)
        if _FRAME.search(text.strip()):
            score -= FRAME_PENALTY
        if _in_heading(span):
            score -= HEADING_PENALTY
        # Right after a phrase that restates the question comes what it asks (探索产业园区“大孵化器”建设。
        # 探索园区投入、第三方运营的方式): that phrase inherits the restatement's standing.
        previous = _previous_phrase(span)
        if previous:
            score += FOLLOW_BONUS * _repeats(q, previous)
        scored.append((span, score))
    return sorted(scored, key=lambda x: -x[1])


def _in_heading(span: _Span) -> bool:
    """Is the phrase the clause's own numbered heading (25.积极推广应用科技创新券)? The heading names the
    measure; the sentences after it say what the measure is, which is what a question asks."""
    clause = span.hit.clause
    if not clause.label or not clause.section or clause.part > 1:
        return False
    heading = normalize(clause.section[-1])
    return len(heading) > len(normalize(clause.label)) and \
        normalize(clause.text[:span.end]) in heading and len(normalize(clause.text)) > len(heading) + 10


def _repeats(q: Question, phrase: str) -> float:
    """0..1: how much a phrase only restates the question (its characters all asked, its words the core's)."""
    return max(0.0, _echo(q.text, phrase) - 0.6) / 0.4 * min(1.0, 2 * bigram_recall(normalize(phrase), q.core))


def _previous_phrase(span: _Span) -> str:
    text = span.hit.clause.text
    before = [seg for seg in _segments(text, 0, span.start)]
    return text[before[-1][0]:before[-1][1]] if before else ""


def _fact_answer(searcher: Searcher, q: Question, hits: list[Hit], cities) -> Answer:
    ranked_sentences = rank_sentences(searcher, q, hits)
    sentences = [s for s, _ in ranked_sentences]
    scores = [score for _, score in ranked_sentences]
    if not sentences:
        return _refuse(q.text, "语料中没有找到相关条款", hits)
    phrases = rank_phrases(searcher, q, ranked_sentences)
    best = phrases[0][0]
    phrase = best.hit.clause.text[best.start:best.end].strip()
    listed = _list_answer(phrase, q) if q.wants_list else None
    if listed:
        text = listed
    elif len(phrase) > MAX_ANSWER:
        text = _trim(searcher, phrase, q)
    else:
        text = _widen(best.hit.clause.text, best.start, best.end)
    confidence = float(np.clip((max(scores) - 0.4) / 0.8, 0.0, 1.0))   # sentence scores run ~0.5..1.2
    citations = [best.hit] + [h for h in hits[:3] if h.clause.clause_id != best.hit.clause.clause_id]
    return Answer(q.text, text, False, confidence, None, citations[:3], [], best.sentence)


def _list_answer(phrase: str, q: Question) -> str | None:
    """The names a "哪些" question asks for, from a list phrase: the items (、) without the words before
    them that the question already says (参加[北京科博会、…、深圳高交会]等国际展会) and without the trailing
    等…; None when the phrase is no list or the list is too long to quote."""
    last = phrase.rfind("、")
    if last < 0:
        return None
    start = 0
    left, _ = wh_anchors(q.text)
    for anchor in (left, left[-2:]):
        at = phrase.find(anchor) if len(anchor) >= 2 else -1
        if 0 <= at and at + len(anchor) < last:          # 组织企业、高校参加[北京科博会、…]: after the verb
            start = at + len(anchor)
            break
    tail = re.search(r"等", phrase[last:])
    items = [i.strip() for i in phrase[start:last + tail.start() if tail else len(phrase)].split("、")]
    # "哪些分中心": when only some items are of the kind asked, those are the answer.
    asked = re.search(r"(?:哪些|哪几[个家所项类种]?)([\u4e00-\u9fff]{2,4})(?:$|[^\u4e00-\u9fff])", normalize(q.text))
    of_kind = [i for i in items if asked and i.endswith(asked.group(1))]
    if 0 < len(of_kind) < len(items):
        items = of_kind
    text = "、".join(items)
    return text if len(text) <= MAX_LIST_ANSWER else None


def _widen(text: str, start: int, end: int) -> str:
    """The chosen phrase with the phrases after it (then before it) while the quote stays short: the
    words that answer often sit next to the phrase that matched the question (建立协调联动机制，适时召开联席会议)."""
    # Within the phrase's own sentence: a quote that runs on past "。" or a line end reads as two answers.
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    segments = _segments(text, before[-1] if before else 0, after.start() if after else len(text))
    inside = [i for i, (a, b) in enumerate(segments) if a < end and b > start]
    if not inside:
        return text[start:end].strip()
    first, last = inside[0], inside[-1]

    def fits(a: int, b: int) -> bool:
        # "(牵头单位:市科技局…)" says who acts, not what is done: never part of an answer.
        extra = text[segments[a][0]:segments[b][1]]
        return len(extra) <= MAX_ANSWER and not _DUTY.search(extra)

    while last + 1 < len(segments) and fits(first, last + 1):
        last += 1
    while first > 0 and fits(first - 1, last):
        first -= 1
    return text[segments[first][0]:segments[last][1]].strip()


def _trim(searcher: Searcher, phrase: str, q: Question) -> str:
    """A phrase longer than MAX_ANSWER: the run of its list items (、) that best matches the question
    (by meaning, and by the words around the question word), else its start."""
    if len(phrase) <= MAX_ANSWER:
        return phrase
    cuts = [0] + [m.end() for m in re.finditer(r"、", phrase)] + [len(phrase) + 1]
    windows = []
    for i in range(len(cuts) - 1):
        for j in range(i + 1, len(cuts)):
            if cuts[j] - 1 - cuts[i] > MAX_ANSWER and j > i + 1:
                break
            windows.append(phrase[cuts[i]:cuts[j] - 1][:MAX_ANSWER])
    anchors = wh_anchors(q.text)
    vectors = searcher.embedder.encode([q.text, *windows])
    # Longer windows a little higher: a fuller quote is safer than a fragment.
    kind = answer_type(q.text)
    scores = [float(c) + _anchor_score(w, anchors) + _type_score(w, kind, q.text) + 0.3 * bigram_recall(q.core, w)
              + 0.01 * len(w) for w, c in zip(windows, vectors[1:] @ vectors[0], strict=True)]
    return windows[int(np.argmax(scores))]
