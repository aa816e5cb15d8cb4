"""Comparison tables: one row per city and document with its best clause on a topic and the figures in it.

Exports to CSV, Markdown, Excel (openpyxl) and plain text for the terminal; every row keeps its citation.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from index.figures import KINDS, extract_figures, table_figures
from index.qa.understand import bigram_recall
from index.search import Hit, Searcher, SearchFilters
from ingest.normalize import normalize
from ingest.sentences import sentences

FIGURE_COLUMNS = tuple(KINDS.values())          # 金额, 比例, 数量, 年份
TOPIC_OVERLAP = 0.3      # share of the topic's character pairs a sentence needs to count as about it
HEADER = ("城市", "文件", "条款", *FIGURE_COLUMNS, "出处")


@dataclass(frozen=True)
class CompareRow:
    city: str
    document: str                                # the policy's title
    text: str                                    # the best clause(s) on the topic, joined
    figures: dict[str, str] = field(default_factory=dict)   # 金额 -> 最高100万元 ...
    citation: str = ""
    hits: tuple[Hit, ...] = ()

    def cells(self) -> list[str]:
        return [self.city, self.document, self.text, *(self.figures.get(c, "") for c in FIGURE_COLUMNS),
                self.citation]


def compare(searcher: Searcher, topic: str, cities: list[str] | None = None, per_city: int = 2,
            depth: int = 40) -> list[CompareRow]:
    """One row per city and document: its clauses best matching `topic` (at most per_city per city)."""
    filters = SearchFilters(cities=tuple(cities)) if cities else None
    hits = searcher.search(topic, k=depth, filters=filters).hits
    wanted = set(cities) if cities else None
    by_doc: dict[str, list[Hit]] = {}
    per: dict[str, int] = {}
    for hit in hits:
        city = hit.document.city or ""
        if (wanted and city not in wanted) or per.get(city, 0) >= per_city:
            continue
        per[city] = per.get(city, 0) + 1
        by_doc.setdefault(hit.document.doc_id, []).append(hit)
    rows = []
    for doc_hits in by_doc.values():
        doc = doc_hits[0].document
        text = "\n".join(h.clause.text for h in doc_hits)
        rows.append(CompareRow(doc.city_display, doc.title, text, _row_figures(topic, doc_hits),
                               "；".join(h.citation for h in doc_hits), tuple(doc_hits)))
    order = {c: i for i, c in enumerate(cities)} if cities else {}
    return sorted(rows, key=lambda r: order.get(r.hits[0].document.city, 0)) if order else rows


def _topic_figures(topic: str, text: str) -> dict[str, str]:
    """Figures of the sentences about the topic (院士工作站达到35家), not of the whole clause's other goals."""
    about = [s for s in sentences(text) if bigram_recall(normalize(topic), s) >= TOPIC_OVERLAP]
    return extract_figures("\n".join(about)) if about else extract_figures(text)


def _row_figures(topic: str, hits: list[Hit]) -> dict[str, str]:
    """Figures of the row's clauses; an indicator-table row gives its year columns (150亿元（2025年目标值）)."""
    columns: dict[str, list[str]] = {}
    for hit in hits:
        if hit.clause.kind == "table_row":
            found = {}
            for figure in table_figures(hit.clause):
                found.setdefault(KINDS[figure.kind], []).append(f"{figure.text}（{figure.label.split()[-1]}）")
        else:
            found = {k: v.split("；") for k, v in _topic_figures(topic, hit.clause.text).items()}
        for column, values in found.items():
            columns.setdefault(column, []).extend(values)
    return {k: "；".join(dict.fromkeys(v)) for k, v in columns.items() if v}


def rows_to_csv(rows: list[CompareRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(r.cells() for r in rows)
    return out.getvalue()


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", "<br>")


def rows_to_markdown(rows: list[CompareRow]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_md(c) for c in r.cells()) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def rows_to_xlsx(rows: list[CompareRow]) -> bytes:
    from openpyxl import Workbook  # only needed for this export
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "对比"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row.cells())
    widths = {"城市": 10, "文件": 30, "条款": 80, "出处": 60}
    for i, name in enumerate(HEADER, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = widths.get(name, 16)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_to_table(rows: list[CompareRow], width: int = 60) -> str:
    """Plain text for the terminal: one block per row, the clause shortened, figures on one line."""
    blocks = []
    for r in rows:
        text = r.text.replace("\n", " ")
        figures = "  ".join(f"{k}: {v}" for k, v in r.figures.items()) or "（无数字）"
        blocks.append(f"■ {r.city} 《{r.document}》\n  {text[:width]}{'…' if len(text) > width else ''}\n"
                      f"  {figures}\n  出处：{r.citation}")
    return "\n\n".join(blocks)
