"""Fact answers quoted verbatim from the clauses: the comma-delimited phrase of the best-matching sentence
that best answers the question, widened to its neighbours or trimmed to a run of list items while it
stays short.

No language model: sentences are ranked by the index's own sentence scores and word overlap, their phrases
by likeness to the question, the words around its question word and the kind of name it asks for.
Whether a question gets a quote at all, a figure or a refusal is the Answerer's decision (answerer.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.qa.facts import facts_of
from index.qa.understand import Question, answer_type, bigram_recall, wh_anchors
from index.qa.weights import (
    ANCHOR_FULL,
    ANCHOR_PART,
    ASK_SHARE_PHRASE,
    ASK_SHARE_SENTENCE,
    BARE_RESCORED,
    BARE_SENTENCE_COS,
    CLIP_SLACK,
    CONFIDENCE_FLOOR,
    CONFIDENCE_SPAN,
    MAX_ANSWER,
    MAX_LIST_ANSWER,
    PHRASE_OVERLAP,
    PHRASE_WEIGHTS,
    RANK_PENALTY,
    SENTENCE_OVERLAP,
    SENTENCES_KEPT,
    TOP_CLAUSES,
    TRIM_MIN_LEFT,
    TYPE_BONUS,
    WINDOW_LENGTH,
)
from index.search import Hit, Searcher
from ingest.normalize import normalize
from ingest.numbering import parse_numbering
from ingest.sentences import sentence_spans

_DUTY = re.compile(r"[(（](牵头|责任|配合)单位")
_ASKS_ACTOR = re.compile(r"谁|牵头|负责|责任单位|哪[个些家]?(?:部门|单位|机构)")
_FRAME = re.compile(r"^(对于|对|凡|针对|围绕|依托|按照|根据|通过|为了|为)|[等的]$")
# What a rule allows, requires or forbids: a yes/no question is answered by the phrase that says it, which
# naturally repeats the question's words (不得将职称、论文…作为…条件).
_NORMATIVE = re.compile(r"可以|不得|应当|有权|允许|禁止|不予|予以|必须|免予|免除|享受|鼓励|支持")
# A phrase the next one opens with a modal on (…经营管理单位，应当…) is the subject the rule is about, a frame too.
_RULED = re.compile(r"\s*(应当|应(?![用急对答])|可以|不得|必须|须|有权|不予|予以)")
# A phrase that sets when the rule applies (…委托鉴定后, 审议…时, …一经撤回): what the rule then says follows it.
_CONDITION = re.compile(r"(?:后|时|之后|以后)$|一经")
SEGMENT_END = re.compile(r"[，,；;：:。！？!?\n]")
SENTENCE_END = re.compile(r"[；;。！？!?\n]")


@dataclass(frozen=True)
class Span:
    hit: Hit
    rank: int
    sentence: str
    start: int            # offsets of the span in the clause text
    end: int


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-delimited phrases of text[start:end], offsets into text, each without its punctuation."""
    out, s = [], start
    for m in SEGMENT_END.finditer(text, start, end):
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


# How a name of each kind ends: a 部门 is a 局, 委 or 办 (市科技和地震局).
_NAME_ENDS = {"部门": "局|委|办|厅|部门", "单位": "局|委|办|厅|院|所|单位", "机关": "局|委|办|厅|院|机关|政府",
              "学校": "学校|大学|学院", "高校": "大学|学院|高校", "院校": "大学|学院|学校|院校"}
_GENERIC = set("关各等级类个家所或和与及本该其全省市县区我")   # 有关部门, 各县, 省级…: no name


# A date or a time of year: 2016年1月1日, 每年5月的第三周, 年底前.
_DATE = re.compile(r"[0-9一二三四五六七八九十〇零]+(?:年|月|日|号|周)|年底|年初|上半年|下半年")


# A grade: D级, 三级, 甲等, 一等.
_GRADE = re.compile(r"[A-Za-z0-9一二三四五六七八九十甲乙丙丁]+(?:级|等)(?!别)")
_KIND_PATTERNS = {"时间": _DATE, "等级": _GRADE}


def _type_score(phrase: str, kind: str | None, question: str) -> float:
    """TYPE_BONUS when the phrase names something of the asked kind that the question does not (固安县)."""
    if not kind:
        return 0.0
    hay, asked = normalize(phrase), normalize(question)
    if kind in _KIND_PATTERNS:
        return TYPE_BONUS if any(m.group(0) not in asked for m in _KIND_PATTERNS[kind].finditer(hay)) else 0.0
    for m in re.finditer(_NAME_ENDS.get(kind, re.escape(kind)), hay):
        name = hay[max(0, m.start() - 2):m.end()]
        before = hay[m.start() - 1] if m.start() else ""
        if re.match(r"[\u4e00-\u9fff]", before) and before not in _GENERIC and name not in asked:
            return TYPE_BONUS
    return 0.0


def fills_slot(phrase: str, anchors: tuple[str, str]) -> bool:
    """Does the phrase hold both words around the question word, with at least two characters between them
    (项目由[市科技局]负责审批)? Then it answers the question rather than restating it."""
    left, right = anchors
    if len(left) < 2 or len(right) < 2:
        return False
    hay = normalize(phrase)
    at = hay.find(left)
    return at >= 0 and hay.find(right, at + len(left) + 2) >= 0


def _anchor_score(phrase: str, anchors: tuple[str, str]) -> float:
    hay = normalize(phrase)
    score = 0.0
    for anchor in anchors:
        if len(anchor) >= 2 and (anchor in hay or anchor[:2] in hay or anchor[-2:] in hay):
            score += ANCHOR_FULL if anchor in hay else ANCHOR_PART
    return score


def _unit_scores(searcher: Searcher, vector: np.ndarray, rows: set[int]) -> dict[int, float]:
    """Cosine of the question (vector) to every embedded sentence (with its context prefix) of the given
    clause rows, straight from the index: the same scores search ranked clauses by. Scored among those
    sentences only: exact, and cheaper than a search of the whole index for them."""
    units_of = facts_of(searcher).units_of
    units = np.asarray([u for row in rows for u in units_of.get(row, [])], dtype=np.int64)
    return dict(searcher.dense.search_among(vector, units, len(units)))


def rank_sentences(searcher: Searcher, q: Question, hits: list[Hit]) -> list[tuple[Span, float]]:
    """Sentences of the top clauses, best first: the index's own sentence score (cosine with the
    context prefix) plus word overlap, a little less for clauses search ranked lower."""
    top = hits[:TOP_CLAUSES]
    facts = facts_of(searcher)
    rows = {searcher.row(h.clause.clause_id) for h in top}
    question = searcher.embedder.encode_one(q.text)
    unit_scores = _unit_scores(searcher, question, rows)
    out: list[tuple[Span, float]] = []
    for rank, hit in enumerate(top):
        text = hit.clause.text
        units = facts.units_of.get(searcher.row(hit.clause.clause_id), [])
        spans = sentence_spans(text) if hit.clause.kind != "table_row" else [(0, len(text))]
        for i, (s, e) in enumerate(spans):
            # Units are the clause's sentences in order; should they ever disagree, use the clause's best.
            cos = unit_scores.get(units[i], 0.0) if len(units) == len(spans) else \
                max((unit_scores.get(u, 0.0) for u in units), default=0.0)
            out.append((Span(hit, rank, text[s:e], s, e),
                        cos + SENTENCE_OVERLAP * bigram_recall(q.core, text[s:e]) - RANK_PENALTY * rank))
    if out:
        # The sentence alone against the question: its indexed vector carries the clause's context prefix,
        # the same for every sentence of a clause, which blurs which of them answers (fact containment
        # 0.56 -> 0.60 on the dev set).
        # Only the best ones are encoded again: the term moves a score by a few tenths, never a sentence
        # from far down into the few that are kept (encoding them all was two thirds of an answer's time).
        out.sort(key=lambda x: -x[1])
        head = out[:BARE_RESCORED]
        vectors = searcher.embedder.encode([span.sentence for span, _ in head])
        likeness = BARE_SENTENCE_COS * _likeness(searcher, vectors, question, q, ASK_SHARE_SENTENCE)
        out = [(span, score + float(c)) for (span, score), c in zip(head, likeness, strict=True)] + \
            out[BARE_RESCORED:]
    return out


def _likeness(searcher: Searcher, vectors: np.ndarray, question: np.ndarray, q: Question, ask_share: float
              ) -> np.ndarray:
    """Cosine of each vector to the question; for a question in parts, ask_share of it to what it asks."""
    cosines = vectors @ question
    if not q.ask or not ask_share:
        return cosines
    return (1 - ask_share) * cosines + ask_share * (vectors @ searcher.embedder.encode_one(q.ask))


def rank_phrases(searcher: Searcher, q: Question, ranked_sentences: list[tuple[Span, float]],
                 sentences_kept: int | None = None) -> list[tuple[Span, float]]:
    """Comma phrases of the best sentences, best first, each scored PHRASE_WEIGHTS . its features."""
    scored = [(span, phrase_score(features)) for span, features in phrase_features(searcher, q, ranked_sentences,
                                                                                  sentences_kept)]
    return sorted(scored, key=lambda x: -x[1])


def phrase_score(features: dict[str, float]) -> float:
    return sum(PHRASE_WEIGHTS[name] * value for name, value in features.items())


def phrase_features(searcher: Searcher, q: Question, ranked_sentences: list[tuple[Span, float]],
                    sentences_kept: int | None = None) -> list[tuple[Span, dict[str, float]]]:
    """Comma phrases of the best sentences with what scores them (PHRASE_WEIGHTS): their sentence's score, their
    own likeness to the question, the words around the question word (深化与[…]的院地合作), and how much they only
    repeat the question (the answer is then the next phrase: "如何探索…" -> 探索园区投入…)."""
    order = sorted(range(len(ranked_sentences)), key=lambda i: -ranked_sentences[i][1])
    pool: dict[tuple[str, int], tuple[Span, float]] = {}

    def add(sent: Span, a: int, b: int, parent: float) -> None:
        key = (sent.hit.clause.clause_id, a)
        if key not in pool or pool[key][1] < parent:
            pool[key] = (Span(sent.hit, sent.rank, sent.sentence, a, b), parent)

    # Only the best sentences' own phrases: letting the next sentence's first phrase inherit its parent's
    # score made it win with the words it shared with the question (regs tune containment 0.471 -> 0.529
    # without it, seeds and heldout tune equal).
    # A plan's duty line ((牵头单位:市科技局,责任单位:…)) says who acts, not what is done: an answer only to a
    # question asking who (as it is never part of a widened quote, _widen).
    duties = _ASKS_ACTOR.search(q.text) or answer_type(q.text) in ("部门", "单位", "机关")
    for i in order[:sentences_kept or SENTENCES_KEPT]:
        sent, parent = ranked_sentences[i]
        if _DUTY.search(sent.sentence) and not duties:
            continue
        for a, b in _segments(sent.hit.clause.text, sent.start, sent.end):
            add(sent, a, b, parent)
    if not pool:
        return []
    items = list(pool.values())
    texts = [span.hit.clause.text[span.start:span.end] for span, _ in items]
    likeness = _likeness(searcher, searcher.embedder.encode(texts), searcher.embedder.encode_one(q.text), q,
                         ASK_SHARE_PHRASE)
    anchors = wh_anchors(q.text)
    kind = answer_type(q.text)
    out = []
    for (span, parent), text, cos in zip(items, texts, likeness, strict=True):
        named = _type_score(text, kind, q.text) > 0
        # A phrase that names something of the kind asked (市…部门负责全市…) says more than the question even
        # where it repeats the rest of it, as a yes/no question's normative phrase does.
        # So does one that holds the words on both sides of the question word with new words between them
        # (项目由[市科技局]负责审批): it fills the slot the question leaves, however much of the question it repeats.
        fills = fills_slot(text, anchors)
        echoes = not (q.yes_no and _NORMATIVE.search(text)) and not named and not fills
        # Right after a phrase that restates the question comes what it asks (探索产业园区“大孵化器”建设。
        # 探索园区投入、第三方运营的方式): that phrase inherits the restatement's standing; not after a phrase
        # that fills the question's slot (…由市科技局负责审批，[…由区科技局负责审批]): that one answered already.
        previous = _previous_phrase(span)
        out.append((span, {
            "sentence": parent,
            "likeness": float(cos),
            "overlap": bigram_recall(q.core, text),
            "anchors": _anchor_score(text, anchors),
            "kind": float(named),
            "list": float(bool(q.wants_list and is_list_of(text, q.list_count))),
            "echo": _repeats(q, text) if echoes else 0.0,
            "frame": float(bool(_FRAME.search(_unnumbered(text)) or _RULED.match(_next_phrase(span)))),
            "condition": float(bool(_CONDITION.search(_unnumbered(text)))),
            "heading": float(_in_heading(span)),
            "lead_in": float(announces_list(span.hit.clause.text, span.start, span.end)),
            "follows": _repeats(q, previous) if previous and not fills_slot(previous, anchors) else 0.0,
        }))
    return out


# The word joining a list's last item (…、技术和资金; 经营性…和公益性…), and the words opening an enumeration.
_LAST_JOINER = re.compile(r"和|及|与|或者|或")
_ENUMERATES = re.compile(r"分为|分成|包括|包含|主要有")


def is_list_of(phrase: str, count: int | None) -> bool:
    """Is the phrase a list (…、…), of as many items as asked when the question says how many (哪两类: X和Y,
    not four names in a row)? Counted after the word that opens the enumeration when there is one (城市规划、
    镇规划分为[总体规划和详细规划]): what comes before it is the subject."""
    if count is None:
        return "、" in phrase
    opened = list(_ENUMERATES.finditer(phrase))
    items = phrase[opened[-1].end():] if opened else phrase
    tail = items[items.rfind("、") + 1:]
    return 1 + items.count("、") + bool(_LAST_JOINER.search(tail)) == count


# A phrase that announces what follows it (…应当符合下列要求：): the items after the colon say it.
_ANNOUNCES = re.compile(r"(?:下列|以下|如下)[\u4e00-\u9fff]{0,16}$")


def announces_list(text: str, start: int, end: int) -> bool:
    """Is text[start:end] part of a sentence that announces a list (在…保护区内，禁止下列行为：)? Its items
    say what the sentence only frames, the place it opens with included."""
    stop = _SENTENCE_OR_COLON.search(text, end)
    return bool(stop) and stop.group(0) in ("：", ":") and bool(_ANNOUNCES.search(text[start:stop.start()]))


_SENTENCE_OR_COLON = re.compile(r"[；;。！？!?\n：:]")


def _unnumbered(phrase: str) -> str:
    """The phrase without the number it starts with (第十三条 对…, （四）对…): the frame is in its words."""
    phrase = phrase.strip()
    numbering = parse_numbering(phrase)
    return phrase[numbering.length:] if numbering else phrase


def _in_heading(span: Span) -> bool:
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


def _next_phrase(span: Span) -> str:
    """The phrase after the span within its sentence ("" at a sentence's end)."""
    text = span.hit.clause.text
    after = SENTENCE_END.search(text, span.end)
    segments = _segments(text, span.end, after.start() if after else len(text))
    return text[segments[0][0]:segments[0][1]] if segments else ""


def _previous_phrase(span: Span) -> str:
    text = span.hit.clause.text
    before = [seg for seg in _segments(text, 0, span.start)]
    return text[before[-1][0]:before[-1][1]] if before else ""


def quote_answer(searcher: Searcher, q: Question, hits: list[Hit]) -> tuple[Span, str, float] | None:
    """The quote that answers q from the hits' clauses: (the phrase's span, the answer text, confidence
    0..1); None when the clauses have no sentence."""
    ranked_sentences = rank_sentences(searcher, q, hits)
    phrases = rank_phrases(searcher, q, ranked_sentences)
    if not phrases:
        return None
    best = phrases[0][0]
    text = answer_text(searcher, best, q)
    # The best phrase's score tells right quotes from wrong ones better than the sentence score (weights.py).
    confidence = float(np.clip((phrases[0][1] - CONFIDENCE_FLOOR) / CONFIDENCE_SPAN, 0.0, 1.0))
    return best, text, confidence


def answer_text(searcher: Searcher, span: Span, q: Question) -> str:
    """What is quoted when the span's phrase is the best: its list's names for a 哪些 question, a long phrase
    trimmed, a short one widened to its neighbours, without the article's number."""
    phrase = span.hit.clause.text[span.start:span.end].strip()
    listed = _list_answer(phrase, q) if q.wants_list else None
    if listed:
        text = listed
    elif len(_unnumbered(phrase)) > MAX_ANSWER:
        text = _trim(searcher, phrase, q)
    else:
        text = _widen(span.hit.clause.text, span.start, span.end)
    # An article's or item's number (第十八条, （一）) is the citation's to give, not part of what the rule says.
    return _unnumbered(text) or text


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
    before = [m.end() for m in SENTENCE_END.finditer(text, 0, start)]
    after = SENTENCE_END.search(text, end)
    segments = _segments(text, before[-1] if before else 0, after.start() if after else len(text))
    inside = [i for i, (a, b) in enumerate(segments) if a < end and b > start]
    if not inside:
        return text[start:end].strip()
    first, last = inside[0], inside[-1]

    def fits(a: int, b: int) -> bool:
        # "(牵头单位:市科技局…)" says who acts, not what is done: never part of an answer.
        extra = text[segments[a][0]:segments[b][1]]
        # An article's number is left to the citation (quote_answer), so it takes no room from the answer.
        return len(_unnumbered(extra)) <= MAX_ANSWER and not _DUTY.search(extra)

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
    # The answer follows the words the question says before its question word, and keeps them (they may
    # be part of the name asked: 新加坡[哪所学校] -> 新加坡理工学院): the quote starts at their word.
    left, _ = wh_anchors(q.text)
    for anchor in (left, left[-2:]):
        at = phrase.find(anchor) if len(anchor) >= 2 else -1
        if at >= 0 and len(phrase) - at - len(anchor) >= TRIM_MIN_LEFT:
            phrase = phrase[searcher.lexical.tokenizer.word_start(phrase, at):]
            break
    if len(phrase) <= MAX_ANSWER:
        return phrase
    cuts = [0] + [m.end() for m in re.finditer(r"、", phrase)] + [len(phrase) + 1]
    windows = []
    for i in range(len(cuts) - 1):
        for j in range(i + 1, len(cuts)):
            if cuts[j] - 1 - cuts[i] > MAX_ANSWER and j > i + 1:
                break
            windows.append(_clip(searcher, phrase[cuts[i]:cuts[j] - 1]))
    anchors = wh_anchors(q.text)
    cosines = searcher.embedder.encode(windows) @ searcher.embedder.encode_one(q.text)
    # Longer windows a little higher: a fuller quote is safer than a fragment.
    kind = answer_type(q.text)
    scores = [float(c) + _anchor_score(w, anchors) + _type_score(w, kind, q.text)
              + PHRASE_OVERLAP * bigram_recall(q.core, w) + WINDOW_LENGTH * len(w)
              for w, c in zip(windows, cosines, strict=True)]
    return windows[int(np.argmax(scores))]


def _clip(searcher: Searcher, text: str) -> str:
    """At most MAX_ANSWER characters, ending where a word ends (…作出认定登记决定 is not cut to …作出认),
    unless that word would take more than a few characters off."""
    if len(text) <= MAX_ANSWER:
        return text
    cut = searcher.lexical.tokenizer.word_start(text, MAX_ANSWER)
    return text[:cut] if cut >= MAX_ANSWER - CLIP_SLACK else text[:MAX_ANSWER]
