"""Corpus folder -> index folder: clauses, sentence embeddings in FAISS, BM25, manifest written last.

What is embedded is each sentence of a clause prefixed with its context (city, title, section path):
clause texts rarely name their city or measure, and a small model blurs long clauses. Search scores a
clause by its best sentence and returns the whole clause.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from index import lexical
from index.dense import DenseIndex
from index.embed import Embedder, EmbeddingCache, Encoded, encode_with_cache, model_setting
from index.errors import PolicyIndexError
from index.previous import TERMS, Previous, StoredClause, code_version, load_previous, source_key
from index.store import (
    FORMAT_VERSION,
    corpus_fingerprint,
    package_versions,
    read_jsonl,
    read_lines,
    read_manifest,
    write_atomically,
    write_jsonl,
)
from ingest.model import Clause, Document, IngestError
from ingest.normalize import normalize
from ingest.numbering import parse_numbering
from ingest.pipeline import CATALOG, Ingested, corpus_files, ingest_file, load_catalog
from ingest.references import REFERENCE, article_map, expand_references
from ingest.sentences import sentences

DOCUMENTS = "documents.jsonl"
CLAUSES = "clauses.jsonl"
UNITS = "units.npy"            # unit row -> clause row
DENSE = "dense.faiss"
CLAUSE_VECTORS = "clause_vectors.npz"   # the clauses embedded whole: their rows and their vectors (float16)
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
    reused_documents: int = 0    # taken over from the previous index (their files unchanged)


@dataclass
class Corpus:
    """A corpus folder as read for a build."""
    results: list[Ingested] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)              # one line per file left out
    duplicates: dict[str, str] = field(default_factory=dict)      # file left out -> the file with its text
    sources: dict[str, str] = field(default_factory=dict)         # file kept -> its source_key
    content_keys: dict[str, str] = field(default_factory=dict)    # file kept -> _content_key of its clauses
    reused: set[str] = field(default_factory=set)                 # doc_ids taken over from the previous index


def context_prefix(document: Document, clause: Clause) -> str:
    """What a clause is about, in words the question may use: 沧州市 沧州市科技创新“十四五”规划 三、… (二)…"""
    return " ".join([document.city_display, document.title, *clause.section])


def embedding_units(document: Document, clause: Clause, articles: dict[int, Clause] | None = None) -> list[str]:
    """One text per sentence of the clause, each with the clause's context prefix; a sentence referring to
    its document's own articles (违反本条例第二十条规定的，…处…罚款) read with the words they point to, given
    the document's articles (references.article_map): a penalty names what it punishes only by number."""
    prefix = context_prefix(document, clause)
    if clause.kind == "table_row":
        return [f"{prefix}：{clause.text}"]
    return [f"{prefix}：{_with_referred(s, articles)}" for s in sentences(clause.text)] or [prefix]


def result_units(result: Ingested) -> list[str]:
    """Every text a build embeds for one ingested file, in clause order."""
    articles = article_map(result.clauses)
    return [u for c in result.clauses for u in embedding_units(result.document, c, articles)]


def _with_referred(sentence: str, articles: dict[int, Clause] | None) -> str:
    if not articles or not REFERENCE.search(sentence):
        return sentence
    # One sentence still: the words referred to lose their own sentence ends.
    read = expand_references(sentence, articles)
    end = read[-1:] if _SENTENCE_MARKS.fullmatch(read[-1:]) else ""
    return _SENTENCE_MARKS.sub("，", read[:len(read) - len(end)]) + end


_SENTENCE_MARKS = re.compile(r"[。；;！？!?\n]")


def whole_clause_unit(document: Document, clause: Clause) -> str | None:
    """A plan's clause embedded whole, with its context prefix: its sentences tell one measure together, and
    the whole finds the questions none of them alone answers. Not a statute's article (第X条): it holds
    several rules, and the whole blurs them (bench/README.md)."""
    numbering = parse_numbering(clause.label) if clause.label else None
    if numbering and numbering.kind == "article":
        return None
    return f"{context_prefix(document, clause)}：{clause.text}"


def lexical_text(document: Document, clause: Clause) -> str:
    return f"{context_prefix(document, clause)}\n{clause.text}"


class _LexicalTexts(Sequence[str]):
    """lexical_text of each clause, made when asked for: a rebuild cuts only some texts again, and a clause
    taken over (previous.StoredClause) is then never parsed."""

    def __init__(self, clauses: list[Clause], documents: dict[str, Document]) -> None:
        self._clauses, self._documents = clauses, documents

    def __len__(self) -> int:
        return len(self._clauses)

    def __getitem__(self, i: int) -> str:
        clause = self._clauses[i]
        return lexical_text(self._documents[clause.doc_id], clause)


class Records(NamedTuple):
    """An index folder's records, as written."""
    documents: list[Document]
    clauses: list            # Clause, or what clause_of made of each line (previous.StoredClause)
    owners: np.ndarray       # sentence row -> clause row
    dense: DenseIndex


def _parsed_clause(line: str) -> Clause:
    return Clause.from_dict(json.loads(line))


def read_records(folder: Path, clause_of: Callable[[str], Clause] = _parsed_clause) -> Records:
    folder = Path(folder)
    documents = [Document(**d) for d in read_jsonl(folder / DOCUMENTS)]
    clauses = [clause_of(line) for line in read_lines(folder / CLAUSES)]
    return Records(documents, clauses, np.load(folder / UNITS, allow_pickle=False), DenseIndex.load(folder / DENSE))


def cache_dir_for(index_dir: Path) -> Path:
    """Embeddings are kept beside the index, outside it, so that a rebuild re-uses them."""
    return index_dir.with_name(index_dir.name + "-cache")


def ingest_corpus(corpus_dir: Path, previous: Previous | None = None) -> Corpus:
    """The documents of a corpus folder (taken from `previous` where their file is unchanged); one line per
    file left out, and the files left out because another holds the same text."""
    catalog = load_catalog(corpus_dir)
    corpus = Corpus()
    seen: dict[str, Path] = {}
    texts: dict[str, Path] = {}
    for path in corpus_files(corpus_dir):
        file = path.relative_to(corpus_dir).as_posix()
        key = source_key(path, catalog.get(path.name))
        stored = previous.document(file, key) if previous else None
        if stored:
            result = Ingested(*stored, dropped=[])
        else:
            try:
                result = ingest_file(path, catalog)
            except IngestError as exc:
                corpus.skipped.append(str(exc))
                continue
        doc_id = result.document.doc_id
        if doc_id in seen:       # ids come from file names: the same name in two subfolders
            corpus.skipped.append(f"{path}: same document id as {seen[doc_id]}; rename one of the two files")
            continue
        # The same document saved twice (two downloads, two formats) would answer every question twice.
        text = previous.content_keys.get(file, "") if stored else ""
        text = text or _content_key(result)
        if text and text in texts:
            corpus.skipped.append(f"{path}: the same text as {texts[text]}; remove one of the two files")
            corpus.duplicates[file] = texts[text].relative_to(corpus_dir).as_posix()
            continue
        seen[doc_id] = path
        texts[text] = path
        corpus.results.append(result)
        corpus.sources[file] = key
        corpus.content_keys[file] = text
        if stored:
            corpus.reused.add(doc_id)
    return corpus


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
    """Build (or rebuild) the index of corpus_dir into index_dir; the old index stays intact on failure.

    Documents whose files are unchanged since the index at index_dir was built are taken over from it
    (index/previous.py); the others are ingested, embedded (through the embedding cache) and tokenised."""
    started = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise IngestError(f"corpus folder {corpus_dir} does not exist: give --corpus DIR")
    embedder = embedder or Embedder(model_setting(model))
    previous = load_previous(index_dir, embedder.name, embedder.vectors_name)
    corpus = ingest_corpus(corpus_dir, previous)
    if not corpus.results:
        raise IngestError(f"no readable document in {corpus_dir}: add .txt, .html, .docx or .pdf files")
    previous = previous if corpus.reused else None

    documents = [r.document for r in corpus.results]
    clauses = [c for r in corpus.results for c in r.clauses]
    by_doc = {d.doc_id: d for d in documents}
    cache = EmbeddingCache(cache_dir_for(index_dir))
    dense, owners, newly_embedded = _dense_index(documents, clauses, corpus.reused, previous, embedder, cache,
                                                 progress)
    clause_vectors = _clause_vectors(clauses, by_doc, embedder, cache, progress)
    stored = previous.candidates_of if previous else {}
    candidates = {d.doc_id: (stored.get(d.doc_id) if d.doc_id in corpus.reused else None)
                  or lexical.term_candidates(d.text) for d in documents}
    tokenizer = lexical.Tokenizer(lexical.choose_terms(candidates.values()), hmm=False)
    texts = _LexicalTexts(clauses, by_doc)
    old_rows = [previous.token_row_of.get(c.clause_id) if c.doc_id in corpus.reused else None for c in clauses] \
        if previous else [None] * len(clauses)
    lexical_index = lexical.LexicalIndex.from_tokens(lexical.tokenize_reusing(
        tokenizer, texts, old_rows, previous.tokens if previous else None, previous.terms if previous else ()),
        tokenizer)
    fingerprint = fingerprint_of(corpus_dir)

    def fill(folder: Path) -> dict:
        write_jsonl(folder / DOCUMENTS, [d.to_dict(with_text=True) for d in documents])
        # A clause taken over is written as it was read: serialising 57k clauses again was a third of a rebuild.
        write_jsonl(folder / CLAUSES, [c.line if isinstance(c, StoredClause) else c.to_dict() for c in clauses])
        write_jsonl(folder / TERMS, [{"doc_id": doc_id, **c.to_dict()} for doc_id, c in candidates.items()])
        np.save(folder / UNITS, owners, allow_pickle=False)
        dense.save(folder / DENSE)
        np.savez(folder / CLAUSE_VECTORS, rows=clause_vectors[0], vectors=clause_vectors[1])
        lexical_index.save(folder / LEXICAL)
        return {
            "format_version": FORMAT_VERSION,
            "model": embedder.name,
            "vectors": embedder.vectors_name,
            "dimension": dense.dim,
            "dense_kind": dense.kind,
            "tokenizer": lexical_index.tokenizer.settings(),
            "documents": len(documents),
            "clauses": len(clauses),
            "units": len(owners),
            "corpus_fingerprint": fingerprint,
            "code_version": code_version(),
            "sources": corpus.sources,
            "content_keys": corpus.content_keys,
            "skipped": corpus.skipped,
            "duplicates": corpus.duplicates,
            "packages": package_versions(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }

    write_atomically(index_dir, fill)
    return BuildReport(len(documents), len(clauses), len(owners), newly_embedded,
                       time.perf_counter() - started, corpus.skipped, len(corpus.reused))


def _dense_index(documents: list[Document], clauses: list[Clause], reused: set[str], previous: Previous | None,
                 embedder: Embedder, cache: EmbeddingCache, progress: Progress | None
                 ) -> tuple[DenseIndex, np.ndarray, int]:
    """The sentence vectors of the clauses, as a DenseIndex, its row -> clause row array, and how many
    sentences had to be encoded. The clauses of reused documents keep their vectors from the previous
    index; when none of its vectors is dropped, its index grows by the new ones (an HNSW graph is not built
    again); else it is built anew in clause order."""
    by_doc = {d.doc_id: d for d in documents}
    kept: dict[int, list[int]] = {}          # clause row -> its rows in previous.dense
    units, owners = [], []
    of_doc: dict[str, list[Clause]] = {}
    for clause in clauses:
        of_doc.setdefault(clause.doc_id, []).append(clause)
    # Only the documents embedded again are read for their articles: a clause taken over stays unparsed.
    articles: dict[str, dict[int, Clause]] = {}
    for row, clause in enumerate(clauses):
        if previous and clause.doc_id in reused and clause.clause_id in previous.rows_of:
            kept[row] = previous.rows_of[clause.clause_id]
            continue
        if clause.doc_id not in articles:
            articles[clause.doc_id] = article_map(of_doc[clause.doc_id])
        for text in embedding_units(by_doc[clause.doc_id], clause, articles[clause.doc_id]):
            units.append(text)
            owners.append(row)
    if units or not previous:
        encoded = encode_with_cache(embedder, units, cache, progress=progress)
    else:   # every document taken over: neither the cache nor the model is needed
        encoded = Encoded(np.zeros((0, previous.dense.dim), dtype=np.float32), 0)
    new_owners = np.asarray(owners, dtype=np.int32)
    if previous and sum(map(len, kept.values())) == previous.dense.ntotal:
        old_owners = np.empty(previous.dense.ntotal, dtype=np.int32)
        for row, old_rows in kept.items():
            old_owners[old_rows] = row
        return previous.dense.extended(encoded.vectors), np.concatenate([old_owners, new_owners]), encoded.new
    if not kept:
        return DenseIndex.build(encoded.vectors), new_owners, encoded.new
    # Filled in place, the old copy let go before the graph is built: pieces and their concatenation held
    # three copies of the vectors (~1 GB at 165k rows) next to the old and the new graph.
    new_counts = np.bincount(new_owners, minlength=len(clauses))
    counts = [len(kept[row]) if row in kept else int(new_counts[row]) for row in range(len(clauses))]
    old_vectors = previous.dense.vectors()
    vectors = np.empty((sum(counts), old_vectors.shape[1]), dtype=np.float32)
    at, fresh = 0, 0                          # the new vectors are in clause order too
    for row, count in enumerate(counts):
        if row in kept:
            vectors[at:at + count] = old_vectors[kept[row]]
        else:
            vectors[at:at + count] = encoded.vectors[fresh:fresh + count]
            fresh += count
        at += count
    del old_vectors
    all_owners = np.repeat(np.arange(len(clauses), dtype=np.int32), counts)
    return DenseIndex.build(vectors), all_owners, encoded.new


def _clause_vectors(clauses: list[Clause], by_doc: dict[str, Document], embedder: Embedder, cache: EmbeddingCache,
                    progress: Progress | None) -> tuple[np.ndarray, np.ndarray]:
    """(rows, vectors) of the clauses embedded whole (whole_clause_unit), the vectors in float16. Through the
    embedding cache: a rebuild encodes only the clauses it has not seen."""
    units = [whole_clause_unit(by_doc[c.doc_id], c) for c in clauses]
    rows = np.asarray([row for row, unit in enumerate(units) if unit], dtype=np.int32)
    if not len(rows):                # a corpus of statutes: nothing to embed, no model to load
        return rows, np.zeros((0, 0), dtype=np.float16)
    encoded = encode_with_cache(embedder, [units[row] for row in rows], cache, progress=progress).vectors
    return rows, encoded.astype(np.float16)


def is_stale(corpus_dir: Path, index_dir: Path) -> str | None:
    """Why the index must be (re)built, or None when it is up to date."""
    try:
        manifest = read_manifest(Path(index_dir))
    except PolicyIndexError as exc:  # missing, corrupt, other format: all mean "build"
        return str(exc)
    if manifest.get("corpus_fingerprint") != fingerprint_of(Path(corpus_dir)):
        return f"the corpus {corpus_dir} changed since the index was built"
    if manifest.get("code_version") != code_version():
        # Another version reads documents otherwise (places, clauses): rebuilt, vectors from the cache.
        return "the index was built by another version of PolicyQA"
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
