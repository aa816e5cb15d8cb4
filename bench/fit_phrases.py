"""Fit the weights a quoted phrase is scored by (index.qa.weights.PHRASE_WEIGHTS) on one half of every gold set,
and show what they do on both halves.

Every fact and paraphrase question of the sets (bench/gold_sets.py) is answered as the product answers it; each
phrase that competed for its quote is kept with its features (index.qa.quote.phrase_features) and whether the
quote it would give holds the gold answer. The weights are then fitted as a conditional logit: a softmax over each
question's phrases, the likelihood of its right ones maximised, with an L2 pull towards the weights in force (the
fit moves them only as far as the questions ask). Questions whose phrases are all right or all wrong say nothing
and are left out. Printed: the fitted weights, and for each half the share of questions whose best phrase is
right under the weights in force and under the fitted ones (the containment a quote would reach, where the
answer is a quote).

    .venv/bin/python bench/fit_phrases.py [--half tune] [--l2 1.0]

Indexes are those of `policyqa eval` (.eval-index/), built first when missing or stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import numpy as np
from scipy.optimize import minimize

from bench import script_env  # noqa: F401  (first of the project's imports)
from bench.gold_sets import SETS
from bench.script_env import ROOT
from index.build import build_index, is_stale
from index.cli import _eval_index_for
from index.eval_answers import answer_matches
from index.evaluate import half_of, load_jsonl
from index.qa import answer, quote
from index.qa.weights import PHRASE_WEIGHTS
from index.search import Searcher

NAMES = list(PHRASE_WEIGHTS)


def collect(searcher, questions: list[dict]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(id, features of each competing phrase, which of them are right) per question answered by a quote."""
    seen: list = []
    original = quote.phrase_features

    def recording(searcher_, q, ranked, sentences_kept=None):
        out = original(searcher_, q, ranked, sentences_kept)
        seen.append((q, out))
        return out

    quote.phrase_features = recording
    rows = []
    try:
        for item in questions:
            seen.clear()
            got = answer(searcher, item["question"])
            if len(seen) != 1 or got.abstained:      # no quote, or one per place: not one phrase choice
                continue
            q, phrases = seen[0]
            if not phrases:
                continue
            features = np.asarray([[f[n] for n in NAMES] for _, f in phrases])
            right = np.asarray([answer_matches(quote.answer_text(searcher, span, q), item["answer"])
                                for span, _ in phrases])
            rows.append((item["id"], features, right))
    finally:
        quote.phrase_features = original
    return rows


def top_right(rows, weights: np.ndarray) -> float:
    return float(np.mean([right[int(np.argmax(x @ weights))] for _, x, right in rows])) if rows else float("nan")


def fit(rows, start: np.ndarray, l2: float) -> np.ndarray:
    useful = [(x, right) for _, x, right in rows if right.any() and not right.all()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * np.sum((w - start) ** 2), 2 * l2 * (w - start)
        for x, right in useful:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * right / (p * right).sum()          # posterior over the right phrases
            total -= np.log((p * right).sum())
            grad -= q @ x - p @ x
        return total, grad

    return minimize(loss, start, jac=True, method="L-BFGS-B").x


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", default="tune", choices=["tune", "check"], help="the half fitted on")
    parser.add_argument("--l2", type=float, default=1.0, help="pull towards the weights in force")
    parser.add_argument("--grid", help="NAME=v1,v2,...: the weights in force with one of them set to each value")
    args = parser.parse_args()
    by_half: dict[str, list] = {"tune": [], "check": []}
    searchers = {}
    for name, corpus_name in SETS.items():
        corpus = ROOT / corpus_name
        if corpus not in searchers:
            index = _eval_index_for(corpus)
            if is_stale(corpus, index):
                build_index(corpus, index)
            searchers[corpus] = Searcher.load(index, corpus_dir=corpus)
        questions = [q for q in load_jsonl(ROOT / name / "questions.jsonl")
                     if q["kind"] in ("fact", "paraphrase") and q.get("answer")]
        for half in by_half:
            rows = collect(searchers[corpus], [q for q in questions if half_of(q["id"]) == half])
            by_half[half] += [(f"{name}:{i}", x, r) for i, x, r in rows]
        print(f"{name}: {len(questions)} questions", file=sys.stderr, flush=True)
    start = np.asarray([PHRASE_WEIGHTS[n] for n in NAMES])
    fitted = fit(by_half[args.half], start, args.l2)
    print(f"fitted on the {args.half} halves (l2 {args.l2}):")
    for n, a, b in zip(NAMES, start, fitted, strict=True):
        print(f"  {n:10} {a:7.3f} -> {b:7.3f}")
    for half, rows in by_half.items():
        reachable = np.mean([r.any() for _, _, r in rows])
        print(f"{half}: {len(rows)} quoted answers; best phrase right {top_right(rows, start):.3f} in force, "
              f"{top_right(rows, fitted):.3f} fitted; a right phrase among them {reachable:.3f}")
    if args.grid:
        name, values = args.grid.split("=")
        for value in values.split(","):
            weights = start.copy()
            weights[NAMES.index(name)] = float(value)
            print(f"{name} {value}: " + ", ".join(f"{half} {top_right(rows, weights):.3f}"
                                                  for half, rows in by_half.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
