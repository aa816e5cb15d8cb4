"""Documents a question names by their titles: which of the corpus's documents a named title is (沧州十四五规划 is
沧州市科技创新“十四五”规划), so that the question is answered from them, or told that the corpus lacks them."""

from __future__ import annotations

import re
from functools import lru_cache

from index.qa.understand import DOCUMENT_TYPE
from index.qa.weights import TITLE_MATCH
from index.search import Searcher
from ingest import regions
from ingest.model import Document
from ingest.normalize import normalize


def documents_bearing(searcher: Searcher, named: str) -> list[Document]:
    """The documents whose title a named title is: of its place, with most characters of its words (without its
    place and its type) in their title's, or most of their title's words in it."""
    places = [region for region, _, _ in regions.region_mentions(named)]
    asked = _title_words(named)
    return [doc for doc in searcher.documents
            if _of_places(doc, places) and _same_words(asked, _title_words(doc.title))]


def _of_places(doc: Document, places) -> bool:
    held = {doc.city, doc.county, doc.province} - {None}
    return not places or any(r.short in held or r.name in held or r.short in doc.title for r in places)


def _same_words(asked: str, title: str) -> bool:
    share = lambda part, whole: sum(c in whole for c in part) / len(part) if part else 0.0  # noqa: E731
    return share(asked, title) >= TITLE_MATCH or share(title, asked) >= TITLE_MATCH


@lru_cache(maxsize=65536)
def _title_words(title: str) -> str:
    """A title's own words: without its places, its period, its type word and punctuation."""
    text = normalize(title)
    for _, start, end in reversed(regions.region_mentions(text)):
        text = text[:start] + text[end:]
    text = re.sub(r"[(（][^)）]*[)）]|(?:19|20)[0-9]{2}|[^\w]|的", "", text)
    return re.sub(rf"(?:{DOCUMENT_TYPE.pattern})$", "", text)


