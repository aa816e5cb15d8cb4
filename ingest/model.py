"""The two records everything else works on: a policy Document and the Clauses cut from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from ingest import regions


class IngestError(Exception):
    """A file that cannot be turned into a document; the message is one line a user can act on."""


@dataclass(frozen=True)
class Document:
    doc_id: str                      # stable: derived from the source file name
    source: str                      # file name as given (relative to the corpus folder)
    title: str                       # the policy's own title, without the 印发…的通知 wrapper
    text: str                        # the original text as loaded: offsets point into it
    wrapper_title: str | None = None  # 关于印发《…》的通知, when the page has one
    city: str | None = None          # short name: 沧州, 上海, 柳河县; None for national documents
    county: str | None = None        # full name of a county-level issuer: 柳河县
    province: str | None = None      # short name: 河北, 江苏; None for national documents
    issuer: str | None = None        # 发文机关, e.g. 沧州市人民政府办公室
    doc_number: str | None = None    # 文号, e.g. 连政办发〔2018〕138号
    date: str | None = None          # the version in hand, ISO yyyy-mm-dd: date of issue, or a regulation's
                                     # latest passage/amendment/approval/publication
    publish_date: str | None = None  # the web page's publish date, when it differs
    doc_type: str | None = None      # 规划, 行动计划, 实施方案, 条例, 办法, 意见, 通知 ...
    level: str = "city"              # national | province | city | county
    source_url: str | None = None    # from the catalog, when the user gave it
    first_date: str | None = None    # a regulation's first passage (its notes' earliest date), when it has one
    valid_from: str | None = None    # period of effect, ISO, as the text states it (ingest/validity.py)
    valid_to: str | None = None
    validity_basis: str | None = None  # the words it was read from: 本条例自2020年1月1日起施行

    @property
    def place(self) -> str:
        """The place a document speaks for, as one key: its city, else its province (a provincial
        regulation), else 全国. Two provinces' regulations are two places, never one "no city"."""
        return self.city or self.province or "全国"

    @property
    def place_display(self) -> str:
        """The place written out, as a list of places names it: 沧州市, 浙江省 (a provincial regulation), 全国."""
        if not self.city and self.province:
            return regions.province_name(self.province)
        return self.city_display or self.place

    @property
    def city_display(self) -> str:
        """沧州 -> 沧州市 (as a citation names it); county and national names stay as they are."""
        if self.county and self.level == "county":
            return self.county
        if not self.city:
            return "全国" if self.level == "national" else (self.province or "")
        if self.city.endswith(("市", "县", "区", "自治州", "地区", "盟", "旗")):
            return self.city
        return regions.city_name(self.city)

    def to_dict(self, with_text: bool = False) -> dict:
        d = asdict(self)
        if not with_text:
            d.pop("text")
        return d


@dataclass(frozen=True)
class Clause:
    clause_id: str                   # stable: same document and position, same id on every rebuild
    doc_id: str
    label: str                       # its own number: "1.", "(二)", "第三条"; "" for an unnumbered paragraph
    section: tuple[str, ...]         # ancestors' numbers and headings, outermost first, then its own heading
    text: str                        # the original text of the clause (what is shown and cited)
    start: int                       # character offsets into Document.text
    end: int
    kind: str = "clause"             # clause | paragraph | table_row
    part: int = 1                    # a clause too long to embed well is cut into parts 1..parts
    parts: int = 1
    fields: dict[str, str] = field(default_factory=dict)  # table_row columns: 主要指标, 2025年目标值 ...
    # The citable units inside a 第X条 article: (label, start, end) with offsets into text, e.g.
    # ("第二款", 40, 95), ("第一款第（三）项", 20, 31); labels omit 第一款 when the article has one paragraph.
    units: tuple[tuple[str, int, int], ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"clause {self.clause_id}: bad offsets {self.start}..{self.end}")
        if not 1 <= self.part <= self.parts:
            raise ValueError(f"clause {self.clause_id}: part {self.part} of {self.parts}")

    @property
    def section_path(self) -> str:
        """三、主要任务 › (二)加快科技合作人才队伍建设 › 1.引进国外高端人才"""
        return " › ".join(self.section)

    def to_dict(self) -> dict:
        # Field by field: dataclasses.asdict deep-copies recursively, a third of writing a large index.
        d = {name: getattr(self, name) for name in _CLAUSE_FIELDS}
        d["section"] = list(self.section)
        d["units"] = [list(unit) for unit in self.units]
        d["fields"] = dict(self.fields)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Clause:
        units = tuple((str(label), int(s), int(e)) for label, s, e in d.get("units", ()))
        return cls(**{**d, "section": tuple(d["section"]), "units": units})


_CLAUSE_FIELDS = tuple(f.name for f in fields(Clause))   # dataclasses.fields() per call costs
