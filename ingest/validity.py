"""A document's period of effect, read from its own text, and its status on a given day.

What is read, first found wins for each end of the period:
- the start: 本条例自2020年1月1日起施行 / 自公布之日起施行 (the document's date);
- the end: 有效期至2025年12月31日 / 有效期五年 / 暂定三年有效期, said of the document itself (not of a
  qualification it grants: 其资格自颁发证书之日起有效期为三年 is not the document's);
- a rule (条例, 办法, …) that says neither applies from its date, open-ended;
- a plan's period: (2018—2020年) or 十四五 in its title, 规划期为2021—2025年 in its text, else the years
  its 目标 section works towards (2018—2020年，… / 到2020年…).
A document with neither a start nor an end (a plan that names no period and no target year) is 不详.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ingest.dates import iso, split_name_date
from ingest.model import Clause, Document
from ingest.normalize import normalize

IN_FORCE, EXPIRED, NOT_YET, UNKNOWN = "现行", "已到期", "未生效", "不详"
STATUSES = (IN_FORCE, EXPIRED, NOT_YET, UNKNOWN)

# A plan's goals look this far ahead of its date at most: further years are a 远景 (2035年远景目标).
HORIZON_YEARS = 10
_PLAN_TYPES = ("规划", "行动计划", "计划", "方案", "纲要", "意见", "措施", "要点")
_FIVE_YEAR = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
              "十五五": (2026, 2030)}
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

_NUMBER = r"[0-9一二两三四五六七八九十]{1,3}"
_DATE = r"([0-9〇零一二三四五六七八九]{4})年([0-9一二三四五六七八九十]{1,3})月([0-9一二三四五六七八九十]{1,3})日"
_SELF = (r"本(?:条例|规定|办法|细则|规则|意见|方案|计划|规划|措施|政策|决定|通知|实施意见|实施细则|若干措施|"
         r"若干规定|文件|守则)")
_START = re.compile(rf"(?:{_SELF})?(?:自|从|于)?(?:{_DATE}|(公布|发布|印发|颁布|签发|通过)之日)起"
                    r"(?:施行|实施|执行|生效)")
_VALID_UNTIL = re.compile(rf"有效期(?:限)?(?:至|到|截至)(?:{_DATE})")
_VALID_FOR = re.compile(rf"有效期(?:限)?(?:为|暂定为?|是)?({_NUMBER})年|暂定({_NUMBER})年有效期|({_NUMBER})年有效期|"
                        rf"试行期(?:限)?(?:为|暂定为?)?({_NUMBER})年")
# 有效期 sentences that are about something the document grants, not the document.
_NOT_SELF = re.compile(r"资格|证|资质|许可|认定|登记|备案|批准文件|合同|协议")
_RANGE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年?\s*[-—―–~至到]+\s*((?:19|20)[0-9]{2})年?")
_PLAN_PERIOD = re.compile(r"(?:规划|实施|执行|行动|计划|方案)(?:期|期限|周期|时限)(?:为|是|:|：)?"
                          r"((?:19|20)[0-9]{2})年?\s*[-—―–~至到]+\s*((?:19|20)[0-9]{2})年?")
_TARGET_YEAR = re.compile(r"(?:^|[到至，,。；;])((?:19|20)[0-9]{2})年(?:前|底|末)?[，,]|到((?:19|20)[0-9]{2})年")
_PASSED_LINE = re.compile(rf"^[(（]?{_DATE}.{{0,80}}(?:通过|批准|公布|发布|印发)")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_TRIAL = re.compile(r"试行|暂行")


@dataclass(frozen=True)
class Period:
    valid_from: str | None           # ISO yyyy-mm-dd
    valid_to: str | None
    basis: str | None                # the words the period was read from


def period_of(document: Document, clauses: Iterable[Clause] = ()) -> Period:
    """The period of effect the document states (see the module docstring for what is read)."""
    text = normalize(document.text)
    sentences = [s for s in _SENTENCE.findall(text) if "施行" in s or "实施" in s or "执行" in s
                 or "生效" in s or "有效期" in s or "期" in s]
    issued = _issued(document)
    start, start_basis = _stated_start(sentences, issued)
    end, end_basis = _stated_end(sentences, start or issued)
    if start or end:
        return Period(start, end, "；".join(b for b in (start_basis, end_basis) if b))
    span = _title_period(document) or _text_period(sentences)
    if span is None and any(kind in (document.doc_type or "") for kind in _PLAN_TYPES):
        span = _goal_period(list(clauses), issued)
    if span is not None:
        (first, last), basis = span
        return Period(first if isinstance(first, str) else f"{first:04d}-01-01", f"{last:04d}-12-31", basis)
    if issued and not any(kind in (document.doc_type or "") for kind in _PLAN_TYPES):
        # A rule (条例, 办法, 规定 …) that says nothing of its start applies from its date, with no end.
        return Period(issued, None, "发文日期")
    return Period(None, None, None)


def with_period(document: Document, clauses: Iterable[Clause] = ()) -> Document:
    """The document with valid_from / valid_to read from its text, unless already set (by the catalog)."""
    if document.valid_from or document.valid_to:
        return document
    found = period_of(document, clauses)
    return dataclasses.replace(document, valid_from=found.valid_from, valid_to=found.valid_to,
                               validity_basis=found.basis)


def status(valid_from: str | None, valid_to: str | None, on: date | str | None = None) -> str:
    """现行 / 已到期 / 未生效 / 不详 on the day `on` (today when None)."""
    day = _day(on)
    if not valid_from and not valid_to:
        return UNKNOWN
    if valid_from and date.fromisoformat(valid_from) > day:
        return NOT_YET
    if valid_to and date.fromisoformat(valid_to) < day:
        return EXPIRED
    return IN_FORCE


def status_of(document: Document, on: date | str | None = None) -> str:
    return status(document.valid_from, document.valid_to, on)


def is_trial(document: Document) -> bool:
    """试行 / 暂行 in the title: in force, but provisional."""
    return bool(_TRIAL.search(document.title))


def validity_json(document: Document, on: date | str | None = None) -> dict:
    return {"valid_from": document.valid_from, "valid_to": document.valid_to,
            "status": status_of(document, on), "validity_basis": document.validity_basis}


def parse_day(value: date | str | None) -> date:
    """A reference day from 2025-06-30 (or a date); raises ValueError with what to give instead."""
    return _day(value)


# -- reading the text -----------------------------------------------------------------------------

def _day(on: date | str | None) -> date:
    if on is None:
        return date.today()
    if isinstance(on, date):
        return on
    try:
        return date.fromisoformat(str(on).strip())
    except ValueError as exc:
        raise ValueError(f"reference date {on!r} is not a date: give it as YYYY-MM-DD, e.g. 2025-06-30") from exc


def _number(token: str) -> int | None:
    """3, 三, 十, 十二, 二十, 二十五 -> int."""
    if token.isdigit():
        return int(token)
    if "十" not in token:
        return _CN_NUM.get(token) if len(token) == 1 else None
    tens, _, ones = token.partition("十")
    return (_CN_NUM.get(tens, 0) if tens else 1) * 10 + (_CN_NUM.get(ones, 0) if ones else 0)


def _about_itself(sentence: str) -> bool:
    """A sentence about the document's own force: names the document (本办法) or says when it applies,
    and cites no other document (《…》自…起施行 is that document's)."""
    if "《" in sentence and not re.search(_SELF, sentence):
        return False
    return bool(re.search(_SELF, sentence)) or sentence.startswith(("自", "从")) or len(sentence) <= 40


def _stated_start(sentences: list[str], issued: str | None) -> tuple[str | None, str | None]:
    found = None
    for sentence in sentences:
        match = _START.search(sentence)
        if match and _about_itself(sentence):
            day = iso(*match.group(1, 2, 3)) if match.group(1) else issued
            if day:
                found = (day, match.group(0))       # the last one: the final articles come last
    return found or (None, None)


def _stated_end(sentences: list[str], start: str | None) -> tuple[str | None, str | None]:
    for i, sentence in enumerate(sentences):
        if "有效期" not in sentence and "试行期" not in sentence:
            continue
        # Said of the document: it names itself or its start (本办法自…起施行，有效期五年), or it follows that
        # sentence; 运输证…有效期六年 is a permit's.
        follows_start = i > 0 and bool(_START.search(sentences[i - 1]))
        names_itself = bool(re.search(_SELF, sentence) or _START.search(sentence))
        if _NOT_SELF.search(sentence) or not (names_itself or follows_start) or not _about_itself(sentence):
            continue
        if match := _VALID_UNTIL.search(sentence):
            day = iso(*match.group(1, 2, 3))
            if day:
                return day, match.group(0)
        if (match := _VALID_FOR.search(sentence)) and start:
            years = _number(next(g for g in match.groups() if g))
            if years:
                first = date.fromisoformat(start)
                try:
                    last = first.replace(year=first.year + years) - timedelta(days=1)
                except ValueError:                  # 29 February
                    last = first.replace(year=first.year + years, day=28)
                return last.isoformat(), match.group(0)
    return None, None


def _issued(document: Document) -> str | None:
    """The document's date; else the first dated passage line of its header (…通过, …批准), else a date in
    its file name (上海口岸服务条例(2020-05-14).md)."""
    if document.date:
        return document.date
    for line in document.text.splitlines()[:30]:
        if (match := _PASSED_LINE.match(normalize(line))) and (day := iso(*match.group(1, 2, 3))):
            return day
    return split_name_date(Path(document.source).stem)[1]


def _title_period(document: Document) -> tuple[tuple[int, int], str] | None:
    for title in (document.title, document.wrapper_title or ""):
        norm = normalize(title)
        if match := _RANGE.search(norm):
            first, last = int(match.group(1)), int(match.group(2))
            if first <= last:
                return (first, last), match.group(0)
        for name, span in _FIVE_YEAR.items():
            if name in norm:
                return span, name
    return None


def _text_period(sentences: list[str]) -> tuple[tuple[int, int], str] | None:
    for sentence in sentences:
        if match := _PLAN_PERIOD.search(sentence):
            first, last = int(match.group(1)), int(match.group(2))
            if first <= last:
                return (first, last), match.group(0)
    return None


def _goal_period(clauses: list[Clause], issued: str | None) -> tuple[tuple[int | str, int], str] | None:
    """A plan without a stated period works towards the years its 目标 section names: from its date
    (or the first year of a 2018—2020年 its goals name) to the end of the last target year."""
    if not issued:
        return None
    year = int(issued[:4])
    goals = [normalize(c.text) for c in clauses if any("目标" in s for s in c.section)]
    for text in goals:                                   # 2018—2020年，围绕… : the period itself
        if (match := _RANGE.search(text)) and year - 1 <= int(match.group(1)) <= year <= int(match.group(2)):
            return (int(match.group(1)), int(match.group(2))), match.group(0)
    targets = [int(a or b) for text in goals for a, b in _TARGET_YEAR.findall(text)]
    targets = [t for t in targets if year <= t <= year + HORIZON_YEARS]
    if targets:
        return (issued, max(targets)), f"目标年份{max(targets)}年"
    return None
