"""Traditional characters, read through their simplified form (OpenCC); the text itself is never changed.

A policy reposted in traditional characters (a Taiwan-localised page: 行動計畫, 最佳化) must match questions
written in simplified ones. Two conversions, for two uses:

- simplified(): OpenCC tw2sp, characters and phrases (行動計畫 -> 行动计划, 最佳化 -> 优化, 資訊 -> 信息). Phrases
  change the length (最佳化 -> 优化), so it serves matching only (ingest/normalize.py), where no offset is kept.
- simplified_chars(): character by character (計畫 -> 计画), the same length as the text, so a position found
  in the result is a position in the original (regions, numbering read on it, sliced from the original).

Both leave a text without traditional characters as it is (the usual case, decided by one regex search).
"""

from __future__ import annotations

import re
from functools import cache

import opencc

# Code points whose simplified form OpenCC's character table gives (CJK, extension A, compatibility).
_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@cache
def _char_table() -> dict[int, str]:
    """Traditional character -> simplified character, from OpenCC's own t2s conversion of each character."""
    chars = [chr(c) for lo, hi in _BLOCKS for c in range(lo, hi)]
    converted = opencc.OpenCC("t2s.json").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):                       # the separator survived: one result per character
        raise RuntimeError("OpenCC t2s did not convert character by character")
    return {ord(t): s for t, s in zip(chars, converted, strict=True) if s != t and len(s) == 1}


@cache
def _traditional() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_char_table())) + "]")


@cache
def _phrases() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp.json")


def has_traditional(text: str) -> bool:
    return _traditional().search(text) is not None


def simplified(text: str) -> str:
    """The simplified form of a text for matching: characters, phrases and Taiwan usage (may change length)."""
    return _phrases().convert(text) if has_traditional(text) else text


def simplified_chars(text: str) -> str:
    """The simplified form character by character: same length, every offset still points at the original."""
    return text.translate(_char_table()) if has_traditional(text) else text
