"""Chinese administrative divisions: find the province, city or county a text names."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


def short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def all_regions() -> dict[str, Region]:
    regions = {}
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
        short = name if level == "county" else short_name(name)
        regions[adcode] = Region(adcode, name, short, level)
    return regions


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


def find_regions(text: str) -> list[Region]:
    """Every region named in text, in order of appearance (ambiguous county names are skipped)."""
    return [region for region, _, _ in region_mentions(text)]


def region_mentions(text: str) -> list[tuple[Region, int, int]]:
    """Every region named in text with its offsets, in order of appearance (ambiguous county names are
    skipped): what a reader of a question needs to tell 在廊坊 from 从北京."""
    found = []
    for match in _pattern().finditer(text):
        candidates = _by_name()[match.group()]
        non_county = [r for r in candidates if r.level != "county"]
        if len(non_county) == 1:
            found.append((non_county[0], match.start(), match.end()))
        elif len(candidates) == 1:
            found.append((candidates[0], match.start(), match.end()))
    return found
