import numpy as np
import pytest

from index.dense import DenseIndex


def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def vectors():
    return unit_vectors(20_000, 64, seed=0)


@pytest.fixture(scope="module")
def flat(vectors):
    return DenseIndex.build(vectors)


@pytest.fixture(scope="module")
def hnsw(vectors):
    return DenseIndex.build(vectors, exact_below=1000)


def test_kind_follows_the_threshold(flat, hnsw):
    assert (flat.kind, flat.ntotal, flat.dim) == ("flat", 20_000, 64)
    assert (hnsw.kind, hnsw.ntotal, hnsw.dim) == ("hnsw", 20_000, 64)


@pytest.mark.parametrize("name", ["flat", "hnsw"])
def test_self_query_returns_itself(request, vectors, name):
    index = request.getfixturevalue(name)
    rows = [0, 17, 9_999, 19_999]
    hits = index.search(vectors[rows], k=5)
    assert [int(ids[0]) for ids in hits.ids] == rows
    assert all(s[0] == pytest.approx(1.0, abs=1e-5) for s in hits.scores)
    assert all(np.all(np.diff(s) <= 0) for s in hits.scores)  # best first


def test_flat_is_exact(vectors, flat):
    query = unit_vectors(1, 64, seed=1)[0]
    expected = np.argsort(-(vectors @ query))[:10]
    assert [i for i, _ in flat.search_one(query, 10)] == expected.tolist()


def test_hnsw_recall_against_flat(flat, hnsw):
    queries = unit_vectors(300, 64, seed=2)
    truth = flat.search(queries, 10).ids
    found = hnsw.search(queries, 10).ids
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.95


def test_k_larger_than_index_and_k_zero():
    index = DenseIndex.build(unit_vectors(3, 8, seed=3))
    q = unit_vectors(1, 8, seed=4)[0]
    assert sorted(i for i, _ in index.search_one(q, 10)) == [0, 1, 2]
    assert index.search_one(q, 0) == []


def test_hnsw_with_k_above_rows_returns_every_row_and_no_padding():
    # FAISS pads with -1 when it has fewer than k results: those must never surface as rows.
    index = DenseIndex.build(unit_vectors(5, 8, seed=5), exact_below=0)
    assert index.kind == "hnsw"
    hits = index.search(unit_vectors(4, 8, seed=6), 7)
    assert all(sorted(ids.tolist()) == [0, 1, 2, 3, 4] for ids in hits.ids)
    assert all(len(s) == 5 for s in hits.scores)


def test_empty_index_returns_nothing():
    index = DenseIndex.build(np.zeros((0, 8), dtype=np.float32))
    assert index.search_one(unit_vectors(1, 8, seed=7)[0], 3) == []


@pytest.mark.parametrize("name", ["flat", "hnsw"])
def test_save_load_round_trip(request, tmp_path, name):
    index = request.getfixturevalue(name)
    queries = unit_vectors(20, 64, seed=8)
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss")
    assert (loaded.kind, loaded.ntotal) == (index.kind, index.ntotal)
    before, after = index.search(queries, 10), loaded.search(queries, 10)
    for a, b in zip(before.ids, after.ids, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["flat", "hnsw"])
def test_vectors_read_back_from_a_saved_index_are_the_built_ones(request, tmp_path, vectors, name):
    request.getfixturevalue(name).save(tmp_path / "dense.faiss")
    stored = DenseIndex.load(tmp_path / "dense.faiss").vectors()
    assert stored.dtype == np.float32
    np.testing.assert_array_equal(stored, vectors)


def test_rejects_vectors_that_are_not_unit_length():
    with pytest.raises(ValueError, match="normalize_embeddings=True"):
        DenseIndex.build(np.full((2, 4), 3.0, dtype=np.float32))


def test_rejects_query_of_another_dim(flat):
    with pytest.raises(ValueError, match="dim 8, the index has 64"):
        flat.search(unit_vectors(1, 8, seed=9), 3)


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"dense index .* not found"):
        DenseIndex.load(tmp_path / "nope.faiss")


@pytest.mark.parametrize("name", ["flat", "hnsw"])
@pytest.mark.parametrize("size", [7, 300, 5_000])
def test_search_among_a_subset_is_exact_within_it(request, vectors, name, size):
    """A filter applied before the top-k: the k best of the allowed rows, however far down the whole
    index they rank (a random subset's best rows are rarely in the index's own top 1000)."""
    index = request.getfixturevalue(name)
    rows = np.sort(np.random.default_rng(size).choice(len(vectors), size, replace=False))
    query = vectors[12_345]
    got = index.search_among(query, rows, 10)
    expected = rows[np.argsort(-(vectors[rows] @ query), kind="stable")[:10]]
    assert [i for i, _ in got] == expected.tolist()
    assert all(i in set(rows.tolist()) for i, _ in got)


def test_search_among_nothing_returns_nothing(flat):
    assert flat.search_among(unit_vectors(1, 64, seed=3)[0], np.array([], dtype=np.int64), 10) == []


def test_extended_appends_rows_and_turns_hnsw_at_the_threshold():
    first, more = unit_vectors(300, 64, seed=1), unit_vectors(200, 64, seed=2)
    grown = DenseIndex.build(first).extended(more, exact_below=400)
    assert grown.kind == "hnsw" and grown.ntotal == 500
    np.testing.assert_allclose(grown.vectors(), np.concatenate([first, more]))
    again = grown.extended(unit_vectors(10, 64, seed=3))
    assert again is grown and again.ntotal == 510              # HNSW grows in place, its graph kept
    assert grown.search_one(more[7], 1)[0][0] == 307           # a new row is found as itself
    assert DenseIndex.build(first).extended(np.zeros((0, 64), dtype=np.float32)).ntotal == 300


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return np.argsort(-(vectors @ query), kind="stable")[:k].tolist()


@pytest.mark.parametrize("exact_below", [1000, 50_000])
def test_rows_added_are_searched_beside_the_main_segment(tmp_path, exact_below):
    first, more = unit_vectors(3_000, 64, seed=5), unit_vectors(40, 64, seed=6)
    every = np.concatenate([first, more])
    DenseIndex.build(first, exact_below=exact_below).save(tmp_path / "dense.faiss")
    grown = DenseIndex.load(tmp_path / "dense.faiss").extended(more, exact_below=exact_below)
    assert (grown.ntotal, grown.recent_rows) == (3_040, 40)
    np.testing.assert_array_equal(grown.vectors(), every)
    for row in (0, 2_999, 3_000, 3_039):
        assert grown.search_one(every[row], 1)[0][0] == row
    query = unit_vectors(1, 64, seed=7)[0]
    hits = grown.search(query, 10)
    assert hits.ids[0].tolist() == exact_top(every, query, 10)
    assert np.all(np.diff(hits.scores[0]) <= 0)
    rows = np.array([5, 77, 2_500, 3_001, 3_020, 3_039])            # a filter over both segments
    assert [i for i, _ in grown.search_among(query, rows, 4)] == rows[exact_top(every[rows], query, 4)].tolist()


def test_a_document_added_links_the_main_segment_instead_of_writing_it(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    first, more = unit_vectors(2_000, 64, seed=8), unit_vectors(30, 64, seed=9)
    DenseIndex.build(first, exact_below=1000).save(tmp_path / "old" / "dense.faiss")
    DenseIndex.load(tmp_path / "old" / "dense.faiss").extended(more).save(tmp_path / "new" / "dense.faiss")
    old, new = tmp_path / "old" / "dense.faiss", tmp_path / "new" / "dense.faiss"
    assert new.stat().st_ino == old.stat().st_ino
    assert (tmp_path / "new" / "dense.recent.faiss").is_file()
    old.unlink()                                                   # the old folder removed after the swap
    loaded = DenseIndex.load(new)
    assert (loaded.kind, loaded.ntotal, loaded.recent_rows) == ("hnsw", 2_030, 30)
    np.testing.assert_array_equal(loaded.vectors(), np.concatenate([first, more]))


def test_a_main_file_replaced_since_it_was_read_is_written_not_linked(tmp_path):
    path = tmp_path / "dense.faiss"
    DenseIndex.build(unit_vectors(500, 16, seed=10)).save(path)
    loaded = DenseIndex.load(path)
    path.unlink()
    DenseIndex.build(unit_vectors(300, 16, seed=11)).save(path)   # another build took its place
    (tmp_path / "next").mkdir()
    loaded.save(tmp_path / "next" / "dense.faiss")
    assert (tmp_path / "next" / "dense.faiss").stat().st_ino != path.stat().st_ino
    assert DenseIndex.load(tmp_path / "next" / "dense.faiss").ntotal == 500


def test_recent_rows_past_their_limit_are_folded_into_the_graph(tmp_path, monkeypatch):
    monkeypatch.setattr("index.dense.RECENT_MAX", 50)
    first = unit_vectors(1_500, 32, seed=12)
    batches = [unit_vectors(30, 32, seed=13), unit_vectors(30, 32, seed=14)]
    DenseIndex.build(first, exact_below=1000).save(tmp_path / "dense.faiss")
    grown = DenseIndex.load(tmp_path / "dense.faiss").extended(batches[0])
    assert grown.recent_rows == 30
    grown.extended(batches[1])
    assert (grown.ntotal, grown.recent_rows) == (1_560, 0)
    np.testing.assert_array_equal(grown.vectors(), np.concatenate([first, *batches]))
    (tmp_path / "next").mkdir()
    grown.save(tmp_path / "next" / "dense.faiss")                  # the graph changed: written, not linked
    assert (tmp_path / "next" / "dense.faiss").stat().st_ino != (tmp_path / "dense.faiss").stat().st_ino
    assert not (tmp_path / "next" / "dense.recent.faiss").exists()
    assert grown.search_one(batches[1][3], 1)[0][0] == 1_533


def test_an_empty_index_with_rows_added_finds_them():
    added = unit_vectors(5, 16, seed=15)
    grown = DenseIndex.build(np.zeros((0, 16), dtype=np.float32)).extended(added)
    assert (grown.ntotal, grown.recent_rows) == (5, 5)
    assert grown.search_one(added[3], 2)[0][0] == 3
    assert [i for i, _ in grown.search_among(added[1], np.array([1, 4]), 1)] == [1]
