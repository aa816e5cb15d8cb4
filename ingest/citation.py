"""How a clause is cited: one function (cite) for the CLI, the app and the copy button.

A plan's clause is cited by its section path: …《…实施方案》（2018年12月14日）三、主要任务（二）…
A 第X条 article is cited as a lawyer would, by its number, without its 编/章/节 (the number is unique in
the statute), and, when the quoted span lies inside one paragraph or item, by that unit:
…《浙江省消防条例》（…）第八条第二款, …第七条第（三）项.
"""

from __future__ import annotations

from ingest.model import Clause, Document
from ingest.normalize import normalize
from ingest.numbering import parse_numbering

_FULL_WIDTH_PARENS = str.maketrans({"(": "（", ")": "）"})


def _cn_date(iso: str | None) -> str | None:
    if not iso:
        return None
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{year}年{month}月{day}日"


def _is_article(clause: Clause) -> bool:
    numbering = parse_numbering(clause.label)
    return numbering is not None and numbering.kind == "article" and clause.section[-1:] == (clause.label,)


def unit_at(clause: Clause, span: tuple[int, int] | None) -> str | None:
    """The label of the smallest unit (款, 项, 目) of an article holding span, a (start, end) into
    clause.text; None when the span is missing or crosses units."""
    if span is None:
        return None
    start, end = span
    inside = [u for u in clause.units if u[1] <= start and end <= u[2] and start < end]
    return min(inside, key=lambda u: u[2] - u[1])[0] if inside else None


def _clause_part(clause: Clause, span: tuple[int, int] | None = None) -> str:
    if _is_article(clause):
        elements = [e for e in clause.section[:-1]
                    if (n := parse_numbering(e)) is None or n.kind not in ("part", "chapter", "section")]
        unit = unit_at(clause, span)
        path = " ".join([*elements, clause.label + (unit or "")]).translate(_FULL_WIDTH_PARENS)
        if unit:
            return path.replace(" （", "（")            # the unit says where: no part note needed
    else:
        path = " ".join(clause.section).translate(_FULL_WIDTH_PARENS)
    # "一、总体目标 (一)xx" reads as "一、总体目标（一）xx": no space before a full-width bracket.
    path = path.replace(" （", "（")
    if clause.kind == "table_row":
        path += f" 第{clause.label}行"
    if clause.parts > 1:
        path += f"（第{clause.part}部分，共{clause.parts}部分）"
    return path


def cite(document: Document, clause: Clause, span: tuple[int, int] | None = None) -> str:
    """The way a Chinese policy researcher pastes a source into a report:

    沧州市人民政府办公室《沧州市加强创新能力开放合作实施方案》（2018年12月14日）
    三、主要任务（二）加快科技合作人才队伍建设 1.引进国外高端人才 (one line)

    Issuer, 《title》, (文号, date), section path; an article by its number, and by the paragraph or item
    that holds span (a (start, end) into clause.text, e.g. of a quoted answer) when one does.
    """
    issuer = document.issuer or ""
    if not issuer and document.city_display and not document.title.startswith(document.city_display[:2]):
        issuer = document.city_display          # 廊坊 document without an issuer: at least say whose it is
    date = _cn_date(document.date)
    if date and document.publish_date and document.date == document.publish_date and not document.issuer:
        date += "发布"
    when = "，".join(x for x in (document.doc_number, date) if x)
    return f"{issuer}《{document.title}》" + (f"（{when}）" if when else "") + _clause_part(clause, span)


def format_citation(document: Document, clause: Clause, span: tuple[int, int] | None = None) -> str:
    """The same as cite (kept for its callers)."""
    return cite(document, clause, span)


def quote_span(clause: Clause, quote: str | None) -> tuple[int, int] | None:
    """Where a verbatim quote (an answer) stands in clause.text, matched through normalised text (width,
    whitespace); None when it is not there."""
    if not quote:
        return None
    at = clause.text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    # Map each normalised character back to its offset in the original text.
    chars, offsets = [], []
    for i, ch in enumerate(clause.text):
        for n in normalize(ch):
            chars.append(n)
            offsets.append(i)
    wanted = normalize(quote)
    at = "".join(chars).find(wanted) if wanted else -1
    if at < 0:
        return None
    return offsets[at], offsets[at + len(wanted) - 1] + 1


def header_line(document: Document, clause: Clause) -> str:
    """The card header: 沧州市 · 《沧州市加强创新能力开放合作实施方案》 · 三、主要任务 › (二)… › 1.…"""
    parts = [document.city_display or "—", f"《{document.title}》"]
    if clause.section_path:
        parts.append(clause.section_path)
    return " · ".join(parts)


def copy_text(document: Document, clause: Clause, span: tuple[int, int] | None = None) -> str:
    """What the copy button puts on the clipboard: the clause, then its citation."""
    return f"{clause.text}\n——{cite(document, clause, span)}"
