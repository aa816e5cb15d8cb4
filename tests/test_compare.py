"""Comparison tables and their exports, read back as tables."""

import csv
import io

from openpyxl import load_workbook

from index.compare import HEADER, compare, rows_to_csv, rows_to_markdown, rows_to_table, rows_to_xlsx


def test_compare_rows_per_city_with_figures(searcher):
    rows = compare(searcher, "院士工作站建设", per_city=1)
    cities = [r.city for r in rows]
    assert len(cities) == len(set(cities)) >= 3
    cangzhou = next(r for r in rows if r.city == "沧州市")
    assert "35家" in cangzhou.figures.get("数量", "")
    assert all(r.citation for r in rows)


def test_compare_table_row_gives_year_columns(searcher):
    rows = compare(searcher, "技术合同成交额", cities=["沧州"])
    assert rows and all(r.city == "沧州市" for r in rows)
    amounts = "".join(r.figures.get("金额", "") for r in rows)
    assert "150亿元（2025年目标值）" in amounts


def test_exports_open_as_tables(searcher):
    rows = compare(searcher, "技术交易市场建设", per_city=1)
    parsed = list(csv.reader(io.StringIO(rows_to_csv(rows))))
    assert parsed[0] == list(HEADER) and len(parsed) == len(rows) + 1
    assert [p[0] for p in parsed[1:]] == [r.city for r in rows]

    sheet = load_workbook(io.BytesIO(rows_to_xlsx(rows))).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(HEADER) and len(values) == len(rows) + 1
    assert values[1][2] == rows[0].text

    markdown = rows_to_markdown(rows).splitlines()
    assert len(markdown) == len(rows) + 2 and markdown[0].count("|") == len(HEADER) + 1
    assert rows[0].city in rows_to_table(rows)
