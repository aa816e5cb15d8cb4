"""The CLI contracts scripts rely on: ask and similar batches, compare exports, clear errors."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from index.cli import main


def _index_args(built_index) -> list[str]:
    corpus, index = built_index
    return ["--index", str(index), "--corpus", str(corpus)]


def test_ask_batch_contract(built_index, tmp_path, capsys):
    batch = tmp_path / "ask.jsonl"
    batch.write_text('{"id": "n", "question": "沧州2025年科技型中小企业数量要达到多少家?"}\n'
                     '{"id": "x", "question": "保定市对孵化器有什么补贴?"}\n', encoding="utf-8")
    assert main(["ask", "--batch", str(batch), "--json", *_index_args(built_index)]) == 0
    numeric, refused = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert numeric["id"] == "n" and numeric["answer"] == "13500家" and numeric["abstained"] is False
    assert 0 <= numeric["confidence"] <= 1
    assert "沧州市科技创新“十四五”规划" in numeric["citations"][0]["citation"]
    assert refused["id"] == "x" and refused["answer"] is None and refused["abstained"] is True


def test_ask_human_view_says_not_found(built_index, capsys):
    assert main(["ask", "保定市对孵化器有什么补贴?", *_index_args(built_index)]) == 0
    assert "未找到：语料中没有保定市的政策文件" in capsys.readouterr().out


def test_similar_batch_contract(built_index, tmp_path, capsys):
    batch = tmp_path / "similar.jsonl"
    batch.write_text('{"id": "s1", "text": "推进知识产权质押融资、专利保险业务"}\n', encoding="utf-8")
    assert main(["similar", "--batch", str(batch), "--json", "-k", "5", *_index_args(built_index)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["id"] == "s1" and 0 < len(line["results"]) <= 5
    assert "张家口" not in {r["city"] for r in line["results"]}     # the source clause's own city


def test_similar_unknown_clause_id(built_index, capsys):
    assert main(["similar", "--clause-id", "nope-0001", *_index_args(built_index)]) == 1
    assert "no clause nope-0001" in capsys.readouterr().err


def test_compare_exports_open_as_tables(built_index, tmp_path, capsys):
    assert main(["compare", "孵化器", "--format", "csv", *_index_args(built_index)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    cities = [row[0] for row in rows[1:]]
    assert len(rows) >= 4 and len(set(cities)) >= 3
    out = tmp_path / "compare.xlsx"
    assert main(["compare", "孵化器", "--format", "xlsx", "--output", str(out), *_index_args(built_index)]) == 0
    sheet = load_workbook(out).active
    assert sheet.max_row == len(rows)
    assert main(["compare", "孵化器", "--format", "xlsx", *_index_args(built_index)]) == 2


def test_unknown_city_or_document_is_an_error_not_an_empty_list(built_index, capsys):
    assert main(["search", "孵化器", "--city", "保定", "--json", *_index_args(built_index)]) == 1
    err = capsys.readouterr().err
    assert "city 保定: no document of that place" in err and "沧州" in err
    assert main(["ask", "孵化器补贴", "--doc", "no-such-doc", *_index_args(built_index)]) == 1
    assert "doc no-such-doc" in capsys.readouterr().err


def test_documents_lists_the_library(built_index, capsys):
    assert main(["documents", "--json", *_index_args(built_index)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed["documents"]) == 5
    by_city = {d["city"]: d for d in listed["documents"]}
    assert by_city["连云港"]["doc_number"] == "连政办发〔2018〕138号" and by_city["连云港"]["clauses"] > 10
    assert main(["documents", "连云港", *_index_args(built_index)]) == 0
    out = capsys.readouterr().out
    assert "连云港市推进科技与产业融合加快科技成果转化实施方案" in out and "1 份文件" in out
    # Newest first, and only those dated from 2020 on.
    assert main(["documents", "--json", "--sort", "date", "--year-from", "2020", *_index_args(built_index)]) == 0
    dates = [d["date"] for d in json.loads(capsys.readouterr().out)["documents"]]
    assert dates and dates == sorted(dates, reverse=True) and all(d >= "2020" for d in dates) and len(dates) < 5
    assert main(["documents", "--sort", "size", *_index_args(built_index)]) == 1
    assert "sort size" in capsys.readouterr().err
