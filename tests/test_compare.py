"""Comparison tables on the real seed index: a row per city and document, figures with what they count,
and the same rows in every export."""

import csv
import io
import json

from openpyxl import load_workbook

from index.compare import (
    HEADER,
    compare,
    rows_to_csv,
    rows_to_csv_bytes,
    rows_to_json,
    rows_to_lines,
    rows_to_markdown,
    rows_to_table,
    rows_to_xlsx,
)


def test_incubators_compare_with_every_figure_subjected(searcher):
    rows = compare(searcher, "科技企业孵化器")
    assert rows and rows[0].matched
    assert [r.matched for r in rows] == sorted((r.matched for r in rows), reverse=True)   # best first
    figures = [f for r in rows for f in r.figures]
    assert figures and all(f.figure.subject for f in figures)
    assert all(f.citation for f in figures)
    zhangjiakou = next(r for r in rows if r.city == "张家口市")
    targets = {(f.figure.subject, f.figure.display, f.figure.period) for f in zhangjiakou.of_role("target")}
    assert ("市级以上科技企业孵化器", "20家", "2020") in targets


def test_compare_rows_per_city_with_figures(searcher):
    rows = compare(searcher, "院士工作站建设", per_city=1)
    documents = [(r.city, r.document) for r in rows]
    assert len(documents) == len(set(documents)) and len({r.city for r in rows}) >= 3
    assert all(len(r.hits) == 1 for r in rows)
    cangzhou = next(r for r in rows if r.city == "沧州市")
    assert any(f.figure.display == "35家" and f.figure.subject == "院士工作站" for f in cangzhou.figures)
    assert all(r.citation for r in rows)


def test_compare_table_row_gives_year_columns(searcher):
    rows = compare(searcher, "技术合同成交额", cities=["沧州"])
    assert rows and all(r.city == "沧州市" for r in rows)
    figures = {(f.figure.display, f.figure.period, f.figure.role) for r in rows for f in r.figures}
    assert ("150亿元", "2025", "target") in figures


def test_support_stands_apart_with_its_beneficiary(searcher):
    rows = compare(searcher, "科技成果转化奖励补贴", cities=["廊坊"])
    support = [f.figure for r in rows for f in r.of_role("support")]
    assert support and all(g.kind in ("amount", "ratio") for g in support)
    assert any(g.beneficiary for g in support)


def test_exports_hold_the_same_rows(searcher):
    rows = compare(searcher, "科技企业孵化器")
    lines = rows_to_lines(rows)
    assert len(lines) == len(rows) + sum(len(r.figures) for r in rows)

    data = rows_to_csv_bytes(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == list(HEADER) and parsed[1:] == lines
    assert rows_to_csv(rows) == data.decode("utf-8-sig")

    sheet = load_workbook(io.BytesIO(rows_to_xlsx(rows))).active
    values = [[c or "" for c in line] for line in sheet.iter_rows(values_only=True)]
    assert values[0] == list(HEADER) and values[1:] == lines

    payload = json.loads(json.dumps(rows_to_json(rows, "科技企业孵化器"), ensure_ascii=False))
    assert [(r["city"], r["document"]) for r in payload["rows"]] == [(r.city, r.document) for r in rows]
    for got, row in zip(payload["rows"], rows, strict=True):
        assert set(got) >= {"city", "province", "document", "citation", "clauses", "figures"}
        assert [f["text"] for f in got["figures"]] == [f.figure.display for f in row.figures]
        assert all(set(f) >= {"subject", "value", "unit", "qualifier", "period", "kind", "text"}
                   for f in got["figures"])

    markdown = rows_to_markdown(rows).splitlines()
    assert len(markdown) == len(lines) + 2 and markdown[0].count("|") == len(HEADER) + 1
    table = rows_to_table(rows)
    assert all(r.city in table for r in rows) and "目标：" in table


def test_cli_compare_json(built_index, capsys):
    from index.cli import main

    corpus, index = built_index
    assert main(["compare", "科技企业孵化器", "--json", "--index", str(index), "--corpus", str(corpus)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["topic"] == "科技企业孵化器" and payload["rows"]
    figures = [f for r in payload["rows"] for f in r["figures"]]
    assert figures and all(f["subject"] and f["kind"] in ("target", "support", "other") for f in figures)
    assert all(r["clauses"] and r["citation"] for r in payload["rows"])
