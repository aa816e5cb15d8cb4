"""Score search on a gold set, as bench/gold/seeds/README.md defines it."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from index.qa import answerer_for
from index.search import MODES, Searcher
from ingest.normalize import normalize

SEARCH_KINDS = ("fact", "paraphrase", "numeric", "cross_city")


def load_jsonl(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def is_relevant(clause_text: str, gold_text: str) -> bool:
    return normalize(gold_text) in normalize(clause_text)


def first_relevant_rank(texts: list[str], gold: list[dict]) -> int | None:
    for rank, text in enumerate(texts, start=1):
        if any(is_relevant(text, g["text"]) for g in gold):
            return rank
    return None


def places_by_file(searcher: Searcher) -> dict[str, str]:
    """A gold entry's file name -> its document's place: the city, or the province for a provincial
    regulation (浙江省…条例), so that two documents of one place count as one place in coverage; a file
    left out as a duplicate is the place of the file that holds its text."""
    places = {Path(d.source).name: d.city or d.province or d.doc_id for d in searcher.documents}
    # A file the index left out because another holds the same text is that file's document.
    for left_out, kept in searcher.manifest.get("duplicates", {}).items():
        places.setdefault(Path(left_out).name, places.get(Path(kept).name, left_out))
    return places


def score_search(searcher: Searcher, questions: list[dict], mode: str = "hybrid", k: int = 10) -> dict:
    """recall@1/5/10 and MRR@10 per kind and overall (fact+paraphrase+numeric), coverage@10 for cross_city."""
    per_kind: dict[str, list[int | None]] = defaultdict(list)
    coverage = []
    place = places_by_file(searcher)

    def city_of(doc: str) -> str:
        return place.get(Path(doc).name, doc)

    answerer = answerer_for(searcher)           # questions are searched as users' questions are
    for q in questions:
        if q["kind"] not in SEARCH_KINDS:
            continue
        texts = [h.clause.text for h in answerer.search(q["question"], k=k, mode=mode).hits]
        per_kind[q["kind"]].append(first_relevant_rank(texts, q["gold"]))
        if q["kind"] == "cross_city":
            # Per city, as bench/gold/seeds/README.md defines it: a city with two documents (沧州) is covered
            # when a relevant clause of either is in the top 10.
            cities = {city_of(g["doc"]) for g in q["gold"]}
            found = {city_of(g["doc"]) for g in q["gold"] if any(is_relevant(t, g["text"]) for t in texts)}
            coverage.append(len(found) / len(cities))
    table = {kind: _ranks(ranks) for kind, ranks in per_kind.items()}
    overall = [r for kind in ("fact", "paraphrase", "numeric") for r in per_kind.get(kind, [])]
    table["overall"] = _ranks(overall)
    if coverage:
        table["cross_city"]["coverage@10"] = sum(coverage) / len(coverage)
    return table


def _ranks(ranks: list[int | None]) -> dict:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "recall@1": sum(1 for r in ranks if r and r <= 1) / n,
        "recall@5": sum(1 for r in ranks if r and r <= 5) / n,
        "recall@10": sum(1 for r in ranks if r and r <= 10) / n,
        "mrr@10": sum(1 / r for r in ranks if r and r <= 10) / n,
    }


def format_table(by_mode: dict[str, dict]) -> str:
    """Modes side by side, one block of rows per question kind."""
    metrics = ("recall@1", "recall@5", "recall@10", "mrr@10", "coverage@10")
    modes = [m for m in MODES if m in by_mode]
    lines = [f"{'kind':12} {'metric':12} " + " ".join(f"{m:>8}" for m in modes)]
    kinds = [k for k in (*SEARCH_KINDS, "overall") if k in by_mode[modes[0]]]
    for kind in kinds:
        for metric in metrics:
            if metric not in by_mode[modes[0]][kind]:
                continue
            values = " ".join(f"{by_mode[m][kind][metric]:8.3f}" for m in modes)
            lines.append(f"{kind:12} {metric:12} {values}")
        lines.append(f"{kind:12} {'n':12} " + " ".join(f"{by_mode[m][kind]['n']:8d}" for m in modes))
    return "\n".join(lines)


# The protocol (bench/README.md): every scoring change is decided on the "tune" half of a gold set and
# reported on the "check" half too. The split is fixed by the id's number, so no one picks it.
HALVES = ("tune", "check")


def half_of(item_id: str) -> str:
    digits = re.findall(r"\d+", item_id)
    return "tune" if digits and int(digits[-1]) % 2 else "check"


def in_half(items: list[dict], half: str) -> list[dict]:
    return items if half == "all" else [item for item in items if half_of(item["id"]) == half]


def evaluate_gold(searcher: Searcher, questions: list[dict], pairs: list[dict], half: str = "all",
                  modes: list[str] | tuple[str, ...] = MODES) -> dict:
    """Every figure of bench/gold/seeds/README.md for one half: search per mode, answers, similar measures."""
    from index.eval_answers import score_answers, score_similar

    questions, pairs = in_half(questions, half), in_half(pairs, half)
    report = {"search": {mode: score_search(searcher, questions, mode) for mode in modes},
              "answers": score_answers(searcher, questions)}
    if pairs:
        report["similar"] = score_similar(searcher, pairs)
    return report


# The figures of the scoring rules, as (label, getter) over one half's report; search figures are hybrid.
SUMMARY = (
    ("recall@5 (fact+paraphrase+numeric)", lambda r: r["search"]["hybrid"]["overall"]["recall@5"]),
    ("MRR@10", lambda r: r["search"]["hybrid"]["overall"]["mrr@10"]),
    ("paraphrase recall@5", lambda r: r["search"]["hybrid"].get("paraphrase", {}).get("recall@5")),
    ("cross-city coverage@10", lambda r: r["search"]["hybrid"].get("cross_city", {}).get("coverage@10")),
    ("numeric exact match", lambda r: r["answers"]["numeric_exact_match"]),
    ("fact/paraphrase answer containment", lambda r: r["answers"]["fact_answer_containment"]),
    ("answers citing a gold clause", lambda r: r["answers"]["answer_cites_gold"]),
    ("negatives refused", lambda r: r["answers"]["negatives_refused"]),
    ("false refusals", lambda r: r["answers"]["false_refusals"]),
    ("similar-measure recall@5", lambda r: r.get("similar", {}).get("recall@5")),
    ("cities answers: places named, F1", lambda r: r["answers"].get("cities_named_f1")),
)


def format_report(by_half: dict[str, dict]) -> str:
    """The search table of every mode (all questions), then every figure for each half side by side."""
    first = next(iter(by_half.values()))
    lines = [format_table(first["search"]), ""]
    if "hybrid" not in first["search"]:
        return "\n".join(lines)
    halves = list(by_half)
    lines.append(f"{'figure (hybrid)':36} " + " ".join(f"{h:>8}" for h in halves))
    for label, get in SUMMARY:
        values = [get(by_half[h]) for h in halves]
        cells = " ".join(f"{v:8.3f}" if isinstance(v, float | int) else f"{'—':>8}" for v in values)
        lines.append(f"{label:36} {cells}")
    counts = [by_half[h]["answers"]["counts"] for h in halves]
    lines.append(f"{'questions answerable / negative':36} " +
                 " ".join(f"{c['answerable']:>4}/{c['negative']:<3}" for c in counts))
    return "\n".join(lines)
