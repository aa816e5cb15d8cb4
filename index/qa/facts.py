"""Word and sentence facts that answers look up per clause and city, computed once per loaded index.

Its own module so that the Answerer (refusals, the cities answer) and quote.py (ranking sentences) share one
cache without importing each other.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass

from index.search import Searcher


@dataclass
class IndexFacts:
    """What answers look up per clause and city, computed once per loaded index."""
    words_of_city: dict[str, set[str]]      # words of each city's titles, headings and clauses
    words: set[str]                         # of the whole corpus
    clause_frequency: Counter               # word -> number of clauses (with their headings) using it
    units_of: dict[int, list[int]]          # row -> its embedded sentences, in order


_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def facts_of(searcher: Searcher) -> IndexFacts:
    if searcher not in _FACTS:
        tokenizer = searcher.lexical.tokenizer
        per_city: dict[str, set[str]] = {}
        frequency: Counter = Counter()
        # Each text is tokenised once (jieba is most of the first answer's time on a large index).
        for doc in searcher.documents:
            per_city.setdefault(doc.city or "", set()).update(tokenizer(doc.title))
        for clause in searcher.clauses:
            words = set(tokenizer(" ".join([*clause.section, clause.text])))
            per_city[searcher.document(clause.doc_id).city or ""].update(words)
            frequency.update(words)
        units_of: dict[int, list[int]] = {}
        for unit, row in enumerate(searcher.owners.tolist()):
            units_of.setdefault(int(row), []).append(unit)
        _FACTS[searcher] = IndexFacts(per_city, set().union(*per_city.values()) if per_city else set(),
                                      frequency, units_of)
    return _FACTS[searcher]
