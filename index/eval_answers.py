"""Score answers and similar measures on the gold set, as bench/gold/seeds/README.md defines it."""

from __future__ import annotations

from pathlib import Path

from index.qa import answer
from index.search import Hit, Searcher
from index.similar import similar
from ingest.normalize import normalize

ANSWERABLE = ("fact", "paraphrase", "numeric", "cross_city")


def _relevant(text: str, gold: list[dict]) -> bool:
    hay = normalize(text)
    return any(normalize(g["text"]) in hay for g in gold)


def answer_matches(answer_text: str | None, gold_answer: str) -> bool:
    """The normalised gold answer is in the normalised answer, and the answer is short."""
    if answer_text is None:
        return False
    got, want = normalize(answer_text), normalize(gold_answer)
    return want in got and len(got) <= max(30, 3 * len(want))


def score_answers(searcher: Searcher, questions: list[dict], details: list[dict] | None = None) -> dict:
    """numeric exact match, fact answer containment (fact+paraphrase), answer_cites_gold, abstention on
    negatives, false abstention, the F1 of the places named by cities answers (各市…) against the gold
    places; `details` (if given) gets one row per question for inspection."""
    from index.evaluate import places_by_file

    numeric, fact, cites, negatives, false_refusals = [], [], [], [], []
    place = places_by_file(searcher)
    named = wanted = right = 0          # places a cities answer names, the gold places, both
    for q in questions:
        got = answer(searcher, q["question"])
        ok = None
        if q["kind"] == "cross_city" and got.per_city:
            have = {place.get(Path(h.document.source).name) for h in got.citations}
            want = {place.get(Path(g["doc"]).name, g["doc"]) for g in q["gold"]}
            named, wanted, right = named + len(have), wanted + len(want), right + len(have & want)
        if q["kind"] == "negative":
            negatives.append(got.abstained)
        elif q["kind"] in ANSWERABLE:
            false_refusals.append(got.abstained)
            cites.append(any(_relevant(h.clause.text, q["gold"]) for h in got.citations))
            if q.get("answer") and q["kind"] in ("numeric", "fact", "paraphrase"):
                ok = answer_matches(got.text, q["answer"])
                (numeric if q["kind"] == "numeric" else fact).append(ok)
        if details is not None:
            details.append({"id": q["id"], "kind": q["kind"], "question": q["question"], "gold": q.get("answer"),
                            "answer": got.text, "ok": ok, "reason": got.reason,
                            "confidence": round(got.confidence, 3)})
    share = lambda xs: round(sum(xs) / len(xs), 3) if xs else None  # noqa: E731
    return {"numeric_exact_match": share(numeric), "fact_answer_containment": share(fact),
            "answer_cites_gold": share(cites), "negatives_refused": share(negatives),
            "false_refusals": share(false_refusals), "cities_named_f1": _f1(right, named, wanted),
            "counts": {"numeric": len(numeric), "fact": len(fact), "answerable": len(cites),
                       "negative": len(negatives)}}


def _f1(right: int, named: int, wanted: int) -> float | None:
    """F1 of the places named against the places wanted; None when no question asked for places."""
    if not wanted:
        return None
    return round(2 * right / (named + wanted), 3)


def score_similar(searcher: Searcher, pairs: list[dict], k: int = 5) -> dict:
    """recall@5 of the gold analogous clauses (averaged over pairs) and how often the source came back."""
    recalls, source_returned = [], 0
    for pair in pairs:
        # As `similar --batch` is given it: the pasted text, which resolves to its clause (whose city is
        # left out) and names the measure meant when a long clause holds several.
        source = searcher.find_clause_by_text(pair["source"]["text"])
        hits: list[Hit] = similar(searcher, text=pair["source"]["text"], k=k)
        if source and any(h.clause.clause_id == source.clause_id for h in hits):
            source_returned += 1
        found = [any(_relevant(h.clause.text, [g]) for h in hits) for g in pair["similar"]]
        recalls.append(sum(found) / len(found))
    return {"recall@5": round(sum(recalls) / len(recalls), 3) if recalls else None,
            "source_returned": source_returned, "pairs": len(pairs)}
