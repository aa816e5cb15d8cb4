"""How a clause is cited: one function for the CLI, the app and the copy button."""

from __future__ import annotations

from ingest.model import Clause, Document

_FULL_WIDTH_PARENS = str.maketrans({"(": "（", ")": "）"})


def _cn_date(iso: str | None) -> str | None:
    if not iso:
        return None
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{year}年{month}月{day}日"


def _clause_part(clause: Clause) -> str:
    path = " ".join(clause.section).translate(_FULL_WIDTH_PARENS)
    # "一、总体目标 (一)xx" reads as "一、总体目标（一）xx": no space before a full-width bracket.
    path = path.replace(" （", "（")
    if clause.kind == "table_row":
        path += f" 第{clause.label}行"
    if clause.parts > 1:
        path += f"（第{clause.part}部分，共{clause.parts}部分）"
    return path


def format_citation(document: Document, clause: Clause) -> str:
    """The way a Chinese policy researcher pastes a source into a report:

    沧州市人民政府办公室《沧州市加强创新能力开放合作实施方案》（2018年12月14日）
    三、主要任务（二）加快科技合作人才队伍建设 1.引进国外高端人才 (one line)

    Issuer, 《title》, (文号, date), section path.
    """
    issuer = document.issuer or ""
    if not issuer and document.city_display and not document.title.startswith(document.city_display[:2]):
        issuer = document.city_display          # 廊坊 document without an issuer: at least say whose it is
    date = _cn_date(document.date)
    if date and document.publish_date and document.date == document.publish_date and not document.issuer:
        date += "发布"
    when = "，".join(x for x in (document.doc_number, date) if x)
    return f"{issuer}《{document.title}》" + (f"（{when}）" if when else "") + _clause_part(clause)


def header_line(document: Document, clause: Clause) -> str:
    """The card header: 沧州市 · 《沧州市加强创新能力开放合作实施方案》 · 三、主要任务 › (二)… › 1.…"""
    parts = [document.city_display or "—", f"《{document.title}》"]
    if clause.section_path:
        parts.append(clause.section_path)
    return " · ".join(parts)


def copy_text(document: Document, clause: Clause) -> str:
    """What the copy button puts on the clipboard: the clause, then its citation."""
    return f"{clause.text}\n——{format_citation(document, clause)}"
