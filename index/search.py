"""Hybrid search over an index folder: sentence-level dense (FAISS) fused with clause-level BM25 (RRF).

Searcher.load reads the index once (model name from the manifest, so queries always use the model the
index was built with); search() is then pure in-memory work.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from index import lexical
from index.build import CLAUSES, DENSE, DOCUMENTS, LEXICAL, UNITS, fingerprint_of
from index.dense import DenseIndex
from index.embed import Embedder
from index.errors import IndexCorrupt, IndexMismatch
from index.fuse import best_per_group, reciprocal_rank_fusion
from index.store import read_manifest
from index.versions import Folding, Standing, asks_for_current, in_force_first
from ingest import regions
from ingest.citation import copy_text, format_citation, header_line
from ingest.model import Clause, Document
from ingest.normalize import normalize

MODES = ("hybrid", "dense", "lexical")
SHORTLIST = 1000      # candidates taken from each ranking before fusion
# RRF's constant: 20 rather than the usual 60 lets the top of each list count more against agreement in
# the middle, which matters when BM25 has little to go on (a paraphrase): held-out paraphrase recall@5
# 0.69 -> 0.81, gold set unchanged (figures in README.md).
RRF_K = 20
# "What did the cities do about X": the answer is one list per city, so results alternate between cities.
ACROSS_CITIES = re.compile(r"各(市|地|城市|个城市|区县)|哪(些|几个|几座|个)(城市|地方|市)|"
                           r"不同城市|其他城市|多地|各省市")
_YEAR = re.compile(r"(?<![0-9])(19[89][0-9]|20[0-9]{2})\s*年")


@dataclass(frozen=True)
class SearchFilters:
    cities: tuple[str, ...] = ()         # short names: 沧州
    provinces: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
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
        return bool(self.cities or self.provinces or self.doc_ids or self.year_from or self.year_to
                    or self.in_force)


@dataclass(frozen=True)
class Hit:
    clause: Clause
    document: Document
    score: float
    matched_terms: tuple[str, ...] = ()
    standing: Standing | None = None     # 现行 / 已到期 / … / 已被新版本取代 (index/versions.py)
    older: tuple[Hit, ...] = ()          # the same article in older versions, folded under this one

    @property
    def citation(self) -> str:
        return format_citation(self.document, self.clause)

    @property
    def header(self) -> str:
        return header_line(self.document, self.clause)

    @property
    def copy_text(self) -> str:
        return copy_text(self.document, self.clause)

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
    understood: SearchFilters                          # what the question itself named (city, year)
    notes: list[str] = field(default_factory=list)     # e.g. 语料中没有保定市的政策文件
    unknown_places: list[str] = field(default_factory=list)
    year: int | None = None                            # a year the question names


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
            documents = [Document(**d) for d in _read_jsonl(folder / DOCUMENTS)]
            clauses = [Clause.from_dict(c) for c in _read_jsonl(folder / CLAUSES)]
            owners = np.load(folder / UNITS, allow_pickle=False)
            dense = DenseIndex.load(folder / DENSE)
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
    def cities(self) -> set[str]:
        return {d.city for d in self.documents if d.city}

    @cached_property
    def _city_display(self) -> dict[str, str]:
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

    # -- query understanding --------------------------------------------------------------------
    def understand(self, query: str) -> tuple[SearchFilters, list[str], int | None]:
        """Cities named in the question (in the corpus or not) and a year it names."""
        named, unknown = [], []
        for region in regions.find_regions(query):
            short = region.short if region.level != "county" else region.name
            city = regions.city_of(region)
            city_short = city.short if city else short
            if city_short in self.cities:
                named.append(city_short)
            elif region.level != "province" or region.short in regions.MUNICIPALITIES:
                unknown.append(region.name)
        year = _YEAR.search(query)
        return SearchFilters(cities=tuple(dict.fromkeys(named))), list(dict.fromkeys(unknown)), \
            int(year.group(1)) if year else None

    # -- search ---------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: SearchFilters | None = None,
               understand: bool = True) -> SearchResult:
        if mode not in MODES:
            raise ValueError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        filters = filters if filters is not None else SearchFilters()
        understood, unknown, year = self.understand(query) if understand else (SearchFilters(), [], None)
        notes = [f"语料中没有{place}的政策文件" for place in unknown]
        allowed = self._allowed_rows(filters)
        rankings = []
        if mode in ("hybrid", "dense"):
            rankings.append(self._dense_ranking(query, allowed, understood.cities))
        if mode in ("hybrid", "lexical"):
            rankings.append(self._lexical_ranking(query, allowed))
        fused = reciprocal_rank_fusion(rankings, k=RRF_K) if len(rankings) > 1 else \
            [(row, 1.0 / (RRF_K + rank)) for rank, row in enumerate(rankings[0], start=1)]
        if year:
            # A year the question names: clauses that speak of it come first among equals.
            bonus = 0.2 / (RRF_K + 1)
            mark = f"{year}年"
            fused = sorted(((row, score + (bonus if mark in self._normalized_texts[row] else 0.0))
                            for row, score in fused), key=lambda item: -item[1])
        if understood.cities and not filters.cities:
            # A city named in the question ranks that city's clauses first (not a hard filter: the
            # user can still see other cities below).
            wanted = set(understood.cities)
            fused.sort(key=lambda item: (self._docs[self.clauses[item[0]].doc_id].city not in wanted, -item[1]))
        elif ACROSS_CITIES.search(query):
            fused = self._alternate_cities(fused)
        if understand and asks_for_current(query):
            # 现在/目前/现行: documents in force first, within the question's city when it names one
            wanted = set(understood.cities) if not filters.cities else set()
            fused = in_force_first(fused, self.folding, lambda r: self.clauses[r].doc_id, filters.as_of,
                                   lambda r: bool(wanted) and self._docs[self.clauses[r].doc_id].city not in wanted)
        folded: dict[int, list[tuple[int, float]]] = {}
        if not filters.include_superseded:
            fused, folded = self.folding.fold(fused, lambda r: self.clauses[r].clause_id,
                                              lambda r: self.clauses[r].doc_id, self._rows.get, allowed)
        terms = tuple(t for t in dict.fromkeys(self.lexical.tokenizer(query)) if len(t) >= 2)

        def make(row: int, score: float) -> Hit:
            return self.hit(row, score, tuple(t for t in terms if t in self._normalized_texts[row]), filters.as_of)

        hits = [replace(make(row, score), older=tuple(make(r, s) for r, s in folded.get(row, ())))
                for row, score in fused[:k]]
        return SearchResult(hits, understood, notes, unknown, year)

    def _alternate_cities(self, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Best clause of each city, then the second best of each, ... (order within a city kept)."""
        turn: dict[str | None, int] = {}
        keyed = []
        for position, (row, score) in enumerate(fused):
            city = self._docs[self.clauses[row].doc_id].city
            turn[city] = turn.get(city, -1) + 1
            keyed.append(((turn[city], position), (row, score)))
        return [item for _, item in sorted(keyed)]

    def _allowed_rows(self, filters: SearchFilters) -> set[int] | None:
        if not filters.restricts:
            return None
        in_force = {d.doc_id for d in self.documents if self.folding.in_force(d.doc_id, filters.as_of)} \
            if filters.in_force else set()
        keep = []
        for row, clause in enumerate(self.clauses):
            doc = self._docs[clause.doc_id]
            year = int(doc.date[:4]) if doc.date else None
            if (filters.cities and doc.city not in filters.cities and doc.county not in filters.cities) or \
                    (filters.provinces and doc.province not in filters.provinces) or \
                    (filters.doc_ids and doc.doc_id not in filters.doc_ids) or \
                    (filters.year_from and (year is None or year < filters.year_from)) or \
                    (filters.year_to and (year is None or year > filters.year_to)) or \
                    (filters.in_force and doc.doc_id not in in_force):
                continue
            keep.append(row)
        return set(keep)

    def _dense_ranking(self, query: str, allowed: set[int] | None, cities: tuple[str, ...] = ()) -> list[int]:
        # Laid out like the embedded sentences ("沧州市 …：sentence") when the question names its city.
        if cities:
            query = " ".join(self._city_display[c] for c in cities) + "：" + query
        vector = self.embedder.encode([query])
        # Every sentence at corpus size; for big indexes a shortlist, larger when a filter will thin it.
        k = min(self.dense.ntotal, SHORTLIST if allowed is None else max(SHORTLIST, 5 * len(allowed)))
        hits = self.dense.search(vector, k)
        # A clause scores by its best sentence.
        clauses = best_per_group(list(zip(hits.ids[0].tolist(), hits.scores[0].tolist(), strict=True)),
                                 lambda unit: int(self.owners[unit]))
        return [row for row, _, _ in clauses if allowed is None or row in allowed]

    def _lexical_ranking(self, query: str, allowed: set[int] | None) -> list[int]:
        # RRF gives ranks past the shortlist almost nothing; fusing every BM25 hit costs 80 ms at 100k clauses.
        k = self.lexical.ntotal if allowed is not None else min(self.lexical.ntotal, SHORTLIST)
        return [row for row, _ in self.lexical.search(query, k=k) if allowed is None or row in allowed]


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
