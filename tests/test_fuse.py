import random

import pytest

from index.fuse import best_per_group, reciprocal_rank_fusion


def reference_rrf(rankings, k=60, weights=None):
    """Straight from the definition, with exact fractions-free floats summed in a fixed order."""
    weights = weights or [1.0] * len(rankings)
    ids = {i for r in rankings for i in r}
    scores = {}
    for i in ids:
        scores[i] = sum(w / (k + r.index(i) + 1) for r, w in zip(rankings, weights, strict=True) if i in r)
    return scores


def test_matches_reference_on_random_rankings():
    rng = random.Random(7)
    for _ in range(50):
        rankings = [rng.sample(range(40), rng.randint(0, 25)) for _ in range(rng.randint(1, 4))]
        weights = [rng.uniform(0.1, 2.0) for _ in rankings]
        fused = reciprocal_rank_fusion(rankings, k=10, weights=weights)
        expected = reference_rrf(rankings, k=10, weights=weights)
        assert {i for i, _ in fused} == set(expected)
        for i, s in fused:
            assert s == pytest.approx(expected[i])
        assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)


def test_empty_inputs():
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []


def test_one_ranking_keeps_its_order():
    assert [i for i, _ in reciprocal_rank_fusion([[5, 3, 9]])] == [5, 3, 9]


def test_one_sided_hits_and_agreement():
    # 2 is second in both lists and beats 1 and 4, each first in one list only.
    fused = reciprocal_rank_fusion([[1, 2, 3], [4, 2]])
    assert fused[0][0] == 2
    assert {i for i, _ in fused} == {1, 2, 3, 4}
    assert dict(fused)[3] == pytest.approx(1 / 63)


def test_ties_are_deterministic():
    # 1 and 4 tie exactly (first in one list each): best rank equal, so the smaller id comes first.
    a = reciprocal_rank_fusion([[4, 2], [1, 2]])
    b = reciprocal_rank_fusion([[1, 2], [4, 2]])
    assert a == b
    assert [i for i, _ in a] == [2, 1, 4]


def test_weights_shift_the_winner():
    assert reciprocal_rank_fusion([[1], [2]], weights=[1.0, 2.0])[0][0] == 2
    assert reciprocal_rank_fusion([[1], [2]], weights=[2.0, 1.0])[0][0] == 1


def test_duplicate_in_one_ranking_counts_once():
    assert dict(reciprocal_rank_fusion([[1, 1, 2]]))[1] == pytest.approx(1 / 61)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"weights": [1.0]}, "weights has 1 values for 2 rankings"), ({"k": -1}, "k=-1 is negative")],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        reciprocal_rank_fusion([[1], [2]], **kwargs)


def test_best_per_group():
    clause_of = {0: "a", 1: "a", 2: "b", 3: "c", 4: "b"}.__getitem__
    scored = [(2, 0.9), (0, 0.5), (1, 0.7), (4, 0.95), (3, 0.1)]
    assert best_per_group(scored, clause_of) == [("b", 0.95, 4), ("a", 0.7, 1), ("c", 0.1, 3)]


def test_best_per_group_ties_keep_input_order_and_empty():
    assert best_per_group([], str) == []
    group = {0: "x", 1: "y", 2: "x"}.__getitem__
    assert best_per_group([(1, 0.5), (0, 0.5), (2, 0.5)], group) == [("y", 0.5, 1), ("x", 0.5, 0)]
