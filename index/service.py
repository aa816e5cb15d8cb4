"""What `policyqa … --json` prints and the HTTP API (index/api.py) returns: one function per operation,
taking a loaded Searcher and the operation's parameters and returning its JSON object, so that both give
the same object for the same parameters.

A city, province, document or clause the index does not hold raises UnknownName (index/errors.py) before
anything is searched: restricted to it, a search would find nothing and not say why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from index import compare as comparing
from index.library import check_names, find_documents
from index.qa import answerer_for
from index.search import Searcher, SearchFilters
from index.similar import similar as similar_hits


def search(searcher: Searcher, query: str, k: int = 10, mode: str = "hybrid",
           filters: SearchFilters | None = None) -> dict:
    """{"query", "notes", "results": [hit, …]}: the clauses for a question, read as the Answerer reads it."""
    check_names(searcher, filters)
    result = answerer_for(searcher).search(query, k=k, mode=mode, filters=filters)
    return {"query": query, "notes": result.notes, "results": [h.to_json() for h in result.hits]}


def ask(searcher: Searcher, question: str, filters: SearchFilters | None = None) -> dict:
    """{"question", "answer", "abstained", "confidence", "unsure", "reason", "quote", "citations", "related"}."""
    check_names(searcher, filters)
    return {"question": question, **answerer_for(searcher).answer(question, filters).to_json()}


def similar(searcher: Searcher, text: str | None = None, clause_id: str | None = None, k: int = 5) -> dict:
    """{"results": [hit, …]}: what other cities did about the measure of a text or a clause."""
    check_names(searcher, clause_id=clause_id)
    return {"results": [h.to_json() for h in similar_hits(searcher, clause_id=clause_id, text=text, k=k)]}


def compare(searcher: Searcher, topic: str, cities: list[str] | None = None) -> dict:
    """{"topic", "rows": [row, …]}: one row per city and document, its best clauses and figures."""
    check_names(searcher, cities=cities or ())
    return comparing.rows_to_json(comparing.compare(searcher, topic, cities=cities), topic)


def documents(searcher: Searcher, query: str = "", as_of: str | None = None, types: Sequence[str] = (),
              year_from: int | None = None, year_to: int | None = None, sort: str = "place") -> dict:
    """{"query", "documents": [document, …]}: the documents whose title, place, type, date or issuer hold
    every word of query (all for an empty one), of the types and years given, in the order `sort` names
    (index.library.SORTS; by province, city and date unless told), each with its status on as_of (default
    today) and its number of clauses. An unknown sort raises ValueError naming it."""
    counts = Counter(c.doc_id for c in searcher.clauses)
    return {"query": query, "documents": [
        {"doc_id": d.doc_id, "source": d.source, "title": d.title, "city": d.city, "province": d.province,
         "issuer": d.issuer, "doc_number": d.doc_number, "date": d.date, "doc_type": d.doc_type,
         "valid_from": d.valid_from, "valid_to": d.valid_to,
         **searcher.folding.standing(d.doc_id, as_of).to_json(), "clauses": counts[d.doc_id]}
        for d in find_documents(searcher, query, types, year_from, year_to, sort)]}


def warm_up(searcher: Searcher) -> None:
    """One call of each operation: loads the model and fills the per-index caches (places, facts, versions,
    normalised texts), so that later calls, concurrent or not, only read them."""
    hit = searcher.search("科技创新", k=1).hits
    ask(searcher, "科技创新")
    if hit:
        similar(searcher, text=hit[0].clause.text, k=1)
    compare(searcher, "科技创新")
    documents(searcher)
