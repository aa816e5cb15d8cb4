"""Figures in policy text with what they count: subject | value and unit | qualifier | year or period, and kind.

"到2020年，省级以上科技企业孵化器达到16家" -> subject 省级以上科技企业孵化器, 16 家, period 2020, kind target;
"对新认定的市级协同创新基地给予一次性奖励10万元" -> subject 一次性奖励, 10 万元, beneficiary 新认定的市级协同创新基地,
kind support. The numbers themselves (Arabic or Chinese, percentages, fractions, durations, qualifiers) are
read by index/quantity.py; this module reads the sentence around each one, by its grammar alone: the noun
phrase a verb of reaching (达到, 增至 …) follows, the object of a verb of doing (新增, 培育, 引进 …), the noun a
figure stands before (1000家以上科技型中小企业), the support it is (奖励, 补助 …) and who gets it (对…给予).
Indicator tables: the unit is in the indicator's name ("科技型中小企业数量(家)", 2025年目标值 13500 -> "13500家"),
the year in the column's name. Offsets point into the text given, so a figure can be shown in its clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.quantity import UNITS, Quantity, number_value, parse_quantities, year_spans
from ingest.model import Clause

KINDS = {"amount": "金额", "ratio": "比例", "count": "数量", "duration": "期限", "frequency": "频次", "year": "年份"}
ROLES = {"target": "目标", "support": "支持", "other": "其他"}


@dataclass(frozen=True)
class Figure:
    text: str                  # number and unit as in the source: "590家", "100万元", "百分之五", "三分之一"
    value: float               # 590.0; 百分之五 -> 5.0; 三分之一 -> 33.333 (unit %); 半年 -> 0.5
    unit: str                  # "家", "万元", "%", "个月" (as written; percentages and fractions "%")
    start: int = -1            # offsets into the text searched; -1 for a table cell
    end: int = -1
    year: int | None = None    # the year it is for (到2020年…590家 -> 2020); None when the text names none
    qualifier: str = ""        # 最高, 不少于, 以上, 内 ...: shown with the figure, never dropped silently
    label: str = ""            # table rows: the indicator and column; prose: ""
    measure: str = ""          # amount | ratio | count | duration | frequency ("" = from the unit)
    high: float | None = None  # upper end of a range (4—6条)
    phrase: str = ""           # verbatim figure with its qualifier: 不低于三分之一, 十五日内
    subject: str = ""          # what it counts, verbatim from its sentence: 省级以上科技企业孵化器
    role: str = "other"        # target | support | other (ROLES)
    period: str = ""           # the year or period of its sentence: "2020", "2018—2020", "十四五", "每年", "三年内"
    beneficiary: str = ""      # support: who gets it (对…给予), verbatim
    condition: str = ""        # support: on what condition or basis (经认定…的, 按投资额的1%), verbatim
    sentence: str = ""         # the sentence it stands in

    @property
    def kind(self) -> str:
        """What the number measures: amount (money), ratio (%, 百分点, 分之), count, duration, frequency."""
        if self.measure:
            return self.measure
        if self.unit.endswith(("元", "亿", "万")):
            return "amount"
        if UNITS.get(self.unit) == "ratio":
            return "ratio"
        return "count"

    @property
    def display(self) -> str:
        """The figure with its qualifier, the way a reader quotes it: 最高100万元, 1000项以上, 十五日内."""
        if self.phrase:
            return self.phrase
        if self.qualifier in ("以上", "以下", "左右", "以内", "内", "多", "之内", "范围内", "范围以内", "半径内"):
            return self.text + self.qualifier
        return self.qualifier + self.text

    def to_json(self) -> dict:
        return {"subject": self.subject, "value": self.value, "unit": self.unit, "qualifier": self.qualifier,
                "period": self.period, "kind": self.role, "text": self.display, "measure": self.kind,
                "beneficiary": self.beneficiary, "condition": self.condition}


def years_in(text: str) -> list[tuple[int, int, int]]:
    """(year, start, end) of each year named in text; a range 2018—2020年 counts as its last year."""
    return [(last, s, e) for _, last, s, e in year_spans(text)]


# -- the sentence around a figure ----------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_SEGMENT_END = re.compile(r"[，,：:]")
# What may stand between two figures of one list: 孵化器20家、众创空间40家; 16家(国家级1家).
_LIST_JOIN = re.compile(r"^(?:[、和及与(（]|以及)")
# Said of a quantity that reaches a figure: the subject stands before the verb (孵化器达到16家).
_REACH = re.compile(
    r"(?:达到|达|突破|超过|增至|增长到|增长至|增加到|增加至|提高到|提高至|提升到|提升至|发展到|跃升至|保持在|稳定在|"
    r"控制在|扩大到|缩小了|缩小到|下降到|降低到|增长了|提高了|增加了|下降了|增长|为|是|占|有|共有|拥有|累计)"
)
_REACH_END = re.compile(f"(?:{_REACH.pattern})$")
# Verbs of doing whose object the figure counts, at the start of the words before it: 引进外国专家15人;
# 培育|100家科技型企业 (the object after the figure).
_ACT_WORDS = (r"新增|新建|新成立|成立|培育|建设|建成|建立|组建|创建|共建|打造|引进|认定|选派|遴选|扶持|举办|组织实施|"
              r"实施|转化|设立|发展|安排|支持|争取|纳入|吸引|示范推广|推广|聚焦|完成|组织|获得|引育|招引|储备|推动|推进|"
              r"统筹推进|带动|集聚|落实|处以|并处|处")
_ACT_LEAD = re.compile(rf"^(?:(?:{_ACT_WORDS})(?:和|及|、|并)?)+")
_ACT = re.compile(_ACT_WORDS)
# Framing at either end of those words that is not the subject: time, scope, modal and adverbial words.
_FRAME_WORDS = (r"第[一二三四五六七八九十百零〇]+条\s*|[（(]?[一二三四五六七八九十]+[)）]|"
                r"其中|同时|此外|全市|全省|我市|力争|争取|确保|要|将|并|也|共|累计|每年|到|至|截至|在|应当|可以|可|"
                r"以后|以|由|从|按|大力|积极|着力|加快|努力|进一步|"
                r"(?:19|20)[0-9]{2}(?:\s*[—\-–~～至到]\s*(?:19|20)[0-9]{2})?年(?:底|末|前)?的?|"
                r"“?十[二三四五]五”?(?:期间|时期|末)?|[一二三四五两]年内|" + rf"年(?=(?:{_ACT_WORDS}))")
_FRAME = re.compile(rf"^(?:{_FRAME_WORDS})+")
_FRAME_END = re.compile(rf"(?:{_FRAME_WORDS}|各|分别|均)+$")
_ACT_END = re.compile(rf"(?:{_ACT_WORDS})$")
_HAVE = re.compile(r"(?:共有|拥有)(?!量)")
_SUPPORT = re.compile(r"(?:一次性|资金|经费|研发费用|房租|租金|贷款|项目|财政|专项)?"
                      r"(?:奖励|奖补|补助|资助|补贴|贴息|减免|免征|加计扣除|资金支持|扶持资金|支持资金|后补助)")
_TARGET = re.compile(r"到(?:19|20)[0-9]{2}年|目标|力争|争取|确保|突破|达到|达|增至|提高到|提升到|实现|预期|计划|"
                     + _ACT_WORDS)
_PAST = re.compile(r"已|累计|共(?:获得|引进|有|争取|建设|培育|安排)|了|取得|“?十[二三]五”?(?:期间|时期)")
# A plan's review of where things stand ("(一)基础与现状", "“十三五”取得的成效") reports what was reached.
_REVIEW = re.compile(r"基础|现状|成效|成就|回顾|进展|发展成果")
# A rule, a deadline or a penalty (应当在十五日内, 处二万元以上的罚款) sets no target.
_RULE = re.compile(r"违反|罚款|处以|没收|责令|应当|应[在于自]|可以|不得|必须|不足|之日起|是指|所称")
_GOALS = re.compile(r"目标|指标")
_NOUN_CUT = re.compile(r"[，,。；;：:、（()）\s]|的(?=[^一-龥]|$)|"
                       r"(?:助力|用于|进行|开展|实现|形成|列入|参与|进入|出访|来访|落户|在|等|增长|达到|达|给予|予以|通过|作为|纳入|申报|获得|一体)")
_BENEFICIARY = re.compile(r"对([^，,。；;]{2,40}?)(?:，|,)?(?:分别|一次性|每年|按|给予|予以|奖励|补助|资助|补贴)")
_CONDITION = re.compile(r"(按[^，,。；;]{1,20}?的)[0-9０-９一二三四五六七八九十百千万]|"
                        r"((?:经|凡|首次|获得?|被)[^，,。；;]{2,30}?的)[，,]")
# A subject that is only a copula or a preposition says nothing: the figure's subject is the one before.
_EMPTY_SUBJECT = {"是", "为", "以", "占", "和", "及", "与", "、"}


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    end = _SENTENCE_END.search(text, pos)
    return (starts[-1] if starts else 0), (end.start() if end else len(text))


def _segment_start(text: str, pos: int, floor: int) -> int:
    starts = [m.end() for m in _SEGMENT_END.finditer(text, floor, pos)]
    return starts[-1] if starts else floor


def _segment_end(text: str, pos: int, ceiling: int) -> int:
    m = _SEGMENT_END.search(text, pos, ceiling)
    return m.start() if m else ceiling


def _strip_frame(s: str) -> str:
    """The words without framing at either end: 到2020年全市高新技术企业力争 -> 高新技术企业."""
    s = s.strip(" 　、，,(（)）")
    if "》" in s:
        s = s[s.rindex("》") + 1:].lstrip("等")          # 《…》《…》等…政策文件: the words after the titles
    for _ in range(4):
        before = s
        s = _FRAME.sub("", s).lstrip(" 　、，,的(（")
        s = _FRAME_END.sub("", s).rstrip(" 　、，,(（")
        if s == before:
            break
    return s


def _noun_after(text: str, pos: int, ceiling: int, head: bool = True) -> str:
    """The noun phrase a figure stands before: 1000家以上[科技型中小企业]; 最高100万元的[补贴]; 10项创新水平高、
    …的[重大科技成果] (the head noun after the last 的)."""
    rest = text[pos:ceiling]
    rest = rest[1:] if rest.startswith("的") else rest
    cut = re.search(r"[，,。；;：:]", rest)
    clause = rest[:cut.start()] if cut else rest
    last_de = clause.rfind("的") if head else -1
    if 0 < last_de < len(clause) - 1:
        rest = clause[last_de + 1:]
    m = _NOUN_CUT.search(rest)
    return rest[:m.start()] if m else rest[:24]


def _subject_before(left: str) -> str:
    """The subject in the words before a figure: the noun before a verb of reaching, the object of a verb of
    doing that opens them, or the words themselves (高新技术企业590家). "" when the object comes after."""
    left = left.rstrip(" 　")
    change = re.search(r"[由从](?=(?:19|20)[0-9]{2}年|[0-9０-９])", left)
    if change and change.start() > 0:
        return _strip_frame(left[:change.start()])    # 投入强度由2015年0.48%提高到 -> 投入强度
    have = list(_HAVE.finditer(left))
    if have:
        left = left[have[-1].end():]                   # 218个科技平台共有科技人才 -> 科技人才
    core, reach = left, None
    for _ in range(3):
        core = re.sub(r"(?:(?:19|20)[0-9]{2}年(?:底|末)?的?|“?十[二三四五]五”?(?:时期|期间)?的?|的)$", "", core)
        end = _REACH_END.search(core)
        if not end:
            break
        reach, core = end, core[:end.start()]
    if reach and core.endswith(("年均", "每年")) and not _strip_frame(core[:-2]):
        return core[-2:] + reach.group(0)              # 年均增长24.4%
    if _ACT_END.search(_FRAME_END.sub("", core)) or core.endswith(("、", "等", "和", "及")):
        return ""                                      # 每县建设|2家以上众创空间, …等|10余个分支研究所: after
    core = _strip_frame(core)
    start = _REACH.match(core)
    if start:
        core = _strip_frame(core[start.end():])        # 跃升至2020年A类县 -> A类县
    lead = _ACT_LEAD.match(core)
    if lead:
        core = core[lead.end():]                       # 引进外国专家 -> 外国专家
    if core in _EMPTY_SUBJECT:
        return ""
    return core


def _context(text: str, q: Quantity, previous: list[Figure], found: list[Quantity], floor: int, ceiling: int
             ) -> dict:
    """Subject, support, beneficiary and condition of q from its sentence text[floor:ceiling]."""
    seg_start = _segment_start(text, q.span_start, floor)
    seg_end = _segment_end(text, q.span_end, ceiling)
    # The figure before in the same segment ends the words about this one only when a list joins them
    # (科技企业孵化器20家、众创空间40家); otherwise it belongs to them (销售收入20亿元以上企业达27家).
    left_start = seg_start
    for f in previous:
        if f.start < seg_start:
            continue
        tail = f.end + len(_after_qualifier(f))
        between = _FRAME.sub("", text[tail:q.span_start])
        if _LIST_JOIN.match(between) or _REACH.match(between) or _ACT.match(between):
            left_start = tail
    right_end = next((o.start for o in found if q.span_end <= o.start < seg_end), seg_end)
    left = text[left_start:q.span_start]
    subject = _subject_before(left)
    after = _noun_after(text, q.span_end, right_end)
    sentence = text[floor:ceiling]
    supported = bool(_SUPPORT.search(sentence)) and (q.measure in ("amount", "ratio") or
                                         (q.measure == "duration" and re.search("[免减]", sentence)))
    if supported:
        here = _SUPPORT.search(text, q.span_end, min(seg_end, q.span_end + 16))
        near = _SUPPORT.search(left[-12:]) if not here else None
        # The support named by the words before (企业研发费用加计扣除比例) or the support word nearest.
        if not (_SUPPORT.search(subject) and not re.search("给予|予以|对", subject)):
            subject = (here.group(0) if here else near.group(0) if near else "") or subject
    if not subject:
        subject = after
    if not subject and previous and previous[-1].start >= floor:
        subject = previous[-1].subject               # 增长到2020年的795家: the same subject as 128家
    if not subject:
        # 其中重点实验室实现“零”的突破，达到10家: the noun the sentence opens with.
        subject = _strip_frame(_noun_after(text, floor, q.span_start, head=False)) or \
            _strip_frame(text[seg_start:q.span_start] + text[q.span_end:seg_end]).strip("的") or \
            _strip_frame(text[seg_end:ceiling])[:24]       # 超过三个工作日的，[应当事先征得…同意]
    subject = subject.strip(" 　、，,的")
    beneficiary = condition = ""
    if supported:
        b = _BENEFICIARY.search(sentence)
        beneficiary = b.group(1).rstrip("的") if b else ""
        c = _CONDITION.search(sentence)
        condition = (c.group(1) or c.group(2)) if c else ""
    return {"subject": subject, "supported": supported, "beneficiary": beneficiary, "condition": condition}


def _after_qualifier(f: Figure) -> str:
    return f.phrase[len(f.phrase.split(f.text, 1)[0]) + len(f.text):] if f.phrase and f.text in f.phrase else ""


def _leading_period(text: str, floor: int, start: int) -> str:
    """A period the sentence opens with: 三年内, “十四五”期间, 到“十四五”末."""
    m = re.search(r"(?:到)?“?十[二三四五]五”?(?:期间|末)?|[一二三四五两]年内|每年", text[floor:start])
    return re.sub("[“”]", "", m.group(0)) if m else ""


def find_figures(text: str, review: bool = False, goals: bool = False) -> list[Figure]:
    """Every figure in prose text, in order, each with what it counts; a year is taken from its own sentence.

    review: the text reports what was reached (a plan's 基础与现状): no figure in it is a target.
    goals: the text sets goals (a plan's 主要目标): a figure not said to be reached already is a target."""
    years = year_spans(text)
    figures: list[Figure] = []
    found = parse_quantities(text)
    for q in found:
        floor, ceiling = _sentence_bounds(text, q.start)
        # 三年内新增…: a duration opening a sentence with more figures is the period of those, not a figure.
        later = [o for o in found if q.span_end <= o.start < ceiling and o.measure != "duration"]
        if q.measure == "duration" and q.qualifier in ("内", "以内") and later and \
                _segment_start(text, q.span_start, floor) == floor and not _strip_frame(text[floor:q.span_start]) \
                and not _RULE.search(text[floor:ceiling]):
            continue
        before = [y for y in years if floor <= y[2] and y[3] <= q.start]
        year = before[-1][1] if before else None
        if before:
            first, last = before[-1][0], before[-1][1]
            period = str(last) if first == last else f"{first}—{last}"
        else:
            period = _leading_period(text, floor, q.start) or q.per
        previous = [f for f in figures if f.start >= floor]
        ctx = _context(text, q, previous, found, floor, ceiling)
        sentence = text[floor:ceiling]
        role = _role(sentence, text[floor:q.start], ctx["supported"], year, years, floor, ceiling, review)
        if role == "other" and goals and not review and not _PAST.search(sentence):
            role = "target"
        figures.append(Figure(q.text, q.value, q.unit, q.start, q.end, year, q.qualifier, "", q.measure, q.high,
                              q.phrase, ctx["subject"], role, period, ctx["beneficiary"], ctx["condition"],
                              sentence))
    return figures


def _role(sentence: str, before: str, supported: bool, year: int | None, years, floor: int, ceiling: int,
          review: bool) -> str:
    if supported:
        return "support"
    if review or _RULE.search(sentence):
        return "other"
    later_year = any(y[1] > year and floor <= y[2] < ceiling for y in years) if year else False
    if later_year and re.search(r"由|从", before):
        return "other"                                 # 由2015年16亿元增至…: the baseline
    if _PAST.search(sentence) and not re.search(r"到(?:19|20)[0-9]{2}年|力争|目标", sentence):
        return "other"
    return "target" if _TARGET.search(sentence) else "other"


# -- indicator tables ----------------------------------------------------------------------------------

_UNIT_IN_NAME = re.compile(r"[(（]\s*([^()（）]{1,6}?)\s*[)）]?\s*$")
_COLUMN_YEAR = re.compile(r"((?:19|20)[0-9]{2})")
_PLAIN_NUMBER = re.compile(r"^\s*([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*$")


def indicator_unit(name: str) -> str:
    """The unit an indicator's name gives: 高新技术企业数量(家) -> 家; 比重(% -> % (a lost bracket too)."""
    m = _UNIT_IN_NAME.search(name)
    return m.group(1) if m else ""


def indicator_name(name: str) -> str:
    """The indicator without its unit: 高新技术企业数量(家) -> 高新技术企业数量."""
    m = _UNIT_IN_NAME.search(name)
    return name[:m.start()] if m else name


def table_figures(clause: Clause) -> list[Figure]:
    """One figure per year column of an indicator-table row, the unit taken from the indicator's name; a
    column named 目标 is a target, the others (基期, 现状, 完成) are not."""
    if clause.kind != "table_row":
        return []
    items = list(clause.fields.items())
    name = next((v for k, v in items if "指标" in k or "名称" in k or "项目" in k), "")
    if not name and len(items) > 1:
        name = items[1][1]
    unit = indicator_unit(name)
    subject = indicator_name(name).strip()
    figures = []
    for column, value in items:
        year = _COLUMN_YEAR.search(column)
        number = _PLAIN_NUMBER.match(value)
        if not year:
            continue
        role = "target" if "目标" in column or "预期" in column else "other"
        common = {"year": int(year.group(1)), "label": f"{indicator_name(name)} {column}", "subject": subject,
                  "role": role, "period": year.group(1), "sentence": f"{name} {column} {value}"}
        if number:
            text = number.group(1) + unit
            figures.append(Figure(text=text, value=number_value(number.group(1)) or 0.0, unit=unit,
                                  measure=_measure_of(unit), **common))
        else:                                          # 累计增加10: keep the cell as the source has it
            inner = parse_quantities(value)
            shown = value + (unit if (not inner or not inner[0].unit) and unit else "")
            figures.append(Figure(text=shown, value=inner[0].value if inner else (number_value(value) or 0.0),
                                  unit=unit or (inner[0].unit if inner else ""),
                                  measure=_measure_of(unit or (inner[0].unit if inner else "")), **common))
    return figures


def _measure_of(unit: str) -> str:
    from index.quantity import UNITS
    return UNITS.get(unit, "ratio" if "%" in unit else "count")


def in_review_section(clause: Clause) -> bool:
    """Whether the clause sits under a review heading (its own heading aside, unless it has no other)."""
    return any(_REVIEW.search(s) for s in clause.section[:-1] or clause.section)


def in_goals_section(clause: Clause) -> bool:
    """Whether the clause sits under a heading of goals (二、主要目标, 主要指标): it states targets, not measures."""
    return any(_GOALS.search(s) for s in clause.section)


def clause_figures(clause: Clause) -> list[Figure]:
    if clause.kind == "table_row":
        return table_figures(clause)
    review = in_review_section(clause)
    return find_figures(clause.text, review=review, goals=in_goals_section(clause))


def extract_figures(text: str) -> dict[str, str]:
    """Figures of a text grouped into columns: 金额, 比例, 数量, 期限, 频次, 年份.

    {"金额": "最高100万元", "比例": "1%", "年份": "到2020年"}; several figures of a kind are joined by "；".
    """
    columns: dict[str, list[str]] = {}
    for figure in find_figures(text):
        columns.setdefault(KINDS[figure.kind], []).append(figure.display)
    years = [text[max(0, s - 1):e] if text[max(0, s - 1):s] == "到" else text[s:e] for _, s, e in years_in(text)]
    if years:
        columns["年份"] = years
    return {k: "；".join(dict.fromkeys(v)) for k, v in columns.items()}
