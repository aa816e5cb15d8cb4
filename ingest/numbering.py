"""Recognise the numbering that opens a line of a Chinese policy text: 第X章, 第X条, 一、, (一), 1., (1), ①.

Real pages are sloppy: ASCII or full-width punctuation, stray spaces ("第 2 2 条", "二 、", "1. 建设"),
lost brackets ("一)加强", ")面临形势"), Markdown heading marks ("## 第一章"). All are accepted here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "一二三四五六七八九十百零〇两"
_CN = f"[{CN_DIGITS}]+"
_NUM = r"[0-9０-９]+"
_SP = r"[ \t\u3000]*"

# Kinds in the order of their usual depth; the tree does not rely on this order (see structure.py).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^(?:#+\s*)?第{_SP}(?:{_CN}|{_NUM}){_SP}编")),
    ("chapter", re.compile(rf"^(?:#+\s*)?第{_SP}(?:{_CN}|{_NUM}){_SP}章")),
    ("section", re.compile(rf"^(?:#+\s*)?第{_SP}(?:{_CN}|{_NUM}){_SP}节")),
    ("article", re.compile(rf"^(?:#+\s*)?第{_SP}(?:{_CN}|[0-9０-９ \t\u3000]+?){_SP}条"
                           rf"(?:之{_SP}{_CN})?(?![款项例件])")),         # 第十条之一: an inserted article
    ("box", re.compile(rf"^专栏{_SP}(?:{_NUM}|{_CN})?{_SP}[:：]?")),
    ("cn", re.compile(rf"^(?:#+\s*)?{_CN}{_SP}[、．.](?![0-9])")),
    ("paren_cn", re.compile(rf"^(?:[(（]{_SP}{_CN}{_SP}[)）]|{_CN}[)）]|[)）](?=[^\s，,。]))")),
    ("num", re.compile(rf"^{_NUM}{_SP}(?:[、．]|\.(?![0-9０-９]))")),
    ("paren_num", re.compile(rf"^[(（]{_SP}{_NUM}{_SP}[)）]")),
    ("circled", re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
]

_WS = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class Numbering:
    kind: str       # part | chapter | section | article | box | cn | paren_cn | num | paren_num | circled
    label: str      # as displayed: whitespace and Markdown marks removed ("第22条", "二、", "(一)")
    length: int     # characters of the original line taken by the label (and the spaces after it)


def parse_numbering(line: str) -> Numbering | None:
    """The numbering at the start of a stripped line, or None for an unnumbered line."""
    for kind, pattern in _PATTERNS:
        match = pattern.match(line)
        if not match:
            continue
        raw = match.group()
        rest = line[match.end():]
        spaces = len(rest) - len(rest.lstrip(" \t\u3000"))
        label = _WS.sub("", raw.lstrip("#"))
        return Numbering(kind, label, match.end() + spaces)
    return None


_CN_VALUES = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def label_value(label: str) -> int | None:
    """The number a label carries: (十二) -> 12, 第22条 -> 22, 3. -> 3; None when it has none."""
    digits = re.search(r"[0-9０-９]+", label)
    if digits:
        return int(digits.group().translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    chars = re.search(_CN, label)
    if not chars:
        return None
    total, current = 0, 0
    for ch in chars.group():
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_VALUES.get(ch, 0)
    return total + current


def cn_numeral(value: int) -> str:
    """12 -> 十二 (for repairing a label whose numeral was lost)."""
    units = "零一二三四五六七八九"
    if value < 10:
        return units[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else units[tens]) + "十" + (units[ones] if ones else "")
