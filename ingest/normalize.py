"""Normalisation for matching only: display and citations always keep the original text."""

from __future__ import annotations

import re
import unicodedata

from ingest.script import simplified

_SPACES = re.compile(r"\s+")
# Dashes and ideographic variants that NFKC leaves apart but readers treat as one.
# Replaced one by one: str.translate looks every character up in a dict, a third of normalize's time on
# the 57k clauses of the lawref folder (0.37 s against 0.01 s).
_FOLD = (("―", "—"), ("－", "-"), ("〜", "~"), ("　", " "))


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation to half-width), dashes folded, all whitespace removed,
    traditional characters read as simplified (行動計畫 matches 行动计划; see ingest/script.py).

    Chinese has no spaces between words, so whitespace in a policy text is layout, never meaning:
    "战略新 兴" and "第 2 2 条" match "战略新兴" and "第22条".
    """
    text = simplified(unicodedata.normalize("NFKC", text))
    for variant, common in _FOLD:
        if variant in text:
            text = text.replace(variant, common)
    return _SPACES.sub("", text)

