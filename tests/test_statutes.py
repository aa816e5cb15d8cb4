"""Regulations as users download them: every article, paragraph and item in its place, cited precisely.

The figures are lawref_check's (bench/lawref_check.py, a copy of the scorer) on tests/data/lawref, 100 real
LawRefBook regulations; the behaviour tests read the same files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ingest.citation import cite, copy_text, format_citation, quote_span
from ingest.model import Clause
from ingest.normalize import normalize
from ingest.pipeline import ingest_file, ingest_text

ROOT = Path(__file__).resolve().parent.parent
LAWREF = ROOT / "tests" / "data" / "lawref"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.lawref import score  # noqa: E402


@pytest.fixture(scope="module")
def figures():
    return score(LAWREF)[0]


def test_every_article_is_its_own_clause(figures):
    assert figures["articles"]["docs"] >= 95
    assert figures["articles"]["docs_all_matched_pct"] >= 98


def test_every_article_under_its_chapter(figures):
    assert figures["chapters"]["docs"] >= 60
    assert figures["chapters"]["docs_all_right_pct"] >= 99


def test_no_noisy_clauses(figures):
    assert figures["noise"]["pct"] <= 0.05


def test_body_lines_kept(figures):
    assert figures["refused"] == 0
    assert figures["text_kept"]["docs_kept_995_pct"] >= 98


def _law(name: str):
    path = next(LAWREF.glob(f"*/{name}*.md"))
    return ingest_file(path)


def _article(result, label: str) -> Clause:
    found = [c for c in result.clauses if c.label == label]
    assert found, f"no clause labelled {label}"
    return found[0]


def _span(clause: Clause, fragment: str) -> tuple[int, int]:
    span = quote_span(clause, fragment)
    assert span, f"{fragment!r} not in {clause.label}"
    return span


@pytest.fixture(scope="module")
def fire():
    return _law("浙江省消防条例")


def test_list_article_holds_its_lead_items_and_later_paragraphs(fire):
    seventh = _article(fire, "第七条")
    assert seventh.text.startswith("第七条 县级以上人民政府应当履行下列消防工作职责：\n（一）")
    assert seventh.text.endswith("（七）其他依法应当履行的消防工作职责。")
    eighth = _article(fire, "第八条")
    assert "（五）本级人民政府确定的其他消防工作。\n省消防救援机构应当根据国家有关规定" in eighth.text
    assert eighth.text.endswith("落实消防安全管理责任和措施。省消防安全委员会成员单位可以结合行业管理实际，"
                                "根据全省统一的消防安全标准化管理规范，制定本行业消防安全标准化管理规范。")
    assert not [c for c in fire.clauses if c.label.startswith("（")]    # no item cut from its article


def test_citations_name_the_paragraph_or_item(fire):
    doc, seventh, eighth = fire.document, _article(fire, "第七条"), _article(fire, "第八条")
    assert cite(doc, seventh, _span(seventh, "制订并组织实施年度及重点防火期消防工作计划")).endswith(
        "《浙江省消防条例》" + cite(doc, seventh).split("》", 1)[1] + "第（三）项")
    assert cite(doc, seventh, _span(seventh, "制订并组织实施")).endswith("）第七条第（三）项")
    assert cite(doc, eighth, _span(eighth, "组织编制全省统一的消防安全标准化管理规范")).endswith("）第八条第二款")
    assert cite(doc, eighth, _span(eighth, "组织实施年度消防工作责任目标考核")).endswith("）第八条第一款第（四）项")
    # A quote across two items is cited by the paragraph that holds both; across paragraphs, by the article.
    assert cite(doc, eighth, _span(eighth, "考核；\n（五）本级")).endswith("）第八条第一款")
    assert cite(doc, eighth, _span(eighth, "其他消防工作。\n省消防")).endswith("）第八条")
    # Without a span, and as the copy button has it: the article, no chapter (its number is unique).
    assert cite(doc, eighth).endswith("）第八条") and "第一章" not in cite(doc, eighth)
    assert format_citation(doc, eighth) == cite(doc, eighth)
    assert copy_text(doc, eighth).endswith("——" + cite(doc, eighth))


def test_units_survive_the_index_json(fire):
    eighth = _article(fire, "第八条")
    assert ("第二款", *_span(eighth, eighth.text.split("\n")[6])) in eighth.units
    again = Clause.from_dict(json.loads(json.dumps(eighth.to_dict(), ensure_ascii=False)))
    assert again == eighth


def test_an_article_has_no_heading_in_its_path():
    sturgeon = _law("上海市中华鲟保护管理条例")
    fourteenth = _article(sturgeon, "第十四条")
    assert fourteenth.section == ("第二章 保护措施", "第十四条")
    assert fourteenth.text.startswith("第十四条 禁止捕捉、杀害中华鲟。")


def test_section_after_articles_closes_the_article():
    tourism = _law("焦作市全域旅游促进条例")
    assert _article(tourism, "第三十条").section == ("第三章 新业态培育", "第三十条")
    assert _article(tourism, "第三十一条").section == ("第三章 新业态培育", "第二节 乡村旅游", "第三十一条")
    assert _article(tourism, "第四十八条").section == ("第四章 服务保障和监督管理", "第四十八条")   # 章 closes 节
    assert not [c for c in tourism.clauses if c.text.lstrip().startswith("#")]


def test_a_word_like_zihao_is_not_a_font_bar():
    names = _law("上海市企业名称登记管理规定")
    assert _article(names, "第四条").text.startswith("第四条 企业名称由行政区划、字号、行业或者经营特点、组织形式组成。")
    assert not [d for d in names.dropped if "字号" in d.line.text]


def test_the_last_article_is_kept_whatever_its_punctuation():
    path = next(LAWREF.glob("*/上海市企业名称登记管理规定*.md"))
    text = path.read_text(encoding="utf-8").rstrip()
    assert text.endswith("。")
    result = ingest_text(text[:-1] + "\n", path.name)          # as pages often end: no 。 after 起施行
    last = result.clauses[-1]
    assert last.label == "第十八条" and last.text == text.splitlines()[-1].rstrip("。")


def test_page_furniture_before_the_text_is_dropped_without_a_title():
    path = next(LAWREF.glob("*/上海市企业名称登记管理规定*.md"))
    body = path.read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[1]
    page = "中国政府网 无障碍版 登录\n发布时间: 2023-05-20 10:32:38\n" + body
    result = ingest_text(page, "page.txt")
    assert result.clauses[0].label == "第一条"
    assert {d.line.text for d in result.dropped} >= {"中国政府网 无障碍版 登录", "发布时间: 2023-05-20 10:32:38"}


def test_a_paragraph_citing_an_earlier_article_stays_in_its_article():
    path = next(LAWREF.glob("*/上海市企业名称登记管理规定*.md"))
    text = path.read_text(encoding="utf-8")
    assert "\n本条第一款所称企业名称相同" in text
    result = ingest_text(text.replace("\n本条第一款所称企业名称相同", "\n第五条第一款所称企业名称相同"), path.name)
    fifth = [c for c in result.clauses if c.label == "第五条"]
    assert len(fifth) == 1 and "\n第五条第一款所称企业名称相同" in fifth[0].text
    assert [u[0] for u in fifth[0].units][:3] == ["第一款", "第二款", "第三款"]


def test_a_plain_text_statute_with_a_table_of_contents():
    """As national and provincial sites print a law: title, 目录 of its chapters, chapters as plain lines."""
    path = next(LAWREF.glob("*/焦作市全域旅游促进条例*.md"))
    body = path.read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[1]
    plain = "\n".join(line.lstrip("#").strip() for line in body.splitlines())
    chapters = [line for line in plain.splitlines() if line.startswith("第") and "章" in line[:5]]
    page = "焦作市全域旅游促进条例\n目　录\n" + "\n".join(chapters) + "\n" + plain
    result = ingest_text(page, "page.txt")
    assert result.clauses[0].label == "第一条"
    assert _article(result, "第三十一条").section == ("第三章 新业态培育", "第二节 乡村旅游", "第三十一条")
    assert not [c for c in result.clauses if c.label.endswith(("章", "节"))]


def test_passage_notes_are_no_clauses():
    for result in (_law("上海市中华鲟保护管理条例"), _law("浙江省消防条例")):
        first = result.clauses[0]
        assert first.label == "第一条", first.text[:40]


def test_long_articles_are_cut_at_item_or_paragraph_boundaries():
    long_parts = []
    for path in sorted(LAWREF.glob("*/*.md"))[:40]:
        result = ingest_file(path)
        lines = {normalize(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
        for clause in result.clauses:
            if clause.parts > 1 and clause.label.startswith("第") and clause.label.endswith("条"):
                long_parts.append(clause)
                first_line = normalize(clause.text.split("\n", 1)[0])
                # A part starts on a line of its own (an item or a paragraph) unless that line is too long.
                assert first_line in lines or len(first_line) > 400, (path.name, clause.label, clause.part)
    assert long_parts
    assert all(c.part > 1 or c.text.startswith(c.label) for c in long_parts)
