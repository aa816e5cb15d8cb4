"""Metadata of real regulations, national texts and notices: version dates, titles, places, traditional text.

tests/data/lawref holds 100 real local regulations as LawRefBook writes them: a '# title' line, passage notes
(通过, 批准, 修正, …), then the body; each file is named by the date of the version it holds. The national texts
and the traditional-character notice in tests/data/regs_metadata are real texts (see each test).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ingest import regions
from ingest.dates import passage_steps, split_name_date, version_dates
from ingest.metadata import is_national
from ingest.normalize import normalize
from ingest.pipeline import ingest_file, ingest_text

DATA = Path(__file__).resolve().parent / "data"
LAWREF = sorted((DATA / "lawref").glob("*/*.md"))
OWN = DATA / "regs_metadata"
MUNICIPALITIES = ("北京", "上海", "天津", "重庆")


@pytest.fixture(scope="module")
def lawref():
    return {path: ingest_file(path) for path in LAWREF}


def _header(path: Path) -> list[str]:
    head = path.read_text(encoding="utf-8").split("<!-- INFO END -->")[0]
    return [line.strip() for line in head.splitlines() if line.strip() and not line.startswith("# ")]


def _source_title(path: Path) -> str:
    return next(line[2:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))


def _expected_city(title: str, province: str) -> tuple[bool, str | None]:
    """The place a title opens with (郑州市… -> 郑州, 上海… -> 上海, 河南省… -> none); (False, None): not told."""
    for city in MUNICIPALITIES:
        if title.startswith(city):
            return True, city
    if title.startswith(province) and not title.startswith(province + "市"):
        return True, None
    if (m := re.match(r"^([\u4e00-\u9fff]{2,4}?)(?:市|经济特区)", title)) and not title.startswith("关于"):
        return True, m.group(1)
    return False, None


def test_the_sample_is_whole():
    assert len(LAWREF) >= 100


def test_date_is_the_version_in_hand(lawref):
    """The file name's date is the version's: right for at least 97% of the sample."""
    dated = [(p, r) for p, r in lawref.items() if split_name_date(p.stem)[1]]
    right = [p for p, r in dated if r.document.date == split_name_date(p.stem)[1]]
    assert len(dated) >= 80
    assert len(right) / len(dated) >= 0.97, sorted({p.name for p, _ in dated} - {p.name for p in right})
    assert all(r.document.date for r in lawref.values())


def test_amended_regulation_keeps_its_first_passage(lawref):
    path = DATA / "lawref" / "上海" / "上海市轨道交通管理条例(2021-08-25).md"
    doc = lawref[path].document
    assert (doc.first_date, doc.date) == ("2002-05-21", "2021-08-25")   # passed 2002, fifth amendment 2021
    assert doc.issuer == "上海市人大常委会"
    for doc in (r.document for r in lawref.values()):
        assert doc.first_date is None or doc.first_date <= doc.date


def test_date_from_the_notes_alone():
    """Without the file name, the latest step of the notes: approval after the city's own passage."""
    notes = "\n".join(_header(DATA / "lawref" / "浙江" / "宁波市公路养护管理条例(2020-08-17).md"))
    assert version_dates(normalize(notes)) == ("2020-07-31", "2005-05-31")
    steps = passage_steps(normalize("（2020年6月16日中华人民共和国国务院令第727号公布　自2021年1月1日起施行）"))
    assert [(s.date, s.effective) for s in steps] == [("2020-06-16", False), ("2021-01-01", True)]


def test_judicial_interpretation_note():
    """A 司法解释's bracketed note: passed by the court's committee, in force later, its 法释 number beside."""
    note = "（2020年12月14日最高人民法院审判委员会第1821次会议通过，自2021年1月1日起施行　法释〔2020〕15号）"
    assert version_dates(normalize(note)) == ("2020-12-14", "2020-12-14")
    assert is_national("最高人民法院关于适用《中华人民共和国民法典》时间效力的若干规定", None)
    assert is_national("非银行支付机构网络支付业务管理办法", "中国人民银行")
    assert not is_national("关于加强宣传工作的通知", "市委宣传部")


def test_passage_notes_are_header_not_clauses(lawref):
    """Every passage note (a full congress's, wrapped ones, abbreviated 人大常委会 ones) stays out of the clauses."""
    for path, result in lawref.items():
        notes = [normalize(line) for line in _header(path) if len(normalize(line)) >= 10]
        texts = [normalize(c.text) for c in result.clauses]
        for note in notes:
            assert not any(note in t for t in texts), f"{path.name}: {note[:40]} in a clause"


def test_titles(lawref):
    wrong = [p.name for p, r in lawref.items() if normalize(r.document.title) != normalize(_source_title(p))]
    assert 1 - len(wrong) / len(lawref) >= 0.998, wrong


def test_cities(lawref):
    checked = wrong = 0
    for path, result in lawref.items():
        told, city = _expected_city(normalize(_source_title(path)), path.parent.name)
        if told:
            checked += 1
            wrong += result.document.city != city
        assert result.document.province == path.parent.name, path.name
    assert checked >= 90 and 1 - wrong / checked >= 0.998


def test_a_place_is_a_whole_name():
    """Not 古县 inside 慈城古县城, 和县 inside 和县级, 通化 inside 普通化妆品, 任县 inside 担任县, 开封 in 开封城墙."""
    names = {text: [r.name for r in regions.find_regions(text, whole_names=True)] for text in (
        "宁波市慈城古县城保护条例", "省级和县级人民政府", "对普通化妆品实行备案管理", "担任县级领导职务",
        "河南省开封城墙保护条例", "上海口岸服务条例", "临汾市古县", "河北省沧州市", "沧州市和县级")}
    assert names == {"宁波市慈城古县城保护条例": ["宁波市"], "省级和县级人民政府": [], "对普通化妆品实行备案管理": [],
                     "担任县级领导职务": [], "河南省开封城墙保护条例": ["河南省"], "上海口岸服务条例": ["上海市"],
                     "临汾市古县": ["临汾市", "古县"], "河北省沧州市": ["河北省", "沧州市"], "沧州市和县级": ["沧州市"]}


def test_a_question_names_its_city_however_it_likes():
    assert [r.name for r in regions.find_regions("在郑州申请科技项目有哪些条件")] == ["郑州市"]


def test_an_autonomous_prefecture_goes_by_the_name_before_its_peoples(tmp_path):
    # 延边朝鲜族自治州 is 延边 in a question and in the index; its citations give the full name. 海南藏族自治州
    # keeps its peoples: 海南 is the province.
    assert [r.name for r in regions.find_regions("延边州对科技人才有什么奖励")] == ["延边朝鲜族自治州"]
    assert [r.name for r in regions.find_regions("海南省科技创新促进条例")] == ["海南省"]
    path = tmp_path / "延边朝鲜族自治州科学技术进步条例(2012-03-01).md"
    path.write_text("# 延边朝鲜族自治州科学技术进步条例\n\n第一条 为了促进科学技术进步，制定本条例。\n",
                    encoding="utf-8")
    doc = ingest_file(path).document
    assert (doc.city, doc.province, doc.city_display) == ("延边", "吉林", "延边朝鲜族自治州")
    assert regions.city_name("阿克苏") == "阿克苏地区" and regions.city_name("沧州") == "沧州市"


def test_gu_county_town_is_ningbo(lawref):
    doc = lawref[DATA / "lawref" / "浙江" / "宁波市慈城古县城保护条例(2010-08-11).md"].document
    assert (doc.city, doc.province) == ("宁波", "浙江")


@pytest.mark.parametrize(("name", "title", "issuer", "date", "first_date"), [
    # The header of the Advertising Law, as published: passed 1994, revised 2015, amended 2018 and 2021.
    ("广告法(2021-04-29).md", "中华人民共和国广告法", "全国人大常委会", "2021-04-29", "1994-10-27"),
    ("中华人民共和国政府信息公开条例(2019-04-03).md", "中华人民共和国政府信息公开条例", "国务院", "2019-04-03",
     "2007-04-05"),
    # A web page's bracketed note: 国务院令第727号公布, 自2021年1月1日起施行 (effective, not a version).
    ("huazhuangpin_jiandu_guanli_tiaoli.txt", "化妆品监督管理条例", "国务院", "2020-06-16", "2020-06-16"),
])
def test_national_texts(name, title, issuer, date, first_date):
    result = ingest_file(OWN / name)
    doc = result.document
    assert (doc.title, doc.issuer, doc.date, doc.first_date) == (title, issuer, date, first_date)
    assert (doc.city, doc.province, doc.county, doc.level) == (None, None, None, "national")   # no 通化 (普通化妆品)
    assert result.clauses[0].label == "第一条"
    assert not any("会议" in c.text and "通过" in c.text for c in result.clauses)


def test_county_document_without_its_title_takes_the_county_it_names(tmp_path):
    """A truncated page of 柳河县's 实施意见 (title and signature lost) calls itself 我县 and names 柳河 inside."""
    lines = (DATA / "13_liuhe_zhongdian_chanye_shishi_yijian_2023.txt").read_text(encoding="utf-8").splitlines()
    page = tmp_path / "page.txt"
    page.write_text("\n".join(lines[3:]), encoding="utf-8")
    doc = ingest_file(page).document
    assert (doc.county, doc.city, doc.province, doc.level) == ("柳河县", "通化", "吉林", "county")
    assert [r.name for r in regions.find_county_short_names("对本土企业将域外业务迁回柳河结算的")] == ["柳河县"]


# -- traditional characters -------------------------------------------------------------------------------
# cangzhou_kaifang_hezuo_tw.txt: the notice and the first part of 沧州市加强创新能力开放合作实施方案 (corpus/000)
# converted with OpenCC s2twp, as a Taiwan-localised repost reads (實施方案, 專案, 最佳化, 資訊).
TW = OWN / "cangzhou_kaifang_hezuo_tw.txt"


def test_traditional_text_is_read_and_shown_as_written():
    result = ingest_file(TW)
    doc = result.document
    assert (doc.title, doc.city, doc.province, doc.date, doc.doc_type) == (
        "滄州市加強創新能力開放合作實施方案", "沧州", "河北", "2018-12-14", "实施方案")
    assert doc.issuer == "滄州市人民政府辦公室"
    clause = next(c for c in result.clauses if "引進國外高階人才" in c.text)
    assert clause.section[-1] == "1.引進國外高階人才"
    assert doc.text[clause.start:clause.end].startswith("1.引進國外高階人才")          # offsets into the original


def test_traditional_text_matches_simplified_words():
    assert normalize("科技對外開放環境不斷最佳化") == "科技对外开放环境不断优化"
    assert normalize("組織實施6項以上重點國際科技合作專案") == "组织实施6项以上重点国际科技合作项目"
    assert normalize("沧州市加强创新能力开放合作实施方案") == "沧州市加强创新能力开放合作实施方案"


def test_simplified_question_finds_the_traditional_clause(tmp_path, embedder):
    """Indexed with the real model beside simplified documents; the hit is shown in traditional characters."""
    from index.build import build_index
    from index.search import Searcher

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(TW, corpus / TW.name)
    root = Path(__file__).resolve().parent.parent / "corpus"
    for seed in ("002_d39fd0845f93d78f.txt", "004_0d7100a7fcddbb5c.txt"):
        shutil.copy(root / seed, corpus / seed)
    build_index(corpus, tmp_path / "index", embedder=embedder)
    searcher = Searcher.load(tmp_path / "index", corpus_dir=corpus, embedder=embedder)
    for mode in ("hybrid", "lexical", "dense"):
        hits = searcher.search("沧州市引进国外高端人才有哪些做法", k=3, mode=mode).hits
        ours = [h for h in hits if h.clause.doc_id == "cangzhou_kaifang_hezuo_tw"]
        assert ours and "引進國外高階人才" in ours[0].clause.text, mode
        assert "滄州市加強創新能力開放合作實施方案" in ours[0].citation


def test_page_cut_above_its_title_keeps_its_publish_date():
    """corpus/004 as a page saved from its 三、重点任务 on, with only the site's top bar: dated by its 发布时间."""
    lines = (Path(__file__).resolve().parent.parent / "corpus" / "004_0d7100a7fcddbb5c.txt").read_text(
        encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("三、重点任务"))
    result = ingest_text("\n".join([*lines[:2], lines[3], *lines[start:]]), "page.txt")
    assert (result.document.date, result.document.publish_date, result.document.city) == (
        "2019-04-29", "2019-04-29", "连云港")
    assert not any("发布时间" in c.text for c in result.clauses)


@pytest.mark.parametrize(("text", "iso_date"), [
    ("二〇一九年四月三日", "2019-04-03"), ("二〇二〇年十二月三十一日", "2020-12-31"), ("2021年4月29日", "2021-04-29"),
    ("发布时间：2023-05-20 10:32:38", "2023-05-20"), ("2019年13月1日", None),
])
def test_dates_as_written(text, iso_date):
    from ingest.dates import first_date
    assert first_date(text) == iso_date


@pytest.mark.parametrize(("stem", "parts"), [
    ("广告法(2021-04-29)", ("广告法", "2021-04-29")), ("上海市专利保护条例", ("上海市专利保护条例", None)),
    ("13_liuhe_zhongdian_chanye_shishi_yijian_2023", ("13_liuhe_zhongdian_chanye_shishi_yijian_2023", None)),
])
def test_file_name_date(stem, parts):
    assert split_name_date(stem) == parts
