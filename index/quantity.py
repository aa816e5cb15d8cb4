"""Quantities as policy text writes them, parsed once: the number, its unit, its qualifier, where it stands.

Arabic and Chinese numerals alike (590家, 1.5万元, 五百万元, 两年, 每半年), percentages and
fractions (2.1%, 百分之五, 千分之三, 万分之五, 三个百分点, 三分之一, 三成), doublings (翻一番), durations (十五日内,
四个月内), amounts, counts and frequencies (每半年至少结算一次), each with the qualifier that bounds
it (不低于, 以上, 以内, 至少, 超过, 最高, 不超过 …) and offsets into the text given. Chinese numerals
are converted by cn2an (MIT, small, pure Python); the grammar around them (units,
qualifiers, what is a date or a number of an article rather than a quantity) is here.

Never a quantity: a year (2020年, 二〇二〇年, 2018—2020年), a date (12月14日), a number in a heading or a
list (第三条, 第5位, （一）), a plan's name (三年行动计划, 十四五).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import cn2an

_ARABIC = r"[0-9０-９]+(?:[,，][0-9]{3})*(?:[.．][0-9０-９]+)?"
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_CHINESE = rf"[{_CN_DIGITS}]+(?:点[零〇一二三四五六七八九]+)?|半"
_NUMBER = rf"(?:{_ARABIC}|{_CHINESE})"
_RANGE = r"\s*[—\-–~～至到]\s*"

# Units, each with what it measures. Money and count units may take 万/亿/千 before them (1万人, 50万平方米).
_MONEY = ("元", "美元", "欧元")
_COUNT = ("家次", "人次", "项次", "个", "家", "人", "名", "位", "项", "件", "所", "座", "倍", "次", "户", "台", "套",
          "支", "批", "种", "类", "条", "篇", "场", "轮", "处", "辆", "张", "本", "部", "栋", "间", "株", "头",
          "层", "只")
_AGE = ("周岁", "岁")
_DISTANCES = ("平方米", "平方公里", "公里", "千米", "米")
_SIZE = ("平方米", "平方公里", "亩", "公顷", "公里", "千米", "米", "吨标准煤", "吨", "兆瓦", "千瓦", "GW", "MW",
         "千瓦时", "立方米", "厘米", "毫米", "毫升", "升", "千克", "公斤", "克", "分贝")
_DURATION = ("个工作日", "工作日", "个小时", "小时", "分钟", "个月", "月", "周", "日", "天", "年", "季度")
_RATIO = ("个百分点", "百分点", "%", "％", "‰", "‱")
_NAMING_UNITS = ("类", "种", "张", "位", "条", "部", "本", "批")
# Multipliers written before a unit (万元, 千万元), longest first, with what they are worth.
_MULTIPLIER_VALUE = {"千万": 1e7, "百万": 1e6, "万": 1e4, "亿": 1e8, "千": 1e3}
_MULTIPLIERS = tuple(_MULTIPLIER_VALUE)


def _unit_table() -> dict[str, str]:
    table = {u: "ratio" for u in _RATIO}
    table.update({u: "duration" for u in _DURATION})
    for base, measure in [*((u, "amount") for u in _MONEY), *((u, "count") for u in _COUNT),
                          *((u, "count") for u in _SIZE), *((u, "count") for u in _AGE)]:
        table[base] = measure
        for m in _MULTIPLIERS:
            table[m + base] = measure
            for approx in ("余", "多"):                     # 1万余人, 2亿多元
                table[m + approx + base] = measure
    table.update({"万": "amount", "亿": "amount"})      # 7.63亿, 10万: money written without 元
    return table


UNITS = _unit_table()
# The one-character counters (家, 条, 层, 辆…): a question asks a count with 几 or 多少 before any of them.
COUNTERS = "".join(u for u in (*_COUNT, *_SIZE, *_AGE) if len(u) == 1)
# ... and the longer ones (平方米, 毫升, 周岁, 人次), longest first: 多少毫升 asks a figure in 毫升.
MEASURE_UNITS = tuple(sorted((u for u in (*_COUNT, *_SIZE, *_AGE) if len(u) > 1), key=len, reverse=True))
_UNIT_RE = "|".join(map(re.escape, sorted(UNITS, key=len, reverse=True)))

_QUANTITY = re.compile(
    rf"(?P<pct>百分之|千分之|万分之)?(?P<num>{_NUMBER})(?:{_RANGE}(?P=pct)?(?P<high>{_NUMBER}))?"
    rf"(?:(?P<frac>分之)(?P<num2>{_NUMBER})|(?P<approx>多|余|几)?\s*(?P<unit>{_UNIT_RE})?)"
)
# A year, a year range, a date: 2020年, 二〇二〇年, 2018—2020年, 2015年底, 12月14日.
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?:\s*[—\-–~～至到]\s*((?:19|20)[0-9]{2}))?\s*年")
_CN_YEAR = re.compile(r"[一二〇零三四五六七八九]{4}年")
# A frequency: 每半年至少结算一次, 每年举办一次, 每两年评估一次.
_FREQUENCY = re.compile(
    rf"每(?P<per>(?:{_CHINESE}|{_ARABIC})?(?:个)?(?:年|月|季度|周|天|日))(?P<mid>[^，,。；;：:、\n]{{0,8}}?)"
    rf"(?P<num>{_NUMBER})次"
)

# Tenths and doublings: 三成以上 (30%), 翻一番 (2 times), 翻两番 (4 times). 成 after a single numeral, and not
# the start of a word (三成果 is no share, 一成不变 no figure).
_TENTHS = re.compile(r"(?<![0-9一二两三四五六七八九十百千万])(?P<num>[一二两三四五六七八九]|[1-9])成"
                     r"(?![果为立本员交熟型绩效功就长品不套份分人年])")
_DOUBLINGS = re.compile(r"翻(?P<num>[一两二三1-3])番")

# Qualifiers, longest first so 不超过 wins over 超过. Before: 不低于100万元; after: 100家以上, 十五日内.
QUALIFIERS_BEFORE = tuple(sorted((
    "不低于", "不少于", "不超过", "不高于", "不多于", "未超过", "超过", "高于", "低于", "少于", "多于", "大于", "小于",
    # A modal before a comparison turns it round: 不得超过三个月 is at most three months, not more than three.
    "不得超过", "不得少于", "不得低于", "不得高于", "不得多于", "不应超过", "不应少于", "不应低于",
    "不足", "不满", "未满", "不到",
    "至少", "最少", "最多", "最高", "最低", "约", "近", "逾", "年均", "每年",
), key=len, reverse=True))
QUALIFIERS_AFTER = ("范围以内", "范围内", "半径内", "以上", "以下", "以内", "之内", "左右", "内", "为限")
_PLAN_NAME = re.compile(r"(?:行动|规划|计划|工程|攻坚|专项)")


@dataclass(frozen=True)
class Quantity:
    text: str               # verbatim: "590家", "百分之五", "三分之一", "每半年至少结算一次"
    start: int              # offsets of text in the string parsed
    end: int
    value: float            # 590.0; 百分之五 -> 5.0 (unit %); 三分之一 -> 33.333 (unit %); 半年 -> 0.5
    unit: str               # as written, except percent and fractions, which are "%": 家, 万元, 个百分点, 个月, %
    measure: str            # amount | ratio | count | duration | frequency
    qualifier: str = ""     # 不低于, 以上, 内 ... ("" when none)
    high: float | None = None   # the upper end of a range: 4—6条 -> value 4, high 6
    per: str = ""           # 每年, 每半年: the period a frequency or a yearly figure is per
    phrase: str = ""        # verbatim, the figure with its qualifiers: 不低于三分之一, 十五日内, 至少2个以上
    span_start: int = -1    # offsets of phrase
    span_end: int = -1

    @property
    def display(self) -> str:
        """The figure with its qualifier as the reader quotes it: 最高100万元, 十五日内, 百分之五以上."""
        return self.phrase or self.text


@lru_cache(maxsize=4096)
def number_value(written: str) -> float | None:
    """1,000 -> 1000; 1.5 -> 1.5; 五百 -> 500; 两 -> 2; 半 -> 0.5; 一点五 -> 1.5; None when it is no number."""
    s = written.translate(_FULL_WIDTH).replace(",", "").replace("，", "")
    if s == "半":
        return 0.5
    try:
        return float(s)
    except ValueError:
        pass
    if s[:1] in "百千万亿":
        s = "一" + s                                      # 百余家: a hundred
    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def year_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(first year, last year, start, end) of each year or year range named in text."""
    out = [(int(m.group(1)), int(m.group(2) or m.group(1)), m.start(), m.end()) for m in _YEAR.finditer(text)]
    for m in _CN_YEAR.finditer(text):
        value = number_value(m.group(0)[:-1])
        if value and 1900 <= value <= 2100:
            out.append((int(value), int(value), m.start(), m.end()))
    return sorted(out, key=lambda y: y[2])


def parse_quantities(text: str) -> list[Quantity]:
    """Every quantity in text, in order of position."""
    taken = [(s, e) for _, _, s, e in year_spans(text)]
    found: list[Quantity] = []
    for m in _FREQUENCY.finditer(text):
        q = _frequency(text, m)
        if q:
            found.append(q)
            taken.append((m.start(), m.end()))
    for m in [*_TENTHS.finditer(text), *_DOUBLINGS.finditer(text)]:
        value = number_value(m.group("num"))
        tenths = m.re is _TENTHS
        found.append(_finish(text, m.start(), m.end(), 10 * value if tenths else 2 ** value, "%" if tenths else "倍",
                             "ratio" if tenths else "count", None))
        taken.append((m.start(), m.end()))
    for m in _QUANTITY.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        q = _quantity(text, m)
        if q:
            found.append(q)
    return [_as_fine(text, q) for q in _join_ranges(text, sorted(found, key=lambda q: q.start))]


# A fine may be set as a multiple or a share of another sum (处赔偿金三倍以下的罚款, 处违法所得一倍以上五倍以下的
# 罚款, 处货值金额百分之十的罚款): that figure is the amount of the fine, quoted with the sum it is taken of.
_FINE_AFTER = re.compile(r"的?(罚款|罚金)")
_FINE_BASE = re.compile(r"处以?([^，。；、：,;:处]{1,20})$")


def _as_fine(text: str, q: Quantity) -> Quantity:
    if q.measure not in ("ratio", "count") or q.unit not in ("倍", "%") or not _FINE_AFTER.match(text, q.span_end):
        return q
    base = _FINE_BASE.search(text, max(0, q.span_start - 21), q.span_start)
    return replace(q, measure="amount", phrase=(base.group(1) if base else "") + q.phrase)


# What closes a range opened by 以上: 二万元以上二十万元以下, 五千吨以上不满一万吨.
_UPPER_BOUNDS = ("以下", "不满", "未满", "不足", "不到")


def _join_ranges(text: str, found: list[Quantity]) -> list[Quantity]:
    """二万元以上二十万元以下, 一千元以上一万元以下, 一倍以上五倍以下, 5%—10%: one figure, from the first to the
    second, its upper end counted in the first one's unit (3万元 after 5000元 is 30000)."""
    out: list[Quantity] = []
    for q in found:
        last = out[-1] if out else None
        ratio = _unit_ratio(q.unit, last.unit) if last else None
        bounded = last and last.qualifier == "以上" and q.qualifier in _UPPER_BOUNDS and last.span_end == q.span_start
        # 5%—10%, 3万元至5万元: each end with its unit, a range mark between.
        dashed = last and last.high is None and not last.qualifier and re.fullmatch(_RANGE, text[last.end:q.start])
        if ratio and (bounded or dashed):
            out[-1] = Quantity(text[last.start:q.end], last.start, q.end, last.value, last.unit, q.measure,
                               last.qualifier or q.qualifier, q.value * ratio, last.per,
                               text[last.span_start:q.span_end], last.span_start, q.span_end)
        else:
            out.append(q)
    return out


def _unit_ratio(unit: str, other: str) -> float | None:
    """How many of `other` one `unit` is, when both count the same thing (万元 / 千元 -> 10); else None."""
    (base, scale), (other_base, other_scale) = _base_unit(unit), _base_unit(other)
    # 五千吨以上不满一万吨标准煤: what is measured may be named once, after the second figure.
    return scale / other_scale if base == other_base or base.startswith(other_base) else None


def _base_unit(unit: str) -> tuple[str, float]:
    """万元 -> (元, 10000); 家 -> (家, 1): the unit without its multiplier, and what the multiplier is worth."""
    for m in _MULTIPLIERS:                                # longest first: 千万 before 千 and 万
        if unit.startswith(m) and unit[len(m):] in UNITS:
            return unit[len(m):], _MULTIPLIER_VALUE[m]
    return unit, 1.0


def _frequency(text: str, m: re.Match) -> Quantity | None:
    count = number_value(m.group("num"))
    if count is None:
        return None
    mid = m.group("mid")
    qualifier = next((q for q in QUALIFIERS_BEFORE if q in mid), "")
    return Quantity(m.group(0), m.start(), m.end(), count, "次", "frequency", qualifier, per="每" + m.group("per"),
                    phrase=m.group(0), span_start=m.start(), span_end=m.end())


def _quantity(text: str, m: re.Match) -> Quantity | None:
    written, unit = m.group("num"), m.group("unit") or ""
    start, end = m.start(), m.end()
    before = text[max(0, start - 1):start]
    if before == "第" or re.match(r"[0-9０-９]", before):
        return None                                       # 第三条, 第5位: numbering, never a figure
    chinese = not re.match(r"[0-9０-９]", written)
    if chinese and not m.group("pct") and not written.strip("万亿千百") and not m.group("approx"):
        return None                                       # 万人发明专利, 千亿级: a word, not a number
    if m.group("pct"):
        value = number_value(written)
        if value is None:
            return None
        unit = {"百分之": "%", "千分之": "‰", "万分之": "‱"}[m.group("pct")]
        end = m.end("num") if not m.group("high") else m.end("high")
        return _finish(text, start, end, value, unit, "ratio", m.group("high"))
    if m.group("frac"):
        whole, part = number_value(written), number_value(m.group("num2"))
        if not whole or part is None:
            return None
        return _finish(text, start, m.end(), round(100 * part / whole, 3), "%", "ratio", None)
    if not unit or written in ("零", "〇"):
        return None
    if _inside_title(text, start) or text.startswith("一体", end):
        return None                                       # 《…十条措施》, “人才新政20条”, 三位一体: names
    if chinese and written[-1] in "万亿千" and len(written) > 1 and unit in UNITS and (written[-1] + unit) in UNITS:
        written, unit = written[:-1], written[-1] + unit       # 五百万元 -> 五百 | 万元, as 500万元 is written
    if chinese and written[-1] in "万亿" and unit not in UNITS:
        return None
    measure = UNITS[unit]
    unit = unit.replace("余", "").replace("多", "")        # 1万余人 -> 万人: the approximation stays in text
    if (unit == "日" and before == "月") or (unit in ("月", "个月") and _after_year(text, start)):
        return None                                       # 12月14日, 2018年12月: dates
    if unit == "年" and _PLAN_NAME.match(text, end):
        return None                                       # 三年行动计划: a plan's name
    if unit == "周" and text[end:end + 1] == "年":
        return None                                       # 五周年
    value = number_value(written)
    if value is None:
        return None
    if measure == "duration" and not m.group("high") and not _bounds_duration(text, start, end) and \
            not _joined_to_bounded(text, start):
        return None                                       # 第一个五年, 通过三年努力: a span named, not a figure
    if text.startswith("级", end):
        return None                                       # 50亿级企业: a class, not a figure
    if chinese and unit in _NAMING_UNITS and not _qualifier_before(text, start)[0]:
        return None                                       # 三类县, 四张清单: how many kinds, said in passing
    if chinese and value == 1 and measure == "count" and not m.group("high"):
        # 一批, 一个, 一家: an article in Chinese prose, not a count, unless a bound makes it one (至少一家,
        # 一倍以上).
        if not _qualifier_before(text, start)[0] and not text.startswith(QUALIFIERS_AFTER, end) and \
                not _AT_LEAST_VERB.search(text, max(0, start - 6), start):
            return None
    if measure == "duration" and before == "每" and not m.group("high"):
        # 每五年对…进行评估, 每半年公布: an interval, not a length of time; without its 每 it says the opposite.
        return Quantity(text[start - 1:end], start - 1, end, value, unit, "frequency", per=text[start - 1:end],
                        phrase=text[start - 1:end], span_start=start - 1, span_end=end)
    return _finish(text, start, end, value, unit, measure, m.group("high"))


# 至少举办一所, 最多设立一个: a bound before the verb still makes 一所 a count.
_AT_LEAST_VERB = re.compile(r"(?:至少|最多|不少于)[\u4e00-\u9fff]{1,3}$")
# The second of two figures joined (分别不少于10天和20天): stated as the first is.
_COORDINATED = re.compile(rf"(?P<first>{_NUMBER}(?:{'|'.join(_DURATION)}))(?:和|或者|或|、)$")


def _joined_to_bounded(text: str, start: int) -> bool:
    joined = _COORDINATED.search(text, max(0, start - 10), start)
    return bool(joined) and _bounds_duration(text, joined.start("first"), joined.end("first"))

# A period kept or shown is stated too: 留存三年备查, 保存二年, 公示七日.
_DURATION_AFTER = ("以上", "以下", "以内", "之内", "内", "后", "以后", "期满", "届满", "为限", "左右", "备查", "多",
                   "至", "到")                            # 四年到八年: a range's lower end
# A leave granted is one too: 增加婚假十八日, 护理假一个月, 享受生育奖励假三十天.
_DURATION_BEFORE = re.compile(r"(?:为期|为|期限|期限为|连续|满|每|有效期|有效期为|延长|缩短|超过|不超过|不少于|不满|"
                              r"不足|未满|到|至|逾期|至少|最长|最短|之日起|起|后|内|前|的|保存|留存|保管|保留|公示|公告|"
                              r"假|假期|增加)$")


def _bounds_duration(text: str, start: int, end: int) -> bool:
    """A duration is a figure when something bounds or counts it: 十五日内, 不少于两年, 为期三年, 每半年."""
    return text.startswith(_DURATION_AFTER, end) or bool(_DURATION_BEFORE.search(text[max(0, start - 5):start])) or \
        bool(_qualifier_before(text, start)[0])


def _inside_title(text: str, pos: int) -> bool:
    """Inside 《…》 or a short “…” (a name): 《人才立市十条措施》, “人才新政20条”."""
    for left, right, limit in (("《", "》", 60), ("“", "”", 12)):
        opened = text.rfind(left, max(0, pos - limit), pos)
        if opened >= 0 and text.rfind(right, opened, pos) < 0:
            close = text.find(right, pos, pos + limit)
            if close >= 0:
                return True
    return False


def _after_year(text: str, start: int) -> bool:
    return bool(re.search(r"(?:(?:19|20)[0-9]{2}|[〇零一二三四五六七八九]{4})\s*年\s*$", text[max(0, start - 6):start]))


# A hedge on a bound is part of it (一般不超过三十日, 原则上不低于三分之一): quoted with it, the bound is not strict.
_HEDGES = ("一般", "原则上")


def _qualifier_before(text: str, start: int) -> tuple[str, int]:
    """(qualifier, where its phrase starts) just before start; "的" may stand between (最高的), a hedge before
    (一般不超过)."""
    head = text[max(0, start - 6):start]
    for q in QUALIFIERS_BEFORE:
        for gap in ("", "的"):
            if head.endswith(q + gap):
                at = start - len(q) - len(gap)
                hedge = next((h for h in _HEDGES if text[max(0, at - len(h)):at] == h), "")
                return q, at - len(hedge)
    return "", start


# What a figure is counted per, written right before it: 每株二十万元, 每人每月二十元, 每平方米五十元.
_PER_UNIT = re.compile(rf"(?:每(?:个|一)?(?:平方米|立方米|{'|'.join(_DURATION)}|[{COUNTERS}次辆]))+$")


def _finish(text: str, start: int, end: int, value: float, unit: str, measure: str,
            high: str | None) -> Quantity:
    high_value = number_value(high) if high else None
    qualifier, span_start = _qualifier_before(text, start)
    span_end = end
    tail = text[end:end + 4]
    after = next((q for q in QUALIFIERS_AFTER if tail.startswith(q)), "")
    if after == "内" and measure != "duration" and unit not in _DISTANCES:
        after = ""                                        # 10家内资企业: not a bound; 周边一百米内 is one
    if after and (not qualifier or qualifier in ("每年", "年均", "约", "近")):
        qualifier, span_end = after, end + len(after)
    elif after:
        span_end = end + len(after)                       # 至少…以上 both written: keep the first, span both
    per = qualifier if qualifier in ("每年", "年均") else ""
    if qualifier not in ("每年", "年均") and (unit_each := _PER_UNIT.search(text, max(0, span_start - 4), span_start)):
        span_start = unit_each.start()                    # 每株二十万元以上: per tree, not in all
    return Quantity(text[start:end], start, end, value, unit, measure, qualifier, high_value, per,
                    text[span_start:span_end], span_start, span_end)
