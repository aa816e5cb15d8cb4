import random

import pytest

from index.fuse import Scale, best_per_group, convex_combination, reciprocal_rank_fusion, scaled


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


def test_scale_maps_the_list_onto_0_to_1():
    scored = [(3, 0.9), (1, 0.7), (5, 0.5)]
    scale = Scale.of(scored)
    assert [scale(s) for _, s in scored] == pytest.approx([1.0, 0.5, 0.0])
    assert scale(0.4) == pytest.approx(-0.25)            # past the list's end: below its floor, order kept
    assert Scale.of(scored, floor=0.0)(0.45) == pytest.approx(0.5)
    assert Scale.of([(1, 0.3)])(0.3) == 1.0              # one score, or all equal: each is the best
    assert Scale.of([])(0.2) == pytest.approx(0.2)


def test_convex_combination_matches_its_definition():
    rng = random.Random(11)
    for _ in range(50):
        lists = [{i: rng.random() for i in rng.sample(range(30), rng.randint(0, 20))} for _ in range(rng.randint(1, 3))]
        weights = [rng.uniform(0.1, 2.0) for _ in lists]
        fused = convex_combination(lists, weights)
        ids = {i for scores in lists for i in scores}
        assert {i for i, _ in fused} == ids
        for i, s in fused:
            assert s == pytest.approx(sum(w * scores.get(i, 0.0) for scores, w in zip(lists, weights, strict=True)))
        assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)


def test_convex_combination_keeps_margins_that_ranks_lose():
    # 7 leads the first list by far and is second in the other by a hair: it wins, where by ranks the two
    # first places would tie.
    dense = {7: 1.0, 8: 0.1}
    lexical = {8: 1.0, 7: 0.99}
    assert convex_combination([dense, lexical])[0][0] == 7
    assert convex_combination([{1: 0.5}, {2: 0.5}]) == [(1, 0.5), (2, 0.5)]        # ties by id
    with pytest.raises(ValueError, match="weights has 1 values for 2 lists"):
        convex_combination([{1: 1.0}, {2: 1.0}], weights=[1.0])


def test_scaled_puts_rows_past_the_shortlist_on_the_lists_own_scale():
    shortlist = [(4, 0.8), (2, 0.6)]
    out = scaled(shortlist, more=[(9, 0.5), (2, 0.1)])       # 2 is in the list already: its score there holds
    assert out == pytest.approx({4: 1.0, 2: 0.0, 9: -0.5})
    assert scaled([(1, 3.0), (5, 1.5)], floor=0.0) == pytest.approx({1: 1.0, 5: 0.5})
