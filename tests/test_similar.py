"""Similar measures in other cities, on the real index."""

import shutil
from pathlib import Path

import pytest

from index.similar import similar, similar_by_city
from ingest.normalize import normalize

SOURCE = "加快发展天使投资、创业投资,鼓励民间资本设立创投基金"   # a measure of 沧州's 十四五 plan


def test_similar_excludes_the_source_and_its_city(searcher):
    source = searcher.find_clause_by_text(SOURCE)
    hits = similar(searcher, clause_id=source.clause_id, k=5, per_city=2)
    assert hits and all(h.clause.clause_id != source.clause_id for h in hits)
    assert all(h.document.city != "沧州" for h in hits)
    cities = [h.document.city for h in hits]
    assert all(cities.count(c) <= 2 for c in cities)
    # Another city's venture-fund measure is among them.
    assert any("天使投资" in normalize(h.clause.text) or "创业投资" in normalize(h.clause.text) for h in hits)


def test_pasted_text_resolves_to_its_clause(searcher):
    by_text = similar(searcher, text=SOURCE, k=5)
    assert all(h.document.city != "沧州" for h in by_text)
    assert normalize(SOURCE) not in "".join(normalize(h.clause.text) for h in by_text)


def test_a_pasted_sentence_names_its_own_measure_not_its_heading(searcher):
    # A sentence of a 沧州 clause headed 推动沧州高新区晋升为国家高新区 about the rights over research results:
    # the measures of other cities on those rights (使用权、处置权、收益权) come before their high-tech zones.
    hits = similar(searcher, text="围绕科技创新,聚焦重点领域和关键环节,完善科技成果使用、处置、收益管理制度。", k=5)
    assert sum("处置权" in normalize(h.clause.text) for h in hits) >= 2


def test_a_measure_finds_measures_not_goals(searcher):
    # A measure of 连云港's plan (its industrial clusters): the plans' 主要目标 clauses name a little of every
    # topic and matched it, taking a city's two places from that city's measures.
    source = searcher.find_clause_by_text("打造产业创新集聚区")
    hits = similar(searcher, clause_id=source.clause_id, k=5, per_city=2)
    assert len({h.document.city for h in hits}) >= 3
    assert not [h.clause.section for h in hits if any("目标" in s or "指标" in s for s in h.clause.section)]


def test_free_text_excludes_no_city(searcher):
    hits = similar(searcher, text="支持建设院士工作站", k=8, per_city=3)
    assert "沧州" in {h.document.city for h in hits}


def test_similar_by_city_groups(searcher):
    grouped = similar_by_city(searcher, text=SOURCE, k=6, per_city=2)
    assert grouped and "沧州市" not in grouped
    assert all(1 <= len(v) <= 2 for v in grouped.values())


def test_similar_needs_a_source(searcher):
    with pytest.raises(ValueError):
        similar(searcher)


# -- provincial regulations: each province is a place of its own ----------------------------------------

REGS = Path(__file__).resolve().parent.parent / "bench" / "gold" / "regs" / "corpus"
PROVINCIAL = (REGS / "河南" / "河南省技术市场条例(2010-07-30).md", REGS / "浙江" / "浙江省技术市场条例(2021-09-30).md",
              REGS / "上海" / "上海市技术市场条例.md")


@pytest.fixture(scope="module")
def markets(tmp_path_factory, embedder):
    """The real index of two provinces' technology-market regulations (no city: 河南省, 浙江省) and 上海's."""
    from index.build import build_index
    from index.search import Searcher

    base = tmp_path_factory.mktemp("markets")
    corpus = base / "corpus"
    corpus.mkdir()
    for path in PROVINCIAL:
        shutil.copy(path, corpus / path.name)
    build_index(corpus, base / "index", embedder=embedder)
    return Searcher.load(base / "index", corpus_dir=corpus, embedder=embedder)


def test_a_provincial_source_excludes_its_province_only(markets):
    hits = similar(markets, text="技术贸易机构在经核准的经营范围内依法自主经营", k=6, per_city=2)
    places = [h.document.place for h in hits]
    assert "河南" not in places
    # Another province's regulation, which has no city either, is still another place.
    assert "浙江" in places and places.count("浙江") <= 2


def test_place_is_city_then_province():
    from ingest.model import Document

    assert Document("a", "a.md", "浙江省技术市场条例", "", province="浙江").place == "浙江"
    assert Document("b", "b.md", "宁波市科技创新促进条例", "", city="宁波", province="浙江").place == "宁波"
    assert Document("c", "c.md", "中华人民共和国促进科技成果转化法", "", level="national").place == "全国"



def test_a_penalty_article_points_to_the_words_it_punishes():
    # 衢州 第四十二条 punishes "违反本条例第二十四条第一款第一项规定" by number; the number points to an item.
    from ingest.pipeline import ingest_file
    from ingest.references import article_map, expand_references

    path = Path(__file__).resolve().parent / "data" / "lawref" / "浙江" / "衢州市历史文化街区保护条例(2021-06-07).md"
    clauses = ingest_file(path).clauses
    penalty = next(c for c in clauses if c.label == "第四十二条")
    expanded = expand_references(penalty.text, article_map(clauses))
    assert "第二十四条" not in expanded
    assert "对历史建筑进行日常维护和修缮" in expanded and "（一）" not in expanded
    assert "保障结构安全" not in expanded          # the first item only, not the whole article
    # The 第三十条第一款 of the next article: a whole paragraph, without its article number.
    nxt = next(c for c in clauses if c.label == "第四十三条")
    assert "第三十条" not in expand_references(nxt.text, article_map(clauses))


def test_a_bare_item_after_a_reference_is_an_item_of_the_article_referred_to():
    # 洛阳 第十八条: 违反本规定第十条第（一）…项规定之一的，…；违反第（五）项规定的，…处一百元的罚款: 第十条（五）.
    from ingest.pipeline import ingest_file
    from ingest.references import article_map, expand_references

    path = Path(__file__).resolve().parent / "data" / "answers" / "洛阳市市区养犬管理规定.md"
    clauses = ingest_file(path).clauses
    penalty = next(c for c in clauses if c.label == "第十八条")
    at = penalty.text.index("违反第（五）项")
    sentence = penalty.text[at:penalty.text.index("。", at)]
    assert "预防狂犬病疫苗" in expand_references(sentence, article_map(clauses), before=penalty.text[:at])
    assert expand_references(sentence, article_map(clauses)) == sentence     # no article before it: left as is
