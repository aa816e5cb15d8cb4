"""Indicator tables flattened to one cell per line (序号 / 主要指标 / 2020年 / 完成 / ... / 1 / 名称 / 值 ...).

Web captures of planning documents lose the table grid: each cell becomes a line. This parser finds
the header, merges split header cells ("2025年" + "目标值"), then reads one record per row number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean import Line

_ROW_NUMBER = re.compile(r"^[0-9]{1,3}$")
_YEAR_CELL = re.compile(r"^(19|20)[0-9]{2}年$")
_ATTRIBUTE = re.compile(r"^(预期性|约束性|指导性|预期|约束)$")
_NUMBERISH = re.compile(r"^[-+]?[0-9.,，]+%?$|[0-9]")
_HEADER_START = ("序号",)
_MAX_CELL = 80


@dataclass(frozen=True)
class TableRow:
    lines: list[Line]            # the cells' lines, row number first
    fields: dict[str, str]       # header -> value, in column order


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[TableRow]
    consumed: int                # lines taken from the input, header included


def parse_table(lines: list[Line], i: int) -> Table | None:
    """A flattened table starting at lines[i] (its 序号 cell), or None."""
    if lines[i].norm not in _HEADER_START:
        return None
    header, j = [], i
    while j < len(lines) and not _ROW_NUMBER.match(lines[j].norm) and len(header) < 12:
        cell = lines[j].norm
        if header and _YEAR_CELL.match(header[-1]) and not _YEAR_CELL.match(cell):
            header[-1] += cell               # "2025年" + "目标值"
        else:
            header.append(cell)
        j += 1
    if len(header) < 3 or j >= len(lines):
        return None
    value_columns = [h for h in header[2:] if not _is_attribute_header(h)]
    has_attribute = any(_is_attribute_header(h) for h in header)

    rows, expected = [], 1
    while j < len(lines) and lines[j].norm == str(expected):
        cells, k = [], j + 1
        while k < len(lines) and len(cells) < len(header) + 1:
            norm = lines[k].norm
            if not has_attribute and norm == str(expected + 1):
                break
            if len(norm) > _MAX_CELL or (not has_attribute and _ends_table(norm)):
                break
            cells.append(lines[k])
            k += 1
            if has_attribute and _ATTRIBUTE.match(norm):
                break
        if not cells:
            break
        rows.append(_row(header, value_columns, lines[j], cells))
        j, expected = k, expected + 1
    if not rows:
        return None
    return Table(header, rows, j - i)


def _is_attribute_header(cell: str) -> bool:
    return cell.endswith(("属性", "性质", "类型"))


def _ends_table(norm: str) -> bool:
    return bool(re.match(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十]+[)）]", norm))


def _row(header: list[str], value_columns: list[str], number: Line, cells: list[Line]) -> TableRow:
    texts = [c.text for c in cells]
    attribute = texts.pop() if texts and _ATTRIBUTE.match(cells[-1].norm) else None
    name = ""
    if texts and not _NUMBERISH.search(cells[0].norm[:1] or "0"):
        name = texts.pop(0)
    fields = {header[0]: number.text, header[1]: name}
    # With fewer values than columns the missing one is the baseline: a plan always states its target.
    missing = len(value_columns) - len(texts)
    for column, value in zip(value_columns[max(missing, 0):], texts, strict=False):
        fields[column] = value
    if attribute is not None:
        attribute_header = next((h for h in header if _is_attribute_header(h)), "属性")
        fields[attribute_header] = attribute
    return TableRow([number, *cells], fields)


def render_row(row: TableRow) -> str:
    """高新技术企业数量(家) | 2020年完成 795 | 2025年目标值 1300 | 预期性"""
    items = list(row.fields.items())[1:]    # the row number is not content
    parts = [items[0][1] or "(未列名指标)"]
    parts += [f"{column} {value}" for column, value in items[1:-1]]
    if len(items) > 1:
        column, value = items[-1]
        parts.append(value if _is_attribute_header(column) else f"{column} {value}")
    return " | ".join(parts)
