"""The documents of an index as a library: found by words of their title, place, type, date or issuer, in
province, city and date order, each with its status. The app's 文档库, `policyqa documents` and
the API's /documents list the same documents the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.errors import UnknownName
from index.search import Searcher, SearchFilters
from ingest.model import Document
from ingest.normalize import normalize

# The orders a library can be listed in (the app's 排序), each a key of documents; a document without a
# date (or type) goes last in every order by it.
SORTS = {
    "place": lambda d: (d.province or "", d.city or "", d.date or ""),     # a province's own rules first
    "date": lambda d: (not d.date, _reverse(d.date or ""), d.title),          # newest first
    "date-oldest": lambda d: (not d.date, d.date or "", d.title),
    "title": lambda d: (d.title, d.date or ""),
    "type": lambda d: (not d.doc_type, d.doc_type or "", d.province or "", d.city or "", d.date or ""),
}


def find_documents(searcher: Searcher, query: str = "", types: Sequence[str] = (), year_from: int | None = None,
                   year_to: int | None = None, sort: str = "place") -> list[Document]:
    """The documents whose title, place, type, date or issuer hold every word of query (space-separated),
    of one of `types` (all for none) and dated within the years given (a bound excludes undated
    documents), in the order `sort` names (SORTS: by province, place and date unless told)."""
    if sort not in SORTS:
        raise ValueError(f"sort {sort}: unknown order; use one of {', '.join(SORTS)}")
    words = [normalize(w) for w in query.split()]
    docs = sorted(searcher.documents, key=SORTS[sort])
    if types:
        docs = [d for d in docs if d.doc_type in types]
    if year_from is not None or year_to is not None:
        docs = [d for d in docs if d.date and (year_from is None or int(d.date[:4]) >= year_from)
                and (year_to is None or int(d.date[:4]) <= year_to)]
    if not words:
        return docs
    about = {d.doc_id: normalize(" ".join([d.title, d.city_display, d.province or "", d.doc_type or "",
                                           d.date or "", d.issuer or ""])) for d in docs}
    return [d for d in docs if all(w in about[d.doc_id] for w in words)]


def _reverse(text: str) -> tuple[int, ...]:
    """A key that sorts strings in reverse (ISO dates newest first) inside an ascending sort."""
    return tuple(-ord(c) for c in text)



def check_names(searcher: Searcher, filters: SearchFilters | None = None, cities: Sequence[str] = (),
                clause_id: str | None = None) -> None:
    """Raise UnknownName for the first city, province or document of the filters, city of `cities`
    (compare) or clause id the index does not hold: restricted to it, a search would find nothing and not
    say why."""
    docs = searcher.documents
    places = {d.city for d in docs if d.city} | {d.county for d in docs if d.county}
    asked = [("city", c, places) for c in (filters.cities if filters else ())]
    asked += [("province", p, {d.province for d in docs if d.province}) for p in (filters.provinces if filters else ())]
    asked += [("cities", c, {d.city for d in docs if d.city}) for c in cities]
    for parameter, name, known in asked:
        if name not in known:
            raise UnknownName(parameter, f"{parameter} {name}: no document of that place in the index at "
                                         f"{searcher.folder} (it holds {_some(known)})")
    ids = {d.doc_id for d in docs}
    for doc_id in (filters.doc_ids if filters else ()):
        if doc_id not in ids:
            raise UnknownName("doc", f"doc {doc_id}: no document with that id in the index at {searcher.folder} "
                                     "(ids: `policyqa documents --json` or /documents)")
    if clause_id is None:
        return
    try:
        searcher.row(clause_id)
    except KeyError:
        raise UnknownName("clause_id", f"clause_id {clause_id}: no clause {clause_id} in the index; "
                                       "see `policyqa search` (or /search) for clause ids") from None


def _some(names: set[str], shown: int = 12) -> str:
    ordered = sorted(names)
    return "、".join(ordered[:shown]) + ("…" if len(ordered) > shown else "") if ordered else "no places"
