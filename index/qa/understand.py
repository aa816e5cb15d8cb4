"""What a question asks, read from its words and the places the corpus holds: the kind of answer (a fact, a
figure, a list of names, the cities that take a measure), the places that constrain it and those it only
mentions (廊坊…从北京引进…: 廊坊 is asked about, 北京 is where projects come from), the years, the units,
and what it is about once places, years and question words are stripped.

Every reader of a question (the Answerer, quoting, numeric answers, refusals, compare) reads it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.figures import years_in
from index.qa.weights import ASK_MIN_CHARS
from index.quantity import COUNTERS, MEASURE_UNITS, UNITS, number_value
from ingest import regions
from ingest.normalize import normalize
from ingest.numbering import label_value

# "What did the cities do about X": the answer is one list per city.
ACROSS_CITIES = re.compile(r"各(市|地|城市|个城市|区县)|哪(些|几个|几座|个)(城市|地方|市)|"
                           r"不同城市|其他城市|多地|各省市")
# 现在/目前/现行: the documents in force are asked about, not those that have ended or been replaced.
_ASKS_CURRENT = re.compile(r"现在|目前|现行|当前|如今|最新|仍然有效|还有效|还在执行")
# A question about the national rules (国家对…, 国务院…, 科技部规定…): national texts answer it first. Not 国家级,
# 国家重点实验室 or 国家高新区, which name a local measure's rank; and only when no place is named.
_ASKS_NATIONAL = re.compile(
    r"国务院|党中央|中共中央|全国人大|全国人民代表大会|中华人民共和国|全国(?:性|统一|层面)"
    r"|国家(?=层面|规定|法律|法规|政策|对|有没有|有|出台|要求|如何|怎么|是否|会|鼓励|支持|允许|禁止|的(?:规定|政策|法律|要求))"
    r"|(?:科技|财政|教育|商务|工信|工业和信息化|人社|人力资源和社会保障|农业农村|生态环境|住房和城乡建设|交通运输"
    r"|水利|司法|公安|民政|自然资源|文化和旅游|卫生健康)部|(?:税务|市场监管)总局|海关总署"
    r"|国家[\u4e00-\u9fff]{2,8}?(?:局|委)(?=规定|对|的|要求|出台|印发|发布)")
# When a document takes effect: a when-word and a verb of coming into force ending the question, and a document
# named (条例, 办法, 规划…); 什么时候实施科技冬奥工程 and 应当在什么时候实施整改 ask of a measure, not a document.
_TAKES_EFFECT = re.compile(r"(?:什么时候|何时|哪[一]?(?:天|年|月|日)|几月|几号|什么时间)(?:开始|正式|起)?"
                           r"(?:施行|实施|生效|执行)(?:的)?[?？。]*$|(?:施行|实施|生效)(?:的)?(?:日期|时间)")
_NAMES_DOCUMENT = re.compile(r"条例|办法|规定|细则|规则|决定|意见|方案|规划|计划|措施|通知|政策")
# A document named by its title: a place, then words, then a document type (河南省志愿服务条例); not a question about
# a place's rules (上海市对…有什么规定), so no question word, preposition or punctuation in between.
DOCUMENT_TYPE = re.compile(r"条例|办法|规定|细则|实施意见|实施方案|行动计划|规划|若干措施|若干规定|决定")
# ... nor a verb that takes a rule as its object (在上海违反…保护规定的: the rules broken, not a title).
_NOT_IN_TITLE = re.compile(r"[这那该此本]|对|关于|什么|怎么|怎样|如何|哪|多少|是否|吗|有没有|能不能|可以|应当|有|在"
                           r"|违反|违背|遵守|依照|依据|按照|根据|[^\w]")
_QUOTED_TITLE = re.compile(r"《([^》]{2,40})》")
_ARTICLE = re.compile(r"第([一二三四五六七八九十百零〇两0-9]{1,6})条")
# What follows a title (…条例规定, …方案提出, …条例所称, …规划里): not a verb's object (科技局规划建设, 奖励规定多少).
# After a type that is also a verb (规定, 规划, 决定) not 的, 是 or 有 either: 市政府规定的标准 names no document.
_AFTER_TITLE = re.compile(r"中|里|内|第|对|所称|规定|提出|明确|要求|指出|怎|如何|什么|哪|[^\w]|$")
_AFTER_NOUN_TITLE = re.compile(r"的|是|有")
_VERB_TYPES = ("规定", "规划", "决定")
# What a question may ask of a document itself (with a document named, _NAMES_DOCUMENT): its number, its issuer,
# its date, whether it is in force.
_ASKS_OF_DOCUMENT = (
    ("文号", re.compile(r"文号|发文字号|文件编号")),
    # Said of the document with 的 after the verb (是哪个部门印发的, 哪年发布的): 由谁发布 asks of a duty in the text.
    ("发文机关", re.compile(r"(?:哪个|哪些|哪家|什么)(?:部门|单位|机关|机构)(?:联合)?(?:印发|发布|出台|颁布)的"
                        r"|谁(?:印发|发布|出台|颁布)的|发文(?:机关|单位)")),
    ("日期", re.compile(r"(?:什么时候|何时|哪年|哪一年|哪天|几月|什么时间)(?:印发|发布|出台|公布|颁布|通过)的"
                      r"|(?:印发|发布|出台|公布|颁布)(?:的)?(?:时间|日期)")),
    ("效力", re.compile(r"(?:还|仍|仍然|是否)(?:有效|生效|在执行|适用)"
                      r"|(?:有效|失效|废止|过期|到期)(?:了)?吗|是否(?:失效|废止|过期|到期)")),
)
# What is done to one who breaks a rule: a statute's penalty chapter (法律责任, 罚则) answers these questions.
_ASKS_PENALTY = re.compile(r"罚|责任|后果|违反|违规|违法|处理|处分|追究|吊销|没收|责令|查处|惩")
# A place right after one of these is where something comes from or is sought (从北京引进, 赴上海学习,
# 面向长三角): named in passing, not what the question is about. Not 到: 落户到X is about X.
_IN_PASSING = re.compile(r"(从|自|向|赴|来自|对接|引进|吸引|面向|承接)$")

# "多少", "几家", 比例/比重 ... ask for a figure; "哪几个" does not.
# 在什么期限内备案: a number of days; not 什么时间 alone (每年的什么时间 asks for a date: 每年5月的第三周).
_DURATION = r"多久|多长|多少时间|什么(?:期限|时限)|什么时间内"
_NUMERIC = re.compile(rf"多少|(?<!哪)几[{COUNTERS}亿万年天日月成]|比例是|比重|占比|强度|金额|数额|"
                      r"百分之|多大(?:比例|比重|面积|规模|金额|数额|额度|幅度|年纪|年龄|范围|以下|以上)|几岁|多少岁|"
                      r"多远|多高|多深|多宽|多重|(?:按|以)什么标准|标准是多少|" + _DURATION)
PERIODS = {"十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_TARGET = re.compile(r"目标|要|计划|力争|预期|将|争取")
# Question words and fillers: never evidence that a clause is about the question.
_FILLER = re.compile(
    r"(?:多少|(?<![近这前后哪])几)个?(?:工作日|小时|天|日|年|月|周|万元|亿元|元)|"
    rf"什么|谁|哪些|哪个|哪家|哪所|哪几个|哪|多少[{COUNTERS}]?|多大|多久|多长时间|多长|多远|多高|多深|多宽|多重|几[{COUNTERS}]|如何|怎么样|怎么|怎样|是否|有没有|能不能|需不需要|是不是|会不会|"
    r"吗|呢|吧|有关|方面|具体|主要|目标|计划|要求|是否|的|了|期间|政策|措施|举措|我们|咱们|自己|一家|一个|"
    r"[\W_]"
)
# Units a question word asks for: 多少家 -> 家; 比重 -> %.
_UNIT_HINTS = (
    (re.compile(r"多少家|几家"), ("家",)),
    (re.compile(r"多少[名人位]|几[名人位]"), ("名", "人", "位")),
    (re.compile(r"多少项|几项"), ("项",)),
    (re.compile(r"(多少|几)个?(年|天|日|月|工作日)|" + _DURATION),
     ("年", "日", "天", "个月", "月", "个工作日", "工作日", "小时", "周")),
    (re.compile(r"多少个|几个"), ("个",)),
    (re.compile(r"年纪|年龄|几岁|多少岁|多大(?:以下|以上)"), ("周岁", "岁")),
    # How far, high, deep: a length (多大范围内 asks how far from something).
    (re.compile(r"多远|多高|多深|多宽|多大范围"), ("米", "公里", "千米", "厘米", "毫米", "层")),
    (re.compile(r"比例|比重|占比|强度|百分之|百分点|增长率|覆盖率|几成"), ("%", "‰", "‱", "个百分点", "百分点")),
    (re.compile(r"金额|资金|补贴|补助|奖励|资助|奖补|投入|经费|收入|成交额|交易额|规模|元|费用|收费|罚款|罚|钱|价格"),
     ("元", "亿元", "万元", "千元", "亿", "万", "美元", "亿美元", "万美元")),
)

# A unit written right after the question word (多少万元, 几家, 几个月) is the one the answer is counted in;
# words elsewhere (比重, 资金) only hint at one.
# Not 近几年, 哪几家: no question word there.
_COUNTERS_BUT_GE = COUNTERS.replace("个", "")        # 多少个 states no unit: 个 stands for any
# Measures of two characters or more first (多少毫升, 多少平方米, 多少周岁): their last character may be a counter.
_MEASURES = "|".join(MEASURE_UNITS)
_STATED_UNIT = re.compile(r"(?:多少|(?<![近这前后哪])几)"
                          rf"(个?(?:万元|亿元|千元|美元|元|{_MEASURES}|年|天|日|月|工作日|小时|百分点|[{_COUNTERS_BUT_GE}]))")


def _units_asked(text: str) -> tuple[tuple[str, ...], bool]:
    """(units the question asks for, whether it states one after its question word)."""
    stated = _STATED_UNIT.search(text)
    # 几个百分点, 多少个月: the word after 个 is the unit.
    hints = sorted(_UNIT_HINTS, key=lambda h: h[1] == ("个",)) if stated else _UNIT_HINTS
    for pattern, hint in hints:
        if pattern.search(stated.group(0) if stated else text):
            return hint, bool(stated)
    return ((stated.group(1).removeprefix("个") or stated.group(1),), True) if stated else ((), False)


def unit_fits(unit: str, units: tuple[str, ...]) -> bool:
    """A figure's unit is one asked for, or counts it in larger numbers (万人 for 人); 个, the general
    counter, stands for any other (多少项 is answered by 5000个, 多少个 by 12家)."""
    if unit in units or unit[-1:] in units or unit[-2:] in units:
        return True
    counts = [u for u in units if UNITS.get(u) == "count"]
    return UNITS.get(unit) == "count" and bool(counts) and ("个" in counts or unit[-1:] == "个")


@dataclass(frozen=True)
class Places:
    """The places a corpus holds documents of: a named place constrains a question only if held."""
    cities: frozenset[str] = frozenset()        # short names: 沧州, 上海, 柳河县
    provinces: frozenset[str] = frozenset()     # short names: 河北, 浙江
    national: bool = False                      # it holds national texts (科技部…办法, 中华人民共和国…法)


@dataclass(frozen=True)
class Question:
    text: str
    core: str                             # without places, years and question words: what it is about
    numeric: bool
    period: tuple[int, int] | None        # the years asked about: 2025 -> (2025, 2025); 十四五 -> (2021, 2025)
    units: tuple[str, ...]                # units the question asks for, () when it does not say
    wants_target: bool                    # 目标/要/计划: a planned figure, not an achieved one
    wants_max: bool                       # 最高补贴多少, 最多不得超过多少: the upper bound set
    wants_list: bool = False              # 哪些/哪几/哪三项: several names answer it
    cities: tuple[str, ...] = ()          # constraints: cities the question is about, held by the corpus
    provinces: tuple[str, ...] = ()       # constraints: a province named (its own and its cities' documents)
    unknown: tuple[str, ...] = ()         # places the question is about that the corpus holds nothing of
    mentioned: tuple[str, ...] = ()       # places named in passing (从北京引进): no constraint
    across: bool = False                  # 各市/哪些城市: asks what several cities do
    year: int | None = None               # the one year named, when exactly one is
    current: bool = False                 # 现在/目前/现行: documents in force first
    yes_no: bool = False                  # 能不能/是否/…吗: answered by what a rule allows or forbids
    ask: str | None = None                # its last part when a premise comes first (在…设立…，能申请…？)
    unit_stated: bool = False             # the unit follows the question word (多少元): the answer is counted in it
    penalties: bool = False               # 罚款/处罚/法律责任/违反…: asks what befalls one who breaks a rule
    asks_effect: bool = False             # 本条例什么时候施行: when a document named takes effect
    asks_document: str | None = None      # what it asks of a document named, not of its text: 文号 | 发文机关 |
                                          # 日期 | 效力 (…还有效吗)
    national: str | None = None           # a constraint: the words that ask of national rules (国务院, 国家对…),
                                          # when no place is named and the corpus holds national texts
    documents: tuple[str, ...] = ()       # titles the question names: 《…》, or a place's …条例/…办法/…规划
    articles: tuple[int, ...] = ()        # article numbers it names: 第十条 -> 10

    @property
    def kind(self) -> str:
        """figure | cities | list | fact: which kind of answer the question gets."""
        if self.numeric:
            return "figure"
        if self.across and not self.cities:
            return "cities"
        return "list" if self.wants_list else "fact"

    @property
    def ask_core(self) -> str | None:
        """The part asked without its question words (失业保险金能领多长时间 -> 失业保险金能领); None for a
        question in one part."""
        return _FILLER.sub("", self.ask) if self.ask else None

    @property
    def first_person(self) -> bool:
        """The asker speaks of themselves (我家…, 我们公司…): a premise of their own situation, in words no
        document uses, where one in the third person (物业服务人不接受续聘的，) is a condition to meet."""
        return bool(_FIRST_PERSON.search(self.text))

    @property
    def wants_min(self) -> bool:
        """至少/最少/最低/不少于多少: the lower bound set."""
        return bool(_ASKS_LOWER.search(self.text))

    @property
    def asks_often(self) -> bool:
        """多久…一次, 每隔多长时间: how often, answered by a frequency (每季度不得少于一次), not by a length of time."""
        return bool(_ASKS_OFTEN.search(normalize(self.text)))

    @property
    def list_count(self) -> int | None:
        """How many names a list question asks for (哪两类 -> 2); None when it does not say (哪些, 哪几)."""
        m = _LIST_COUNT.search(normalize(self.text))
        return int(number_value(m.group(1))) if m else None


# 哪些/哪几/哪三项/哪两类: several names answer it (a count names how many, 哪一 asks for one).
_LIST = re.compile(r"哪些|哪几|哪[两二三四五六七八九十]")
_LIST_COUNT = re.compile(r"哪([两二三四五六七八九十])")
_FIRST_PERSON = re.compile(r"我|咱")
# A bound asked for: the figure stated with a bound of the same side answers it (numeric.BOUNDS).
_ASKS_UPPER = re.compile(r"最高|最多|最长|最迟|至多|上限|不(?:得|应|能)?超过|不(?:得|应)?高于|不(?:得|应)?多于")
_ASKS_LOWER = re.compile(r"至少|最少|最低|最短|下限|不(?:得|应|能)?少于|不(?:得|应)?低于")
_ASKS_OFTEN = re.compile(r"(?:多久|多长时间|多少(?:年|天|日|个月)|几(?:年|天|日|个月))[^,。?]{0,16}?一次|每隔")
# An A-not-A question (是不是, 需不需要, 有没有, 支持不支持: a word, 不 or 没, the word again) asks yes or no.
_YES_NO = re.compile(r"(?<![不没])(\w{1,2})[不没]\1|能否|可否|是否|合规|吗[？?]?$")
# 作出是否受理的决定 names a decision, it asks no yes or no (…应当在多长时间内作出是否受理的决定?).
_WHETHER_DECIDED = re.compile(r"(?<=[作做给]出)是否[\u4e00-\u9fff]{1,6}?的?(?:决定|答复|批复|结论)")


def read_question(question: str, places: Places = Places()) -> Question:
    """Read a question. A place named in it constrains it only when the corpus holds that place and the
    question is about it (not 从X引进); a place the corpus lacks is reported as unknown."""
    text = normalize(question)
    cities, provinces, unknown, mentioned = _places_in(text, places)
    period = None
    bare = re.findall(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9年])", text)     # "2025目标" without 年
    named_years = [y for y, _, _ in years_in(text)] + [int(y) for y in bare]
    if named_years:
        period = (min(named_years), max(named_years))
    for name, span in PERIODS.items():
        if name in text:
            period = span
    core = text
    for place in (*cities, *provinces):
        core = re.sub(re.escape(place) + "(市|省)?", "", core)
    core = re.sub(r"(19|20)[0-9]{2}年?|十[二三四五]五|“|”", "", core)
    core = _in_documents_words(_FILLER.sub("", core))
    # The part asked names the unit (…刻了几个字，…会被罚多少钱: 元, not 个); failing that, the whole question.
    asked = _asked_part(text, (*cities, *provinces, *unknown, *mentioned))
    units, unit_stated = (_units_asked(asked) if asked else ((), False))
    if not units:
        units, unit_stated = _units_asked(text)
    year = named_years[0] if len(set(named_years)) == 1 else None
    # A yes/no question (是否按项目多少分配) asks whether, not how much: its 多少 names a quantity.
    yes_no = bool(_YES_NO.search(_WHETHER_DECIDED.sub("", text)))
    numeric = bool(_NUMERIC.search(text)) and not yes_no
    national = _ASKS_NATIONAL.search(text) if places.national and not (cities or provinces or unknown) else None
    return Question(question, core, numeric, period, units, bool(_TARGET.search(text)),
                    bool(_ASKS_UPPER.search(text)), bool(_LIST.search(text)),
                    cities, provinces, unknown, mentioned, bool(ACROSS_CITIES.search(text)), year,
                    bool(_ASKS_CURRENT.search(text)), yes_no,
                    _in_documents_words(asked), unit_stated,
                    bool(_ASKS_PENALTY.search(text)),
                    bool(_TAKES_EFFECT.search(text) and _NAMES_DOCUMENT.search(text)),
                    _asked_of_document(text), national.group(0) if national else None, _titles_named(text),
                    tuple(n for n in (label_value(m.group(0)) for m in _ARTICLE.finditer(text)) if n))


def _asked_of_document(text: str) -> str | None:
    if not _NAMES_DOCUMENT.search(text):
        return None
    return next((what for what, asked in _ASKS_OF_DOCUMENT if asked.search(text)), None)


_COORDINATED = re.compile(r"(?:市|省)?(?:和|与|及|以及|跟|同|、)")


def _between(text: str, span: tuple[int, int], other: tuple[int, int]) -> str:
    """The text between two mentions, whichever comes first."""
    first, second = sorted((span, other))
    return text[first[1]:second[0]]


def _titles_named(text: str) -> tuple[str, ...]:
    """The documents a question names: what stands in 《…》, and from a place name to the first document type
    after it (北京的技术市场条例 -> 北京的技术市场条例), when only title words lie between."""
    titles = [m.group(1) for m in _QUOTED_TITLE.finditer(text)]
    for _, start, end in regions.region_mentions(text):
        kind = DOCUMENT_TYPE.search(text, end, end + 30)
        if not kind or _QUOTED_TITLE.search(text[start:kind.end()]):
            continue
        words = text[end:kind.start()].removeprefix("的")
        follows = _AFTER_TITLE.match(text, kind.end()) or \
            (kind.group(0) not in _VERB_TYPES and _AFTER_NOUN_TITLE.match(text, kind.end()))
        if len(words) >= 2 and not _NOT_IN_TITLE.search(words) and follows:
            titles.append(text[start:kind.end()])
    return tuple(dict.fromkeys(titles))


# Everyday words for what every statute names one way: 罚多少钱 asks of a 罚款. Only for matching the question's
# words against the texts (its core and its part asked); what it asks is read from its own words.
_EVERYDAY_TERMS = ((re.compile(r"罚(?:多少)?钱"), "罚款"),)


def _in_documents_words(text: str | None) -> str | None:
    if text is None:
        return None
    for everyday, term in _EVERYDAY_TERMS:
        text = everyday.sub(term, text)
    return text


def _asked_part(text: str, places: tuple[str, ...]) -> str | None:
    """The part after the last comma of a question in several parts: a premise says who and where
    (在本市设立研发中心的外地企业), the last part what is asked (能申请哪些补贴); a phrase that only
    restates the premise is no answer. None for a one-part question or a last part too short to
    say anything alone without its places and question words (…，合规吗; …，本市支持吗)."""
    parts = [p for p in re.split(r"[,;]", text.strip("?!。. ")) if p.strip()]
    # What follows the part holding the question word only says what for (…多少名选民联名，才能提出罢免要求):
    # the part asked runs from the question word's part.
    while len(parts) > 1 and not _asks(parts[-1]) and _asks(parts[-2]):
        parts[-2:] = [parts[-2] + "," + parts[-1]]
    if len(parts) < 2:
        return None
    content = parts[-1]
    for place in places:
        content = re.sub(re.escape(place) + "(市|省)?", "", content)
    content = _FILLER.sub("", content)
    if _POINTS_BACK.search(content):                      # …，这样做可以吗 / 他能这么做吗: the premise is the question
        content = _JUDGED.sub("", content)
    return parts[-1].strip() if len(content) >= ASK_MIN_CHARS else None


# A last part that points back at the premise (这样, 这么, 这种做法) and only asks it to be judged says nothing
# alone: the words of that judgement.
_POINTS_BACK = re.compile(r"这样|这么|那样|如此|这种")
_JUDGED = re.compile(r"这样|这么|那样|如此|这种做法|这种|他们|他|她|政府|做|干|办|搞|可以|能|行|合法|合规|符合规定|"
                     r"允许|支持|违法|违规|属于")


def _asks(part: str) -> bool:
    """Does the part hold the words that ask: a question word, a figure asked, a yes/no form?"""
    return any(p.search(part) for p in (_WH, _NUMERIC, _YES_NO, _HOW))


_HOW = re.compile(r"怎么|如何|怎样")


def _places_in(text: str, places: Places) -> tuple[tuple[str, ...], ...]:
    """(cities, provinces, unknown, mentioned) named in a normalised question."""
    cities: list[str] = []
    provinces: list[str] = []
    unknown: list[str] = []
    mentioned: list[str] = []
    inside: set[str] = set()                              # provinces of the cities named
    held_spans: list[tuple[int, int]] = []                # where the held places and the unknown ones stand
    unknown_spans: list[tuple[int, int]] = []
    for region, start, stop in regions.region_mentions(text):
        if _IN_PASSING.search(text[max(0, start - 2):start]):
            mentioned.append(region.name)
            continue
        if region.level == "province" and region.short not in regions.MUNICIPALITIES:
            held = region.short in places.provinces
            (provinces if held else unknown).append(region.short if held else region.name)
            (held_spans if held else unknown_spans).append((start, stop))
            continue
        city = regions.city_of(region)
        short = region.name if region.name in places.cities else (city.short if city else region.short)
        if short in places.cities:
            cities.append(short)
            province = regions.province_of(region)
            inside.add(province.short if province else "")
            held_spans.append((start, stop))
        else:
            unknown.append(region.name)
            unknown_spans.append((start, stop))
    provinces = [p for p in provinces if p not in inside]  # 浙江省宁波市: the city says it all
    if cities or provinces:
        # A question about a place the corpus holds names the others as origin or partner (一家北京的公司
        # 搬到廊坊): no note that the corpus lacks them. One joined to a held place (沧州和保定) is asked about too.
        joined = [name for name, span in zip(unknown, unknown_spans, strict=True)
                  if any(_COORDINATED.fullmatch(_between(text, span, other)) for other in held_spans)]
        mentioned, unknown = mentioned + [name for name in unknown if name not in joined], joined
    unique = lambda xs: tuple(dict.fromkeys(xs))  # noqa: E731
    return unique(cities), unique(provinces), unique(unknown), unique(mentioned)


def bigram_recall(query: str, text: str) -> float:
    """Share of the query's character bigrams found in text: word overlap without a tokenizer."""
    grams = {query[i:i + 2] for i in range(len(query) - 1)}
    if not grams:
        return 0.0
    hay = normalize(text)
    return sum(g in hay for g in grams) / len(grams)


# Question words whose answer fills their slot (建设[什么]平台); 如何/怎样 are answered after, not inside.
_WH = re.compile(r"什么|谁|哪些|哪个|哪家|哪所|哪几个|哪|多少")


def wh_anchors(question: str) -> tuple[str, str]:
    """The words on each side of the question word: "要深化与[哪家机构]的院地合作" -> ("深化与", "的院地").

    An answer phrase usually keeps one of them around the new words (深化与中国科学院的院地合作).
    """
    text = normalize(question)
    m = _WH.search(text)
    if not m:
        return "", ""
    left = re.sub(r"[\W_]|^[要是由在]", "", text[max(0, m.start() - 3):m.start()])
    after = text[m.end():]
    # 哪[家]公司, 哪[条]大道: the measure word is no anchor. Any counter only after a bare 哪: 什么支持 and
    # 哪个部门 go on with a noun (支持, 部门) that only starts like one.
    counters = COUNTERS + "些种类" if m.group(0) == "哪" else "家个所些种类项"
    after = after[1:] if after[:1] in counters else after
    # 哪个部门[负责审批]: the kind asked is the answer's own (TYPE_BONUS); what it does is the anchor.
    after = _KIND_FIRST.sub("", after)
    right = re.sub(r"[\W_]", "", after[:5])
    right = right.replace("的", "")                       # 公司的氢燃料 -> 公司氢燃: the answer ends in 公司
    return left[-3:], right[:4]


_KIND_FIRST = re.compile(r"^(?:部门|单位|机关|机构)(?=[\u4e00-\u9fff]{2})")


# What a "which X" question asks for: 由哪个[县]来担当 -> a phrase naming a county (固安县) answers it. The kind
# is the head of the noun after 哪个/哪所, past its modifiers (哪所外国[院校]); 什么 takes it right after.
_ANSWER_TYPE = re.compile(r"(?:哪[个家所些几]?[\u4e00-\u9fff]{0,4}?|什么)"
                          r"(县|公司|学校|大学|学院|高校|院校|部门|单位|机关)")


# Any other noun after 哪 and a measure word of its own (哪条[大道], 哪座[城市]): a name ending in it (张库大道)
# answers. The general 个 and 种 go with a category (哪个机构, 哪种类型) that names do not end in.
_WHICH_NOUN = re.compile(rf"哪一?[{COUNTERS.replace('个', '').replace('种', '')}]([\u4e00-\u9fff]{{2}})")


# 什么时候施行, 哪年设立: a phrase naming a date answers it ("时间" is that kind).
_ASKS_WHEN = re.compile(r"什么时候|何时|哪[一]?(?:天|年|月|日)|几月|几号|什么时间(?!内)")


def outermost(words: list[str]) -> list[str]:
    """The words that no other of them holds, in order (技术市场, not also 技术): the search tokenizer gives a
    compound and its parts."""
    return [w for w in words if not any(w != longer and w in longer for longer in words)]


def answer_type(question: str) -> str | None:
    text = normalize(question)
    m = _ANSWER_TYPE.search(text) or _WHICH_NOUN.search(text)
    if m:
        return m.group(1)
    if _ASKS_GRADE.search(text):
        return "等级"
    return "时间" if _ASKS_WHEN.search(text) else None


# 鉴定为哪一级, 什么等级, 几级: a phrase naming a grade (D级, 三级, 甲等) answers it.
_ASKS_GRADE = re.compile(r"哪一?级|哪个(?:级别|等级)|什么(?:级别|等级)|几级")
