"""Versions of one document: the same place (or issuer) and the same title, year and version marks aside.

上海市科学技术进步条例(2010-09-17).md and (2024-05-10).md are two versions of one regulation; the older one
is 已被新版本取代 and points at the newer. Which is newer is told by the latest date each version carries:
a date in its file name, its header's passage and amendment lines (…修订, …修正), its own date.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.dates import iso, split_name_date
from ingest.model import Document
from ingest.normalize import normalize
from ingest.validity import IN_FORCE, NOT_YET, status_of

SUPERSEDED = "已被新版本取代"

# Marks a title carries that name a version, not a different document.
_MARKS = re.compile(
    r"[(（\[【〔](?:[0-9]{4}[-.年][0-9]{1,2}(?:[-.月][0-9]{1,2}日?)?|[0-9]{4}年?(?:修订|修正|版|本)?"
    r"|[0-9]{4}\s*[-—―–~至]+\s*[0-9]{4}年?|试行|暂行|修订|修正|草案|征求意见稿|送审稿|修订稿|修订版"
    r"|[0-9]{4}年(?:第.{1,3}次)?修[订正])[)）\]】〕]")
_LOOSE_MARKS = re.compile(r"(?<=[\u4e00-\u9fff])(?:暂行|试行)(?=(?:条例|规定|办法|细则|规则|措施|意见)$)")
_HEADER_DATE = re.compile(r"((?:19|20)[0-9]{2})年([0-9]{1,2})月([0-9]{1,2})日.{0,120}?"
                          r"(?:通过|修订|修正|批准|公布|发布|印发)")
_HEADER_LINES = 30          # passage and amendment lines stand at the top
# A question about what applies now: documents in force first (现在/目前/现行/当前/最新/仍然有效).


def title_key(title: str) -> str:
    """The title without its version marks: 张家口市科技创新三年行动计划(2018―2020年) -> …三年行动计划."""
    norm = normalize(title).replace("“", "\"").replace("”", "\"")
    norm = _MARKS.sub("", norm)
    return _LOOSE_MARKS.sub("", norm)


def version_key(doc: Document) -> tuple | None:
    """Same key, same document in another version: its place (or issuer, for a document of no place) and
    its title without marks. None when neither place nor issuer is known (nothing safe to link on)."""
    place = (doc.province, doc.city, doc.county) if (doc.province or doc.city or doc.county) else None
    owner = place or (normalize(doc.issuer) if doc.issuer else None)
    return (owner, title_key(doc.title)) if owner else None


def version_date(doc: Document) -> str | None:
    """The latest date the version carries (ISO): file name, header passage/amendment lines, its date;
    for an undated copy, the day it took effect."""
    dates = [doc.date] if doc.date else []
    dates.append(split_name_date(Path(doc.source).stem)[1])
    head = "\n".join(doc.text.splitlines()[:_HEADER_LINES]).split("INFO END")[0]
    dates += [iso(*m.groups()) for m in _HEADER_DATE.finditer(normalize(head.replace("\n", "。")))]
    dates = [d for d in dates if d]
    return max(dates) if dates else doc.valid_from


@dataclass(frozen=True)
class Versions:
    """The version families of a set of documents."""
    families: tuple[tuple[str, ...], ...]      # doc ids, newest first; only families of two or more
    dates: dict[str, str | None]               # doc id -> version date

    @property
    def newest(self) -> dict[str, str]:
        """doc id of an older version -> doc id of the newest version of its family."""
        return {old: family[0] for family in self.families for old in family[1:]}

    @property
    def newer(self) -> dict[str, str]:
        """doc id of an older version -> the next newer version."""
        return {family[i + 1]: family[i] for family in self.families for i in range(len(family) - 1)}

    def family_of(self, doc_id: str) -> tuple[str, ...]:
        return next((f for f in self.families if doc_id in f), (doc_id,))

    def superseded(self, doc_id: str) -> bool:
        return doc_id in self.newest

    def pairs(self) -> list[tuple[str, str]]:
        """(older, newer) for every two consecutive versions."""
        return sorted((old, new) for old, new in self.newer.items())


def link_versions(documents: Iterable[Document]) -> Versions:
    """Group documents by version_key; order each group newest first. Two copies of one date cannot be
    told apart as older and newer: such a group is left unlinked (a duplicate, not a version)."""
    groups: dict[tuple, list[Document]] = defaultdict(list)
    for doc in documents:
        if (key := version_key(doc)) is not None:
            groups[key].append(doc)
    families, dates = [], {}
    for docs in groups.values():
        if len(docs) < 2:
            continue
        dated = {d.doc_id: version_date(d) for d in docs}
        if None in dated.values() or len(set(dated.values())) < len(dated):
            continue
        dates.update(dated)
        families.append(tuple(sorted(dated, key=lambda i: dated[i], reverse=True)))
    return Versions(tuple(sorted(families)), dates)


def in_force(doc: Document, versions: Versions, on=None, newest: Document | None = None) -> bool:
    """现行 on that day and not replaced by a newer version (one not yet in effect replaces nothing yet)."""
    if versions.superseded(doc.doc_id) and (newest is None or status_of(newest, on) != NOT_YET):
        return False
    return status_of(doc, on) == IN_FORCE


# -- in a searcher: each document's standing, and old versions' hits folded under the newest ---------

@dataclass(frozen=True)
class Standing:
    """What a result card says of its document: its status, and the newer version when there is one."""
    status: str                      # 现行 / 已到期 / 未生效 / 不详 / 已被新版本取代
    trial: bool = False              # 试行 / 暂行
    newer_doc_id: str | None = None  # the newest version, when this one is superseded
    newer_title: str | None = None
    newer_date: str | None = None

    def to_json(self) -> dict:
        return {"status": self.status, "superseded_by": self.newer_doc_id}


class Folding:
    """Version families of an index, and for an old version's clause the clause of the newest version
    that revises it (by 新旧对照 alignment, computed once per pair)."""

    def __init__(self, documents: list[Document], clauses_of):
        self.versions = link_versions(documents)
        self._docs = {d.doc_id: d for d in documents}
        self._clauses_of = clauses_of
        self._newest = self.versions.newest
        self._counterparts: dict[str, dict[str, str]] = {}

    def standing(self, doc_id: str, on=None) -> Standing:
        from ingest.validity import is_trial

        doc = self._docs[doc_id]
        newest = self._newest.get(doc_id)
        if newest is None:
            return Standing(status_of(doc, on), is_trial(doc))
        newer = self._docs[newest]
        status = status_of(doc, on) if status_of(newer, on) == NOT_YET else SUPERSEDED
        return Standing(status, is_trial(doc), newest, newer.title, self.versions.dates.get(newest))

    def in_force(self, doc_id: str, on=None) -> bool:
        newest = self._newest.get(doc_id)
        return in_force(self._docs[doc_id], self.versions, on, self._docs[newest] if newest else None)

    def counterpart(self, clause_id: str, doc_id: str) -> str | None:
        """The clause id, in the newest version, of the article that revises this clause's article."""
        newest = self._newest.get(doc_id)
        if newest is None:
            return None
        if doc_id not in self._counterparts:
            from index.diff import diff_clauses

            mapping = {}
            for row in diff_clauses(self._clauses_of(doc_id), self._clauses_of(newest)):
                if row.old is not None and row.new is not None:
                    for old_id in row.old.clause_ids:
                        mapping.setdefault(old_id, row.new.clause_ids[0])
            self._counterparts[doc_id] = mapping
        return self._counterparts[doc_id].get(clause_id)

    def fold(self, ranked: list[tuple[int, float]], clause_id_of, doc_id_of, row_of,
             allowed: set[int] | None) -> tuple[list[tuple[int, float]], dict[int, list[tuple[int, float]]]]:
        """The ranking with each old version's clause replaced, where it stands, by its counterpart in the
        newest version (the old one folded under it); an old clause with no counterpart stays, marked.
        Returns (ranking, folded: row of the newer clause -> the old rows under it)."""
        if not self._newest:
            return ranked, {}
        out: list[tuple[int, float]] = []
        placed: set[int] = set()
        folded: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for row, score in ranked:
            doc_id = doc_id_of(row)
            target = None
            if doc_id in self._newest:
                newer = self.counterpart(clause_id_of(row), doc_id)
                target = row_of(newer) if newer else None
                if target is not None and allowed is not None and target not in allowed:
                    target = None
            if target is None:
                if row not in placed:
                    out.append((row, score))
                    placed.add(row)
                continue
            if target not in placed:
                out.append((target, score))
                placed.add(target)
            if all(doc_id_of(r) != doc_id for r, _ in folded[target]):    # one (the best) per old version
                folded[target].append((row, score))
        return out, dict(folded)
