"""Normalisation for matching only: display and citations always keep the original text."""

from __future__ import annotations

import re
import unicodedata

from ingest.script import simplified

_SPACES = re.compile(r"\s+")
# Dashes and ideographic variants that NFKC leaves apart but readers treat as one.
_FOLD = str.maketrans({"―": "—", "－": "-", "〜": "~", "　": " "})


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation to half-width), dashes folded, all whitespace removed,
    traditional characters read as simplified (行動計畫 matches 行动计划; see ingest/script.py).

    Chinese has no spaces between words, so whitespace in a policy text is layout, never meaning:
    "战略新 兴" and "第 2 2 条" match "战略新兴" and "第22条".
    """
    return _SPACES.sub("", simplified(unicodedata.normalize("NFKC", text)).translate(_FOLD))

