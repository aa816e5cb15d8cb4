"""Figures in policy text: amounts, counts, ratios, and the year each is for.

Prose: "到2020年高新技术企业达到590家" -> Figure("590家", year=2020); "按投资额的1%予以最高100万元的补贴" ->
1% and 100万元 (qualifier 最高). Indicator tables: the unit is in the indicator's name
("科技型中小企业数量(家)", 2025年目标值 13500 -> "13500家"), the year in the column's name.
Offsets point into the text given, so a figure can be shown in its clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Clause

# Units longest first, so 万元 wins over 元 and 个百分点 over 个.
_UNITS = sorted(
    "% ‰ 个百分点 百分点 亿元 万元 千元 元 亿美元 万美元 美元 亿 万 家 个 人 名 位 项 件 所 座 倍 次 户 台 套 支 批 "
    "种 类 条 家次 人次 项次 平方米 万平方米 亩 公顷 公里 千米 吨 万吨 兆瓦 千瓦 GW MW 篇".split(),
    key=len, reverse=True,
)
_NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
_FIGURE = re.compile(
    rf"(?<![0-9０-９.．])({_NUM}(?:\s*[—\-–~～至到]\s*{_NUM})?)\s*({'|'.join(map(re.escape, _UNITS))})"
)
# A year or a year range: 2020年, 2018—2020年, 2015年底. Never a figure itself.
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?:\s*[—\-–~～至到]\s*((?:19|20)[0-9]{2}))?\s*年")
_BEFORE = ("最高", "最多", "不少于", "不低于", "不超过", "超过", "至少", "年均", "每年")
_AFTER = ("以上", "以下", "左右", "以内", "多")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_MONEY = ("元", "亿", "万", "美元")

KINDS = {"amount": "金额", "ratio": "比例", "count": "数量", "year": "年份"}


@dataclass(frozen=True)
class Figure:
    text: str                  # number and unit as in the source: "590家", "100万元", "2.1%"
    value: str                 # "590"
    unit: str                  # "家"
    start: int = -1            # offsets into the text searched; -1 for a table cell
    end: int = -1
    year: int | None = None    # the year it is for (到2020年…590家 -> 2020); None when the text names none
    qualifier: str = ""        # 最高, 不少于, 以上 ...: shown with the figure, never dropped silently
    label: str = ""            # table rows: the indicator and column; prose: ""

    @property
    def kind(self) -> str:
        """amount (money), ratio (%, 百分点), count (家, 人, 项 ...)."""
        if self.unit.endswith(_MONEY):
            return "amount"
        if self.unit in ("%", "‰", "个百分点", "百分点"):
            return "ratio"
        return "count"

    @property
    def display(self) -> str:
        """The figure with its qualifier, the way a reader quotes it: 最高100万元, 1000项以上."""
        if self.qualifier in _AFTER:
            return self.text + self.qualifier
        return self.qualifier + self.text


def years_in(text: str) -> list[tuple[int, int, int]]:
    """(year, start, end) of each year named in text; a range 2018—2020年 counts as its last year."""
    out = []
    for m in _YEAR.finditer(text):
        out.append((int(m.group(2) or m.group(1)), m.start(), m.end()))
    return out


def find_figures(text: str) -> list[Figure]:
    """Every figure with a unit in prose text, in order; a year is taken from its own sentence."""
    years = years_in(text)
    year_spans = [(s, e) for _, s, e in years]
    figures = []
    for m in _FIGURE.finditer(text):
        if any(s <= m.start() < e for s, e in year_spans):
            continue                                   # the 2020 of 2020年, not a figure
        sentence_start = _sentence_start(text, m.start())
        before = [y for y, s, e in years if sentence_start <= s and e <= m.start()]
        head = text[max(0, m.start() - 4):m.start()]
        tail = text[m.end():m.end() + 2]
        qualifier = next((q for q in _BEFORE if head.endswith(q) or head.endswith(q + "的")), "") or \
            next((q for q in _AFTER if tail.startswith(q)), "")
        figures.append(Figure(text=m.group(0), value=m.group(1), unit=m.group(2), start=m.start(), end=m.end(),
                              year=before[-1] if before else None, qualifier=qualifier))
    return figures


def _sentence_start(text: str, pos: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    return ends[-1] if ends else 0


_UNIT_IN_NAME = re.compile(r"[(（]\s*([^()（）]{1,6}?)\s*[)）]?\s*$")
_COLUMN_YEAR = re.compile(r"((?:19|20)[0-9]{2})")
_PLAIN_NUMBER = re.compile(rf"^\s*({_NUM})\s*$")


def indicator_unit(name: str) -> str:
    """The unit an indicator's name gives: 高新技术企业数量(家) -> 家; 比重(% -> % (a lost bracket too)."""
    m = _UNIT_IN_NAME.search(name)
    return m.group(1) if m else ""


def indicator_name(name: str) -> str:
    """The indicator without its unit: 高新技术企业数量(家) -> 高新技术企业数量."""
    m = _UNIT_IN_NAME.search(name)
    return name[:m.start()] if m else name


def table_figures(clause: Clause) -> list[Figure]:
    """One figure per year column of an indicator-table row, the unit taken from the indicator's name."""
    if clause.kind != "table_row":
        return []
    items = list(clause.fields.items())
    name = next((v for k, v in items if "指标" in k or "名称" in k or "项目" in k), "")
    if not name and len(items) > 1:
        name = items[1][1]
    unit = indicator_unit(name)
    figures = []
    for column, value in items:
        year = _COLUMN_YEAR.search(column)
        number = _PLAIN_NUMBER.match(value)
        if not year:
            continue
        if number:
            text = number.group(1) + unit
            figures.append(Figure(text=text, value=number.group(1), unit=unit, year=int(year.group(1)),
                                  label=f"{indicator_name(name)} {column}"))
        else:                                          # 累计增加10: keep the cell as the source has it
            inner = find_figures(value) or [Figure(text=value, value=value, unit="")]
            figures.append(Figure(text=value + (unit if inner[0].unit == "" and unit else ""), value=inner[0].value,
                                  unit=unit, year=int(year.group(1)), label=f"{indicator_name(name)} {column}"))
    return figures


def clause_figures(clause: Clause) -> list[Figure]:
    return table_figures(clause) if clause.kind == "table_row" else find_figures(clause.text)


def extract_figures(text: str) -> dict[str, str]:
    """Figures of a text grouped into columns for a comparison table: 金额, 比例, 数量, 年份.

    {"金额": "最高100万元", "比例": "1%", "年份": "到2020年"}; several figures of a kind are joined by "；".
    """
    columns: dict[str, list[str]] = {}
    for figure in find_figures(text):
        columns.setdefault(KINDS[figure.kind], []).append(figure.display)
    years = [text[max(0, s - 1):e] if text[max(0, s - 1):s] == "到" else text[s:e] for _, s, e in years_in(text)]
    if years:
        columns["年份"] = years
    return {k: "；".join(dict.fromkeys(v)) for k, v in columns.items()}
