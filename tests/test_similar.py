"""Similar measures in other cities, on the real index."""

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
