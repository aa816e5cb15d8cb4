"""Hybrid search over an index folder: sentence-level dense (FAISS) fused with clause-level BM25.

Searcher.load reads the index once (model name from the manifest, so queries always use the model the
index was built with); search() is then pure in-memory work: retrieval and filters only. Filters restrict
the candidates of both rankings before their top-k, so they hold however large the corpus. Reading a
question (its places, years, kind) is the Answerer's (index/qa/).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index import lexical
from index.bm25 import TokenRows
from index.build import CLAUSE_VECTORS, LEXICAL, fingerprint_of, read_records
from index.dense import DenseIndex
from index.embed import Embedder
from index.errors import IndexCorrupt, IndexMismatch
from index.fuse import best_per_group, convex_combination, scaled
from index.store import read_manifest
from index.versions import Folding, Standing
from ingest.citation import format_citation, header_line
from ingest.model import Clause, Document
from ingest.normalize import normalize

if TYPE_CHECKING:
    from index.qa.understand import Question

MODES = ("hybrid", "dense", "lexical")
LAPSED = ("已到期", "已被新版本取代")     # statuses a citation carries: the reader must know
SHORTLIST = 1000      # candidates taken from each ranking before fusion
# Fusion: each list's scores scaled to 0..1, the dense ones from the shortlist's last clause to its best,
# BM25's from 0 to its best, then summed with these weights (index.fuse.convex_combination). Equal weights,
# decided on the tune halves against reciprocal rank fusion (k=20, equal weights): MRR heldout 0.834 ->
# 0.860, regs 0.824 -> 0.845, seeds 0.889 equal, every other search figure equal; a dense share of 0.6 or
# 0.7 lost cross-city coverage, a dense floor at the 30th or 100th clause lost MRR (bench/README.md).
RANKING_WEIGHTS = {"dense": 1.0, "lexical": 1.0}
# ...and BM25's full weight only when its best clause scores at least this share of what the question's words
# could score at best (LexicalIndex.match_share), (share / 0.5)^2 of it below: a question in everyday words
# (a paraphrase) matches clauses at random. On the tune halves the share of paraphrases was 0.15-0.45, of fact
# questions 0.43-0.93. Tune halves (with rank fusion), linear at 0.4: regs recall@5 0.833 -> 0.958, paraphrase
# 0.556 -> 0.889, MRR 0.799 -> 0.815; heldout MRR 0.821 -> 0.825; seeds equal; squared: MRR regs 0.824,
# heldout 0.834, seeds 0.889. Decided again with score fusion: 0.5 over 0.4 lifts MRR heldout 0.860 -> 0.868,
# regs 0.845 -> 0.849, seeds equal; 0.3 loses seeds MRR (0.861), 0.6 heldout coverage (0.833) (bench/README.md).
LEXICAL_FULL_SHARE = 0.5


@dataclass(frozen=True)
class SearchFilters:
    cities: tuple[str, ...] = ()         # short names: 沧州
    provinces: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    national: bool = False               # national texts only (Document.level national)
    year_from: int | None = None         # by the document's date
    year_to: int | None = None
    in_force: bool = False               # 只看现行有效: in force on as_of and not replaced by a newer version
    as_of: str | None = None             # the reference day of statuses, ISO (default today)
    include_superseded: bool = False     # old versions as hits of their own, not folded under the newest

    def __bool__(self) -> bool:
        return self.restricts or bool(self.as_of or self.include_superseded)

    @property
    def restricts(self) -> bool:
        """True when the filters restrict the candidates (as_of and include_superseded only change how
        hits are shown)."""
        return bool(self.cities or self.provinces or self.doc_ids or self.national or self.year_from or self.year_to
                    or self.in_force)


@dataclass(frozen=True)
class Hit:
    clause: Clause
    document: Document
    score: float
    matched_terms: tuple[str, ...] = ()
    standing: Standing | None = None     # 现行 / 已到期 / … / 已被新版本取代 (index/versions.py)
    older: tuple[Hit, ...] = ()          # the same article in older versions, folded under this one
    span: tuple[int, int] | None = None  # the quoted part of clause.text, when an answer quotes it

    @property
    def citation(self) -> str:
        """The citation naming the unit the quote lies in (第八条第二款), marked when no longer in force."""
        lapsed = self.standing.status if self.standing and self.standing.status in LAPSED else ""
        return format_citation(self.document, self.clause, self.span) + (f"（{lapsed}）" if lapsed else "")

    @property
    def header(self) -> str:
        return header_line(self.document, self.clause)

    @property
    def copy_text(self) -> str:
        return f"{self.clause.text}\n——{self.citation}"

    def to_json(self) -> dict:
        """The contract scripts rely on (search --json, ask, similar)."""
        return {
            "clause_id": self.clause.clause_id, "city": self.document.city, "province": self.document.province,
            "doc_title": self.document.title, "doc_number": self.document.doc_number, "date": self.document.date,
            "section": self.clause.section_path, "text": self.clause.text, "citation": self.citation,
            "score": round(float(self.score), 6),
            **(self.standing.to_json() if self.standing else {}),
            **({"older_versions": [{"clause_id": h.clause.clause_id, "citation": h.citation} for h in self.older]}
               if self.older else {}),
        }


@dataclass
class SearchResult:
    hits: list[Hit]
    understood: Question | None = None                 # how the Answerer read the question, when it did
    notes: list[str] = field(default_factory=list)     # e.g. 语料中没有保定市的政策文件


class Searcher:
    def __init__(self, folder: Path, manifest: dict, documents: list[Document], clauses: list[Clause],
                 owners: np.ndarray, dense: DenseIndex, lexical_index: lexical.LexicalIndex, embedder: Embedder):
        self.folder, self.manifest = folder, manifest
        self.documents, self.clauses = documents, clauses
        self.owners, self.dense, self.lexical, self.embedder = owners, dense, lexical_index, embedder
        self._docs = {d.doc_id: d for d in documents}
        self._rows = {c.clause_id: i for i, c in enumerate(clauses)}
        self.stale: str | None = None

    @classmethod
    def load(cls, folder: Path, corpus_dir: Path | None = None, model: str | None = None,
             embedder: Embedder | None = None) -> Searcher:
        """Load an index; raises IndexMissing / IndexCorrupt / IndexMismatch with a one-line fix."""
        folder = Path(folder)
        manifest = read_manifest(folder)
        if model is not None and model != manifest["model"]:
            raise IndexMismatch(f"index at {folder} was built with model {manifest['model']}, not {model}: "
                                f"rebuild with `policyqa build --model {model}`")
        try:
            documents, clauses, owners, dense = read_records(folder)
            lexical_index = lexical.LexicalIndex.load(folder / LEXICAL)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise IndexCorrupt(f"index at {folder} is unreadable ({exc}): rebuild with `policyqa build`") from exc
        if dense.ntotal != len(owners) or len(clauses) != manifest["clauses"] or (
                len(owners) and int(owners.max()) >= len(clauses)) or lexical_index.ntotal != len(clauses):
            raise IndexCorrupt(f"index at {folder} has {dense.ntotal} vectors for {len(owners)} sentences of "
                               f"{len(clauses)} clauses: rebuild with `policyqa build`")
        embedder = embedder or Embedder(manifest["model"])
        if embedder.name != manifest["model"]:
            raise IndexMismatch(f"index at {folder} was built with model {manifest['model']}, "
                                f"not {embedder.name}: rebuild with `policyqa build --model {embedder.name}`")
        searcher = cls(folder, manifest, documents, clauses, owners, dense, lexical_index, embedder)
        if corpus_dir is not None and Path(corpus_dir).is_dir() and \
                manifest.get("corpus_fingerprint") != fingerprint_of(Path(corpus_dir)):
            searcher.stale = f"语料库 {corpus_dir} 在建索引之后有改动：请运行 `policyqa build` 更新索引"
        return searcher

    # -- lookups --------------------------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]

    def clause(self, clause_id: str) -> Clause:
        return self.clauses[self._rows[clause_id]]

    def row(self, clause_id: str) -> int:
        """A clause's row: its position in `clauses`, in the BM25 index and in `owners` values."""
        return self._rows[clause_id]

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.doc_id == doc_id]

    def hit(self, row: int, score: float, terms: tuple[str, ...] = (), as_of: str | None = None) -> Hit:
        clause = self.clauses[row]
        return Hit(clause, self._docs[clause.doc_id], score, terms, self.folding.standing(clause.doc_id, as_of))

    @cached_property
    def folding(self) -> Folding:
        """Versions of the same document in this index, and each document's standing."""
        return Folding(self.documents, self.clauses_of)

    @cached_property
    def city_names(self) -> dict[str, str]:
        """Short name -> the name a citation uses: 沧州 -> 沧州市."""
        return {d.city: d.city_display for d in self.documents if d.city}

    @cached_property
    def _normalized_texts(self) -> list[str]:
        return [normalize(c.text) for c in self.clauses]

    def find_clause_by_text(self, text: str) -> Clause | None:
        """The clause a pasted text is (part of), or None."""
        needle = normalize(text)
        if len(needle) < 6:
            return None
        for row, hay in enumerate(self._normalized_texts):
            if needle in hay or (len(hay) >= 12 and hay in needle):
                return self.clauses[row]
        return None

    # -- search ---------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None,
               dense_query: str | None = None, prefer: SearchFilters | None = None) -> SearchResult:
        """The k clauses that best match query among those the filters allow.

        dense_query, when given, is embedded instead of query (a question laid out like the indexed
        sentences). prefer ranks the clauses it allows first, each keeping the rank it has among all
        candidates, and makes sure they are candidates however far down the whole corpus they rank.
        """
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        filters = filters if filters is not None else SearchFilters()
        allowed = self._allowed_rows(filters)
        preferred = self._allowed_rows(_both(filters, prefer)) if prefer else None
        lists = []
        if mode in ("hybrid", "dense"):
            # encode_one: an answer encodes the question again for its quote, from the same cache.
            vector = self.embedder.encode_one(dense_query or query)
            lists.append(self._scaled(self._dense_scored(vector, allowed), None, preferred,
                                       lambda rows: self._dense_scored(vector, rows)))
        weights = dict(RANKING_WEIGHTS)
        if mode in ("hybrid", "lexical"):
            scored = self._lexical_scored(query, allowed)
            if mode == "hybrid":
                share = self.lexical.match_share(query, scored[0][1]) if scored else 0.0
                weights["lexical"] *= min(1.0, share / LEXICAL_FULL_SHARE) ** 2
            # BM25's zero is a clause with none of the words: its natural floor.
            lists.append(self._scaled(scored, 0.0, preferred, lambda rows: self._lexical_scored(query, rows)))
        fused = convex_combination(lists, weights=[weights[m] for m in _modes(mode)])
        if preferred is not None:
            wanted = set(preferred.tolist())
            fused.sort(key=lambda item: item[0] not in wanted)       # stable: fused order within each part
        folded: dict[int, list[tuple[int, float]]] = {}
        if not filters.include_superseded:
            # An old version's clause stands folded under its counterpart in the newest version.
            fused, folded = self.folding.fold(fused, lambda r: self.clauses[r].clause_id,
                                              lambda r: self.clauses[r].doc_id, self._rows.get,
                                              None if allowed is None else set(allowed.tolist()))
        terms = tuple(t for t in dict.fromkeys(self.lexical.tokenizer(query)) if len(t) >= 2)

        def make(row: int, score: float) -> Hit:
            return self.hit(row, score, tuple(t for t in terms if t in self._normalized_texts[row]), filters.as_of)

        hits = [replace(make(row, score), older=tuple(make(r, s) for r, s in folded.get(row, ())))
                for row, score in fused[:k]]
        return SearchResult(hits)

    @staticmethod
    def _scaled(scored: list[tuple[int, float]], floor: float | None, preferred: np.ndarray | None,
                score_among) -> dict[int, float]:
        """row -> scaled score (index.fuse.scaled), with the preferred rows past the shortlist."""
        return scaled(scored, floor, score_among(preferred) if preferred is not None and len(preferred) else ())

    @cached_property
    def clause_vectors(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The clauses embedded whole (index.build.whole_clause_unit): (position of each clause row's vector,
        -1 for a clause not embedded whole; the vectors, float16), or None when no clause is."""
        path = self.folder / CLAUSE_VECTORS
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as stored:
            rows, vectors = stored["rows"], stored["vectors"]
        if not len(rows):
            return None
        position = np.full(len(self.clauses), -1, dtype=np.int32)
        position[rows] = np.arange(len(rows), dtype=np.int32)
        return position, vectors

    @cached_property
    def token_rows(self) -> TokenRows:
        """The BM25 tokens of each clause row as the index stores them (read on first use: search never
        needs them, the answering facts do)."""
        return lexical.read_tokens(self.folder / LEXICAL)[1]

    @cached_property
    def _doc_of_row(self) -> np.ndarray:
        position = {d.doc_id: i for i, d in enumerate(self.documents)}
        return np.asarray([position[c.doc_id] for c in self.clauses], dtype=np.int64)

    def _allowed_rows(self, filters: SearchFilters) -> np.ndarray | None:
        """The clause rows the filters allow (sorted), or None for all. Decided per document, so it costs
        one pass over the documents, not the clauses."""
        if not filters.restricts:
            return None
        allowed_docs = np.asarray([_document_allowed(d, filters) and
                                   (not filters.in_force or self.folding.in_force(d.doc_id, filters.as_of))
                                   for d in self.documents], dtype=bool)
        return np.flatnonzero(allowed_docs[self._doc_of_row])
    def _dense_scored(self, vector: np.ndarray, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """(clause row, cosine) best first: a clause scores by its best sentence."""
        if allowed is None:
            scored = self.dense.search_one(vector, min(self.dense.ntotal, SHORTLIST))
        else:
            units = np.flatnonzero(np.isin(self.owners, allowed))
            scored = self.dense.search_among(vector, units, SHORTLIST)
        return [(row, score) for row, score, _ in best_per_group(scored, lambda unit: int(self.owners[unit]))]

    def _lexical_scored(self, query: str, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        # A clause past the shortlist scores next to the floor; fusing every BM25 hit costs 80 ms at 100k clauses.
        return self.lexical.search(query, k=min(self.lexical.ntotal, SHORTLIST), rows=allowed)


def _modes(mode: str) -> list[str]:
    """The rankings a mode fuses, in the order search() builds them."""
    return [m for m in ("dense", "lexical") if mode in (m, "hybrid")]


def _both(filters: SearchFilters, prefer: SearchFilters) -> SearchFilters:
    """Rows both allow: prefer's places within filters' other limits."""
    return replace(filters, cities=prefer.cities or filters.cities, provinces=prefer.provinces or filters.provinces,
                   national=prefer.national or filters.national, doc_ids=prefer.doc_ids or filters.doc_ids)


def _document_allowed(doc: Document, filters: SearchFilters) -> bool:
    year = int(doc.date[:4]) if doc.date else None
    return not (
        (filters.cities and doc.city not in filters.cities and doc.county not in filters.cities)
        or (filters.provinces and doc.province not in filters.provinces)
        or (filters.doc_ids and doc.doc_id not in filters.doc_ids)
        or (filters.national and doc.level != "national")
        or (filters.year_from and (year is None or year < filters.year_from))
        or (filters.year_to and (year is None or year > filters.year_to)))
