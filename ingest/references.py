"""Cross-references inside a regulation (违反本条例第二十条第一款第二项的…) and the words they point to.

A penalty article names what it punishes only by number, and the numbers differ from one regulation to
the next: matched against other regulations, "第二十条" finds every other article 20. The words the number
points to (同一侵权人再次侵犯同一专利权的) are what the article is about.
"""

from __future__ import annotations

import re

from ingest.model import Clause
from ingest.numbering import label_value, parse_numbering

_N = r"[零〇一二三四五六七八九十百千两0-9０-９]+"
_ONE = rf"第{_N}条(?:之[一二三四五六七八九十])?(?:第{_N}款)?(?:第[(（]?{_N}[)）]?项)?"
# 本条例第二十条第一款第二项, 本办法第十条、第十二条: the document's own articles, by number.
REFERENCE = re.compile(rf"本(?:条例|办法|规定|细则|决定|法)((?:{_ONE}[、和或及]?)+)(?:的?规定)?")
_PARTS = re.compile(rf"第({_N})条(?:之[一二三四五六七八九十])?(?:第({_N})款)?(?:第[(（]?({_N})[)）]?项)?")
MAX_REFERRED = 80        # characters taken from a referred article: its first words say what it is about


def article_map(clauses: list[Clause]) -> dict[int, Clause]:
    """A document's 第X条 articles by number (the first part of an article cut in parts)."""
    out: dict[int, Clause] = {}
    for clause in clauses:
        if clause.label.startswith("第") and clause.label.endswith("条") and clause.part == 1:
            value = label_value(clause.label)
            if value is not None:
                out.setdefault(value, clause)
    return out


def referred_text(articles: dict[int, Clause], article: int, paragraph: int | None, item: int | None) -> str | None:
    """The words of 第article条 (第paragraph款) (第item项) without its number; None when it is not there."""
    clause = articles.get(article)
    if clause is None:
        return None
    text = clause.text
    if paragraph or item:
        unit = _unit(clause, paragraph, item)
        if unit is None:
            return None
        text = clause.text[unit[0]:unit[1]]
    text = text.strip()
    numbering = parse_numbering(text)
    text = text[numbering.length:] if numbering else text
    text = text.strip().rstrip("；;。，,：:")
    return text[:MAX_REFERRED]


def _unit(clause: Clause, paragraph: int | None, item: int | None) -> tuple[int, int] | None:
    for label, start, end in clause.units:
        kuan = re.search(rf"第({_N})款", label)
        xiang = re.search(rf"第[(（]({_N})[)）]项", label)
        kuan_value = label_value(kuan.group(1)) if kuan else 1     # one paragraph: its label has no 第一款
        if (paragraph or 1) != kuan_value:
            continue
        if item is None and xiang is None:
            return start, end
        if item is not None and xiang and label_value(xiang.group(1)) == item:
            return start, end
    return None


# 违反第（五）项规定的, after 违反本规定第十条第（一）项规定的 earlier in the article: an item of the article
# named before. Only after 违反, and not part of a full reference (第十条第（四）项) nor of 本条.
_BARE_ITEM = re.compile(rf"(?<=违反)第[(（]?({_N})[)）]?项(?=的?规定)")


def has_references(text: str) -> bool:
    """Does text refer to its own document's articles, by number or by a bare item (违反第（五）项规定的)?"""
    return bool(REFERENCE.search(text) or _BARE_ITEM.search(text))


def last_article_referred(text: str) -> tuple[int, int | None] | None:
    """(article, paragraph) of the last reference to its own document's articles in text, or None."""
    parts = [part for match in REFERENCE.finditer(text) for part in _PARTS.finditer(match.group(1))]
    if not parts or (article := label_value(parts[-1].group(1))) is None:
        return None
    return article, label_value(parts[-1].group(2)) if parts[-1].group(2) else None


def expand_references(text: str, articles: dict[int, Clause], before: str | None = None) -> str:
    """The text with each reference to its own document's articles replaced by the words referred to
    (a reference that cannot be resolved loses its numbers: they would only match other articles' numbers);
    given the words `before` it in its article, a bare item (违反第（五）项规定的) is one of the article last
    referred to."""
    inherited = last_article_referred(before + text) if before is not None else None
    if inherited:
        def replace_item(match: re.Match) -> str:
            referred = referred_text(articles, *inherited, label_value(match.group(1)))
            return "（" + referred + "）" if referred else match.group(0)

        text = _BARE_ITEM.sub(replace_item, text)

    def replace(match: re.Match) -> str:
        words = []
        for part in _PARTS.finditer(match.group(1)):
            article, paragraph, item = (label_value(g) if g else None for g in part.groups())
            referred = referred_text(articles, article, paragraph, item) if article else None
            if referred:
                words.append(referred)
        return "（" + "；".join(words) + "）" if words else "本规定"

    return REFERENCE.sub(replace, text)
