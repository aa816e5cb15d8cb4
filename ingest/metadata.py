"""Find the title, issuer, 文号, dates, type and place of a policy document from its own text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest import dates, regions
from ingest.clean import Line, noise_reason
from ingest.normalize import normalize
from ingest.numbering import parse_numbering
from ingest.script import simplified_chars

# The 文种 a title ends with. Longest first: 实施方案 before 方案.
_TYPES = ["行动计划", "实施方案", "工作方案", "若干措施", "若干规定", "管理办法", "实施办法", "实施细则",
          "实施意见", "指导意见", "规划纲要", "工作要点", "规划", "纲要", "方案", "计划", "措施", "办法", "条例",
          "规定", "细则", "意见", "决定", "决议", "通知", "通告", "公告", "规则", "守则", "规范", "准则", "章程",
          "解释", "批复", "指南", "指引", "政策", "法典", "法"]
_TYPE_CANON = {"管理办法": "办法", "实施办法": "办法", "实施意见": "意见", "指导意见": "意见",
               "工作方案": "方案", "若干措施": "措施", "若干规定": "规定", "实施细则": "细则", "规划纲要": "规划"}
_TAIL = r"(?:[(（][^()（）]{0,24}[)）])?"          # (2018―2020年), （试行）
_TITLE_RE = re.compile(rf"(?:{'|'.join(_TYPES)}){_TAIL}$")
_WRAPPER_RE = re.compile(r"^(?P<issuer>.*?)(?:关于)?(?:修订)?(?:转发|印发)(?P<title>.+?)的(?:通知|决定|通告)$")
_YEAR_RANGE = re.compile(r"^[(（][0-9]{4}\s*[-—―–~至]+\s*[0-9]{4}年?[)）]$")
_ISO_DATE = dates.ISO_DATE
# A line that is only a date: 2018年12月14日, (2023年2月8日), 二〇一九年三月二日 (signatures of national texts).
_CN_DATE_LINE = re.compile(rf"^[(（]?{dates.DATE.pattern}[)）]?$")
_PUBLISHED = re.compile(r"(?:发布|公开|成文)(?:日期|时间)[:：]?\s*([0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2})")
_TOP_LINES = 40          # a page's publish date stands within its first lines (seeds: line 4 to 6)
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［【(（][0-9]{4}[〕\]］】)）][0-9]{1,4}号")
_ORG_END = ("人民政府", "办公室", "办公厅", "委员会", "人大常委会", "政府", "局", "厅", "委", "部", "总局")
_NOTICE = re.compile(r"印发给你们|现印发|现予印发|请认真贯彻|认真贯彻执行|遵照执行|请结合实际|认真组织实施"
                     r"|此件公开发布")
_ADDRESSEE = re.compile(r"[:：]$|^各.{0,60}(?:单位|部门|政府|管委会|委员会)[:：]?$")
# The organ a passage note names after its date: a congress or its standing committee, in full or abbreviated
# (上海市第十三届人民代表大会常务委员会, 第八届全国人民代表大会常务委员会, 市十四届人大常委会,
# 宁波市第十五届人民代表大会), a 令 (中华人民共和国国务院令第492号, 国家市场监督管理总局令第46号),
# a government's executive meeting, a court.
_CONGRESS = re.compile(r"^(?:经)?(?P<place>[^第0-9()（）《]{0,20}?)(?:第?[一二三四五六七八九十]+届)?(?P<nat>全国)?"
                       r"(?P<body>人民代表大会常务委?员?会|人大常委会|人民代表大会|人大)")
_DECREE = re.compile(r"^(?:中华人民共和国)?(?P<org>[\u4e00-\u9fff]{2,20}?)(?:令|公告|第[0-9一二三四五六七八九十]+号)")
_GOVERNMENT = re.compile(r"^(?P<org>[\u4e00-\u9fff]{0,20}?(?:人民政府(?:办公室|办公厅)?|最高人民法院|最高人民检察院))")
_INTERPRETS = re.compile(r"本(?:办法|规定|条例|意见|方案|细则|措施|政策)由(.{2,40}?)负责解释")
# A national organ: the State Council, the National People's Congress, the Party centre, the supreme court and
# procuratorate, a 国家…/中国… administration (中国人民银行), a ministry or 总局 (科技部, 税务总局) that names no
# place.
_NATIONAL_ORGAN = re.compile(r"^(?:中华人民共和国)?(?:国务院|全国人民代表大会|全国人大|中共中央|中央|最高人民法院"
                             r"|最高人民检察院|主席|国家[\u4e00-\u9fff]{1,20}|中国[\u4e00-\u9fff]{2,20})"
                             r"|^(?![省市县区州盟旗镇乡])[\u4e00-\u9fff]{1,14}(?:部|总局|总署)(?:办公厅)?$")
# A title that opens with its national issuer: 中华人民共和国广告法, 国务院关于…, 全国人民代表大会常务委员会关于….
_NATIONAL_TITLE = re.compile(r"^(?:中华人民共和国|国务院|全国人民代表大会|全国人大|中共中央|最高人民法院"
                             r"|最高人民检察院)")


@dataclass
class Metadata:
    title: str
    wrapper_title: str | None = None
    city: str | None = None
    county: str | None = None
    province: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None           # the version in hand: the latest step of its passage notes, else issue
    first_date: str | None = None     # the first passage of a regulation, when its notes give one
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
    notes: list[int] = field(default_factory=list)   # passage-note lines (通过, 修正, 批准, 国务院令…公布)


def iso(year: str, month: str, day: str) -> str | None:
    return dates.iso(year, month, day)


def _date_of(text: str) -> str | None:
    return dates.first_date(text)


def is_title_like(line: Line) -> bool:
    norm = line.norm.lstrip("#")
    return (6 <= len(norm) <= 80 and "。" not in norm and parse_numbering(line.text) is None
            and bool(_TITLE_RE.search(norm)) and not _NOTICE.search(norm) and not dates.is_passage_note(norm))


def _is_markdown_title(line: Line) -> bool:
    """A Markdown document's '# …' first heading is its title, whatever it ends with."""
    return bool(re.match(r"#\s", line.text)) and 4 <= len(line.norm.lstrip("#")) <= 80 \
        and "。" not in line.norm and parse_numbering(line.text.lstrip("#").strip()) is None


def _wrapper_match(text: str) -> tuple[str, re.Match[str]] | None:
    """(the line as written, its 关于印发《…》的通知 match), read through simplified characters (關於印發)."""
    text = text.strip().lstrip("#").strip()
    match = _WRAPPER_RE.match(simplified_chars(text))      # same length: its offsets are the original's
    return (text, match) if match else None


def _wrapper_title(text: str) -> str | None:
    """The policy title inside a 关于印发《…》的通知 line (original characters), or None."""
    found = _wrapper_match(text)
    if not found:
        return None
    text, match = found
    inner = re.search(r"《(.+?)》", match.group("title"))
    start, end = (match.start("title") + inner.start(1), match.start("title") + inner.end(1)) if inner else \
        match.span("title")
    return text[start:end]


def _is_headerish(line: Line, titles: set[str]) -> bool:
    """Lines between a title and the policy text: notice wrapper, addressee, signature, dates, 文号."""
    norm = line.norm.lstrip("#")
    return bool(
        norm in titles or _wrapper_title(line.text) or _YEAR_RANGE.match(norm) or _CN_DATE_LINE.match(norm)
        or re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", norm) or _PUBLISHED.search(norm)
        or _DOC_NUMBER.fullmatch(norm) or line.text.startswith("<!--")
        or (_NOTICE.search(norm) and len(norm) < 120)
        or (_ADDRESSEE.search(norm) and len(norm) < 80 and parse_numbering(line.text) is None)
        or (norm.endswith(_ORG_END) and len(norm) <= 30 and parse_numbering(line.text) is None)
    )


def find_header(lines: list[Line]) -> Header:
    """The title (or notice wrapper) and the first line of the policy text."""
    first = next((i for i, line in enumerate(lines[:200]) if noise_reason(line) is None), None)
    start = next((i for i, line in enumerate(lines[:200]) if noise_reason(line) is None
                  and (_wrapper_title(line.text) or is_title_like(line))), None)
    if start is None and first is not None and _is_markdown_title(lines[first]):
        start = first                   # a Markdown '# …' title with an ending no 文种 list foresees
    if start is None:
        return Header(0, None, None, None, set())
    wrapper = lines[start].text if _wrapper_title(lines[start].text) else None
    title = _wrapper_title(lines[start].text) if wrapper else lines[start].text.lstrip("#").strip()
    prefix = None
    if not wrapper and start > 0 and simplified_chars(title).startswith("关于") \
            and lines[start - 1].norm.endswith(_ORG_END):
        prefix = lines[start - 1].text
    titles = {normalize(title)}
    used, i = {start} | ({start - 1} if prefix else set()), start + 1
    notes: list[int] = []
    wrapped = 0                 # lines still to come of a passage note cut off before its step
    while i < len(lines):
        norm = lines[i].norm
        note = (wrapped and dates.is_note_continuation(norm)) or dates.is_passage_note(norm)
        if note and parse_numbering(lines[i].text) is None:      # 一、废止《…》（…通过）is an item
            notes.append(i)
            wrapped = (wrapped - 1 if wrapped else 2) if dates.is_open_note(norm) else 0
            used.add(i)
            i += 1
            continue
        wrapped = 0
        if not _is_headerish(lines[i], titles):
            break
        if not wrapper and (w := _wrapper_title(lines[i].text)):
            wrapper, title = lines[i].text, w
            titles.add(normalize(w))
        if _YEAR_RANGE.match(norm) and i == start + 1 and not wrapper:
            title += lines[i].text.strip()
        used.add(i)
        i += 1
    return Header(i, title, wrapper, prefix, used, notes)


def extract(lines: list[Line], header: Header, body_text: str, fallback_title: str) -> Metadata:
    head = lines[: header.body_start]
    head_norms = [line.norm for line in head]
    name_title, name_date = dates.split_name_date(fallback_title)
    title = _clean_title(header.title) if header.title else name_title
    if header.title_prefix:
        title = header.title_prefix.strip() + title
    meta = Metadata(title=title, wrapper_title=header.wrapper.strip() if header.wrapper else None)
    meta.doc_type = _doc_type(title)

    # Issuer and date: a signature (organisation line, then a date line), else other evidence.
    for i, norm in enumerate(head_norms[:-1]):
        nxt = head_norms[i + 1]
        if norm.endswith(_ORG_END) and len(norm) <= 30 and (_CN_DATE_LINE.match(nxt) or _ISO_DATE.fullmatch(nxt)):
            meta.issuer, meta.date = head[i].text.strip(), _date_of(nxt)
    for i, norm in enumerate(head_norms):
        if i in header.notes:
            continue
        if meta.date is None and (_CN_DATE_LINE.match(norm) or re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", norm)):
            meta.date = _date_of(norm)
        if meta.publish_date is None and (m := _PUBLISHED.search(norm)):
            meta.publish_date = _date_of(m.group(1))
        if meta.doc_number is None and _DOC_NUMBER.fullmatch(norm.removeprefix("文号:")):
            meta.doc_number = re.sub(r"^文[号號]\s*[:：]|\s", "", head[i].text)     # as written
    if meta.publish_date is None:
        # A page cut off above its title still shows its publish date among the furniture of its top lines.
        meta.publish_date = next((_date_of(m.group(1)) for line in lines[header.body_start:][:_TOP_LINES]
                                  if len(line.norm) <= 80 and (m := _PUBLISHED.search(line.norm))), None)
    _passage(meta, "\n".join(lines[i].norm for i in header.notes), name_date)
    if meta.issuer is None and header.title_prefix:
        meta.issuer = "、".join(header.title_prefix.split())
    if meta.issuer is None and meta.wrapper_title:
        text, match = _wrapper_match(meta.wrapper_title)
        issuer = text[: match.end("issuer")].strip()
        issuer = issuer if normalize(issuer).endswith(_ORG_END) else None
        meta.issuer = issuer
    body = re.sub(r"\s", "", body_text)
    if meta.issuer is None and (m := _INTERPRETS.search(simplified_chars(body))):
        meta.issuer = body[m.start(1):m.end(1)]
    # Last resort: the date the text says it takes effect (本条例自1998年1月1日起施行).
    meta.date = meta.date or meta.publish_date or name_date or dates.effective_date(body_text)
    _place(meta, body_text)
    return meta


def _passage(meta: Metadata, note: str, name_date: str | None) -> None:
    """Date, first date and issuer from a regulation's passage notes.

    The version in hand is dated by the latest step (passed, approved, amended, revised, published). A date
    in the file name names the version instead when it is on or after that step (a regulation is published,
    公布, after its last passage, and collections name their files by that date: 上海口岸服务条例(2020-05-14),
    which the notes often do not give) or is one of the steps (an earlier version, kept with the notes of
    all its versions).
    """
    steps = [s for s in dates.passage_steps(note) if not s.effective]
    if not steps:
        return
    version, first = max(s.date for s in steps), min(s.date for s in steps)
    named = name_date and (name_date >= version or name_date in {s.date for s in steps})
    meta.date = name_date if named else version
    meta.first_date = first
    organ = _organ(steps[0].text)
    if organ and organ.startswith(("市", "省", "县", "自治县", "区")):
        # 市十四届人大常委会: the note's own city, which the title opens with (杭州市科学技术普及条例).
        own = regions.find_regions(meta.title, whole_names=True)
        kind = re.match(r"自治县|[市省县区]", organ).group()
        match = next((r for r in own if r.name.endswith(kind[-1])), None)
        organ = match.name + organ.removeprefix(kind) if match else organ
    meta.issuer = meta.issuer or organ


def _organ(step: str) -> str | None:
    """The organ a passage note names: 上海市人大常委会, 全国人大常委会, 国务院, 国家市场监督管理总局."""
    if m := _CONGRESS.match(step):
        place = m.group("place") + (m.group("nat") or "")
        standing = "常" in m.group("body")
        return f"{place}人大常委会" if standing else f"{place}人民代表大会"
    for pattern in (_GOVERNMENT, _DECREE):
        if m := pattern.match(step):
            return m.group("org")
    return None


def _clean_title(title: str) -> str:
    title = re.sub(r"^#+\s*", "", title.strip())
    return re.sub(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])", "", title)


def _doc_type(title: str) -> str | None:
    bare = re.sub(rf"{_TAIL}$", "", normalize(title))
    for kind in _TYPES:
        if bare.endswith(kind):
            return _TYPE_CANON.get(kind, kind)
    return None


def is_national(title: str, issuer: str | None) -> bool:
    """A national text: a title opening with a national organ or 中华人民共和国, or every issuer a national organ
    naming no place (科技部、财政部、税务总局; not 市委宣传部)."""
    if _NATIONAL_TITLE.match(normalize(title)):
        return True
    organs = [o for o in re.split(r"[、,，\s]+", normalize(issuer or "")) if o]
    return bool(organs) and all(_NATIONAL_ORGAN.search(o) and not regions.find_regions(o, whole_names=True)
                                for o in organs)


def _place(meta: Metadata, body_text: str) -> None:
    """City, county and province: from the title, then the issuer, then what the body names most.

    A national text gets no place, whatever places it names.
    """
    if is_national(meta.title, meta.issuer):
        meta.level = "national"
        return
    found = []
    for source in (meta.title, meta.issuer or "", meta.wrapper_title or ""):
        found = regions.find_regions(source, whole_names=True)
        if found:
            break
    if not found:
        counts = Counter(r for r in regions.find_regions(body_text, whole_names=True) if r.level != "province")
        best = counts.most_common(1)[0][0] if counts else None
        if best is None or best.level != "county":
            best = next(iter(_own_county(body_text)), best)     # 我县 and 柳河: the county, not just its city
        found = [best] if best else []
        if not found:
            meta.level = "unknown"
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


def _own_county(body_text: str) -> list[regions.Region]:
    """The county a document that calls itself 我县/本县 names in its body by its short name (柳河 for 柳河县)."""
    if not re.search(r"我县|本县", body_text):
        return []
    # Only counties inside the cities or provinces the body names, when it names any (富民 is also a word).
    named = [r for r in regions.find_regions(body_text, whole_names=True) if r.level != "county"]
    counts = Counter(c for c in regions.find_county_short_names(body_text)
                     if not named or any(regions.province_of(c) == r or regions.city_of(c) == r for r in named))
    if not counts:
        return []
    ranked = [*counts.most_common(2), (None, 0)]
    (best, n), (_, runner_up) = ranked[0], ranked[1]
    return [best] if n >= 2 and n > runner_up else []
