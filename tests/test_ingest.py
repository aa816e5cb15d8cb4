"""Ingestion on the real seed documents and samples: metadata, clause tree, tables, noise, citations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.cli import main
from ingest.citation import copy_text, format_citation, header_line
from ingest.normalize import normalize
from ingest.numbering import label_value, parse_numbering
from ingest.pipeline import ingest_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = ROOT / "tests" / "data"
SEEDS = sorted(CORPUS.glob("*.txt"))
SAMPLES = sorted(DATA.glob("*.txt"))


@pytest.fixture(scope="module")
def ingested():
    return {p.name[:3].rstrip("_"): ingest_file(p) for p in SEEDS + SAMPLES}


@pytest.mark.parametrize(("seed", "title", "city", "province", "issuer", "doc_number", "date"), [
    ("000", "沧州市加强创新能力开放合作实施方案", "沧州", "河北", "沧州市人民政府办公室", None, "2018-12-14"),
    ("001", "沧州市科技创新“十四五”规划", "沧州", "河北", "沧州市人民政府办公室", None, "2021-12-05"),
    ("002", "张家口市科技创新三年行动计划(2018―2020年)", "张家口", "河北", "张家口市人民政府", None, "2018-07-02"),
    ("003", "关于加快协同创新共同体建设促进科技成果转化行动计划(2016—2018年)", "廊坊", "河北", None, None,
     "2017-06-08"),
    ("004", "连云港市推进科技与产业融合加快科技成果转化实施方案", "连云港", "江苏", "连云港市人民政府办公室",
     "连政办发〔2018〕138号", "2018-10-08"),
])
def test_seed_metadata(ingested, seed, title, city, province, issuer, doc_number, date):
    doc = ingested[seed].document
    assert (doc.title, doc.city, doc.province, doc.issuer, doc.doc_number, doc.date) == (
        title, city, province, issuer, doc_number, date)


def test_publish_date_kept_apart_from_issue_date(ingested):
    assert ingested["004"].document.publish_date == "2019-04-29"
    assert ingested["003"].document.publish_date == "2017-06-08"
    assert ingested["000"].document.wrapper_title.startswith("沧州市人民政府办公室关于印发《")


@pytest.mark.parametrize(("sample", "title", "city", "province", "issuer", "date", "level"), [
    # Passed 2021-12-29, amended 2024-12-31: dated by the version in hand (its first passage is first_date).
    ("06", "上海市浦东新区促进张江生物医药产业创新高地建设规定", "上海", "上海", "上海市人大常委会", "2024-12-31", "city"),
    ("08", "北京市促进科技成果转化条例", "北京", "北京", "北京市人大常委会", "2019-11-27", "city"),
    ("11", "高新技术企业认定管理办法", None, None, "科技部、财政部、税务总局", "2016-05-16", "national"),
    ("13", "中共柳河县委 柳河县人民政府关于支持重点产业加快发展的实施意见", "通化", "吉林", "中共柳河县委、柳河县人民政府",
     "2023-02-08", "county"),
])
def test_sample_metadata(ingested, sample, title, city, province, issuer, date, level):
    doc = ingested[sample].document
    assert (doc.title, doc.city, doc.province, doc.issuer, doc.date, doc.level) == (
        title, city, province, issuer, date, level)


def test_first_passage_kept_apart_from_the_version(ingested):
    assert ingested["06"].document.first_date == "2021-12-29"
    assert ingested["08"].document.first_date == ingested["08"].document.date == "2019-11-27"
    assert ingested["000"].document.first_date is None          # a plan has no passage notes


def test_doc_types(ingested):
    types = {key: r.document.doc_type for key, r in ingested.items()}
    assert types == {"000": "实施方案", "001": "规划", "002": "行动计划", "003": "行动计划", "004": "实施方案",
                     "06": "规定", "08": "条例", "11": "办法", "13": "意见"}


def _clause_with(result, fragment):
    matches = [c for c in result.clauses if normalize(fragment) in normalize(c.text)]
    assert matches, f"no clause holds {fragment!r}"
    return matches[0]


@pytest.mark.parametrize(("doc", "fragment", "section"), [
    ("000", "全面落实省、市人才引进培养的政策", ("三、主要任务", "(二)加快科技合作人才队伍建设", "1.引进国外高端人才")),
    ("000", "积极对接京津国际科技合作资源", ("三、主要任务", "(一)加强科技创新领域开放合作", "1、积极对接京津国际科技合作资源")),
    ("000", "加强涉外企业知识产权保护", ("四、保障措施", "(三)保护知识产权")),
    ("001", "全社会R&D经费投入由2015年16亿元", ("一、发展基础与面临形势", "(一)基础与现状", "2.全社会研发投入快速增长")),
    ("001", "一是以智能技术为核心", ("一、发展基础与面临形势", "(二)面临形势")),       # ")面临形势": numeral restored
    ("001", "完善以创新发展为导向的考核机制", ("十、加强规划组织实施", "(四)完善考核机制")),
    ("002", "加大对高新技术企业资金补助力度", ("三、主要任务", "(一)培育创新主体,不断增强创新动力", "1.实施高新技术企业倍增计划")),
    ("002", "组织创新创业活动周", ("三、主要任务", "(七)优化创新环境,构建创新创业良好生态", "29.营造创新创业良好氛围")),
    ("002", "三年内新增高新技术企业100家以上", ("二、主要目标", "(一)创新主体不断壮大")),
    ("003", "推进京津廊技术市场互联互通", ("二、主要任务", "(六)大力推进服务平台建设,为科技成果转化应用提供有力支撑",
                                  "2.完善成果转化中介服务平台")),
    ("003", "对新认定的市级协同创新基地给予一次性奖励10万元", ("三、政策措施", "(二)支持成果转化载体建设")),
    ("004", "加快省技术产权交易市场连云港分中心建设", ("三、重点任务", "(三)加强科技需求侧供给侧对接,完善成果转化服务体系",
                                       "1.优化技术转移工作机制")),
    ("004", "建立协调联动机制", ("四、保障措施", "(一)加强组织领导,统筹协调推进")),
])
def test_section_paths(ingested, doc, fragment, section):
    assert _clause_with(ingested[doc], fragment).section == section


def test_responsibility_lines_stay_with_their_clause(ingested):
    clause = _clause_with(ingested["003"], "推进京津廊技术市场互联互通")
    assert "责任单位:市科技局、市发改委" in clause.text


def test_indicator_table_rows(ingested):
    rows = [c for c in ingested["001"].clauses if c.kind == "table_row"]
    assert len(rows) == 11
    row5 = rows[4]
    assert row5.text == "高新技术企业数量(家) | 2020年完成 795 | 2025年目标值 1300 | 预期性"
    assert row5.fields["2025年目标值"] == "1300"
    assert row5.section == ("二、总体思路", "(三)发展目标", "“十四五”时期科技创新主要指标")
    assert rows[0].fields["主要指标"] == "全社会研发经费支出占GDP比重(%)"
    assert rows[3].fields == {"序号": "4", "主要指标": "科技领军企业(家)", "2025年目标值": "5", "指标属性": "预期性"}
    doc_text = ingested["001"].document.text
    assert doc_text[row5.start:row5.end].startswith("5\n")


def test_items_numbered_across_sections(ingested):
    labels = [c.label for c in ingested["002"].clauses if c.section[:1] == ("三、主要任务",)]
    assert [label_value(x) for x in labels if x[0].isdigit()] == list(range(1, 30))


NOISE = ["首页", "您现在的位置", "政府信息公开", "网站上线试运行", "欢迎您多提宝贵意见", "社交媒体分享", "【打印本页】",
         "字号", "保护视力色", "杏仁黄", "版权所有", "版权:", "网站备案号", "ICP", "Produced By", "在线咨询", "微信咨询",
         "相关园区政策", "手机版本", "设为首页", "发布时间", "服务热线", "上一个", "扫码联系方式", "<!--"]


def test_no_noise_in_any_clause(ingested):
    for key, result in ingested.items():
        for clause in result.clauses:
            for noise in NOISE:
                assert noise not in clause.text, f"{key} {clause.clause_id}: {noise!r} in {clause.text[:60]!r}"


def test_offsets_point_into_the_original(ingested):
    for result in ingested.values():
        text = result.document.text
        for clause in result.clauses:
            if clause.kind == "table_row":
                continue
            # Joined lines lose only the blank lines between them.
            assert normalize(text[clause.start:clause.end]) == normalize(clause.text), clause.clause_id


def test_clause_ids_are_stable_and_unique():
    first, second = ingest_file(SEEDS[1]), ingest_file(SEEDS[1])
    assert [c.clause_id for c in first.clauses] == [c.clause_id for c in second.clauses]
    assert len({c.clause_id for c in first.clauses}) == len(first.clauses)


def test_long_clauses_are_cut_into_cited_parts(ingested):
    parts = [c for r in ingested.values() for c in r.clauses if c.parts > 1]
    assert parts
    for clause in parts:
        assert len(clause.text) <= 600
    doc = ingested["001"].document
    cut = next(c for c in ingested["001"].clauses if c.parts > 1)
    assert f"（第{cut.part}部分，共{cut.parts}部分）" in format_citation(doc, cut)


def test_regulation_chapters_and_articles(ingested):
    beijing = ingested["08"].clauses
    assert beijing[0].section == ("第一章 总则", "第一条")
    assert _clause_with(ingested["08"], "本条例自2020年1月1日起施行").section == ("第六章 附则", "第四十五条")
    shanghai = ingested["06"].clauses           # no chapters: flat articles
    assert [c.label for c in shanghai if c.part == 1][:3] == ["第一条", "第二条", "第三条"]
    assert shanghai[-1].label == "第三十四条"
    national = ingested["11"]
    # A list article is one clause holding its lead and items; an article has no heading in its path.
    listed = _clause_with(national, "企业申请认定时须注册成立一年以上")
    assert (listed.label, listed.section) == ("第十一条", ("第三章 认定条件与程序", "第十一条"))
    assert normalize(listed.text).startswith(normalize("第十一条 认定为高新技术企业须同时满足以下条件："))


def test_county_articles_with_stray_spaces(ingested):
    liuhe = ingested["13"]
    labels = [c.label for c in liuhe.clauses if c.label.startswith("第")]
    assert labels == [f"第{i}条" for i in range(1, 27)]
    clause = _clause_with(liuhe, "经领导小组办公室实地踏查")
    assert clause.section == ("四、政策兑现", "第22条")


def test_multi_paragraph_articles_stay_whole(ingested):
    clause = _clause_with(ingested["08"], "前款规定的情况不得损害国家安全")
    assert clause.label == "第九条"


@pytest.mark.parametrize(("line", "kind", "label"), [
    ("一、总体思路", "cn", "一、"),
    ("二 、支持范围", "cn", "二、"),
    ("(一)加强组织领导", "paren_cn", "(一)"),
    ("（十二）完善机制", "paren_cn", "（十二）"),
    ("一)加强科技创新", "paren_cn", "一)"),
    ("1.引进国外高端人才", "num", "1."),
    ("1、积极对接", "num", "1、"),
    ("28. 强化科技成果转化", "num", "28."),
    ("１．全角数字", "num", "１．"),
    ("(1)细项", "paren_num", "(1)"),
    ("①第一项", "circled", "①"),
    ("第 2 2 条 经领导小组", "article", "第22条"),
    ("第十一条  认定为", "article", "第十一条"),
    ("## 第一章　总　　则", "chapter", "第一章"),
    ("专栏2:战略新兴产业", "box", "专栏2:"),
])
def test_numbering(line, kind, label):
    numbering = parse_numbering(line)
    assert (numbering.kind, numbering.label) == (kind, label)


@pytest.mark.parametrize("line", ["1.29", "2020年,基本建成", "十四五时期", "1300", "(此件公开发布)"])
def test_not_numbering(line):
    assert parse_numbering(line) is None


def test_citation_formats(ingested):
    result = ingested["000"]
    clause = _clause_with(result, "全面落实省、市人才引进培养的政策")
    assert format_citation(result.document, clause) == (
        "沧州市人民政府办公室《沧州市加强创新能力开放合作实施方案》（2018年12月14日）"
        "三、主要任务（二）加快科技合作人才队伍建设 1.引进国外高端人才")
    assert header_line(result.document, clause) == (
        "沧州市 · 《沧州市加强创新能力开放合作实施方案》 · 三、主要任务 › (二)加快科技合作人才队伍建设 › 1.引进国外高端人才")
    assert copy_text(result.document, clause).startswith("1.引进国外高端人才。")
    lyg = ingested["004"]
    assert "（连政办发〔2018〕138号，2018年10月8日）" in format_citation(lyg.document, lyg.clauses[3])


def test_document_without_numbering_falls_back_to_paragraphs(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("关于科技创新的几点意见\n\n我们鼓励企业加大研发投入，提升创新能力。\n\n支持建设孵化器和众创空间。\n",
                    encoding="utf-8")
    result = ingest_file(path)
    assert [c.kind for c in result.clauses] == ["paragraph", "paragraph"]


# -- the CLI contract ---------------------------------------------------------------------------

def test_cli_json_contract(capsys):
    assert main(["ingest", "--json", str(SEEDS[4])]) == 0
    record = json.loads(capsys.readouterr().out.strip())
    assert set(record) == {"source", "title", "city", "province", "issuer", "doc_number", "date", "first_date",
                           "publish_date", "doc_type", "valid_from", "valid_to", "status", "validity_basis",
                           "clauses"}
    assert set(record["clauses"][0]) == {"clause_id", "label", "section", "text", "citation"}
    assert record["doc_number"] == "连政办发〔2018〕138号"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.txt", b"", "empty"),
    ("blob.txt", bytes(range(256)) * 40, "binary"),
    ("page.xyz", "一、总则".encode(), "unsupported file type"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".docx"),
    ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "pdf"),
    ("nav.html", "<html><body><p>首页</p><p>在线咨询</p></body></html>".encode(), "no policy text"),
])
def test_cli_bad_input_one_line_each_and_others_still_ingest(tmp_path, capsys, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    assert main(["ingest", "--json", str(bad), str(SEEDS[0])]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    error = json.loads(lines[0])
    assert error["source"] == name and message.lower() in error["error"].lower()
    assert "\n" not in error["error"] and error["error"].startswith(name)
    assert json.loads(lines[1])["title"] == "沧州市加强创新能力开放合作实施方案"


def test_cli_human_view(capsys):
    assert main(["ingest", str(SEEDS[0])]) == 0
    out = capsys.readouterr().out
    assert "沧州市加强创新能力开放合作实施方案" in out and "三、主要任务 › (二)加快科技合作人才队伍建设" in out


def test_same_document_in_other_formats_ingests_the_same(tmp_path):
    """What users download: a GBK text, an HTML page with navigation, a Word file."""
    import html

    from docx import Document as WordDocument

    lines = SEEDS[4].read_text(encoding="utf-8").splitlines()
    (tmp_path / "gbk.txt").write_bytes("\n".join(lines).encode("gb18030"))
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    page = f'<html><head><meta charset="gbk"><script>var x=1;</script></head><body><div>首页 &gt; 政策</div>{body}</body></html>'
    (tmp_path / "page.html").write_bytes(page.encode("gb18030"))
    word = WordDocument()
    for line in lines:
        if line.strip():
            word.add_paragraph(line)
    word.save(tmp_path / "word.docx")
    reference = ingest_file(SEEDS[4])
    for name in ("gbk.txt", "page.html", "word.docx"):
        result = ingest_file(tmp_path / name)
        doc = result.document
        assert (doc.title, doc.city, doc.issuer, doc.doc_number, doc.date) == (
            reference.document.title, reference.document.city, reference.document.issuer,
            reference.document.doc_number, reference.document.date), name
        assert [c.section for c in result.clauses] == [c.section for c in reference.clauses], name


def test_catalog_sets_metadata_by_hand(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEEDS[3:5]:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "catalog.json").write_text(json.dumps(
        {SEEDS[3].name: {"issuer": "廊坊市人民政府", "source_url": "https://example.gov.cn/lf.html"}},
        ensure_ascii=False), encoding="utf-8")
    assert main(["ingest", "--json", *sorted(str(p) for p in corpus.iterdir())]) == 0   # corpus/* with the catalog
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["issuer"] for r in records] == ["廊坊市人民政府", "连云港市人民政府办公室"]
    (corpus / "catalog.json").write_text(f'{{"{SEEDS[3].name}": {{"mayor": "x"}}}}', encoding="utf-8")
    assert main(["ingest", "--json", str(corpus)]) == 1
    assert "unknown field" in capsys.readouterr().out
