"""What a question asks, read from its words alone: the years, units and kind of answer it wants, what it
is about once city, years and question words are stripped, and the words around its question word.

A module of its own because three readers share it: answer.py (numeric answers and refusals), quote.py
(quoting a phrase) and compare.py (word overlap) read a question the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.figures import years_in
from ingest.normalize import normalize

# "多少", "几家", 比例/比重 ... ask for a figure; "哪几个" does not.
_NUMERIC = re.compile(r"多少|(?<!哪)几[家个项名人所倍次亿万]|比例是|比重|占比|强度|金额|数额|百分之")
PERIODS = {"十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_TARGET = re.compile(r"目标|要|计划|力争|预期|将|争取")
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
    for name, span in PERIODS.items():
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


def answer_type(question: str) -> str | None:
    m = _ANSWER_TYPE.search(normalize(question))
    return m.group(1) if m else None
