"""The gold sets in the repository hold together: every gold, source and analogous text is in the file it
names, ids are unique, and the halves split each set in two. A set that fails here would score the product
against text that is not there."""

from pathlib import Path

import pytest

from bench.gold_sets import SETS as GOLD_SETS
from index.evaluate import half_of, load_jsonl
from ingest.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
SETS = {name: ROOT / corpus for name, corpus in GOLD_SETS.items()}   # gold set -> the corpus it is about


def _texts_named(folder: Path) -> list[tuple[str, str, str]]:
    """(item id, file name, text) for every text a set's questions and pairs quote."""
    out = []
    for q in load_jsonl(folder / "questions.jsonl"):
        out += [(q["id"], g["doc"], g["text"]) for g in q["gold"]]
    if (folder / "similar.jsonl").exists():
        for pair in load_jsonl(folder / "similar.jsonl"):
            out += [(pair["id"], g["doc"], g["text"]) for g in [pair["source"], *pair["similar"]]]
    return out


@pytest.mark.parametrize("name", SETS)
def test_every_quoted_text_is_in_its_file(name):
    files = {p.name: p for p in SETS[name].rglob("*") if p.is_file()}
    texts = {}
    missing = []
    for item, doc, text in _texts_named(ROOT / name):
        assert doc in files, f"{name} {item}: no file {doc} in {SETS[name]}"
        if doc not in texts:
            texts[doc] = normalize(files[doc].read_text(encoding="utf-8"))
        if normalize(text) not in texts[doc]:
            missing.append(f"{item}: {text}")
    assert not missing, f"{name}: texts not in their files: {missing}"


@pytest.mark.parametrize("name", SETS)
def test_ids_are_unique_and_the_halves_split_the_set(name):
    for file in ("questions.jsonl", "similar.jsonl"):
        if not (ROOT / name / file).exists():
            continue
        ids = [row["id"] for row in load_jsonl(ROOT / name / file)]
        assert len(ids) == len(set(ids)), f"{name}/{file}: repeated ids"
        tune = sum(half_of(i) == "tune" for i in ids)
        assert abs(tune - len(ids) / 2) <= 1, f"{name}/{file}: halves {tune} / {len(ids) - tune}"
