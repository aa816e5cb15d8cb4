"""Word and sentence facts that answers look up per clause and city, computed once per loaded index.

Its own module so that the Answerer (refusals, the cities answer) and quote.py (ranking sentences) share one
cache without importing each other.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field

from index.search import Searcher


@dataclass
class IndexFacts:
    """What answers look up per clause and city, computed once per loaded index."""
    words_of_city: dict[str, set[str]]      # words of each city's (and county's) titles, headings and clauses
    words: set[str]                         # of the whole corpus
    clause_frequency: Counter               # word -> number of clauses (with their headings) using it
    units_of: dict[int, list[int]]          # row -> its embedded sentences, in order
    # city -> its words by (first, last) character, built when first asked (says)
    ends_of_city: dict[str, dict[tuple[str, str], list[str]]] = field(default_factory=dict)

    def says(self, place: str, word: str) -> bool:
        """Does the place's vocabulary hold the word, or a longer form it abbreviates (出租车: 出租汽车)?"""
        words = self.words_of_city.get(place, set())
        if word in words:
            return True
        if place not in self.ends_of_city:
            by_ends: dict[tuple[str, str], list[str]] = {}
            for w in words:
                by_ends.setdefault((w[0], w[-1]), []).append(w)
            self.ends_of_city[place] = by_ends
        return any(abbreviates(word, w) for w in self.ends_of_city[place].get((word[0], word[-1]), ()))


def abbreviates(short: str, long: str) -> bool:
    """Is short an abbreviation of long (科技局: 科学技术局)? Chinese abbreviates by keeping characters in order,
    the first and the last among them; the long form is at most twice as long."""
    if not len(short) < len(long) <= 2 * len(short) or short[0] != long[0] or short[-1] != long[-1]:
        return False
    rest = iter(long)
    return all(c in rest for c in short)


_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def facts_of(searcher: Searcher) -> IndexFacts:
    if searcher not in _FACTS:
        tokenizer = searcher.lexical.tokenizer
        per_city: dict[str, set[str]] = {}
        frequency: Counter = Counter()
        for doc in searcher.documents:
            for place in _places_of(doc):
                per_city.setdefault(place, set()).update(tokenizer(doc.title))
        for clause, words in zip(searcher.clauses, clause_words(searcher), strict=True):
            for place in _places_of(searcher.document(clause.doc_id)):
                per_city[place].update(words)
            frequency.update(words)
        units_of: dict[int, list[int]] = {}
        for unit, row in enumerate(searcher.owners.tolist()):
            units_of.setdefault(int(row), []).append(unit)
        _FACTS[searcher] = IndexFacts(per_city, set().union(*per_city.values()) if per_city else set(),
                                      frequency, units_of)
    return _FACTS[searcher]


def _places_of(doc) -> tuple[str, ...]:
    """The keys a document's words are filed under (place_keys), and "" for a document of no city."""
    return place_keys(doc) if doc.city else ("", *place_keys(doc))


def place_keys(doc) -> tuple[str, ...]:
    """The places a document is of, as refusals look them up: its city, its county when it is a county's (a
    question names 柳河县 as readily as 通化), and its province (浙江省… means the province's own and its
    cities' documents)."""
    keys = tuple(k for k in (doc.city, doc.county) if k)
    return keys + ((province_key(doc.province),) if doc.province else ())


_PROVINCE = "province:"


def province_key(province: str) -> str:
    """A province's key, apart from a city of the same name (吉林省, 吉林市)."""
    return _PROVINCE + province


def province_of_key(key: str) -> str | None:
    """The province a key stands for (province_key), None for a city's or a county's."""
    return key.removeprefix(_PROVINCE) if key.startswith(_PROVINCE) else None


def clause_words(searcher: Searcher) -> list[set[str]]:
    """The words of each clause and its headings: its BM25 tokens as the index stores them, without those of
    the city and title in front. Cutting every clause again took most of a first answer (20 s and more at
    ten thousand clauses); a prefix's parts and the text are cut apart anyway (jieba cuts at the spaces and
    the line break between them), so the tokens after the city's and the title's are the clause's own."""
    tokenizer = searcher.lexical.tokenizer
    tokens = searcher.token_rows.rows()
    lead = {d.doc_id: len(tokenizer(d.city_display)) + len(tokenizer(d.title)) for d in searcher.documents}
    return [set(row[lead[clause.doc_id]:]) for clause, row in zip(searcher.clauses, tokens, strict=True)]
