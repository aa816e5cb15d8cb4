"""What a rebuild takes over from the index it replaces: the documents whose files did not change, with
their clauses, sentence vectors, BM25 tokens and mined term candidates.

Adding one document to a large index then costs that document (ingest, embed, tokenise) plus the BM25
matrix and writing the files, instead of reading, cutting and tokenising every document again. Nothing is
taken over unless the old index was built by the same code (code_version(): the sources that shape what
is stored) with the same model; anything unreadable means a full build, never a wrong index.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.bm25 import TokenRows
from index.dense import DenseIndex
from index.errors import PolicyIndexError
from index.lexical import TermCandidates, read_tokens
from index.store import read_jsonl, read_manifest
from ingest.model import Clause, Document

# The sources whose code decides what an index stores for a document. Any edit to them makes the next
# build a full one (sentence vectors still come from the embedding cache).
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_CODE = ("ingest", "index/build.py", "index/lexical.py", "index/previous.py")
TERMS = "terms.jsonl"          # per document: its mined term candidates (lexical.term_candidates)


@cache
def code_version() -> str:
    digest = hashlib.sha1()
    for entry in _CODE:
        path = _PACKAGE_ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(_PACKAGE_ROOT).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def source_key(path: Path, catalog_entry: dict | None) -> str:
    """What a document's records depend on besides the code: its file's name and bytes, its catalog entry."""
    digest = hashlib.sha1()
    digest.update(Path(path).name.encode() + b"\0")
    digest.update(json.dumps(catalog_entry or {}, sort_keys=True, ensure_ascii=False).encode() + b"\0")
    digest.update(Path(path).read_bytes())
    return digest.hexdigest()


_DECODER = json.JSONDecoder()
_CLAUSE_ID, _DOC_ID = '{"clause_id": ', ', "doc_id": '


class StoredClause:
    """A clause of the old index, as its line of clauses.jsonl: its ids read from the line's start, the rest
    parsed only when something asks for it. A rebuild that takes a document over needs only its clauses' ids
    and lines; parsing all 57k clauses of the lawref folder was 0.9 s of adding one document."""

    __slots__ = ("_clause", "clause_id", "doc_id", "line")

    def __init__(self, line: str) -> None:
        self.line, self._clause = line, None
        try:                                   # clause.to_dict() writes clause_id, then doc_id, first
            if not line.startswith(_CLAUSE_ID):
                raise ValueError(line[:40])
            self.clause_id, end = _DECODER.raw_decode(line, len(_CLAUSE_ID))
            if not line.startswith(_DOC_ID, end):
                raise ValueError(line[:40])
            self.doc_id, _ = _DECODER.raw_decode(line, end + len(_DOC_ID))
        except ValueError:                     # another layout: read it whole
            self._clause = Clause.from_dict(json.loads(line))
            self.clause_id, self.doc_id = self._clause.clause_id, self._clause.doc_id

    @property
    def clause(self) -> Clause:
        if self._clause is None:
            self._clause = Clause.from_dict(json.loads(self.line))
        return self._clause

    def __getattr__(self, name: str):
        return getattr(self.clause, name)     # text, section, kind...: the clause itself


@dataclass
class Previous:
    sources: dict[str, str]                 # file (relative to the corpus) -> source_key
    content_keys: dict[str, str]            # file -> the key of its clauses' text (build._content_key)
    documents: dict[str, Document]          # by file
    clauses_of: dict[str, list[StoredClause]]  # doc_id -> its clauses, in order
    rows_of: dict[str, list[int]]           # clause_id -> its sentences' rows in `dense`, in order
    tokens: TokenRows                       # BM25 tokens of each clause row, as ids
    token_row_of: dict[str, int]            # clause_id -> its row in `tokens`
    terms: tuple[str, ...]                  # the dictionary those tokens were cut with
    candidates_of: dict[str, TermCandidates]  # doc_id -> mined term candidates
    dense: DenseIndex

    def document(self, file: str, key: str) -> tuple[Document, list[StoredClause]] | None:
        """The stored document of this file if its key is unchanged."""
        if self.sources.get(file) != key or file not in self.documents:
            return None
        document = self.documents[file]
        return document, self.clauses_of.get(document.doc_id, [])


def load_previous(index_dir: Path, model: str, vectors: str) -> Previous | None:
    """The old index at index_dir, if it can be taken over for `model` and its vectors are of the same kind
    (Embedder.vectors_name); None: build everything."""
    from index.build import LEXICAL, read_records  # build imports this module

    try:
        manifest = read_manifest(Path(index_dir), model=model)
    except PolicyIndexError:
        return None
    if manifest.get("code_version") != code_version() or manifest.get("vectors") != vectors or \
            not isinstance(manifest.get("sources"), dict):
        return None
    folder = Path(index_dir)
    try:
        documents, clauses, owners, dense = read_records(folder, StoredClause)
        terms, tokens = read_tokens(folder / LEXICAL)
        candidates = {row["doc_id"]: TermCandidates.from_dict(row) for row in read_jsonl(folder / TERMS)}
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if len(tokens) != len(clauses) or len(owners) != dense.ntotal:
        return None
    sources: dict[str, str] = manifest["sources"]
    by_name = {Path(file).name: file for file in sources}
    clauses_of: dict[str, list[StoredClause]] = {}
    for clause in clauses:
        clauses_of.setdefault(clause.doc_id, []).append(clause)
    rows_of: dict[str, list[int]] = {}
    for unit, row in enumerate(owners.tolist()):
        rows_of.setdefault(clauses[row].clause_id, []).append(unit)
    return Previous(
        sources=sources,
        content_keys=manifest.get("content_keys") or {},
        documents={by_name[d.source]: d for d in documents if d.source in by_name},
        clauses_of=clauses_of,
        rows_of=rows_of,
        tokens=tokens,
        token_row_of={c.clause_id: row for row, c in enumerate(clauses)},
        terms=terms,
        candidates_of=candidates,
        dense=dense,
    )
