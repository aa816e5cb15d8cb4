import json
from pathlib import Path

import pytest

from index.errors import IndexCorrupt, IndexMismatch, IndexMissing, IndexStale, PolicyIndexError
from index.store import (
    FORMAT_VERSION,
    MANIFEST,
    corpus_fingerprint,
    package_versions,
    read_manifest,
    write_atomically,
)


def fill_with(text: str, model: str = "m3e-small"):
    def fill(tmp: Path) -> dict:
        (tmp / "clauses.jsonl").write_text(text, encoding="utf-8")
        (tmp / "lexical").mkdir()
        (tmp / "lexical" / "vocab.json").write_text("{}", encoding="utf-8")
        return {"model": model, "corpus_fingerprint": "abc"}

    return fill


def snapshot(folder: Path) -> dict[str, bytes]:
    files = sorted(f for f in folder.rglob("*") if f.is_file())
    return {f.relative_to(folder).as_posix(): f.read_bytes() for f in files}


def test_round_trip(tmp_path):
    target = tmp_path / "idx"
    write_atomically(target, fill_with("一"))
    manifest = read_manifest(target, model="m3e-small", fingerprint="abc")
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["files"] == {"clauses.jsonl": 3, "lexical/vocab.json": 2}
    assert (target / "clauses.jsonl").read_text(encoding="utf-8") == "一"
    # Rebuild over an existing index replaces it and leaves nothing else next to it.
    write_atomically(target, fill_with("二"))
    assert (target / "clauses.jsonl").read_text(encoding="utf-8") == "二"
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failed_fill_leaves_previous_index_untouched(tmp_path, error):
    target = tmp_path / "idx"
    write_atomically(target, fill_with("old"))
    before = snapshot(target)

    def failing(tmp: Path) -> dict:
        (tmp / "clauses.jsonl").write_text("half", encoding="utf-8")
        raise error

    with pytest.raises(type(error)):
        write_atomically(target, failing)
    assert snapshot(target) == before
    read_manifest(target)
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]


def test_failed_first_build_leaves_nothing(tmp_path):
    def failing(tmp: Path) -> dict:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "idx", failing)
    assert list(tmp_path.iterdir()) == []


def test_fill_must_return_a_dict(tmp_path):
    with pytest.raises(TypeError, match="not the manifest dict"):
        write_atomically(tmp_path / "idx", lambda tmp: None)
    assert list(tmp_path.iterdir()) == []


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing, match=r"no index at .*: run `policyqa build`"):
        read_manifest(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexMissing):
        read_manifest(tmp_path / "empty")


def test_folder_without_manifest_is_corrupt(tmp_path):
    (tmp_path / "x.npy").write_bytes(b"1")
    with pytest.raises(IndexCorrupt, match=r"has no manifest\.json"):
        read_manifest(tmp_path)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\xff"])
def test_unreadable_manifest_is_corrupt(tmp_path, content):
    write_atomically(tmp_path / "idx", fill_with("x"))
    (tmp_path / "idx" / MANIFEST).write_bytes(content.encode("latin-1"))
    with pytest.raises(IndexCorrupt):
        read_manifest(tmp_path / "idx")


def test_missing_or_truncated_file_is_corrupt(tmp_path):
    target = tmp_path / "idx"
    write_atomically(target, fill_with("abcdef"))
    (target / "clauses.jsonl").write_text("abc", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=r"clauses\.jsonl has 3 bytes, the manifest says 6"):
        read_manifest(target)
    (target / "clauses.jsonl").write_text("abcdef", encoding="utf-8")
    (target / "lexical" / "vocab.json").unlink()
    with pytest.raises(IndexCorrupt, match="lacks"):
        read_manifest(target)


def test_format_version_mismatch(tmp_path):
    target = tmp_path / "idx"
    write_atomically(target, fill_with("x"))
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    manifest["format_version"] = FORMAT_VERSION + 1
    (target / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="format version"):
        read_manifest(target)


def test_model_mismatch_names_both_models_and_the_fix(tmp_path):
    write_atomically(tmp_path / "idx", fill_with("x", model="m3e-small"))
    with pytest.raises(IndexMismatch) as e:
        read_manifest(tmp_path / "idx", model="BAAI/bge-small-zh-v1.5")
    assert str(e.value) == (
        f"index at {tmp_path / 'idx'} was built with model m3e-small, not BAAI/bge-small-zh-v1.5: "
        "rebuild with `policyqa build --model BAAI/bge-small-zh-v1.5`"
    )
    assert isinstance(e.value, PolicyIndexError)


def test_stale_corpus(tmp_path):
    write_atomically(tmp_path / "idx", fill_with("x"))
    with pytest.raises(IndexStale):
        read_manifest(tmp_path / "idx", fingerprint="def")


def test_corpus_fingerprint(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("甲", encoding="utf-8")
    b.write_text("乙", encoding="utf-8")
    first = corpus_fingerprint([a, b])
    assert corpus_fingerprint([b, a]) == first  # order of the listing does not matter
    b.write_text("丙", encoding="utf-8")
    assert corpus_fingerprint([a, b]) != first


def test_fingerprint_counts_names_and_boundaries(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "a.txt").write_bytes(b"ab")
    (tmp_path / "x" / "b.txt").write_bytes(b"c")
    (tmp_path / "y" / "a.txt").write_bytes(b"a")
    (tmp_path / "y" / "b.txt").write_bytes(b"bc")
    x = corpus_fingerprint((tmp_path / "x").iterdir())
    y = corpus_fingerprint((tmp_path / "y").iterdir())
    assert x != y  # same concatenated bytes, different split between files
    (tmp_path / "x" / "b.txt").rename(tmp_path / "x" / "renamed.txt")
    assert corpus_fingerprint((tmp_path / "x").iterdir()) != x


def test_package_versions():
    versions = package_versions()
    assert set(versions) == {"faiss", "bm25s", "jieba", "sentence-transformers", "torch", "policyqa"}
    assert versions["bm25s"] == "0.3.16"
