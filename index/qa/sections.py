"""A question about a part of a document by its heading (主要任务有哪些, 政策措施包括哪些): the part's own headings one
level down answer it (加强组织领导；营造创新氛围), cited to the part's first clause, instead of a phrase of one of
its clauses."""

from __future__ import annotations

from index.qa.quote import SEGMENT_END
from index.qa.understand import Question
from index.search import Hit, Searcher
from ingest.normalize import normalize
from ingest.numbering import parse_numbering

SECTION_WORDS = 4         # characters of a heading the question must name whole (主要任务); set by reading
SECTION_HITS = 3          # best hits whose headings may be the part asked about


def section_answer(searcher: Searcher, q: Question, hits: list[Hit]) -> tuple[Hit, str] | None:
    """(the part's first clause, its sub-headings joined) when a "哪些" question names a heading of one of the
    best hits whole and that part has two sub-headings or more; else None."""
    if not q.wants_list:
        return None
    asked = normalize(q.text)
    for hit in hits[:SECTION_HITS]:
        path = hit.clause.section
        for level, heading in enumerate(path):
            words = _words(heading)
            if len(words) < SECTION_WORDS or words not in asked:
                continue
            part = [c for c in searcher.clauses_of(hit.clause.doc_id)
                    if tuple(c.section[:level + 1]) == tuple(path[:level + 1])]
            # A statute's articles under a chapter have no words of their own (第十条): no parts to name.
            names = [n for n in dict.fromkeys(_first_phrase(_words(c.section[level + 1]))
                                              for c in part if len(c.section) > level + 1) if n]
            if len(names) >= 2:
                return searcher.hit(searcher.row(part[0].clause_id), hit.score), "；".join(names)
    return None


def _words(heading: str) -> str:
    """A heading without its number: 四、组织保障 -> 组织保障."""
    text = normalize(heading).strip()
    numbering = parse_numbering(text)
    return text[numbering.length:].strip() if numbering else text


def _first_phrase(heading: str) -> str:
    """(一)精心打造协同创新战略平台,力争… -> 精心打造协同创新战略平台: a sub-heading's name, not its gloss."""
    end = SEGMENT_END.search(heading)
    return (heading[:end.start()] if end else heading).rstrip("。")
