"""A rebuild takes unchanged documents over from the index it replaces (index/previous.py), and the result
is the index a full build of the same corpus gives: same clauses, vectors, tokens and search results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from index.build import build_index, cache_dir_for, is_stale
from index.lexical import read_tokens
from index.search import Searcher

DATA = Path(__file__).resolve().parent / "data"
QUERIES = ("柳河县企业挂牌上市奖励", "科技成果转化收益分配给研发人员的比例", "孵化器建设", "技术合同登记")


def full_build(corpus: Path, index: Path, target: Path, embedder) -> Path:
    """The same corpus built from nothing but the embedding cache (so that nothing has to be encoded)."""
    shutil.copytree(cache_dir_for(index), cache_dir_for(target))
    report = build_index(corpus, target, embedder=embedder)
    assert report.reused_documents == 0 and report.newly_embedded == 0
    return target


def vectors_by_clause(searcher: Searcher) -> dict[str, np.ndarray]:
    vectors = searcher.dense.vectors()
    rows: dict[int, list[int]] = {}
    for unit, row in enumerate(searcher.owners.tolist()):
        rows.setdefault(row, []).append(unit)
    return {searcher.clauses[row].clause_id: vectors[units] for row, units in rows.items()}


def assert_same_index(a: Path, b: Path, embedder) -> None:
    one, other = Searcher.load(a, embedder=embedder), Searcher.load(b, embedder=embedder)
    assert [c.to_dict() for c in one.clauses] == [c.to_dict() for c in other.clauses]
    # Clauses taken over are written as they were read: the file is the one a full build writes.
    assert (a / "clauses.jsonl").read_bytes() == (b / "clauses.jsonl").read_bytes()
    assert [d.to_dict(with_text=True) for d in one.documents] == [d.to_dict(with_text=True) for d in other.documents]
    (terms, tokens), (other_terms, other_tokens) = read_tokens(a / "lexical"), read_tokens(b / "lexical")
    assert terms == other_terms and tokens.rows() == other_tokens.rows()
    mine, theirs = vectors_by_clause(one), vectors_by_clause(other)
    assert mine.keys() == theirs.keys()
    for clause_id, vectors in mine.items():
        np.testing.assert_allclose(vectors, theirs[clause_id], atol=1e-5)
    for query in QUERIES:
        assert [h.clause.clause_id for h in one.search(query, k=10).hits] == \
            [h.clause.clause_id for h in other.search(query, k=10).hits]


def test_an_added_document_is_the_only_one_read_and_embedded(index_copy, embedder, tmp_path):
    corpus, index = index_copy
    before = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    shutil.copy(DATA / "13_liuhe_zhongdian_chanye_shishi_yijian_2023.txt", corpus)
    report = build_index(corpus, index, embedder=embedder)
    assert report.reused_documents == before["documents"]
    assert 0 < report.newly_embedded and report.units > before["units"]
    assert_same_index(index, full_build(corpus, index, tmp_path / "full", embedder), embedder)


def test_a_changed_and_a_removed_file_are_read_again(index_copy, embedder, tmp_path):
    corpus, index = index_copy
    first, second, *rest = sorted(corpus.glob("*.txt"))
    with first.open("a", encoding="utf-8") as f:
        f.write("\n附则：本方案由市科技局负责解释，自印发之日起施行，有效期五年。\n")
    second.unlink()
    report = build_index(corpus, index, embedder=embedder)
    assert report.reused_documents == len(rest)
    searcher = Searcher.load(index, embedder=embedder)
    assert any("有效期五年" in c.text for c in searcher.clauses)
    assert not [d for d in searcher.documents if d.source == second.name]
    assert_same_index(index, full_build(corpus, index, tmp_path / "full", embedder), embedder)


def test_an_index_built_by_other_code_is_not_taken_over(index_copy, embedder):
    corpus, index = index_copy
    manifest_path = index / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "code_version": "older"}), encoding="utf-8")
    assert "another version" in is_stale(corpus, index)         # `build --if-stale` (make app) rebuilds it
    report = build_index(corpus, index, embedder=embedder)
    assert report.reused_documents == 0 and report.newly_embedded == 0     # vectors still come from the cache
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["code_version"] != "older"
    assert is_stale(corpus, index) is None


def test_vectors_of_another_precision_are_not_taken_over(index_copy, embedder):
    from index.embed import Embedder

    corpus, index = index_copy
    other = Embedder(embedder.name, precision="fp32" if embedder.precision == "bf16" else "bf16")
    report = build_index(corpus, index, embedder=other)
    assert report.reused_documents == 0 and report.newly_embedded > report.units // 2   # its own cache
    assert json.loads((index / "manifest.json").read_text(encoding="utf-8"))["vectors"] == other.vectors_name


def test_the_build_command_says_how_many_documents_it_took_over(index_copy, capsys):
    from index.cli import main

    corpus, index = index_copy
    assert main(["build", "--corpus", str(corpus), "--index", str(index), "--quiet"]) == 0
    documents = len(list(corpus.glob("*.txt")))
    out = capsys.readouterr().out
    assert f"indexed {documents} documents ({documents} taken over from the index)" in out
    assert "(0 newly embedded)" in out


def test_stored_clauses_read_their_ids_from_the_line_and_parse_only_when_asked(built_index):
    from index.previous import StoredClause
    from index.store import read_lines
    from ingest.model import Clause

    lines = read_lines(built_index[1] / "clauses.jsonl")
    for line in lines:
        stored, clause = StoredClause(line), Clause.from_dict(json.loads(line))
        assert (stored.clause_id, stored.doc_id, stored.line) == (clause.clause_id, clause.doc_id, line)
        assert stored._clause is None                             # nothing parsed for the ids
    stored, clause = StoredClause(lines[7]), Clause.from_dict(json.loads(lines[7]))
    assert (stored.text, stored.section, stored.kind) == (clause.text, clause.section, clause.kind)
    assert stored.to_dict() == clause.to_dict()
    # A line of another layout, and ids that need escaping, still read right.
    record = json.loads(lines[0])
    for other in ({"doc_id": record["doc_id"], **record}, {**record, "clause_id": 'a"b\\c-0001', "doc_id": 'a"b\\c'}):
        line = json.dumps(other, ensure_ascii=False)
        assert (StoredClause(line).clause_id, StoredClause(line).doc_id) == (other["clause_id"], other["doc_id"])
