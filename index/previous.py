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


@dataclass
class Previous:
    sources: dict[str, str]                 # file (relative to the corpus) -> source_key
    content_keys: dict[str, str]            # file -> the key of its clauses' text (build._content_key)
    documents: dict[str, Document]          # by file
    clauses_of: dict[str, list[Clause]]     # doc_id -> its clauses, in order
    rows_of: dict[str, list[int]]           # clause_id -> its sentences' rows in `dense`, in order
    tokens: TokenRows                       # BM25 tokens of each clause row, as ids
    token_row_of: dict[str, int]            # clause_id -> its row in `tokens`
    clause_lines: dict[str, str]            # clause_id -> its line of clauses.jsonl
    terms: tuple[str, ...]                  # the dictionary those tokens were cut with
    candidates_of: dict[str, TermCandidates]  # doc_id -> mined term candidates
    dense: DenseIndex

    def document(self, file: str, key: str) -> tuple[Document, list[Clause]] | None:
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
        documents, clauses, owners, dense, clause_lines = read_records(folder)
        terms, tokens = read_tokens(folder / LEXICAL)
        candidates = {row["doc_id"]: TermCandidates.from_dict(row) for row in read_jsonl(folder / TERMS)}
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if len(tokens) != len(clauses) or len(owners) != dense.ntotal:
        return None
    sources: dict[str, str] = manifest["sources"]
    by_name = {Path(file).name: file for file in sources}
    clauses_of: dict[str, list[Clause]] = {}
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
        clause_lines={c.clause_id: line for c, line in zip(clauses, clause_lines, strict=True)},
        terms=terms,
        candidates_of=candidates,
        dense=dense,
    )
