"""Chinese administrative divisions: find the province, city or county a text names."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.script import simplified_chars

_DATA = Path(__file__).with_name("data") / "regions.csv"
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "盟")
# Province-level cities are their own province.
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")


@dataclass(frozen=True)
class Region:
    adcode: str
    name: str          # full name: 沧州市, 柳河县, 河北省
    short: str         # 沧州, 柳河县, 河北
    level: str         # province | city | county

    @property
    def province_code(self) -> str:
        return self.adcode[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.adcode[:4] + "00"


# The minority peoples an autonomous prefecture is named for (延边朝鲜族自治州, 伊犁哈萨克自治州): its short
# name is what comes before them (延边, 伊犁), as people call it.
_PEOPLES = ("蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
            "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔",
            "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯",
            "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
_PEOPLE = "|".join(sorted(_PEOPLES, key=len, reverse=True))
_PREFECTURE = re.compile(rf"(.{{2,}}?)(?:(?:{_PEOPLE})族?)+自治州")


def short_name(name: str, taken: frozenset[str] = frozenset()) -> str:
    """沧州市 -> 沧州, 延边朝鲜族自治州 -> 延边; a prefecture's short name another region already has (海南藏族自治州
    beside 海南省) keeps its peoples (海南藏族)."""
    prefecture = _PREFECTURE.fullmatch(name)
    if prefecture and prefecture.group(1) not in taken:
        return prefecture.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def all_regions() -> dict[str, Region]:
    regions = {}
    provinces: frozenset[str] = frozenset()
    with _DATA.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(line for line in f if not line.startswith("#"))][1:]
    for adcode, name in rows:
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        if adcode.endswith("0000"):
            level = "province"
        elif adcode.endswith("00"):
            level = "city"
        else:
            level = "county"
        # Counties keep their full name: short forms (柳河, 和) are too ambiguous in running text.
        short = name if level == "county" else short_name(name, provinces)
        regions[adcode] = Region(adcode, name, short, level)
        if level == "province":
            provinces |= {short}
    return regions


def province_name(short: str) -> str:
    """河南 -> 河南省, 广西 -> 广西壮族自治区; a name that is no province's stays as it is."""
    return _province_names().get(short, short)


def city_name(short: str) -> str:
    """沧州 -> 沧州市, 延边 -> 延边朝鲜族自治州, 阿克苏 -> 阿克苏地区: the full name of the one prefecture-level
    region of that short name; short + 市 when there is none or several."""
    return _city_names().get(short, short + "市")


@cache
def _city_names() -> dict[str, str]:
    names: dict[str, list[str]] = {}
    for region in all_regions().values():
        if region.level == "city":
            names.setdefault(region.short, []).append(region.name)
    return {short: full[0] for short, full in names.items() if len(full) == 1}


@cache
def _province_names() -> dict[str, str]:
    return {r.short: r.name for r in all_regions().values() if r.level == "province"}


@cache
def _by_name() -> dict[str, list[Region]]:
    index: dict[str, list[Region]] = {}
    for region in all_regions().values():
        for key in {region.name, region.short}:
            index.setdefault(key, []).append(region)
    return index


@cache
def _pattern() -> re.Pattern[str]:
    names = sorted(_by_name(), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names if len(n) >= 2))


def province_of(region: Region) -> Region | None:
    return all_regions().get(region.province_code)


def city_of(region: Region) -> Region | None:
    """The prefecture-level city of a county; a municipality's districts belong to the municipality."""
    if region.level == "province":
        return None
    if region.level == "city":
        return region
    city = all_regions().get(region.city_code)
    return city or province_of(region)


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def _needs_boundaries(name: str, region: Region) -> bool:
    """Names that ordinary words contain: a short name without its suffix (通化 in 普通化妆品, 开封 in
    开封城墙) and a one-character root with its suffix (古县 in 慈城古县城, 和县 in 和县级, 任县 in 担任县)."""
    return name != region.name or len(name) <= 2


def _inside(region: Region, outer: Region) -> bool:
    """Whether region lies in outer (a county in its city or province, a city in its province)."""
    if outer.level == "province":
        return region.province_code == outer.adcode and region != outer
    if outer.level == "city":
        return region.city_code == outer.adcode and region != outer
    return False


def find_regions(text: str, whole_names: bool = False) -> list[Region]:
    """Every region named in text, in order of appearance (ambiguous county names are skipped)."""
    return [region for region, _, _ in region_mentions(text, whole_names)]


def region_mentions(text: str, whole_names: bool = False) -> list[tuple[Region, int, int]]:
    """Every region named in text with its offsets, in order of appearance (ambiguous county names are
    skipped): what a reader of a question needs to tell 在廊坊 from 从北京.

    Traditional characters are read as simplified (滄州市 is 沧州市). A question names its city however it
    likes (在郑州…, 沧州对…): by default every name counts. With whole_names (a document's own place), a name
    that ordinary words contain counts only between boundaries: on its left the start of the text, a
    non-CJK character (punctuation, space, digit) or the region it lies in (河北省沧州市, 山西省古县); on its
    right, for a short name, the end of the text, a non-CJK character, or nothing at all when it opens the
    text (上海口岸服务条例, 绍兴黄酒保护和发展条例: a title opens with its place). A name right after another
    region must then lie inside it (沧州市和县级 is no 和县).
    """
    text = simplified_chars(text)
    found: list[tuple[Region, int, int]] = []
    previous: tuple[int, Region] | None = None        # where the last region found ends, and which it is
    pattern, by_name, pos = _pattern(), _by_name(), 0
    while (match := pattern.search(text, pos)) is not None:
        name, start, end = match.group(), match.start(), match.end()
        candidates = by_name[name]
        non_county = [r for r in candidates if r.level != "county"]
        region = non_county[0] if len(non_county) == 1 else candidates[0] if len(candidates) == 1 else None
        if whole_names and region is not None:
            after_region = previous is not None and previous[0] == start
            if after_region and not _inside(region, previous[1]):
                region = None
            elif _needs_boundaries(name, region):
                left = start == 0 or not _is_cjk(text[start - 1]) or after_region
                right = name == region.name or start == 0 or end == len(text) or not _is_cjk(text[end])
                region = region if left and right else None
            if region is None:
                pos = start + 1                            # a longer or later name may start inside
                continue
        if region is not None:
            found.append((region, start, end))
            previous = (end, region)
        pos = end
    return found


@cache
def _county_roots() -> dict[str, Region]:
    """County short names (柳河 for 柳河县, 景宁 for 景宁畲族自治县) that name one county and nothing else."""
    roots: dict[str, list[Region]] = {}
    for region in all_regions().values():
        match = re.fullmatch(r"(.{2,}?)(?:[\u4e00-\u9fff]{1,4}族)*(?:自治县|县|自治旗|旗)", region.name)
        if region.level == "county" and match:
            roots.setdefault(match.group(1), []).append(region)
    return {root: found[0] for root, found in roots.items() if len(found) == 1 and root not in _by_name()}


@cache
def _county_root_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in sorted(_county_roots(), key=len, reverse=True)))


def find_county_short_names(text: str) -> list[Region]:
    """Counties text names by their short name only (柳河经济开发区), for a text known to be a county's own."""
    return [_county_roots()[m.group()] for m in _county_root_pattern().finditer(simplified_chars(text))]
