"""Results by place (index/places.py) and the library's orders and filters (index/library.py), on real
documents: the session index of corpus/ and regulations of bench/gold/regs/corpus read by the ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.library import find_documents
from index.places import first_places, group_by_place
from index.search import Hit
from ingest.pipeline import ingest_file

REGS = Path(__file__).resolve().parent.parent / "bench" / "gold" / "regs" / "corpus" / "浙江"


def first_hit(name: str) -> Hit:
    ingested = ingest_file(REGS / name)
    return Hit(ingested.clauses[0], ingested.document, 1.0)


def test_a_provincial_regulation_is_its_province_and_a_county_goes_with_its_city():
    hits = [first_hit("景宁畲族自治县水资源管理条例(2021-06-15).md"),
            first_hit("浙江省促进科技成果转化条例(2021-09-30).md"),
            first_hit("丽水市革命遗址保护条例(2021-08-05).md")]
    groups = group_by_place(hits)
    assert [(g.place, g.label) for g in groups] == [("丽水", "景宁畲族自治县、丽水市"), ("浙江", "浙江省")]
    assert [len(g.hits) for g in groups] == [2, 1]


def test_groups_keep_the_order_of_the_best_hit_of_each_place(searcher):
    hits = searcher.search("科技成果转化", k=20).hits
    groups = group_by_place(hits)
    assert len(groups) >= 3
    assert [g.place for g in groups] == list(dict.fromkeys(h.document.place for h in hits))
    assert [h for g in groups for h in g.hits] == sorted(hits, key=lambda h: [g.place for g in groups].index(
        h.document.place))


def test_first_places_keeps_the_first_few_places_and_leaves_the_rest_in_order(searcher):
    hits = searcher.search("科技成果转化", k=20).hits
    places = list(dict.fromkeys(h.document.place for h in hits))
    first, rest = first_places(hits, lambda h: h.document.place, 2)
    assert {h.document.place for h in first} == set(places[:2])
    assert rest == [h for h in hits if h.document.place not in places[:2]]
    first, rest = first_places(hits, lambda h: h.document.place, 2, per_place=1)
    assert [h.document.place for h in first] == places[:2] and len(first) + len(rest) == len(hits)
    assert rest == [h for h in hits if h not in first]


def test_library_orders(searcher):
    assert [d.date for d in find_documents(searcher, sort="date")] == [
        "2021-12-05", "2018-12-14", "2018-10-08", "2018-07-02", "2017-06-08"]
    assert [d.date for d in find_documents(searcher, sort="date-oldest")] == [
        "2017-06-08", "2018-07-02", "2018-10-08", "2018-12-14", "2021-12-05"]
    types = [d.doc_type for d in find_documents(searcher, sort="type")]
    assert types == sorted(types)
    with pytest.raises(ValueError, match="sort size: unknown order"):
        find_documents(searcher, sort="size")


def test_library_filters_by_type_and_years_with_the_words(searcher):
    assert {d.city for d in find_documents(searcher, types=["实施方案"])} == {"沧州", "连云港"}
    assert [d.date for d in find_documents(searcher, year_from=2018, year_to=2018, sort="date")] == [
        "2018-12-14", "2018-10-08", "2018-07-02"]
    assert [d.city for d in find_documents(searcher, "沧州", types=["实施方案", "规划"], year_from=2020)] == ["沧州"]


def test_a_province_is_written_out_in_full():
    from ingest.regions import province_name

    assert [province_name(p) for p in ("河南", "广西", "内蒙古", "沧州")] == ["河南省", "广西壮族自治区", "内蒙古自治区", "沧州"]
    assert first_hit("浙江省促进科技成果转化条例(2021-09-30).md").document.place_display == "浙江省"
    assert first_hit("丽水市革命遗址保护条例(2021-08-05).md").document.place_display == "丽水市"
