"""Numeric answers: the figure (with its unit) whose context names the question's indicator, for the year
or period asked, from prose (到2020年高新技术企业达到590家 -> 590家) or an indicator table row."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from index.figures import Figure, clause_figures, in_review_section
from index.qa.facts import facts_of
from index.qa.quote import SEGMENT_END, SENTENCE_END
from index.qa.refusal import covers, horizon_of
from index.qa.understand import Question, bigram_recall, outermost, unit_fits
from index.qa.weights import (
    ACHIEVED_BONUS,
    ACHIEVED_PENALTY,
    BOUND_BONUS,
    CASE_BONUS,
    FIGURE_KNOWN_SHARE,
    FIGURE_KNOWN_WORDS,
    FIGURE_MIN_OVERLAP,
    FIGURE_OWN_WORDS,
    FIGURE_PHRASE,
    FIGURE_SENTENCE,
    RANK_PENALTY,
    STATED_BONUS,
    UNIT_MATCH,
    UNIT_MISMATCH,
    YEAR_BONUS,
)
from index.quantity import parse_quantities
from index.search import Hit, Searcher
from ingest.model import Clause
from ingest.normalize import normalize
from ingest.numbering import parse_numbering
from ingest.references import article_map, expand_references, has_references

# A figure that a quantity is said to reach ("…达1000家以上", "…提高到75%") answers "how many"; a figure
# that only counts something else in passing ("每年遴选200家…") does less well.
_STATED = re.compile(r"(达|达到|超过|突破|增至|增长到|增加到|提高到|提升到|不低于|不少于|为|是)[\s约近]*$|"
                     r"新增[\u4e00-\u9fff（）()“”]{0,12}$")       # 新增科技型中小企业1000家以上: what is added


# Qualifiers that set a figure's upper or its lower bound: 最多不得超过四百毫升 answers 最多…多少毫升.
UPPER_BOUNDS = frozenset(("最高", "最多", "最长", "不超过", "不得超过", "不应超过", "未超过", "不高于", "不得高于",
                          "不多于", "不得多于", "以下", "以内", "之内", "内", "为限", "范围内", "范围以内", "半径内"))
LOWER_BOUNDS = frozenset(("至少", "最少", "最低", "最短", "不少于", "不得少于", "不应少于", "不低于", "不得低于",
                          "不应低于", "以上"))


def is_stated(text: str, start: int) -> bool:
    """Is the figure at start what a quantity is said to reach or to add (达到1000家, 新增…企业1000家)?"""
    return bool(_STATED.search(text[max(0, start - 16):start]))


@dataclass(frozen=True)
class FigureAnswer:
    hit: Hit
    figure: Figure
    context: str          # the figure's comma phrase: what is quoted
    score: float
    overlap: float        # of the question's core with the figure's sentence, title and headings: 0..1


def best_figure(searcher: Searcher, q: Question, hits: list[Hit]) -> FigureAnswer | None:
    """The figure that answers q from the top clauses, or None when no figure is stated among the
    question's own words."""
    # A figure the question itself states (销售收入二十亿元以上的企业) is a condition, never the answer.
    asked_figures = {normalize(f.text) for f in parse_quantities(q.text)}
    candidates: list[FigureAnswer] = []
    horizons: dict[str, tuple[int, int] | None] = {}
    # Only a first-person question's part asked is read alone (_asked_part_named).
    asked_alone = q.ask_core if q.ask_core and q.first_person else ""
    ask_words = set(outermost([w for w in dict.fromkeys(searcher.lexical.tokenizer(asked_alone)) if len(w) >= 2]))
    articles: dict[str, dict] = {}
    known_words = _premise_known_words(searcher, q)
    for rank, hit in enumerate(hits[:10]):
        doc = hit.document
        if doc.doc_id not in horizons:
            horizons[doc.doc_id] = horizon_of(searcher, doc)
        doc_year = int(doc.date[:4]) if doc.date else None
        figures = clause_figures(hit.clause)
        # Where each prose figure's sentence starts (-1 for a table cell), and how many figures each sentence holds.
        starts = [_sentence_start(hit.clause.text, f.start) if not f.label else -1 for f in figures]
        per_sentence = Counter(s for s in starts if s >= 0)
        previous_end = 0
        for figure, sentence_start in zip(figures, starts, strict=True):
            own_start, previous_end = previous_end, max(previous_end, figure.end)
            if normalize(figure.text) in asked_figures:
                continue                              # the 20亿元 of "销售收入20亿元以上的企业"
            past = _reviews_past(hit.clause, doc_year)
            if q.period:
                year_ok = (q.period[0] <= figure.year <= q.period[1]) if figure.year else \
                    covers(horizons[doc.doc_id], q.period) or (past is not None and covers(past, q.period))
                if not year_ok:
                    continue
            if figure.label:
                phrase = sentence = figure.label
            else:
                phrase, sentence = _figure_context(hit.clause.text, figure)
                sentence = _with_lead_in(hit.clause.text, figure.start, sentence)
            # The document's title and headings name the plan and measure the question may refer to; a penalty
            # names the act it punishes by its article's number (违反本条例第九条规定的), read as its words.
            before = hit.clause.text[:max(sentence_start, 0)]
            context = " ".join([_references_read(searcher, doc.doc_id, sentence, articles, before), doc.title,
                                *hit.clause.section])
            overlap = bigram_recall(q.core, context)
            # A long premise (我们公司在开封拿到一块地做工程，工地一直没开工，) dilutes the core: the part asked
            # may name the figure instead, enough to let it answer (the score still reads the whole question).
            # A case the question names in the rule's own words (…路途较远、交通不便的，…) is the figure's, even
            # where its sentence, after a semicolon, leaves out whose duty it is.
            case_named = _case_named(q, sentence)
            named = overlap >= FIGURE_MIN_OVERLAP or _asked_part_named(q, sentence, ask_words) or \
                _known_words_named(known_words, context) or case_named
            score = FIGURE_SENTENCE * overlap + FIGURE_PHRASE * bigram_recall(q.core, phrase) - RANK_PENALTY * rank
            if per_sentence.get(sentence_start, 0) > 1:
                # In a sentence of several figures, the words since the one before say what this one is for
                # (…公众聚集场所使用十年以上的电梯以及其他场所使用[十五年以上]): they part them.
                own = hit.clause.text[max(own_start, sentence_start):figure.start]
                score += FIGURE_OWN_WORDS * bigram_recall(q.core, own)
            if q.asks_often:
                score += UNIT_MATCH if figure.kind == "frequency" else UNIT_MISMATCH
            elif q.units:
                fits = _unit_asked(figure, q)
                if q.unit_stated and not fits:
                    continue                          # 多少元 is never answered by 4355家
                if "元" in q.units and figure.kind == "count":
                    continue                          # nor 奖励多少 (an amount hinted) by 12家
                score += UNIT_MATCH if fits else UNIT_MISMATCH
            ranged = figure.high is not None                 # 二百元以上五百元以下: both bounds set
            if (q.wants_max and (ranged or figure.qualifier in UPPER_BOUNDS)) or \
                    (q.wants_min and (ranged or figure.qualifier in LOWER_BOUNDS)):
                score += BOUND_BONUS
            if case_named:
                score += CASE_BONUS
            if not figure.label and is_stated(hit.clause.text, figure.start):
                score += STATED_BONUS
            if q.period and figure.year and q.period[0] == q.period[1] == figure.year:
                score += YEAR_BONUS
            achieved = "完成" in figure.label or (figure.year and doc_year and figure.year < doc_year) or \
                (past is not None and not figure.year)
            if q.wants_target and achieved:
                score -= ACHIEVED_PENALTY
            elif achieved and not q.wants_target and q.period:
                score += ACHIEVED_BONUS               # "2020年有多少家": what was reached, not what was planned
            if named:
                candidates.append(FigureAnswer(hit, figure, phrase, score, overlap))
    return max(candidates, key=lambda c: c.score) if candidates else None


def _unit_asked(figure: Figure, q: Question) -> bool:
    """Is the figure in a unit the question asks for? A fine set as a multiple of a sum (赔偿金三倍以下的罚款)
    is an amount, whatever its own unit."""
    return unit_fits(figure.unit, q.units) or (figure.kind == "amount" and "元" in q.units)


def _asked_part_named(q: Question, sentence: str, ask_words: set[str]) -> bool:
    """Does the figure's own sentence name the part asked after the asker's own situation: as much of it as
    FIGURE_MIN_OVERLAP asks of the whole question, in two of its words at least (a short part shares one word
    by chance: 每件[发明专利]资助多少元)?"""
    if not q.ask_core or not q.first_person or bigram_recall(q.ask_core, sentence) < FIGURE_MIN_OVERLAP:
        return False
    hay = normalize(sentence)
    return sum(w in hay for w in ask_words) >= 2


# The case a sentence opens with: 路途较远、交通不便的，…
_CASE_OPENS = re.compile(r"\s*(?:[（(][一二三四五六七八九十]+[)）])?([^，,。；;：:]{4,16})的[，,]")


def _case_named(q: Question, sentence: str) -> bool:
    """Does the question name, word for word, the case the figure's sentence opens with?"""
    m = _CASE_OPENS.match(sentence)
    return bool(m) and normalize(m.group(1)) in normalize(q.text)


def _premise_known_words(searcher: Searcher, q: Question) -> list[str]:
    """A first-person question's words that the corpus uses (清真, 标志牌, 招牌 of 我开了家小面馆…): its own
    situation's words (面馆) dilute the character pairs the figure's sentence shares with it; [] otherwise."""
    if not q.first_person:
        return []
    facts = facts_of(searcher)
    words = [w for w in dict.fromkeys(searcher.lexical.tokenizer(q.core)) if len(w) >= 2 and w in facts.words]
    words = outermost(words)                                   # 附属绿地, not 附属 and 绿地 again
    return sorted(words, key=lambda w: facts.clause_frequency.get(w, 0))           # the rarest first


def _known_words_named(known_words: list[str], context: str) -> bool:
    """Does the figure's sentence (title, headings) name most of those words, FIGURE_KNOWN_WORDS at least, and
    the rarest of them (抵押 of 把道路附属绿地抵押给银行: the act, where the others name the topic)?"""
    if len(known_words) < FIGURE_KNOWN_WORDS:
        return False
    hay = normalize(context)
    return known_words[0] in hay and \
        sum(w in hay for w in known_words) >= max(FIGURE_KNOWN_WORDS, FIGURE_KNOWN_SHARE * len(known_words))


def _references_read(searcher: Searcher, doc_id: str, sentence: str, articles: dict[str, dict],
                     before: str = "") -> str:
    """The sentence with the references to its document's own articles replaced by their words (articles:
    each document's article map, filled as needed)."""
    if not has_references(sentence):
        return sentence
    if doc_id not in articles:
        articles[doc_id] = article_map(searcher.clauses_of(doc_id))
    return expand_references(sentence, articles[doc_id], before)


def _with_lead_in(text: str, at: int, sentence: str) -> str:
    """An item's sentence with the words that announce its list (…领取失业保险金的期限按照下列规定确定：（三）…满三年
    不足四年的为九个月): the item says only what differs, the lead-in what it is about."""
    colon = max(text.rfind("：", 0, at), text.rfind(":", 0, at))
    if colon < 0 or parse_numbering(sentence.strip()) is None:
        return sentence
    lead_start = text.rfind("\n", 0, colon)                # its paragraph: 具体划分为 says little alone
    return text[lead_start + 1:colon] + "：" + sentence


def _figure_context(text: str, figure: Figure) -> tuple[str, str]:
    """(phrase, sentence) a figure belongs to: its comma segment, and its whole sentence: the subject may
    come before it (对域外机构投资…的, 按投资额的1%予以最高100万元的补贴) and what a time limit bounds after it
    (竣工验收合格后十五日内，建设单位应当报…备案)."""
    starts = [m.end() for m in SEGMENT_END.finditer(text, 0, figure.start)]
    start = starts[-1] if starts else 0
    end_match = SEGMENT_END.search(text, figure.end)
    end = end_match.start() if end_match else len(text)
    sentence_end = SENTENCE_END.search(text, figure.end)
    sentence_stop = sentence_end.start() if sentence_end else len(text)
    return text[start:end], text[_sentence_start(text, figure.start):sentence_stop]


def _sentence_start(text: str, at: int) -> int:
    starts = [m.end() for m in SENTENCE_END.finditer(text, 0, at)]
    return starts[-1] if starts else 0


def _reviews_past(clause: Clause, doc_year: int | None) -> tuple[int, int] | None:
    """The five years before the document's date when the clause sits in a review section (it reports what
    was reached before the plan, though its sentences seldom name a year), else None."""
    if doc_year is None or not in_review_section(clause):
        return None
    return (doc_year - 5, doc_year - 1)
