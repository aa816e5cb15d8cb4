"""Answer and similar-measure quality on the development gold set (bench/gold/seeds) and on the former
held-out set (bench/heldout, development data too now), scored as bench/gold/seeds/README.md defines. Thresholds are the issue's targets on
the gold set; on the held-out set a little under what is measured, so a change that only fits the gold
set shows up here."""

from pathlib import Path

import pytest

from index.eval_answers import score_answers, score_similar
from index.evaluate import load_jsonl, score_search

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "bench" / "gold" / "seeds"
HELDOUT = ROOT / "bench" / "heldout"


def _questions(folder: Path) -> list[dict]:
    if not (folder / "questions.jsonl").exists():
        pytest.fail(f"question set not found at {folder}")
    return load_jsonl(folder / "questions.jsonl")


def test_answers_meet_the_targets_on_the_gold_set(searcher):
    scores = score_answers(searcher, _questions(GOLD))
    assert scores["numeric_exact_match"] >= 0.8
    # 0.720 until the whole-clause view (weights.WHOLE_CLAUSE_WEIGHT) moved one check-half paraphrase to a clause
    # without the figure (0.680); decided on the tune halves, it lifted the unseen fresh2-seeds from 0.500 to 0.636.
    assert scores["fact_answer_containment"] >= 0.65
    assert scores["answer_cites_gold"] >= 0.9
    assert scores["negatives_refused"] >= 0.8
    assert scores["false_refusals"] <= 0.1
    assert scores["cities_named_f1"] >= 0.9    # the rare-word rule before: 0.761 over the three sets' tune halves


def test_similar_measures_meet_the_target_on_the_gold_set(searcher):
    scores = score_similar(searcher, load_jsonl(GOLD / "similar.jsonl"))
    assert scores["recall@5"] >= 0.8 and scores["source_returned"] == 0


def test_held_out_questions(searcher):
    questions = _questions(HELDOUT)
    search = score_search(searcher, questions)
    assert search["overall"]["recall@5"] >= 0.85
    assert search["paraphrase"]["recall@5"] >= 0.85      # 0.812 before BM25 was trusted by its match share
    assert search["cross_city"]["coverage@10"] >= 0.85
    answers = score_answers(searcher, questions)
    assert answers["fact_answer_containment"] >= 0.55
    assert answers["numeric_exact_match"] >= 0.8
    assert answers["negatives_refused"] >= 0.8 and answers["false_refusals"] <= 0.1
    assert answers["cities_named_f1"] >= 0.9
    similar = score_similar(searcher, load_jsonl(HELDOUT / "similar.jsonl"))
    assert similar["recall@5"] >= 0.8 and similar["source_returned"] == 0
