"""Comparison tables: one row per city and document with its best clauses on a topic, and under it the
figures those clauses state, each with what it counts (subject | value and unit | qualifier | year or
period), its kind (targets and support apart) and the citation of its clause.

Rows come best-matching first: a row whose best clause is about the topic (most of the topic's character
pairs in it) is "matched"; the others are the nearest clauses of cities that do not take the measure, kept
for completeness. Exports: CSV (UTF-8 with BOM, so Excel opens it), Excel (openpyxl), JSON, Markdown and
plain text for the terminal; every export holds the same rows and figures. Uses Searcher.search only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace

from index.figures import ROLES, Figure, clause_figures
from index.qa.understand import bigram_recall
from index.search import Hit, Searcher, SearchFilters
from ingest.normalize import normalize
from ingest.sentences import sentence_spans

# Share of the topic's character pairs a sentence needs to count as about it (0.3: 院士工作站建设 keeps the
# 院士工作站达到35家 sentence of a long target clause and drops its other goals; seeds, tests/test_compare.py).
TOPIC_OVERLAP = 0.3
# A row is "matched" when its best clause has at least this share of the topic's pairs (below it the app
# puts the row under 更多城市). Measured on the seeds (科技企业孵化器, 院士工作站, 技术市场建设, 引进外国专家,
# 天使投资基金, 科技特派员): rows of cities that take the measure have ≥ 0.6, the nearest clauses of the
# others ≤ 0.4.
MATCHED_OVERLAP = 0.5
# A figure counts something the topic names when its subject has this share of the topic's pairs (科技企业
# 孵化器: 市级以上科技企业孵化器 1.0, 科技型中小企业 0.33: only the first; seeds), or the topic's head noun.
SUBJECT_OVERLAP = 0.5
ROLE_ORDER = ("target", "support", "other")
HEADER = ("城市", "省份", "文件", "类别", "对象", "数值", "单位", "限定", "年份或期间", "受益对象", "条件", "原文",
          "出处")


@dataclass(frozen=True)
class CompareFigure:
    figure: Figure
    citation: str                                # the citation of the clause it comes from

    def to_json(self) -> dict:
        return {**self.figure.to_json(), "citation": self.citation}


@dataclass(frozen=True)
class CompareRow:
    city: str                                    # as displayed: 沧州市
    province: str
    document: str                                # the policy's title
    hits: tuple[Hit, ...]                        # its best clauses on the topic, best first
    figures: tuple[CompareFigure, ...] = ()
    matched: bool = True                         # its best clause is about the topic
    overlap: float = 0.0                         # share of the topic's pairs in its best clause
    rank: int = 0                                # rank of its best clause in the search
    doc_id: str = ""

    @property
    def text(self) -> str:
        return "\n".join(h.clause.text for h in self.hits)

    @property
    def citation(self) -> str:
        return "；".join(h.citation for h in self.hits)

    def of_role(self, role: str) -> list[CompareFigure]:
        return [f for f in self.figures if f.figure.role == role]

    def to_json(self) -> dict:
        return {"city": self.city, "province": self.province, "document": self.document,
                "citation": self.citation, "matched": self.matched,
                "clauses": [{"clause_id": h.clause.clause_id, "section": h.clause.section_path,
                             "text": h.clause.text, "citation": h.citation} for h in self.hits],
                "figures": [f.to_json() for f in self.figures]}

    def lines(self) -> list[list[str]]:
        """The row as spreadsheet lines: one for its clauses, then one per figure (targets, support, other)."""
        head = [self.city, self.province, self.document]
        out = [[*head, "条款", "", "", "", "", "", "", "", self.text, self.citation]]
        for f in self.figures:
            g = f.figure
            out.append([*head, ROLES[g.role], g.subject, g.display, g.unit, g.qualifier, g.period, g.beneficiary,
                        g.condition, g.sentence, f.citation])
        return out


def compare(searcher: Searcher, topic: str, cities: list[str] | None = None, per_city: int = 2,
            depth: int = 40) -> list[CompareRow]:
    """One row per city and document: its clauses best matching `topic` (at most per_city per document),
    best matching rows first; with `cities`, those cities only, in the order given."""
    topic = topic.strip()
    if not topic:
        raise ValueError("compare: the topic is empty; give a measure, e.g. 科技企业孵化器")
    filters = SearchFilters(cities=tuple(cities)) if cities else None
    hits = searcher.search(topic, k=depth, filters=filters).hits
    wanted = set(cities) if cities else None
    by_doc: dict[str, list[tuple[int, Hit]]] = {}
    per: dict[str, int] = {}
    for rank, hit in enumerate(hits):
        doc = hit.document.doc_id
        if (wanted and (hit.document.city or "") not in wanted) or per.get(doc, 0) >= per_city:
            continue
        per[doc] = per.get(doc, 0) + 1
        by_doc.setdefault(doc, []).append((rank, hit))
    key = normalize(topic)
    rows = []
    for ranked in by_doc.values():
        doc_hits = [h for _, h in ranked]
        doc = doc_hits[0].document
        overlap = max(bigram_recall(key, " ".join([*h.clause.section, h.clause.text])) for h in doc_hits)
        rows.append(CompareRow(doc.city_display, doc.province or "", doc.title, tuple(doc_hits),
                               tuple(row_figures(topic, doc_hits)), overlap >= MATCHED_OVERLAP, overlap,
                               ranked[0][0], doc.doc_id))
    if cities:
        order = {c: i for i, c in enumerate(cities)}
        return sorted(rows, key=lambda r: (order.get(r.hits[0].document.city or "", len(order)), r.rank))
    return sorted(rows, key=lambda r: (not r.matched, r.rank))


def row_figures(topic: str, hits: list[Hit]) -> list[CompareFigure]:
    """Figures of the row's clauses about the topic: of a long clause only the sentences about it (院士工作站
    达到35家, not the clause's other goals), better still those whose subject names it; an indicator-table
    row gives its year columns. Targets first,
    then support, then the others; the same figure stated twice is kept once."""
    key = normalize(topic)
    found: list[CompareFigure] = []
    seen = set()
    for hit in hits:
        clause = hit.clause
        figures = clause_figures(clause)
        if clause.kind != "table_row":
            # Figures whose subject names the topic; failing those, the figures of its sentences about it.
            named = [f for f in figures if _names_topic(key, normalize(f.subject))]
            about = [(s, e) for s, e in sentence_spans(clause.text)
                     if bigram_recall(key, clause.text[s:e]) >= TOPIC_OVERLAP]
            if named:
                figures = named
            elif about:
                figures = [f for f in figures if any(s <= f.start < e for s, e in about)]
        for figure in figures:
            if not figure.subject:
                figure = _with_heading(figure, clause.section)
            mark = (figure.subject, figure.display, figure.period, figure.role)
            if mark not in seen:
                seen.add(mark)
                found.append(CompareFigure(figure, hit.citation))
    return sorted(found, key=lambda f: ROLE_ORDER.index(f.figure.role))


def _names_topic(topic: str, subject: str) -> bool:
    """The subject names the topic: most of its character pairs, or its head noun (the last two characters:
    孵化器 of 科技企业孵化器) with some of the rest (众创空间、星创天地、孵化器)."""
    overlap = bigram_recall(topic, subject)
    return overlap >= SUBJECT_OVERLAP or (len(topic) >= 3 and topic[-2:] in subject and overlap >= TOPIC_OVERLAP)


def _with_heading(figure: Figure, section: tuple[str, ...]) -> Figure:
    """A figure whose sentence names nothing else ("达到10家。") counts what its clause's heading names."""
    return replace(figure, subject=section[-1] if section else figure.sentence)


# -- exports -------------------------------------------------------------------------------------------

def rows_to_json(rows: list[CompareRow], topic: str) -> dict:
    return {"topic": topic, "rows": [r.to_json() for r in rows]}


def rows_to_lines(rows: list[CompareRow]) -> list[list[str]]:
    return [line for r in rows for line in r.lines()]


def rows_to_csv(rows: list[CompareRow]) -> str:
    """CSV text; write it as UTF-8 with BOM (rows_to_csv_bytes) so that Excel reads the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows_to_lines(rows))
    return out.getvalue()


def rows_to_csv_bytes(rows: list[CompareRow]) -> bytes:
    return rows_to_csv(rows).encode("utf-8-sig")


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", "<br>")


def rows_to_markdown(rows: list[CompareRow]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_md(c) for c in line) + " |" for line in rows_to_lines(rows)]
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
    for line in rows_to_lines(rows):
        sheet.append(line)
        if line[3] == "条款":
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    widths = {"城市": 10, "省份": 8, "文件": 30, "类别": 6, "对象": 28, "数值": 14, "单位": 6, "限定": 8,
              "年份或期间": 10, "受益对象": 24, "条件": 20, "原文": 80, "出处": 60}
    for i, name in enumerate(HEADER, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = widths.get(name, 16)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def figure_line(g: Figure) -> str:
    """subject | value with unit and qualifier | year or period, as a reader pastes it."""
    tail = ([f"对象：{g.beneficiary}"] if g.beneficiary else []) + ([f"条件：{g.condition}"] if g.condition else [])
    return " | ".join([g.subject or "—", g.display, g.period or "—", *tail])


def rows_to_table(rows: list[CompareRow], width: int = 60) -> str:
    """Plain text for the terminal: one block per row, its clauses shortened, then its figures by kind."""
    blocks = []
    for r in rows:
        text = r.text.replace("\n", " ")
        lines = [f"■ {r.city} 《{r.document}》{'' if r.matched else '（相关度低）'}",
                 f"  {text[:width]}{'…' if len(text) > width else ''}", f"  出处：{r.citation}"]
        for role in ROLE_ORDER:
            figures = r.of_role(role)
            if figures:
                lines.append(f"  {ROLES[role]}：")
                lines += [f"    {figure_line(f.figure)}" for f in figures]
        if not r.figures:
            lines.append("  （无数字）")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def summary_cells(row: CompareRow) -> dict[str, str]:
    """城市, 文件, 目标, 支持, 其他, 条款, 出处: the row on one line, each figure as subject：figure（period）."""
    def one(g: Figure) -> str:
        return f"{g.subject}：{g.display}" + (f"（{g.period}）" if g.period else "")

    def joined(role: str) -> str:
        return "；".join(one(f.figure) for f in row.of_role(role))
    return {"城市": row.city, "文件": row.document, "目标": joined("target"), "支持": joined("support"),
            "其他": joined("other"), "条款": row.text, "出处": row.citation}
