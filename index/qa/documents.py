"""Questions about a document itself rather than what its clauses say: when it takes effect (in its own words:
本条例自2016年5月1日起施行), its 文号, its issuer, its date, whether it is still in force, all from what was read
of it at ingest (ingest/metadata.py, ingest/validity.py). The document is the one among the top hits' that the
question names best by its title's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.qa.understand import Question, bigram_recall
from index.search import Hit, Searcher
from ingest.normalize import normalize

TOP_DOCUMENTS = 5         # hits whose documents such a question may name
_EFFECT_SENTENCE = re.compile(r"起(?:施行|实施|执行|生效)")


@dataclass(frozen=True)
class DocumentFact:
    hit: Hit                  # the clause to cite
    text: str | None          # the answer; None when the document does not say it
    quote: str | None = None  # the verbatim words it is, when it is a sentence of the text


def named_document(q: Question, hits: list[Hit]) -> Hit | None:
    """The first hit of the document the question names best among the top hits' (by its title's words)."""
    firsts = list({h.document.doc_id: h for h in hits[:TOP_DOCUMENTS]}.values())
    return max(firsts, key=lambda h: bigram_recall(q.core, h.document.title)) if firsts else None  # first of equals


def effect_fact(searcher: Searcher, q: Question, hits: list[Hit]) -> DocumentFact | None:
    """When the document takes effect, as its own sentence says it, cited to the clause that holds it; None when
    it states no such sentence (a plan's period read from its title)."""
    named = named_document(q, hits)
    if named is None:
        return None
    said = (named.document.validity_basis or "").split("；")[0]
    if not _EFFECT_SENTENCE.search(said):
        return None
    clause = next((c for c in searcher.clauses_of(named.document.doc_id) if normalize(said) in normalize(c.text)),
                  None)
    return DocumentFact(Hit(clause, named.document, named.score), said, said) if clause else None


def metadata_fact(q: Question, hits: list[Hit]) -> DocumentFact | None:
    """The 文号, issuer, date or standing today (现行 / 已到期 …, with its period) the question asks of the document."""
    hit = named_document(q, hits)
    if hit is None:
        return None
    doc = hit.document
    if q.asks_document == "效力":
        standing = hit.standing.status if hit.standing else None
        start, end = written_date(doc.valid_from), written_date(doc.valid_to)
        period = f"{start}至{end}" if start and end else (f"自{start}起" if start else (f"至{end}" if end else ""))
        text = f"{standing}（{period}）" if standing and period else standing
    else:
        text = {"文号": doc.doc_number, "发文机关": doc.issuer, "日期": written_date(doc.date)}[q.asks_document]
    return DocumentFact(hit, f"《{doc.title}》{text}" if text else None)


def written_date(iso: str | None) -> str | None:
    """2018-12-14 -> 2018年12月14日."""
    if not iso:
        return None
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"
