"""Period of effect and status of the seeds, the samples and a few regulations, hand-checked by reading them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from index.cli import main
from ingest.pipeline import ingest_file
from ingest.validity import EXPIRED, IN_FORCE, NOT_YET, UNKNOWN, is_trial, status, status_of

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = ROOT / "tests" / "data"
LAWREF = DATA / "lawref"
ON = "2025-06-30"          # the fixed reference day of these tests


@pytest.fixture(scope="module")
def docs():
    files = sorted(CORPUS.glob("*.txt")) + sorted(DATA.glob("*.txt"))
    return {p.name[:3].rstrip("_"): ingest_file(p).document for p in files}


# What each document says of its own period (read by hand), and its status on ON.
@pytest.mark.parametrize(("key", "valid_from", "valid_to", "expected"), [
    # 沧州 实施方案 (2018-12-14): no period stated; its 总体目标 are all 到2020年.
    ("000", "2018-12-14", "2020-12-31", EXPIRED),
    # 沧州 “十四五”规划: 2021—2025.
    ("001", "2021-01-01", "2025-12-31", IN_FORCE),
    # 张家口 三年行动计划(2018―2020年).
    ("002", "2018-01-01", "2020-12-31", EXPIRED),
    # 廊坊 行动计划 (2016—2018年), published 2017.
    ("003", "2016-01-01", "2018-12-31", EXPIRED),
    # 连云港 实施方案: 二、工作目标 "2018—2020年，围绕…".
    ("004", "2018-01-01", "2020-12-31", EXPIRED),
    # 张江 规定: 第三十四条 本规定自2022年1月1日起施行; no end.
    ("06", "2022-01-01", None, IN_FORCE),
    # 北京 促进科技成果转化条例: 第四十五条 本条例自2020年1月1日起施行.
    ("08", "2020-01-01", None, IN_FORCE),
    # 高新技术企业认定管理办法: 本办法自2016年1月1日起实施; 第九条's 有效期为三年 is the enterprise's.
    ("11", "2016-01-01", None, IN_FORCE),
    # 柳河 实施意见 (2023年2月8日): 本政策自发布之日起施行，暂定三年有效期.
    ("13", "2023-02-08", "2026-02-07", IN_FORCE),
])
def test_seed_and_sample_period(docs, key, valid_from, valid_to, expected):
    doc = docs[key]
    assert (doc.valid_from, doc.valid_to) == (valid_from, valid_to)
    assert status_of(doc, ON) == expected
    assert doc.validity_basis


def test_status_moves_with_the_reference_day(docs):
    assert status_of(docs["001"], "2026-01-01") == EXPIRED          # the 十四五 period is over
    assert status_of(docs["13"], "2026-02-07") == IN_FORCE          # last day of its three years
    assert status_of(docs["13"], "2026-02-08") == EXPIRED
    assert status_of(docs["06"], "2021-12-31") == NOT_YET           # passed 2021-12-29, in force from 2022
    assert status_of(docs["000"], "2018-12-13") == NOT_YET
    assert status(None, None, ON) == UNKNOWN


def test_trial_mark_read_from_the_title(docs):
    assert not any(is_trial(d) for d in docs.values())
    for title in ("上海市漕河泾新兴技术开发区暂行条例", "柳河县中小企业发展引导资金管理办法(试行)"):
        assert is_trial(replace(docs["06"], title=title))


@pytest.mark.parametrize(("path", "valid_from"), [
    # 第五十四条 本条例自2011年10月1日起施行; 临时建设工程规划许可证的有效期 is a permit's, not the 条例's.
    ("浙江/杭州市城乡规划条例(2017-12-08).md", "2011-10-01"),
    # 种子生产许可证有效期 likewise.
    ("北京/北京市实施《种子法》办法(2018-03-30).md", "2006-11-01"),
])
def test_permit_validity_is_not_the_documents(path, valid_from):
    doc = ingest_file(LAWREF / path).document
    assert (doc.valid_from, doc.valid_to, status_of(doc, ON)) == (valid_from, None, IN_FORCE)


def test_in_force_from_publication_takes_the_documents_date():
    # 第三十一条 本规定自公布之日起施行
    doc = ingest_file(LAWREF / "浙江" / "浙江省人民代表大会代表建议、批评和意见办理的规定(2016-05-27).md").document
    assert doc.date and doc.valid_from == doc.date and doc.valid_to is None
    assert "公布之日" in doc.validity_basis


def test_every_sample_regulation_has_a_status():
    """All 100 regulations of the sample read as 现行 (none of them states an end) except undated rules."""
    statuses = {p.name: status_of(ingest_file(p).document, ON) for p in sorted(LAWREF.rglob("*.md"))
                if p.name != "README.md"}
    assert set(statuses.values()) <= {IN_FORCE, UNKNOWN}
    assert sum(s == IN_FORCE for s in statuses.values()) >= len(statuses) - 2


def test_ingest_json_carries_validity(capsys):
    assert main(["ingest", str(CORPUS / "002_d39fd0845f93d78f.txt"), str(DATA / "08_beijing_kjcg_zhuanhua_tiaoli.txt"),
                 "--json", "--as-of", ON]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["valid_from"], r["valid_to"], r["status"]) for r in rows] == [
        ("2018-01-01", "2020-12-31", EXPIRED), ("2020-01-01", None, IN_FORCE)]
    assert {"source", "title", "city", "province", "issuer", "doc_number", "date", "doc_type", "clauses"} <= set(rows[0])


def test_bad_reference_day_is_one_line(capsys):
    with pytest.raises(SystemExit):
        main(["ingest", str(CORPUS / "002_d39fd0845f93d78f.txt"), "--as-of", "30/06/2025"])
    err = capsys.readouterr().err
    assert "--as-of" in err and "YYYY-MM-DD" in err
