"""Dates written in Chinese documents, and the passage notes that date a regulation's versions.

A regulation or national text carries, under its title, notes of each step of its life:

    2011年11月17日 上海市第十三届人民代表大会常务委员会第三十次会议通过
    根据2018年10月26日第十三届全国人民代表大会常务委员会第六次会议《关于修改…的决定》第一次修正
    （2007年4月5日中华人民共和国国务院令第492号公布　2019年4月3日中华人民共和国国务院令第711号修订）

one a line, several on one line, or one wrapped over two or three lines. Every date in such notes is a step of
the text (passed, approved, amended, revised, published) except the date it takes effect (自…起施行).
The version in hand is dated by the latest step, its first passage by the earliest.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "O": "0"}
_CN_NUM = "〇零○一二三四五六七八九十"
DATE = re.compile(rf"(?<![0-9])([0-9]{{4}}|[{_CN_NUM}]{{4}})\s*年\s*([0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*月"
                  rf"\s*([0-9]{{1,2}}|[{_CN_NUM}]{{1,3}})\s*日")
ISO_DATE = re.compile(r"(?<![0-9])([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?(?![0-9])")

# What a note says was done on its date; 施行 is when it takes effect, not a version.
_STEP = r"通过|修正|修订|批准|公布|发布|修改|施行|颁布|印发"
_ENDS_WITH_STEP = re.compile(rf"(?:{_STEP}|根据)[,，.。;；、)）]*$")
# Who did it: a congress or its standing committee (in full or abbreviated), a government, a 令 or 公告.
_DECREE_NUMBER = re.compile(r"(?:中华人民共和国)?[\u4e00-\u9fff]{1,20}令\s*[(（〔]?第?\s*"
                            r"[0-9〇零一二三四五六七八九十百]+\s*号[)）〕]?")
_ORGAN = re.compile(r"人民代表大会|人大|常务委员会|常委会|会议|令第|公告|人民政府|主席团|委员会|法院|检察院")


def _cn_int(text: str) -> int:
    """一九九四 -> 1994 (digit by digit), 十二 -> 12, 二十八 -> 28, 12 -> 12."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(_CN_DIGIT.get(c, "0") for c in text))
    tens, _, ones = text.partition("十")
    return int(_CN_DIGIT.get(tens, "1") if tens else 1) * 10 + (int(_CN_DIGIT.get(ones, "0")) if ones else 0)


def iso(year: str, month: str, day: str) -> str | None:
    """yyyy-mm-dd, or None when the parts are no calendar date."""
    y, m, d = _cn_int(year), _cn_int(month), _cn_int(day)
    if not 1900 <= y <= 2100:
        return None
    try:
        return datetime.date(y, m, d).isoformat()
    except ValueError:           # 2月30日: no calendar date
        return None


def first_date(text: str) -> str | None:
    """The first date written in text (2019年11月27日, 二〇一九年三月二日, 2019-11-27), as yyyy-mm-dd."""
    for pattern in (DATE, ISO_DATE):
        for match in pattern.finditer(text):
            if value := iso(*match.groups()):
                return value
    return None


def is_passage_note(norm: str) -> bool:
    """A normalised header line that is (part of) a passage note: a dated step of the text by an organ,
    or an organ's step without its date ("宁波市第十五届人民代表大会常务委员会第五次会议修订")."""
    norm = norm.strip("()（）")
    if _DECREE_NUMBER.fullmatch(norm):
        return True                                   # 中华人民共和国主席令第八十一号, 国务院令第727号
    if not 6 <= len(norm) <= 400 or "。" in norm.rstrip("。"):
        return False
    dated, organ, step = bool(DATE.search(norm)), bool(_ORGAN.search(norm)), bool(_ENDS_WITH_STEP.search(norm))
    if dated and re.fullmatch(rf"[(（]?(?:自)?{DATE.pattern}\s*(?:起)?施行[)）]?", norm):
        return True                                   # "2011年1月1日 施行": the effective date
    return (dated and organ) or (step and organ)


def is_open_note(norm: str) -> bool:
    """A passage note cut off before its step: its next line or two carry the rest."""
    return not _ENDS_WITH_STEP.search(norm.strip("()（）"))


def is_note_continuation(norm: str) -> bool:
    """The rest of a wrapped note: no sentence, and it closes a title or names the step."""
    norm = norm.strip("()（）")
    return len(norm) <= 200 and "。" not in norm.rstrip("。") and bool(
        _ENDS_WITH_STEP.search(norm) or re.search(r"[》〉>]", norm))


@dataclass(frozen=True)
class Step:
    date: str           # yyyy-mm-dd
    text: str           # what the note says after the date, up to the next date: "上海市…会议通过"
    effective: bool     # 自…起施行: when it takes effect, not a version of the text


def passage_steps(note: str) -> list[Step]:
    """Every dated step of a passage note (lines joined), in the order written."""
    matches = [m for m in DATE.finditer(note) if iso(*m.groups())]
    steps = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(note)
        after = note[match.end():end]
        before = note[max(0, match.start() - 2):match.start()]
        verb = re.search(_STEP, after)
        effective = bool(verb and verb.group() == "施行") or before.endswith("自")
        steps.append(Step(iso(*match.groups()), after.strip(" \t\u3000,，;；"), effective))
    return steps


def version_dates(note: str) -> tuple[str | None, str | None]:
    """(date of the version in hand, date of the first passage) from a passage note."""
    dates = [s.date for s in passage_steps(note) if not s.effective]
    return (max(dates), min(dates)) if dates else (None, None)


_TAKES_EFFECT = re.compile(rf"本[\u4e00-\u9fff]{{1,8}}自\s*{DATE.pattern}\s*起\s*(?:施行|实施|执行|生效)")


def effective_date(body: str) -> str | None:
    """The date a text says it takes effect (本条例自1998年1月1日起施行), the last it states."""
    found = [iso(*m.groups()) for m in _TAKES_EFFECT.finditer(body)]
    return next((d for d in reversed(found) if d), None)


# A date in a file name: 上海口岸服务条例(2020-05-14), 办法_2021.08.02, 通知2023年5月20日.
_NAME_DATE = re.compile(r"[(（\[【_\-\s]?((?<![0-9])[0-9]{4}[-.年][0-9]{1,2}[-.月][0-9]{1,2}日?(?![0-9]))[)）\]】]?$")


def split_name_date(stem: str) -> tuple[str, str | None]:
    """A file name without its trailing date, and that date: 广告法(2021-04-29) -> (广告法, 2021-04-29)."""
    match = _NAME_DATE.search(stem.strip())
    if not match:
        return stem, None
    parts = re.split(r"[-.年月日]", match.group(1).rstrip("日"))
    value = iso(*parts[:3]) if len(parts) >= 3 else None
    if value is None:
        return stem, None
    return stem[: match.start()].rstrip(" _-") or stem, value
