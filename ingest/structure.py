"""Cut the body lines of a document into clauses with their section paths.

The structure model, one for both families of documents:

  statutes (条例, 规定, 办法 …)   第X编 > 第X章 > 第X节 > 第X条 > 款 (paragraph) > 项 （一） > 目 1.
  plans and notices             一、 > （一） > 1. > （1） > ①

- 编, 章 and 节 have a fixed order: a 章 heading closes the 节 and the article before it, a 节 closes the
  article before it, whatever was open.
- Every 第X条 article is one clause. Its text starts with its own first line and holds its lead, its
  items and the paragraphs after them; an article has no heading (its first sentence is text), so its
  path element is its number alone: ("第二章 保护措施", "第十四条"). Inside an article every other
  numbering is an item (the first kind met in a paragraph is 项, the next 目), unless it is of a kind
  already open above the article (一、 over 第22条 in a county 意见), which closes the article; an
  unnumbered line after a finished sentence opens the next paragraph (款). The units are kept on the
  clause (Clause.units) so that a quote can be cited as 第八条第二款 or 第七条第（三）项.
- Plans and notices (and everything outside articles) follow the numbering as it appears, not a fixed
  order: a kind of number already open on the stack closes everything below it (a sibling), a new kind
  opens a child. Headings share a line with their text ("1.引进国外高端人才。全面落实…"). That copes with
  第N条 inside (一) as well as items numbered 1..29 across sections.
- Markdown heading lines ('## 第一章 总则', '## 一、…') are headings only: they live on in the paths of the
  clauses below them and never become clauses.
- A clause longer than MAX_CLAUSE_CHARS is cut into parts (part i of n, citation kept): an article at
  item or paragraph boundaries (then sentences, for a paragraph longer than the limit), others at sentences.
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
_STATUTE_RANK = {"part": 0, "chapter": 1, "section": 2, "article": 3}
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])")
_MARKDOWN_HEADING = re.compile(r"^#+")
# A line ending so is a finished sentence: an unnumbered line after it is a new paragraph, not its wrap.
_FINISHED = ("。", "；", ";", "：", ":", "！", "？", "!", "?", "”", "」", "）", ")")


@dataclass
class _Node:
    kind: str
    element: str        # what the section path shows: "三、主要任务", "第一章 总则", "1.引进国外高端人才"
    value: int | None


@dataclass
class _Open:
    """A clause being collected: a numbered line and the lines after it."""
    label: str
    section: tuple[str, ...]
    lines: list[Line] = field(default_factory=list)
    heading_only: bool = False
    article: bool = False
    numberings: list[Numbering | None] = field(default_factory=list)   # an article's lines: item numbering


def split_heading(rest: str) -> tuple[str, bool]:
    """(heading, heading_only) for the text after a label.

    "加快科技合作人才队伍建设" -> a heading line; "引进国外高端人才。全面落实..." -> heading plus text;
    "为了促进科技成果转化，规范..." -> no heading (a sentence, not a title).
    """
    rest = rest.strip()
    if not rest:
        return "", True
    first = re.match(r"[^。；;！？!?]*[。；;！？!?]?", rest).group()
    title = first.rstrip("。；;！？!?")
    short_title = len(title) <= _HEADING_MAX and not re.search(r"[：:]", title)
    if len(first) == len(rest):
        # The whole line is one sentence: a heading line, unless it is a statement or a list item (；).
        ends = rest[-1] in "。；;！？!?"
        is_heading = len(rest) <= 60 and rest[-1] not in "；;" and not (ends and len(rest) > 40)
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
        kind = numbering.kind
        markdown = line.text.startswith("#") and kind != "article"   # "## 第一条 …" is still an article
        if kind == "article" and self.open and self.open.article and _refers_back(line, numbering, self.open):
            self.unnumbered(line)                       # "第十条规定的情形…": a paragraph citing an article
            return
        if self.open and self.open.article and not markdown and kind not in _STATUTE_RANK and kind != "box" \
                and kind not in {node.kind for node in self.stack}:
            self.open.lines.append(line)                # an item of the article
            self.open.numberings.append(numbering)
            return
        # A heading line with no children is a clause of its own ("（五）完成领导小组交办的其他工作。").
        opens_child = kind not in {node.kind for node in self.stack}
        self.flush(keep_bare_heading=not opens_child)
        value = label_value(numbering.label)
        previous = self._close_siblings(kind)
        label = numbering.label
        if value is None and kind == "paren_cn":         # ")面临形势": the numeral was lost
            value = (previous.value or 0) + 1 if previous else 1
        if kind == "paren_cn" and not label.startswith(("(", "（")):
            label = f"({cn_numeral(value)})" if value else label
        rest = line.text[numbering.length:]
        # 编/章/节 lines are headings, whole, and so are Markdown lines: no clause of their own (nor the
        # chapters of a 目录); the lines below them are the clauses. A 章 line carrying a sentence keeps it.
        bare = markdown or (kind in _STATUTE_RANK and kind != "article" and len(rest) <= 40 and "。" not in rest)
        if kind == "article":
            heading, heading_only = "", False
        elif bare:
            heading, heading_only = _CJK_GAP.sub("", rest.strip().lstrip("#").strip()), True
        else:
            heading, heading_only = split_heading(rest)
        joiner = " " if kind in _SPACED_KINDS and heading else ""
        self.stack.append(_Node(kind, f"{label}{joiner}{heading}", value))
        section = tuple(n.element for n in self.stack)
        if bare:
            return
        self.open = _Open(label, section, [line], heading_only, article=kind == "article",
                          numberings=[numbering])

    def _close_siblings(self, kind: str) -> _Node | None:
        """Pop what the new numbering closes; returns the sibling it replaces, if any."""
        if kind in _STATUTE_RANK:
            rank = _STATUTE_RANK[kind]
            cut = next((i for i, node in enumerate(self.stack) if _STATUTE_RANK.get(node.kind, -1) >= rank), None)
        else:
            cut = next((i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i].kind == kind), None)
        if cut is None:
            return None
        previous = self.stack[cut] if self.stack[cut].kind == kind else None
        del self.stack[cut:]
        return previous

    def unnumbered(self, line: Line) -> None:
        if line.text.startswith("#"):                   # an unnumbered Markdown heading ('## 附则')
            self.flush()
            level = f"markdown{len(_MARKDOWN_HEADING.match(line.text).group())}"
            self._close_siblings(level)
            self.stack.append(_Node(level, _CJK_GAP.sub("", line.text.lstrip("#").strip()), None))
        elif self.open is None:
            self.open = _Open("", tuple(n.element for n in self.stack), [line])
            self.flush()
        else:
            self.open.lines.append(line)
            self.open.numberings.append(None)

    # -- tables ---------------------------------------------------------------------------------
    def table(self, lines: list[Line], i: int) -> int:
        """Emit the table starting at lines[i] as one clause per row; returns the lines it took (0: none)."""
        table = parse_table(lines, i)
        if table is None:
            return 0
        caption = None
        if self.open and len(self.open.lines) > 1 and len(self.open.lines[-1].norm) <= 40:
            caption = self.open.lines.pop()            # the line just above the table is its title
            self.open.numberings.pop()
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
        text, positions, starts = _join(current.lines)
        units: list[tuple[str, int, int]] = []
        if current.article:
            units = article_units(current.lines, current.numberings, starts)
            spans = pack_spans(_line_spans(text, current.lines, starts), MAX_CLAUSE_CHARS)
        else:
            spans = pack_spans(sentence_spans(text), MAX_CLAUSE_CHARS)
        for part, (s, e) in enumerate(spans, start=1):
            inside = tuple((label, max(us, s) - s, min(ue, e) - s) for label, us, ue in units if us < e and ue > s)
            self._emit(current.label, current.section, text[s:e], positions(s), positions(e - 1) + 1,
                       kind, part=part, parts=len(spans), units=inside)

    def _emit(self, label, section, text, start, end, kind, part=1, parts=1, fields=None, units=()) -> None:
        clause_id = f"{self.doc_id}-{len(self.clauses) + 1:04d}"
        self.clauses.append(Clause(clause_id, self.doc_id, label, section, text, start, end, kind,
                                   part, parts, fields or {}, units))


_REFERENCE = re.compile(r"^(?:第[^条]{1,6}[款项])*(?:规定|所称|所列|中|的规定)")


def _refers_back(line: Line, numbering: Numbering, article: _Open) -> bool:
    """A line inside an article that starts by citing an earlier one (第十条规定的…, 第五条第二款所称…)."""
    value, current = label_value(numbering.label), label_value(article.label)
    return (value is not None and current is not None and value <= current and "之" not in numbering.label
            and bool(_REFERENCE.match(line.text[numbering.length:])))


def _join(lines: list[Line]):
    """The lines' texts joined by newlines, a map from a joined offset to an original offset, and where
    each line starts in the joined text."""
    text = "\n".join(line.text for line in lines)
    starts, pos = [], 0
    for line in lines:
        starts.append((pos, line.start))
        pos += len(line.text) + 1

    def original(offset: int) -> int:
        joined_start, original_start = max((s for s in starts if s[0] <= offset), key=lambda s: s[0])
        return original_start + (offset - joined_start)

    return text, original, [s[0] for s in starts]


def _line_spans(text: str, lines: list[Line], starts: list[int]) -> list[tuple[int, int]]:
    """Spans to cut an article at: its lines (lead, items, paragraphs); a line past the limit by sentences."""
    spans = []
    for line, start in zip(lines, starts, strict=True):
        if len(line.text) <= MAX_CLAUSE_CHARS:
            spans.append((start, start + len(line.text)))
        else:
            spans += [(start + s, start + e) for s, e in sentence_spans(line.text)]
    return spans


def _item_value(numbering: Numbering) -> int | None:
    if numbering.kind == "circled":
        return ord(numbering.label[0]) - ord("①") + 1
    return label_value(numbering.label)


def _item_number(numbering: Numbering) -> str | None:
    """How a citation writes an item's number: （三） for (三), 2 for 2. or ②."""
    value = _item_value(numbering)
    if value is None:
        return None
    if numbering.kind == "paren_cn":
        return f"（{cn_numeral(value)}）"
    if numbering.kind == "paren_num":
        return f"（{value}）"
    return cn_numeral(value) if numbering.kind == "cn" else str(value)


def _list_goes_on(numberings: list[Numbering | None], i: int, kinds: list[str], item: list | None) -> bool:
    """Whether the unnumbered line i sits inside an item: the next numbered line goes on with the same
    list ((五)…要求： 1. 2. 3. 其中，… (六)): then line i belongs to the item before it, not a new paragraph."""
    if not item:
        return False
    j = next((j for j in range(i + 1, len(numberings)) if numberings[j] is not None), None)
    if j is None or numberings[j].kind != kinds[0]:
        return False
    before, after = _item_value(numberings[item[2]]), _item_value(numberings[j])
    return before is not None and after == before + 1


def article_units(lines: list[Line], numberings: list[Numbering | None],
                  starts: list[int]) -> list[tuple[str, int, int]]:
    """The paragraphs (款), items (项) and sub-items (目) of an article, as (label, start, end) offsets into
    the joined text. 第一款 is left out of the labels when the article has a single paragraph, as a
    citation would: 第七条第（三）项, but 第八条第一款第（二）项."""
    paragraphs: list[list[int]] = []      # [first line, last line]
    items: list[list] = []                # [paragraph, number, first line, last line, sub-items]
    kinds: list[str] = []
    item = sub = None
    for i, numbering in enumerate(numberings):
        if i == 0 or (numbering is None and lines[i - 1].text.endswith(_FINISHED)
                      and not _list_goes_on(numberings, i, kinds, item)):
            paragraphs.append([i, i])
            kinds, item, sub = [], None, None
            continue
        paragraphs[-1][1] = i
        if numbering is None:                  # the wrap of a line that did not end its sentence
            for unit in (item, sub):
                if unit:
                    unit[3] = i
            continue
        if numbering.kind not in kinds:
            kinds.append(numbering.kind)
        level, number = kinds.index(numbering.kind), _item_number(numbering)
        if level == 0:
            item = [len(paragraphs), number, i, i, []]
            items.append(item)
            sub = None
        elif level == 1 and item:
            sub = [len(paragraphs), number, i, i]
            item[4].append(sub)
            item[3] = i
        else:
            for unit in (item, sub):
                if unit:
                    unit[3] = i

    def span(first: int, last: int) -> tuple[int, int]:
        return starts[first], starts[last] + len(lines[last].text)

    many = len(paragraphs) > 1

    def paragraph_label(n: int) -> str:
        return f"第{cn_numeral(n)}款" if many else ""

    units = []
    if many:
        units += [(paragraph_label(n), *span(first, last)) for n, (first, last) in enumerate(paragraphs, start=1)]
    for paragraph, number, first, last, subs in items:
        if number is None:
            continue
        label = f"{paragraph_label(paragraph)}第{number}项"
        units.append((label, *span(first, last)))
        units += [(f"{label}第{s_number}目", *span(s_first, s_last))
                  for _, s_number, s_first, s_last in subs if s_number is not None]
    return sorted(units, key=lambda u: (u[1], -u[2]))


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
