"""Honest refusals: the question is about a place, a period or a topic the corpus does not cover, said in
the question's own terms (the place, the years asked and those the documents cover, the missing words)."""

from __future__ import annotations

import re

from index.figures import years_in
from index.lexical import pos_tokenizer
from index.qa.facts import facts_of, place_keys, province_of_key
from index.qa.titles import documents_bearing
from index.qa.understand import ACROSS_CITIES, PERIODS, Question, outermost
from index.qa.weights import MEASURE_TERM, TOPIC_EVIDENCE, TOPIC_GAP
from index.quantity import COUNTERS, QUALIFIERS_BEFORE
from index.search import Searcher
from ingest import regions
from ingest.model import Document
from ingest.normalize import normalize


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


def covers(horizon: tuple[int, int] | None, period: tuple[int, int]) -> bool:
    return horizon is not None and horizon[0] <= period[1] and period[0] <= horizon[1]


def horizon_of(searcher: Searcher, doc: Document) -> tuple[int, int] | None:
    return document_horizon(doc, [c.text for c in searcher.clauses_of(doc.doc_id)])


def missing_documents(searcher: Searcher, q: Question) -> list[str]:
    """The titles the question names that no document of the corpus bears (titles.py)."""
    return [named for named in q.documents if not documents_bearing(searcher, named)]


def unknown_place_reason(q: Question) -> str | None:
    return "；".join(f"语料中没有{place}的政策文件" for place in q.unknown) or None


def period_gap(searcher: Searcher, cities, period: tuple[int, int]) -> str | None:
    """A reason to refuse when no document of the cities covers the years asked, else None."""
    docs = [d for d in searcher.documents if d.city in cities or d.county in cities]
    spans = [h for h in (horizon_of(searcher, d) for d in docs) if h]
    named = {y for d in docs for c in searcher.clauses_of(d.doc_id) for y, _, _ in years_in(c.text)}
    if not spans or any(covers(s, period) for s in spans) or any(period[0] <= y <= period[1] for y in named):
        return None
    asked = f"{period[0]}年" if period[0] == period[1] else f"{period[0]}—{period[1]}年"
    place = "、".join(d.city_display for d in {d.city: d for d in docs}.values())
    covered = "；".join(f"《{d.title}》{h[0]}—{h[1]}年" for d in docs if (h := horizon_of(searcher, d)))
    return f"语料中{place}的政策文件没有涉及{asked}（现有文件：{covered}）"


def topic_gap(searcher: Searcher, q: Question, cities) -> str | None:
    """A reason to refuse when most of the question's words that the corpus knows never appear in these
    cities' documents, and the clauses that best answer it elsewhere do use them (other cities speak of
    新能源汽车, this one never). Words the corpus never uses say nothing (a paraphrase is worded unlike
    any policy), nor do everyday words that only happen to occur somewhere: the missing words must be
    the ones other places' best clauses on the question are written in."""
    facts = facts_of(searcher)
    anywhere = facts.words
    words = [w for w in dict.fromkeys(searcher.lexical.tokenizer(q.core)) if len(w) >= 2 and w in anywhere]
    missing = [w for w in words if not any(facts.says(c, w) for c in cities)]
    if len(missing) < 2 or len(missing) < TOPIC_GAP * len(words):
        return None
    used = _used_elsewhere(searcher, q, cities)
    found = [w for w in missing if w in used]
    if len(found) < TOPIC_GAP * len(missing):
        return None
    return _not_covered(searcher, cities, found)


# What a question asks the rules about: 对[共享单车企业收取押金]有什么规定, 对[剧本杀门店]如何管理.
_TOPIC_ASKED = re.compile(r"对([^，,。？?；;]{2,24}?)(?:的)?(?:经营管理|管理|收费|使用)?"
                          r"(?:有什么|有哪些|有何|是怎么|是如何|如何|怎么|怎样)")


def unknown_topic(searcher: Searcher, q: Question) -> str | None:
    """A reason to refuse when what the question asks the rules about (对…有什么规定) holds a noun that no
    document contains (剧本杀, 共享单车): there is no rule on it to quote. Only a noun: an everyday verb
    (抽烟) may well be asked of a rule written in other words (吸烟)."""
    m = _TOPIC_ASKED.search(normalize(q.text))
    if not m:
        return None
    known = facts_of(searcher).words
    nouns = [w for w, tag in pos_tokenizer().cut(m.group(1)) if len(w) >= 2 and tag.startswith("n")
             and w not in known and not _holds_known_word(w, known) and not any(w in c.text for c in searcher.clauses)]
    return f"语料中没有关于“{'”、“'.join(nouns)}”的规定" if nouns else None


def _holds_known_word(word: str, known: set[str]) -> bool:
    """Does the word hold a word of two characters or more that the corpus uses (洋专家: 专家)? Then it may
    be a colloquial name of a thing the documents speak of, not a thing they never name."""
    return any(word[i:j] in known for i in range(len(word)) for j in range(i + 2, len(word) + 1)
               if (i, j) != (0, len(word)))


def measure_gap(searcher: Searcher, q: Question, cities) -> str | None:
    """A reason to refuse when the question names a measure by one of the corpus's policy terms (the
    dictionary BM25 matches whole: 科技创新券, 揭榜挂帅) that these cities' documents never use, nor any
    shorter word of the question inside it (创新券), while the clauses that best answer the question elsewhere
    do use it: the measure is another place's. One term is enough, as one word was not (topic_gap): a
    term names a measure, an everyday word may be said otherwise."""
    facts = facts_of(searcher)
    terms = set(searcher.lexical.tokenizer.terms)
    words = [w for w in dict.fromkeys(searcher.lexical.tokenizer(q.core)) if len(w) >= MEASURE_TERM]
    held = [w for w in words if any(facts.says(c, w) for c in cities)]
    # 科技型中小企业 is not missing where 中小企业 is said: the city speaks of the thing, if less narrowly.
    missing = [w for w in words if w in terms and w not in held and not any(h in w for h in held)]
    if not missing:
        return None
    used = _used_elsewhere(searcher, q, cities)
    found = [w for w in missing if w in used]
    return _not_covered(searcher, cities, found) if found else None


def _used_elsewhere(searcher: Searcher, q: Question, places) -> str:
    """The text of the clauses (with their headings) that best answer the question in other places, asked
    without its place as their documents would answer it; normalised."""
    elsewhere = [h for h in searcher.search(q.core, k=4 * TOPIC_EVIDENCE).hits
                 if not set(place_keys(h.document)) & set(places)][:TOPIC_EVIDENCE]
    return normalize(" ".join(" ".join([*h.clause.section, h.clause.text]) for h in elsewhere))


def _not_covered(searcher: Searcher, places, words: list[str]) -> str:
    shown = outermost(words)                                                  # 新能源, not also 能源
    return f"语料中{place_names(searcher, places)}的政策文件没有涉及" + "".join(f"“{w}”" for w in shown)


def place_names(searcher: Searcher, places) -> str:
    """沧州市、浙江省: the places of refusal keys (facts.place_keys) as a reader names them."""
    return "、".join(regions.province_name(province) if (province := province_of_key(p)) else city_display(searcher, p)
                    for p in places)


def no_figure_reason(searcher: Searcher, q: Question, cities) -> str:
    """Said with the question's own topic words, not a phrase rebuilt from its characters."""
    where = "、".join(city_display(searcher, c) for c in cities) if cities else \
        "、".join(regions.province_name(p) for p in q.provinces)
    when = f"{q.period[0]}年" if q.period and q.period[0] == q.period[1] else \
        (f"{q.period[0]}—{q.period[1]}年" if q.period else "")
    topic = "、".join(f"“{w}”" for w in topic_words(searcher, q)) or f"“{q.core}”"
    return f"{where + '的政策文件' if where else '语料'}中没有找到{when}关于{topic}的数字"


CJK = re.compile(r"[\u4e00-\u9fff]")     # a Chinese character: the documents' language


def no_clause_reason(searcher: Searcher, q: Question) -> str:
    """No clause answers: said with the question's topic words, as a figure refusal says them."""
    if not CJK.search(q.text):
        return "语料中没有找到相关条款：文件是中文的，请用中文提问"
    topic = "、".join(f"“{w}”" for w in topic_words(searcher, q))
    return f"语料中没有找到关于{topic}的条款" if topic else "语料中没有找到相关条款"


def topic_words(searcher: Searcher, q: Question, most: int = 3) -> list[str]:
    """The question's words that name its topic, the rarest first (a measure's name, not 企业 or 我们), in
    the question's order. A word no clause uses is the rarest of all: it names what is not there
    (诺贝尔奖, where the documents only speak of 奖励)."""
    frequency = facts_of(searcher).clause_frequency
    # The asker's own situation (我在重庆一家公司上班，现在被辞退了，) is not what was not found: what they ask is.
    about = q.ask_core if q.ask_core and q.first_person else q.core
    # 各地, 哪些城市 ask where, they name no topic.
    tokens = list(dict.fromkeys(searcher.lexical.tokenizer(ACROSS_CITIES.sub("", about))))
    # What a count asks of (几条[狗], 多少辆[车]) is the topic, though a single character.
    counted = _COUNTED.search(normalize(q.text))
    words = [w for w in tokens if len(w) >= 2 or (counted and w == counted.group(1))]
    words = outermost(words)
    words = [w for w in words if w not in QUALIFIERS_BEFORE and w not in _MODALS]   # 至少, 可以: no topic
    rarest = set(sorted(words, key=lambda w: frequency[w])[:most])
    return [w for w in words if w in rarest]


_COUNTED = re.compile(rf"(?:几|多少)[{COUNTERS}]([\u4e00-\u9fff])(?![\u4e00-\u9fff])")
_MODALS = {"可以", "应当", "应该", "能够", "必须", "需要", "允许", "不得", "能否"}


def city_display(searcher: Searcher, city: str) -> str:
    return searcher.city_names.get(city, city)
