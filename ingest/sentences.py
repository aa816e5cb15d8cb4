"""Sentence spans of Chinese policy text: the unit a small embedding model matches best."""

from __future__ import annotations

import re

# A sentence ends at 。！？；(and ASCII ! ? ;) plus any closing quotes or brackets, or at a line break.
_END = re.compile(r"[。！？；!?;]+[”’」』)）]*|\n+")


def sentence_spans(text: str, min_chars: int = 6) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of text; fragments shorter than min_chars join the previous one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        _add(spans, text, start, match.end(), min_chars)
        start = match.end()
    _add(spans, text, start, len(text), min_chars)
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int, min_chars: int) -> None:
    piece = text[start:end]
    if not piece.strip():
        return
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    start, end = start + lead, end - trail
    if spans and end - start < min_chars:
        spans[-1] = (spans[-1][0], end)
    else:
        spans.append((start, end))


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def pack_spans(spans: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into chunks of at most max_chars (a longer sentence stays whole),
    balanced so that the last chunk is not a stub."""
    total = spans[-1][1] - spans[0][0] if spans else 0
    if total <= max_chars:
        return [(spans[0][0], spans[-1][1])] if spans else []
    n_chunks = -(-total // max_chars)
    target = total / n_chunks
    chunks, chunk_start = [], spans[0][0]
    for i, (_, end) in enumerate(spans):
        last = i == len(spans) - 1
        next_end = spans[i + 1][1] if not last else end
        if last or (end - chunk_start >= target or next_end - chunk_start > max_chars):
            chunks.append((chunk_start, end))
            if not last:
                chunk_start = spans[i + 1][0]
    return chunks
