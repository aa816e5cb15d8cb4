"""Cut the body lines of a document into clauses with their section paths.

The tree is built from the numbering as it appears, not from a fixed order of levels: a kind of number
already open on the stack closes everything below it (a sibling), a new kind opens a child. That copes
with 第N条 inside (一) in a county 意见 as well as (一) inside 第N条 in a national 办法, and with items
numbered 1..29 across sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.clean import Line
from ingest.model import Clause
from ingest.numbering import Numbering, cn_numeral, label_value, parse_numbering
from ingest.sentences import pack_spans, sentence_spans
from ingest.table import parse_table, render_row

MAX_CLAUSE_CHARS = 480   # about what m3e-small sees (512 tokens) once the context prefix is added
_HEADING_MAX = 30
_SPACED_KINDS = ("part", "chapter", "section", "article", "box")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])")


@dataclass
class _Node:
    kind: str
    element: str        # what the section path shows: "三、主要任务", "第一章 总则", "1.引进国外高端人才"
    value: int | None


@dataclass
class _Open:
    """A clause being collected: a numbered line and the unnumbered lines after it."""
    label: str
    section: tuple[str, ...]
    lines: list[Line] = field(default_factory=list)
    heading_only: bool = False


def split_heading(rest: str, kind: str = "num") -> tuple[str, bool]:
    """(heading, heading_only) for the text after a label.

    "加快科技合作人才队伍建设" -> a heading line; "引进国外高端人才。全面落实..." -> heading plus text;
    "为了促进科技成果转化，规范..." -> no heading (a sentence, not a title).
    """
    rest = rest.strip()
    if not rest:
        return "", True
    first = re.match(r"[^。；;！？!?]*[。；;！？!?]?", rest).group()
    title = first.rstrip("。；;！？!?")
    pauses = r"[，,：:]" if kind == "article" else r"[：:]"
    short_title = len(title) <= _HEADING_MAX and not re.search(pauses, title)
    if len(first) == len(rest):
        # The whole line is one sentence: a heading line, unless it is a statement or a list item (；).
        ends = rest[-1] in "。；;！？!?"
        is_heading = (len(rest) <= 60 and rest[-1] not in "；;"
                      and not (ends and (kind == "article" or len(rest) > 40)))
        return (_CJK_GAP.sub("", title), True) if is_heading else ("", False)
    return (_CJK_GAP.sub("", title), False) if short_title else ("", False)


class ClauseBuilder:
    def __init__(self, doc_id: str):
        self.doc_id = doc_id
        self.clauses: list[Clause] = []
        self.stack: list[_Node] = []
        self.open: _Open | None = None

    # -- numbered lines -------------------------------------------------------------------------
    def numbered(self, line: Line, numbering: Numbering) -> None:
        # A heading line with no children is a clause of its own ("（五）完成领导小组交办的其他工作。").
        opens_child = numbering.kind not in {node.kind for node in self.stack}
        self.flush(keep_bare_heading=not opens_child)
        value = label_value(numbering.label)
        siblings = [i for i, node in enumerate(self.stack) if node.kind == numbering.kind]
        previous = self.stack[siblings[-1]] if siblings else None
        if siblings:
            del self.stack[siblings[-1]:]
        label = numbering.label
        if value is None and numbering.kind == "paren_cn":   # ")面临形势": the numeral was lost
            value = (previous.value or 0) + 1 if previous else 1
        if numbering.kind == "paren_cn" and not label.startswith(("(", "（")):
            label = f"({cn_numeral(value)})" if value else label
        heading, heading_only = split_heading(line.text[numbering.length:], numbering.kind)
        joiner = " " if numbering.kind in _SPACED_KINDS and heading else ""
        self.stack.append(_Node(numbering.kind, f"{label}{joiner}{heading}", value))
        self.open = _Open(label, tuple(n.element for n in self.stack), [line], heading_only)

    def unnumbered(self, line: Line) -> None:
        if self.open is None:
            self.open = _Open("", tuple(n.element for n in self.stack), [line])
            self.flush()
        else:
            self.open.lines.append(line)

    # -- tables ---------------------------------------------------------------------------------
    def table(self, lines: list[Line], i: int) -> int:
        """Emit the table starting at lines[i] as one clause per row; returns the lines it took (0: none)."""
        table = parse_table(lines, i)
        if table is None:
            return 0
        caption = None
        if self.open and len(self.open.lines) > 1 and len(self.open.lines[-1].norm) <= 40:
            caption = self.open.lines.pop()            # the line just above the table is its title
        self.flush(keep_bare_heading=False)
        section = tuple(n.element for n in self.stack) + ((caption.text,) if caption else ())
        for row in table.rows:
            start, end = row.lines[0].start, row.lines[-1].end
            self._emit(label=row.fields[table.header[0]], section=section, text=render_row(row),
                       start=start, end=end, kind="table_row", fields=dict(row.fields))
        return table.consumed

    # -- output ---------------------------------------------------------------------------------
    def flush(self, keep_bare_heading: bool = True) -> None:
        current, self.open = self.open, None
        if current is None or (current.heading_only and len(current.lines) == 1 and not keep_bare_heading):
            return                                      # a bare heading over children: it lives on in their paths
        kind = "clause" if current.label else "paragraph"
        text, positions = _join(current.lines)
        spans = pack_spans(sentence_spans(text), MAX_CLAUSE_CHARS)
        for part, (s, e) in enumerate(spans, start=1):
            self._emit(current.label, current.section, text[s:e], positions(s), positions(e - 1) + 1,
                       kind, part=part, parts=len(spans))

    def _emit(self, label, section, text, start, end, kind, part=1, parts=1, fields=None) -> None:
        clause_id = f"{self.doc_id}-{len(self.clauses) + 1:04d}"
        self.clauses.append(Clause(clause_id, self.doc_id, label, section, text, start, end, kind,
                                   part, parts, fields or {}))


def _join(lines: list[Line]):
    """The lines' texts joined by newlines, and a map from a joined offset to an original offset."""
    text = "\n".join(line.text for line in lines)
    starts, pos = [], 0
    for line in lines:
        starts.append((pos, line.start))
        pos += len(line.text) + 1

    def original(offset: int) -> int:
        joined_start, original_start = max((s for s in starts if s[0] <= offset), key=lambda s: s[0])
        return original_start + (offset - joined_start)

    return text, original


def build_clauses(doc_id: str, lines: list[Line]) -> list[Clause]:
    """Clauses of the body lines (noise already removed), in document order."""
    builder = ClauseBuilder(doc_id)
    i = 0
    while i < len(lines):
        taken = builder.table(lines, i)
        if taken:
            i += taken
            continue
        numbering = parse_numbering(lines[i].text)
        if numbering:
            builder.numbered(lines[i], numbering)
        else:
            builder.unnumbered(lines[i])
        i += 1
    builder.flush()
    return builder.clauses
