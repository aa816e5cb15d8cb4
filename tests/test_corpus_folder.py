"""A corpus folder as users keep one: documents in subfolders, hidden folders left alone."""

import shutil
from pathlib import Path

from index.build import ingest_corpus
from ingest.pipeline import corpus_files

DATA = Path(__file__).resolve().parent / "data"
LAWREF = DATA / "lawref"


def test_documents_in_subfolders_are_read(tmp_path):
    shutil.copytree(LAWREF / "上海", tmp_path / "上海")
    shutil.copytree(LAWREF / "重庆", tmp_path / "地方" / "重庆")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("不是文件", encoding="utf-8")
    found = corpus_files(tmp_path)
    assert len(found) == len(list((LAWREF / "上海").glob("*.md"))) + len(list((LAWREF / "重庆").glob("*.md")))
    assert not any(".git" in p.parts for p in found)


def test_the_same_file_name_twice_is_skipped_with_a_reason(tmp_path):
    source = next((LAWREF / "北京").glob("*.md"))
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(source, tmp_path / folder / source.name)
    corpus = ingest_corpus(tmp_path)
    assert len(corpus.results) == 1
    assert len(corpus.skipped) == 1 and "rename" in corpus.skipped[0] and source.name in corpus.skipped[0]


def test_the_same_text_under_two_names_is_kept_once(tmp_path):
    # The same regulation downloaded twice: as Markdown, and as plain text under another name.
    source, other = sorted((LAWREF / "北京").glob("*.md"))[:2]
    shutil.copy(source, tmp_path / source.name)
    shutil.copy(source, tmp_path / "download.txt")
    shutil.copy(other, tmp_path / other.name)
    corpus = ingest_corpus(tmp_path)
    kept = sorted(r.document.source for r in corpus.results)
    assert len(kept) == 2 and other.name in kept      # the first of the two in the folder's order, and the other
    assert len(corpus.skipped) == 1 and "the same text as" in corpus.skipped[0]
    assert "download.txt" in corpus.skipped[0] and source.name in corpus.skipped[0]
    assert corpus.duplicates == {source.name: "download.txt"}      # recorded in the manifest: whose text it was
