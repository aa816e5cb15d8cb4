"""新旧对照: the articles of two versions of a document side by side, aligned, with the changed text marked.

Articles (第X条 with the items under it; for a document without articles, each numbered clause) are
paired by how alike their words are (tf-idf over character pairs and words), most alike first, one to one;
then an old article merged into a new one joins the article it is clearly closest to. (Pairing the new
articles left over with an old one the same way, for splits, added more wrong pairs than right ones.)
Within a pair, the changed characters are marked with difflib.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.model import Clause
from ingest.normalize import normalize

# Thresholds on the tf-idf cosine of two articles, measured on 上海市科学技术进步条例 2010 vs 2024 (a
# second, wholesale revision: 30 of the 49 old articles carried into the 47 new ones, read by hand in
# tests/test_versions.py): a revised article scores 0.08 and up against its new text; an old article
# folded into a new one that already has its own counterpart joins it when it is that clearly closest.
SAME_ARTICLE = 0.08
MERGED_ARTICLE = 0.08
MARGIN = 0.02
MERGED_SHARE = 0.5       # ... and at least half as alike as the new article's own counterpart
_HEADING_ONLY = re.compile(r"^[#\u200b\ufeff]*(?:第[一二三四五六七八九十百零〇两0-9]+[编章节]\S{0,20})?"
                           r"[\u200b\ufeff]*$")
SHORT_RUN = 3            # characters: shorter equal runs inside a change are shown as part of it
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇两0-9]+条")
_LABEL = re.compile(r"^\s*第\s*[一二三四五六七八九十百零〇两0-9 ]+\s*条\s*")


@dataclass(frozen=True)
class Article:
    label: str                        # 第十二条, or a clause's own number
    section: tuple[str, ...]          # where it stands: ('第三章 技术创新与成果转化', '第十二条')
    text: str                         # its text, original characters, items joined
    clause_ids: tuple[str, ...]

    @property
    def body(self) -> str:
        """The text without its own 第X条 label: what is compared."""
        return normalize(_LABEL.sub("", self.text))


@dataclass(frozen=True)
class Segment:
    kind: str                         # same | changed | added | removed
    old: str
    new: str


# How each kind of aligned row is named to a reader (app and CLI).
KIND_NAMES = {"same": "未改", "changed": "修改", "merged": "并入", "added": "新增", "removed": "删去"}


@dataclass(frozen=True)
class Row:
    old: Article | None
    new: Article | None
    similarity: float
    segments: tuple[Segment, ...] = field(default=())
    merged: bool = False              # one of several old articles made one new

    @property
    def kind(self) -> str:
        """same | changed | merged | added | removed"""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        if self.old.body == self.new.body:
            return "same"
        return "merged" if self.merged else "changed"

    def to_json(self) -> dict:
        return {"kind": self.kind, "similarity": round(self.similarity, 3),
                "old": _article_json(self.old), "new": _article_json(self.new),
                "segments": [{"kind": s.kind, "old": s.old, "new": s.new} for s in self.segments]}


def _article_json(article: Article | None) -> dict | None:
    if article is None:
        return None
    return {"label": article.label, "section": " › ".join(article.section), "text": article.text,
            "clause_ids": list(article.clause_ids)}


def articles(clauses: list[Clause]) -> list[Article]:
    """The document's articles in order: a 第X条 with everything under it, parts joined."""
    units: list[tuple[tuple[str, ...], str, list[Clause]]] = []
    for clause in clauses:
        depth = next((i for i, s in enumerate(clause.section) if _ARTICLE.match(normalize(s))), None)
        key = clause.section[: depth + 1] if depth is not None else (*clause.section, f"#{clause.label}")
        if units and units[-1][0] == key:
            units[-1][2].append(clause)
        else:
            label = _ARTICLE.match(normalize(clause.section[depth])).group() if depth is not None else clause.label
            units.append((key, label, [clause]))
    out = []
    for key, label, group in units:
        text = _joined(group)
        if _HEADING_ONLY.match(normalize(text)):
            continue                                # a chapter heading the numbering did not take
        if key and not key[-1].startswith("#") and not normalize(text).startswith(label):
            # 第二十七条 …建立以下信息系统： stands as the heading of its items: it is the article's first line
            text = key[-1] + "\n" + text
        section = tuple(s for s in key if not s.startswith("#"))
        out.append(Article(label, section, text, tuple(c.clause_id for c in group)))
    return out


def _joined(group: list[Clause]) -> str:
    text = ""
    for clause in group:
        # a long clause cut into parts continues on the same line; an item under the article starts its own
        text += ("" if clause.part > 1 or not text else "\n") + clause.text
    return text


def _features(text: str) -> Counter:
    """Character pairs and words: pairs catch a reworded phrase, words the terms a revision kept."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    chars = _NOT_TEXT.sub("", text)
    found = Counter(chars[i:i + 2] for i in range(len(chars) - 1))
    found.update("w:" + w for w in jieba.lcut(chars) if len(w) >= 2)
    return found


def _vectors(texts: list[str]) -> list[dict[str, float]]:
    """tf-idf (sublinear tf), idf over the articles of both versions: what every article says
    (科学技术, 本市) weighs little, what one says (加计扣除, 自然科学基金) much."""
    counts = [_features(t) for t in texts]
    df = Counter(g for c in counts for g in c)
    idf = {g: math.log(len(counts) / n) for g, n in df.items()}
    vectors = []
    for c in counts:
        v = {g: (1 + math.log(n)) * idf[g] for g, n in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({g: x / norm for g, x in v.items()})
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(g, 0.0) for g, x in a.items())


def scores(old: list[Article], new: list[Article]) -> list[list[float]]:
    vectors = _vectors([a.body for a in old] + [b.body for b in new])
    left, right = vectors[: len(old)], vectors[len(old):]
    return [[_cosine(a, b) for b in right] for a in left]


def align(old: list[Article], new: list[Article]) -> list[Row]:
    """Rows in the new version's order: each new article with the old article(s) it revises, the old
    articles dropped (removed) after the one they followed, the new ones without a source (added)."""
    score = scores(old, new)
    match: dict[int, int] = {}
    taken: set[int] = set()
    ranked = sorted(((score[i][j], i, j) for i in range(len(old)) for j in range(len(new))), reverse=True)
    for value, i, j in ranked:                      # one to one, most alike first
        if value < SAME_ARTICLE:
            break
        if i not in match and j not in taken:
            match[i] = j
            taken.add(j)
    merged: dict[int, int] = {}
    primary = {j: score[i][j] for i, j in match.items()}
    for i in range(len(old)):                       # two old articles made one: the second one joins
        j = _clear_best(score[i]) if i not in match else None
        if j is not None and score[i][j] >= MERGED_SHARE * primary.get(j, 0.0):
            merged[i] = j
    rows: list[tuple[tuple[float, bool, int], Row]] = []    # (new position, merged after its partner, old)
    for i, j in {**match, **merged}.items():
        rows.append(((j, i in merged, i), Row(old[i], new[j], score[i][j], _segments(old[i].text, new[j].text),
                                              merged=i in merged)))
    placed = {i: j for i, j in {**match, **merged}.items()}
    for j in range(len(new)):
        if j not in taken:
            rows.append(((j, False, -1), Row(None, new[j], 0.0, (Segment("added", "", new[j].text),))))
    for i in range(len(old)):
        if i not in placed:
            before = [placed[k] for k in placed if k < i]
            rows.append(((max(before) + 0.5 if before else -0.5, False, i),
                         Row(old[i], None, 0.0, (Segment("removed", old[i].text, ""),))))
    return [row for _, row in sorted(rows, key=lambda item: item[0])]


def _clear_best(values: list[float]) -> int | None:
    """The one clearly most alike, if alike enough: above MERGED_ARTICLE and MARGIN ahead of the next."""
    if not values:
        return None
    order = sorted(range(len(values)), key=lambda k: values[k], reverse=True)
    best = values[order[0]]
    runner = values[order[1]] if len(order) > 1 else 0.0
    return order[0] if best >= MERGED_ARTICLE and best - runner >= MARGIN else None


def shared_aligned(rows: list[Row]) -> dict[str, str]:
    """old article label -> new article label, for every aligned row."""
    return {r.old.label: r.new.label for r in rows if r.old is not None and r.new is not None}


def _segments(old: str, new: str) -> tuple[Segment, ...]:
    """The changes between two texts; a run of fewer than SHORT_RUN equal characters between two changes
    is taken into them (a rewritten sentence reads as one change, not as scattered single characters)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    kinds = {"equal": "same", "replace": "changed", "delete": "removed", "insert": "added"}
    raw = [Segment(kinds[tag], old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    out: list[Segment] = []
    for k, seg in enumerate(raw):
        short = seg.kind == "same" and len(seg.old) < SHORT_RUN and 0 < k < len(raw) - 1
        if (short or seg.kind != "same") and out and out[-1].kind != "same":
            last = out.pop()
            out.append(Segment("changed", last.old + seg.old, last.new + seg.new))
        elif short:
            out.append(Segment("changed", seg.old, seg.new))
        else:
            out.append(seg)
    return tuple(Segment(_kind(s), s.old, s.new) if s.kind != "same" else s for s in out)


def _kind(segment: Segment) -> str:
    if not segment.old:
        return "added"
    if not segment.new:
        return "removed"
    return "changed"


def diff_clauses(old: list[Clause], new: list[Clause]) -> list[Row]:
    return align(articles(old), articles(new))
