"""Corpus folder -> index folder: clauses, sentence embeddings in FAISS, BM25, manifest written last.

What is embedded is each sentence of a clause prefixed with its context (city, title, section path):
clause texts rarely name their city or measure, and a small model blurs long clauses. Search scores a
clause by its best sentence and returns the whole clause.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import lexical
from index.dense import DenseIndex
from index.embed import Embedder, EmbeddingCache, encode_with_cache, model_setting
from index.errors import PolicyIndexError
from index.store import FORMAT_VERSION, corpus_fingerprint, package_versions, read_manifest, write_atomically
from ingest.model import Clause, Document, IngestError
from ingest.normalize import normalize
from ingest.pipeline import CATALOG, Ingested, corpus_files, ingest_file, load_catalog
from ingest.sentences import sentences

DOCUMENTS = "documents.jsonl"
CLAUSES = "clauses.jsonl"
UNITS = "units.npy"            # unit row -> clause row
DENSE = "dense.faiss"
LEXICAL = "lexical"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildReport:
    documents: int
    clauses: int
    units: int
    newly_embedded: int
    seconds: float
    skipped: list[str]           # one line per file that could not be ingested


def context_prefix(document: Document, clause: Clause) -> str:
    """What a clause is about, in words the question may use: 沧州市 沧州市科技创新“十四五”规划 三、… (二)…"""
    return " ".join([document.city_display, document.title, *clause.section])


def embedding_units(document: Document, clause: Clause) -> list[str]:
    """One text per sentence of the clause, each with the clause's context prefix."""
    prefix = context_prefix(document, clause)
    if clause.kind == "table_row":
        return [f"{prefix}：{clause.text}"]
    return [f"{prefix}：{s}" for s in sentences(clause.text)] or [prefix]


def lexical_text(document: Document, clause: Clause) -> str:
    return f"{context_prefix(document, clause)}\n{clause.text}"


def cache_dir_for(index_dir: Path) -> Path:
    """Embeddings are kept beside the index, outside it, so that a rebuild re-uses them."""
    return index_dir.with_name(index_dir.name + "-cache")


def ingest_corpus(corpus_dir: Path) -> tuple[list[Ingested], list[str], dict[str, str]]:
    """The documents of a corpus folder; one line per file left out, and the files left out because another
    holds the same text (their path -> that file's, relative to the folder)."""
    catalog = load_catalog(corpus_dir)
    results, skipped = [], []
    duplicates: dict[str, str] = {}
    seen: dict[str, Path] = {}
    texts: dict[str, Path] = {}
    for path in corpus_files(corpus_dir):
        try:
            result = ingest_file(path, catalog)
        except IngestError as exc:
            skipped.append(str(exc))
            continue
        doc_id = result.document.doc_id
        if doc_id in seen:       # ids come from file names: the same name in two subfolders
            skipped.append(f"{path}: same document id as {seen[doc_id]}; rename one of the two files")
            continue
        # The same document saved twice (two downloads, two formats) would answer every question twice.
        text = _content_key(result)
        if text and text in texts:
            skipped.append(f"{path}: the same text as {texts[text]}; remove one of the two files")
            duplicates[str(path.relative_to(corpus_dir))] = str(texts[text].relative_to(corpus_dir))
            continue
        seen[doc_id] = path
        texts[text] = path
        results.append(result)
    return results, skipped, duplicates


def _content_key(result: Ingested) -> str:
    """The document's clauses as matched (normalised): equal for one text under two names or formats."""
    body = "\n".join(normalize(c.text) for c in result.clauses)
    return hashlib.sha1(body.encode()).hexdigest() if body else ""


def fingerprint_of(corpus_dir: Path) -> str:
    """What staleness is judged by: the corpus documents and the catalog, names and bytes."""
    paths = corpus_files(corpus_dir)
    catalog = corpus_dir / CATALOG
    return corpus_fingerprint(paths + ([catalog] if catalog.exists() else []), root=corpus_dir)


def build_index(corpus_dir: Path, index_dir: Path, model: str | None = None, progress: Progress | None = None,
                embedder: Embedder | None = None) -> BuildReport:
    """Build (or rebuild) the index of corpus_dir into index_dir; the old index stays intact on failure."""
    started = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise IngestError(f"corpus folder {corpus_dir} does not exist: give --corpus DIR")
    results, skipped, duplicates = ingest_corpus(corpus_dir)
    if not results:
        raise IngestError(f"no readable document in {corpus_dir}: add .txt, .html, .docx or .pdf files")
    embedder = embedder or Embedder(model_setting(model))

    documents = [r.document for r in results]
    clauses = [c for r in results for c in r.clauses]
    by_doc = {d.doc_id: d for d in documents}
    units, owners = [], []
    for row, clause in enumerate(clauses):
        for text in embedding_units(by_doc[clause.doc_id], clause):
            units.append(text)
            owners.append(row)
    encoded = encode_with_cache(embedder, units, EmbeddingCache(cache_dir_for(index_dir)), progress=progress)
    lexical_index = lexical.LexicalIndex.build(
        [lexical_text(by_doc[c.doc_id], c) for c in clauses],
        lexical.Tokenizer(lexical.mine_terms([d.text for d in documents]), hmm=False),
    )
    fingerprint = fingerprint_of(corpus_dir)

    def fill(folder: Path) -> dict:
        _write_jsonl(folder / DOCUMENTS, [d.to_dict(with_text=True) for d in documents])
        _write_jsonl(folder / CLAUSES, [c.to_dict() for c in clauses])
        np.save(folder / UNITS, np.asarray(owners, dtype=np.int32), allow_pickle=False)
        dense = DenseIndex.build(encoded.vectors)
        dense.save(folder / DENSE)
        lexical_index.save(folder / LEXICAL)
        files = {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}
        return {
            "format_version": FORMAT_VERSION,
            "model": embedder.name,
            "dimension": int(encoded.vectors.shape[1]),
            "dense_kind": dense.kind,
            "tokenizer": lexical_index.tokenizer.settings(),
            "documents": len(documents),
            "clauses": len(clauses),
            "units": len(units),
            "corpus_fingerprint": fingerprint,
            "skipped": skipped,
            "duplicates": duplicates,
            "packages": package_versions(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "files": files,
        }

    write_atomically(index_dir, fill)
    return BuildReport(len(documents), len(clauses), len(units), encoded.new,
                       time.perf_counter() - started, skipped)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def is_stale(corpus_dir: Path, index_dir: Path) -> str | None:
    """Why the index must be (re)built, or None when it is up to date."""
    try:
        manifest = read_manifest(Path(index_dir))
    except PolicyIndexError as exc:  # missing, corrupt, other format: all mean "build"
        return str(exc)
    if manifest.get("corpus_fingerprint") != fingerprint_of(Path(corpus_dir)):
        return f"the corpus {corpus_dir} changed since the index was built"
    return None


def add_document(upload: Path, corpus_dir: Path, index_dir: Path, model: str | None = None,
                 embedder: Embedder | None = None) -> Document:
    """Ingest one new file into the corpus and the index; a bad file changes neither.

    Only the new clauses are embedded (the others come from the embedding cache).
    """
    upload, corpus_dir = Path(upload), Path(corpus_dir)
    result = ingest_file(upload)                 # raises IngestError before anything is touched
    target = corpus_dir / upload.name
    if target.exists() and target.resolve() != upload.resolve():
        raise IngestError(f"{upload.name}: a document with this file name is already in the corpus; rename it")
    if target.resolve() != upload.resolve():
        shutil.copy2(upload, target)
    try:
        build_index(corpus_dir, index_dir, model=model, embedder=embedder)
    except BaseException:
        target.unlink(missing_ok=True)           # the old index is intact: take the file back out too
        raise
    return result.document
