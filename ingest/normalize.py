"""Normalisation for matching only: display and citations always keep the original text."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Dashes and ideographic variants that NFKC leaves apart but readers treat as one.
_FOLD = str.maketrans({"―": "—", "－": "-", "〜": "~", "　": " "})


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation to half-width), dashes folded, all whitespace removed.

    Chinese has no spaces between words, so whitespace in a policy text is layout, never meaning:
    "战略新 兴" and "第 2 2 条" match "战略新兴" and "第22条".
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_FOLD))

