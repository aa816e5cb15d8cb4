"""Find the title, issuer, 文号, dates, type and place of a policy document from its own text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest import regions
from ingest.clean import Line, noise_reason
from ingest.normalize import normalize
from ingest.numbering import parse_numbering

# Longest first: 实施方案 before 方案.
_TYPES = ["行动计划", "实施方案", "工作方案", "若干措施", "若干规定", "管理办法", "实施办法", "实施细则",
          "实施意见", "指导意见", "规划纲要", "规划", "纲要", "方案", "计划", "措施", "办法", "条例",
          "规定", "细则", "意见", "决定", "通知", "规则", "指南", "政策"]
_TYPE_CANON = {"管理办法": "办法", "实施办法": "办法", "实施意见": "意见", "指导意见": "意见",
               "工作方案": "方案", "若干措施": "措施", "若干规定": "规定", "实施细则": "细则", "规划纲要": "规划"}
_TAIL = r"(?:[(（][^()（）]{0,24}[)）])?"          # (2018―2020年), （试行）
_TITLE_RE = re.compile(rf"(?:{'|'.join(_TYPES)}){_TAIL}$")
_WRAPPER_RE = re.compile(r"^(?P<issuer>.*?)(?:关于)?(?:修订)?(?:转发|印发)(?P<title>.+?)的(?:通知|决定|通告)$")
_YEAR_RANGE = re.compile(r"^[(（][0-9]{4}\s*[-—―–~至]+\s*[0-9]{4}年?[)）]$")
_ISO_DATE = re.compile(r"(?<![0-9])([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?(?![0-9])")
_CN_DATE_LINE = re.compile(r"^[(（]?([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日[)）]?$")
_PUBLISHED = re.compile(r"(?:发布|公开|成文)(?:日期|时间)[:：]?\s*([0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2})")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［【(（][0-9]{4}[〕\]］】)）][0-9]{1,4}号")
_ORG_END = ("人民政府", "办公室", "办公厅", "委员会", "人大常委会", "政府", "局", "厅", "委", "部", "总局")
_NOTICE = re.compile(r"印发给你们|现印发|现予印发|请认真贯彻|认真贯彻执行|遵照执行|请结合实际|认真组织实施"
                     r"|此件公开发布")
_ADDRESSEE = re.compile(r"[:：]$|^各.{0,60}(?:单位|部门|政府|管委会|委员会)[:：]?$")
_PASSED = re.compile(r"^([0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日)\s*(.*?)第.{1,4}届人民代表大会常务委员会"
                     r".*?(通过|修正|修订|批准)")
_INTERPRETS = re.compile(r"本(?:办法|规定|条例|意见|方案|细则|措施|政策)由(.{2,40}?)负责解释")
_NATIONAL = ("国务院", "科技部", "科学技术部", "财政部", "税务总局", "国家发展改革委", "国家发展和改革委员会",
             "工业和信息化部", "教育部", "人力资源社会保障部", "中共中央", "全国人民代表大会")


@dataclass
class Metadata:
    title: str
    wrapper_title: str | None = None
    city: str | None = None
    county: str | None = None
    province: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    publish_date: str | None = None
    doc_type: str | None = None
    level: str = "city"


@dataclass
class Header:
    """Where the policy text begins, and what the lines before it said."""
    body_start: int                  # index into the lines
    title: str | None
    wrapper: str | None
    title_prefix: str | None         # an issuer line just above a 关于… title (中共柳河县委 柳河县人民政府)
    used: set[int]                   # header lines that gave metadata (not reported as dropped noise)


def iso(year: str, month: str, day: str) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _date_of(text: str) -> str | None:
    match = _ISO_DATE.search(text)
    return iso(*match.groups()) if match else None


def is_title_like(line: Line) -> bool:
    norm = line.norm.lstrip("#")
    return (6 <= len(norm) <= 80 and "。" not in norm and parse_numbering(line.text) is None
            and bool(_TITLE_RE.search(norm)) and not _NOTICE.search(norm))


def _wrapper_title(text: str) -> str | None:
    """The policy title inside a 关于印发《…》的通知 line (original characters), or None."""
    match = _WRAPPER_RE.match(text.strip().lstrip("#").strip())
    if not match:
        return None
    inner = re.search(r"《(.+?)》", match.group("title"))
    return inner.group(1) if inner else match.group("title")


def _is_headerish(line: Line, titles: set[str]) -> bool:
    """Lines between a title and the policy text: notice wrapper, addressee, signature, dates, 文号."""
    norm = line.norm.lstrip("#")
    return bool(
        norm in titles or _wrapper_title(line.text) or _YEAR_RANGE.match(norm) or _CN_DATE_LINE.match(norm)
        or re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", norm) or _PUBLISHED.search(norm)
        or _DOC_NUMBER.fullmatch(norm) or _PASSED.match(norm) or line.text.startswith("<!--")
        or (_NOTICE.search(norm) and len(norm) < 120)
        or (_ADDRESSEE.search(norm) and len(norm) < 80 and parse_numbering(line.text) is None)
        or (norm.endswith(_ORG_END) and len(norm) <= 30 and parse_numbering(line.text) is None)
    )


def find_header(lines: list[Line]) -> Header:
    """The title (or notice wrapper) and the first line of the policy text."""
    start = next((i for i, line in enumerate(lines[:200]) if noise_reason(line) is None
                  and (_wrapper_title(line.text) or is_title_like(line))), None)
    if start is None:
        return Header(0, None, None, None, set())
    wrapper = lines[start].text if _wrapper_title(lines[start].text) else None
    title = _wrapper_title(lines[start].text) if wrapper else lines[start].text.lstrip("#").strip()
    prefix = None
    if not wrapper and start > 0 and title.startswith("关于") and lines[start - 1].norm.endswith(_ORG_END):
        prefix = lines[start - 1].text
    titles = {normalize(title)}
    used, i = {start} | ({start - 1} if prefix else set()), start + 1
    while i < len(lines) and _is_headerish(lines[i], titles):
        norm = lines[i].norm
        if not wrapper and (w := _wrapper_title(lines[i].text)):
            wrapper, title = lines[i].text, w
            titles.add(normalize(w))
        if _YEAR_RANGE.match(norm) and i == start + 1 and not wrapper:
            title += lines[i].text.strip()
        used.add(i)
        i += 1
    return Header(i, title, wrapper, prefix, used)


def extract(lines: list[Line], header: Header, body_text: str, fallback_title: str) -> Metadata:
    head = lines[: header.body_start]
    head_norms = [line.norm for line in head]
    title = _clean_title(header.title) if header.title else fallback_title
    if header.title_prefix:
        title = header.title_prefix.strip() + title
    meta = Metadata(title=title, wrapper_title=header.wrapper.strip() if header.wrapper else None)
    meta.doc_type = _doc_type(title)

    # Issuer and date: a signature (organisation line, then a date line), else other evidence.
    for i, norm in enumerate(head_norms[:-1]):
        nxt = head_norms[i + 1]
        if norm.endswith(_ORG_END) and len(norm) <= 30 and (_CN_DATE_LINE.match(nxt) or _ISO_DATE.fullmatch(nxt)):
            meta.issuer, meta.date = head[i].text.strip(), _date_of(nxt)
    for norm in head_norms:
        if meta.date is None and (_CN_DATE_LINE.match(norm) or re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", norm)):
            meta.date = _date_of(norm)
        if meta.publish_date is None and (m := _PUBLISHED.search(norm)):
            meta.publish_date = _date_of(m.group(1))
        if meta.doc_number is None and _DOC_NUMBER.fullmatch(norm.removeprefix("文号:")):
            meta.doc_number = norm.removeprefix("文号:")
        if passed := _PASSED.match(norm):
            meta.date = meta.date or _date_of(passed.group(1))
            meta.issuer = meta.issuer or _people_congress(passed.group(2))
    if meta.issuer is None and header.title_prefix:
        meta.issuer = "、".join(header.title_prefix.split())
    if meta.issuer is None and meta.wrapper_title:
        issuer = _WRAPPER_RE.match(meta.wrapper_title).group("issuer").strip()
        meta.issuer = issuer if issuer.endswith(_ORG_END) else None
    if meta.issuer is None and (m := _INTERPRETS.search(re.sub(r"\s", "", body_text))):
        meta.issuer = m.group(1)
    meta.date = meta.date or meta.publish_date
    _place(meta, body_text)
    return meta


def _clean_title(title: str) -> str:
    title = re.sub(r"^#+\s*", "", title.strip())
    return re.sub(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])", "", title)


def _doc_type(title: str) -> str | None:
    bare = re.sub(rf"{_TAIL}$", "", re.sub(r"\s", "", title))
    for kind in _TYPES:
        if bare.endswith(kind):
            return _TYPE_CANON.get(kind, kind)
    return None


def _people_congress(place: str) -> str:
    return f"{place}人大常委会" if place else "人大常委会"


def _place(meta: Metadata, body_text: str) -> None:
    """City, county and province: from the title, then the issuer, then what the body names most."""
    found = []
    for source in (meta.title, meta.issuer or "", meta.wrapper_title or ""):
        found = regions.find_regions(source)
        if found:
            break
    if not found:
        national = any(org in (meta.issuer or "") + meta.title for org in _NATIONAL)
        if national and not regions.find_regions(meta.issuer or ""):
            meta.level = "national"
            return
        counts = Counter(r for r in regions.find_regions(body_text) if r.level != "province")
        found = [counts.most_common(1)[0][0]] if counts else []
        if not found:
            meta.level = "national" if national else "unknown"
            return
    # The most specific region the source names.
    order = {"county": 0, "city": 1, "province": 2}
    region = min(found[:3], key=lambda r: order[r.level])
    province = regions.province_of(region)
    meta.province = province.short if province else None
    if region.level == "province":
        meta.level = "city" if region.short in regions.MUNICIPALITIES else "province"
        meta.city = region.short if region.short in regions.MUNICIPALITIES else None
    elif region.level == "city":
        meta.city, meta.level = region.short, "city"
    else:
        city = regions.city_of(region)
        meta.county, meta.level = region.name, "county"
        meta.city = city.short if city else None
        if city and city.level == "province":       # a district of a municipality: the city is the municipality
            meta.level = "city" if not region.name.endswith("县") else "county"
