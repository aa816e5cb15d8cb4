"""Figures in every written form, and what each counts, on the seed documents.

SAMPLE is hand-checked: for each figure, the subject a reader would write down (verbatim from its sentence),
its kind (target, support, other) and its year or period, judged from the documents, not from the output.
Some entries are known to be read wrong; the share read right is computed and held to the issue's 90%.
"""

from pathlib import Path

import pytest

from index.figures import clause_figures, find_figures, years_in
from index.quantity import number_value, parse_quantities
from ingest.normalize import normalize
from ingest.pipeline import ingest_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


# -- one parser for every written form ------------------------------------------------------------

@pytest.mark.parametrize("text, shown, value, unit, qualifier", [
    ("研究与开发费用应占年产品销售收入的百分之五以上", "百分之五以上", 5.0, "%", "以上"),
    ("应当在设立后的十五日内向市科学技术行政部门备案", "十五日内", 15.0, "日", "内"),
    ("技术转让所得未超过五百万元的部分", "未超过五百万元", 500.0, "万元", "未超过"),
    ("高于同级财政经常性收入增长幅度三个百分点以上", "三个百分点以上", 3.0, "个百分点", "以上"),
    ("自受理之日起四个月内作出决定", "四个月内", 4.0, "个月", "内"),
    ("用于基础研究的比例原则上不低于三分之一", "原则上不低于三分之一", 33.333, "%", "不低于"),   # a hedge kept
    ("宪法宣誓应当及时进行，一般不超过三十日", "一般不超过三十日", 30.0, "日", "不超过"),
    # 不得 turns the comparison round: at most three months, never "超过三个月".
    ("临时占用期限不得超过三个月", "不得超过三个月", 3.0, "个月", "不得超过"),
    ("合同期限不得少于五年", "不得少于五年", 5.0, "年", "不得少于"),
    ("履行不少于两年保修期义务", "不少于两年", 2.0, "年", "不少于"),
    ("创新券每半年至少结算一次", "每半年至少结算一次", 1.0, "次", "至少"),
    ("给予1.5万元补助", "1.5万元", 1.5, "万元", ""),
    ("设立20亿元产业基金", "20亿元", 20.0, "亿元", ""),
    ("每年安排百分之三十用于成果转化", "百分之三十", 30.0, "%", ""),
    ("培育100多家科技型企业", "100多家", 100.0, "家", ""),
    ("按技术交易额的1‰给予奖励", "1‰", 1.0, "‰", ""),
    ("中试示范线4—6条", "4—6条", 4.0, "条", ""),
    ("超过200亿元", "超过200亿元", 200.0, "亿元", "超过"),
    ("最高不超过50万元", "不超过50万元", 50.0, "万元", "不超过"),
    ("在五年内不再受理", "五年内", 5.0, "年", "内"),
    ("不得在学校周边一百米内设置销售网点", "一百米内", 100.0, "米", "内"),
    ("引进人才1万余人", "1万余人", 1.0, "万人", ""),
    ("研发投入占比达到三成以上", "三成以上", 30.0, "%", "以上"),
    ("技术合同成交额实现翻一番", "翻一番", 2.0, "倍", ""),
    ("培育百余家企业", "百余家", 100.0, "家", ""),
    ("新增十几家平台", "十几家", 10.0, "家", ""),
    ("投入两千万元", "两千万元", 2000.0, "万元", ""),
    ("相关凭证应当留存二年备查", "二年", 2.0, "年", ""),
    ("登记资料保存5年", "5年", 5.0, "年", ""),
    ("名单在网站公示七日", "七日", 7.0, "日", ""),
    ("人民政府应当至少举办一所综合性医院", "一所", 1.0, "所", ""),      # bounded, a verb between: a count
    ("每次采集血液量最多不得超过四百毫升", "不得超过四百毫升", 400.0, "毫升", "不得超过"),   # volumes and weights
    ("除国家规定的婚假外，增加假期七天", "七天", 7.0, "天", ""),        # a leave granted is a length stated
    ("给予其配偶护理假一个月", "一个月", 1.0, "个月", ""),
    ("处每株二十万元以上一百万元以下罚款", "每株二十万元以上一百万元以下", 20.0, "万元", "以上"),   # what it is per
    ("奖给独生子女父母每人每月二十元", "每人每月二十元", 20.0, "元", ""),
    ("出入口周围50米范围内禁止设置摊点", "50米范围内", 50.0, "米", "范围内"),     # how far, with its bound
    ("距消火栓五米半径内不准设置固定设施", "五米半径内", 5.0, "米", "半径内"),
])
def test_figures_in_every_written_form(text, shown, value, unit, qualifier):
    found = parse_quantities(text)
    assert len(found) == 1, found
    q = found[0]
    assert (q.display, q.value, q.unit, q.qualifier) == (shown, value, unit, qualifier)
    assert text[q.start:q.end] == q.text and text[q.span_start:q.span_end] == q.display


@pytest.mark.parametrize("text, shown, value, unit", [
    ("市文物行政管理部门应当每五年对市级文物保护单位进行评估", "每五年", 5.0, "年"),
    ("应当每半年向社会公布监测结果", "每半年", 0.5, "年"),
    ("每三个月报告一次", "每三个月报告一次", 1.0, "次"),
])
def test_an_interval_keeps_its_mei(text, shown, value, unit):
    # 每五年 is how often, 五年 how long: without its 每 the figure says something else.
    (q,) = parse_quantities(text)
    assert (q.display, q.value, q.unit, q.measure) == (shown, value, unit, "frequency")
    assert text[q.start:q.end] == q.text and q.per.startswith("每")
    assert [f.display for f in find_figures(text)] == [shown]


def test_a_range_written_with_both_ends_whole_and_to():
    (q,) = parse_quantities("班车客运线路的经营期限为四年到八年")
    assert (q.display, q.value, q.high, q.unit) == ("四年到八年", 4.0, 8.0, "年")
    assert [(q.value, q.high) for q in parse_quantities("用三年至五年时间")] == [(3.0, 5.0)]


def test_a_schedules_rows_state_their_figures():
    # 满三年不足四年的为九个月: the length 为 states, and the bounds of the row (不足 is one).
    assert [f.display for f in find_figures("（三）累计缴费时间满三年不足四年的为九个月；")] == ["三年", "不足四年", "九个月"]
    assert [q.display for q in parse_quantities("已经工作三年多")] == ["三年"]


def test_ranges_keep_their_upper_end():
    assert parse_quantities("聚焦2—3个重点产业")[0].high == 3.0
    assert [(q.value, q.high, q.unit) for q in parse_quantities("用三至五年时间")] == [(3.0, 5.0, "年")]


@pytest.mark.parametrize("text", [
    "第三条", "（一）加强组织领导", "2020年", "二〇二〇年", "2018—2020年", "2018年12月14日", "三年行动计划",
    "“十四五”时期", "居全省第3位", "培育一批企业", "万人发明专利拥有量", "千亿级企业", "《人才立市十条措施》",
    "是第一个五年", "三位一体", "形成三成果转化体系", "一成不变", "完成", "一成套设备",
])
def test_numbering_years_dates_and_names_are_never_figures(text):
    assert parse_quantities(text) == []


def test_chinese_numerals_are_converted():
    assert [number_value(s) for s in ("五百", "十五", "两", "三十", "半", "一点五", "1,000", "２０")] == \
        [500, 15, 2, 30, 0.5, 1.5, 1000, 20]


def test_years_stay_years():
    figures = find_figures("到2020年高新技术企业达到590家，2018—2020年新增50家")
    assert [f.text for f in figures] == ["590家", "50家"]
    assert [y for y, _, _ in years_in("到2020年，2018—2020年")] == [2020, 2020]


def test_a_figure_carries_its_subject_kind_period_and_beneficiary():
    [f] = find_figures("到2020年，省级以上科技企业孵化器达到16家。")
    assert (f.subject, f.value, f.unit, f.qualifier, f.period, f.role) == \
        ("省级以上科技企业孵化器", 16.0, "家", "", "2020", "target")
    [g] = find_figures("对新认定的市级协同创新基地给予一次性奖励10万元。")
    assert (g.subject, g.role, g.beneficiary) == ("一次性奖励", "support", "新认定的市级协同创新基地")
    assert g.to_json()["kind"] == "support" and g.to_json()["value"] == 10.0


# -- the hand-checked sample ------------------------------------------------------------------------

# (document, a fragment of the figure's sentence, the figure as shown, subject, kind, year or period)
SAMPLE = [
    ("000", "到2020年高新技术企业达到590家", "590家", "高新技术企业", "target", "2020"),
    ("000", "参与国际科技合作和贸易的高新技术企业达到100家", "100家", "参与国际科技合作和贸易的高新技术企业", "target", "2020"),
    ("000", "省级以上国际科技合作基地达到12家", "12家", "省级以上国际科技合作基地", "target", "2020"),
    ("000", "建设国家级高新区1家", "1家", "国家级高新区", "target", "2020"),
    ("000", "省级以上科技企业孵化器达到16家", "16家", "省级以上科技企业孵化器", "target", "2020"),
    ("000", "院士工作站达到35家", "35家", "院士工作站", "target", "2020"),
    ("000", "组织实施6项以上", "6项以上", "重点国际科技合作项目", "target", ""),
    ("000", "15项引智项目", "15项", "引智项目", "target", ""),
    ("000", "引进国外先进技术25项", "25项", "国外先进技术", "target", ""),
    ("000", "引进外国专家15人", "15人", "外国专家", "target", ""),
    ("000", "高层次产业创新创业团队达到20个", "20个", "高层次产业创新创业团队", "target", ""),
    ("000", "转化10项创新水平高", "10项", "重大科技成果", "target", ""),
    ("000", "每年实施重点人才计划项目5项以上", "5项以上", "重点人才计划项目", "target", "每年"),
    ("000", "全市每年组织至少2个以上科技团组", "至少2个以上", "科技团组", "target", "每年"),
    ("000", "每年新增高新技术企业100家", "100家", "高新技术企业", "target", "每年"),
    ("000", "每年争取纳入省级重大科技成果转化项目不少于3个", "不少于3个", "省级重大科技成果转化项目", "target", "每年"),
    ("000", "省级以上技术转移服务机构达到10家", "10家", "省级以上技术转移服务机构", "target", "2020"),
    ("000", "常设技术市场1家", "1家", "常设技术市场", "target", "2020"),
    ("001", "全社会R&D经费投入由2015年16亿元", "16亿元", "全社会R&D经费投入", "other", "2015"),
    ("001", "增至2020年的47.62亿元", "47.62亿元", "全社会R&D经费投入", "other", "2020"),
    ("001", "年均增长24.4%", "24.4%", "年均增长", "other", "2020"),
    ("001", "投入强度由2015年0.48%", "1.29%", "投入强度", "other", "2020"),
    ("001", "年均增幅0.16个百分点", "0.16个百分点", "年均增幅", "other", "2020"),
    ("001", "差距缩小了0.24个百分点", "0.24个百分点", "与全省平均水平的差距", "other", "2020"),
    ("001", "高新技术企业由2015年底的128家", "795家", "高新技术企业", "other", "2020"),
    ("001", "是2015年的6.2倍", "6.2倍", "高新技术企业", "other", "2020"),
    ("001", "科技型中小企业由2015年底4355家", "4355家", "科技型中小企业", "other", "2015"),
    ("001", "省级研发平台由2015年48家", "162家", "省级研发平台", "other", "2020"),
    ("001", "其中重点实验室实现", "10家", "重点实验室", "other", ""),
    ("001", "新型研发机构达到8家", "8家", "新型研发机构", "other", ""),
    ("001", "市级技术创新中心130家", "130家", "市级技术创新中心", "other", ""),
    ("001", "规上工业企业设立研发机构比例由2017年的17%", "36%", "规上工业企业设立研发机构比例", "other", "2020"),
    ("001", "科技孵化器由2家增长到16家", "16家", "科技孵化器", "other", ""),
    ("001", "科技孵化器由2家增长到16家", "1家", "国家级科技孵化器", "other", ""),
    ("001", "省级以上众创空间从无到有", "21家", "省级以上众创空间", "other", ""),
    ("001", "省级示范创业就业孵化基地17家", "17家", "省级示范创业就业孵化基地", "other", ""),
    ("001", "安排市级科技计划项目619项", "619项", "市级科技计划项目", "other", "十三五期间"),
    ("001", "资金3.3亿元", "3.3亿元", "资金", "other", "十三五期间"),
    ("001", "共获得国家、省科学技术奖44项", "44项", "国家、省科学技术奖", "other", ""),
    ("001", "技术合同交易额从2015年的7.63亿", "68.2亿元", "技术合同交易额", "other", "2020"),
    ("001", "万人发明专利拥有量由2015年的0.64件", "1.79件", "万人发明专利拥有量", "other", "2020"),
    ("001", "共有科技人才5687名", "5687名", "科技人才", "other", ""),
    ("001", "合作院士25名", "25名", "合作院士", "other", ""),
    ("001", "选派科技特派员304名", "304名", "科技特派员", "other", ""),
    ("001", "建设化工、材料", "10余个", "分支研究所", "target", ""),
    ("001", "建成校企联合研发中心10个", "10个", "校企联合研发中心", "target", ""),
    ("001", "中试示范线4—6条", "4—6条", "中试示范线", "target", ""),
    ("001", "科技型中小企业数量", "13500家", "科技型中小企业数量", "target", "2025"),
    ("001", "技术合同成交额(亿元)", "68.2亿元", "技术合同成交额", "other", "2020"),
    ("001", "全社会研发经费支出占GDP比重(%)", "2.1%", "全社会研发经费支出占GDP比重", "target", "2025"),
    ("002", "三年内新增高新技术企业100家以上", "100家以上", "高新技术企业", "target", "三年内"),
    ("002", "新增科技型中小企业1000家以上", "1000家以上", "科技型中小企业", "target", "三年内"),
    ("002", "技术交易总额达到20亿元", "20亿元", "技术交易总额", "target", ""),
    ("002", "国家级科技企业孵化器、众创空间、星创天地达到12家以上", "12家以上",
     "国家级科技企业孵化器、众创空间、星创天地", "target", ""),
    ("002", "全市力争引进高层次产业创新创业团队5个", "7家", "院士工作站", "target", ""),
    ("002", "2018年新增高新技术企业50家", "50家", "高新技术企业", "target", "2018"),
    ("002", "到2020年全市科技型中小企业达到2500家以上", "2500家以上", "科技型中小企业", "target", "2020"),
    ("002", "规模以上制造业企业设立研发机构的比例力争达到25%", "25%", "规模以上制造业企业设立研发机构的比例", "target",
     "2020"),
    ("002", "全市专利申请量每年增长10%", "10%", "专利申请量", "target", "每年"),
    ("002", "选派130名科技特派员", "130名", "科技特派员", "target", ""),
    ("002", "每县建设2家以上众创空间", "2家以上", "众创空间", "target", ""),
    ("002", "建成市级以上科技企业孵化器20家", "40家", "众创空间", "target", "2020"),
    ("002", "2018年新成立天使投资基金1支", "4支", "天使投资基金", "target", "2020"),
    ("003", "到2018年,引进和转化京津科技成果", "5000个以上", "京津科技成果、产业化项目", "target", "2018"),
    ("003", "全市技术市场合同交易金额超过40亿元", "超过40亿元", "技术市场合同交易金额", "target", "2018"),
    ("003", "每个高新区、开发区每年从北京引进", "不低于100项", "引进科技项目、转化科技成果", "target", "每年"),
    ("003", "新建各类协同创新平台、基地达到50家", "50家", "各类协同创新平台、基地", "target", ""),
    ("003", "对新认定的市级协同创新基地给予一次性奖励10万元", "10万元", "一次性奖励", "support", ""),
    ("003", "分别给予一次性30万元", "30万元", "奖励", "support", ""),
    ("003", "对省认定的“科技小镇”", "50万元", "资金支持", "support", ""),
    ("003", "按技术交易额的1‰", "最高10万元", "奖励", "support", ""),
    ("003", "按投资额的1%予以最高100万元的补贴", "最高100万元", "补贴", "support", ""),
    ("003", "科技创新基金总规模达到200亿元", "200亿元", "科技创新基金总规模", "target", "2018"),
    ("004", "完成销售收入20亿元以上企业达27家", "27家", "销售收入20亿元以上企业", "target", "2018—2020"),
    ("004", "科技型中小企业达1000家以上", "1000家以上", "科技型中小企业", "target", "2018—2020"),
    ("004", "建成10个左右的重大产业技术创新平台", "10个左右", "重大产业技术创新平台", "target", "2018—2020"),
    ("004", "技术市场合同成交额达50亿元", "50亿元", "技术市场合同成交额", "target", "2020"),
    ("004", "股权投资基金规模超过200亿元", "超过200亿元", "各类产业基金及股权投资基金规模", "target", "2020"),
    ("004", "每年遴选200家科技型中小企业", "200家", "科技型中小企业", "target", "每年"),
    ("004", "加计扣除比例提高到75%", "75%", "企业研发费用加计扣除比例", "support", ""),
]


@pytest.fixture(scope="module")
def seed_figures():
    """doc prefix -> every figure of its clauses, each with the text it was read from."""
    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        ingested = ingest_file(path)
        out[path.name[:3]] = [(f, f.sentence) for c in ingested.clauses for f in clause_figures(c)]
    return out


def _find(seed_figures, doc, fragment, shown):
    key = normalize(fragment)
    found = [f for f, sentence in seed_figures[doc] if f.display == shown and key in normalize(sentence)]
    assert found, f"{doc}: no figure {shown} in a sentence with {fragment}"
    return found[0]


def _subject_right(got: str, want: str) -> bool:
    """The subject a reader wrote down, verbatim, with at most as many words again around it."""
    return normalize(want) in normalize(got) and len(got) <= 2 * len(want)


def test_sample_is_large_and_hand_listed():
    assert len(SAMPLE) >= 60 and len({(d, f, s) for d, f, s, *_ in SAMPLE}) == len(SAMPLE)


def test_figures_have_the_right_subject_and_kind_on_the_seeds(seed_figures):
    wrong = []
    for doc, fragment, shown, subject, kind, _ in SAMPLE:
        f = _find(seed_figures, doc, fragment, shown)
        if not (_subject_right(f.subject, subject) and f.role == kind):
            wrong.append((doc, shown, f.subject, f.role, subject, kind))
    share = 1 - len(wrong) / len(SAMPLE)
    print(f"\nsubject and kind right: {share:.3f} of {len(SAMPLE)}; wrong: {wrong}")
    assert share >= 0.9, wrong


def test_figures_have_the_right_period_on_the_seeds(seed_figures):
    wrong = [(doc, shown, _find(seed_figures, doc, fragment, shown).period, period)
             for doc, fragment, shown, _, _, period in SAMPLE
             if _find(seed_figures, doc, fragment, shown).period != period]
    share = 1 - len(wrong) / len(SAMPLE)
    print(f"\nperiod right: {share:.3f} of {len(SAMPLE)}; wrong: {wrong}")
    assert share >= 0.9, wrong


def test_every_seed_figure_has_a_subject(seed_figures):
    missing = [(doc, f.display, sentence[:40]) for doc, figures in seed_figures.items() for f, sentence in figures
               if not f.subject]
    assert not missing


def test_a_regulations_penalties_and_deadlines():
    """A real regulation: fine ranges read as one figure each, about the fine, none of them a target."""
    path = Path(__file__).resolve().parent / "data/lawref/上海/上海市地方金融监督管理条例(2020-04-10).md"
    figures = [f for c in ingest_file(path).clauses for f in clause_figures(c)]
    fines = [f for f in figures if f.subject == "罚款"]
    assert len(fines) >= 8 and all(f.high and f.high > f.value and f.unit == "万元" for f in fines)
    assert any(f.display == "五十万元以上二百五十万元以下" and (f.value, f.high) == (50, 250) for f in fines)
    assert not any(f.role == "target" for f in figures)
    deadline = next(f for f in figures if f.display == "二十四小时内")
    assert (deadline.kind, deadline.value, deadline.unit) == ("duration", 24, "小时")


@pytest.mark.parametrize("text, shown, high", [
    ("处二万元以上二十万元以下的罚款", "二万元以上二十万元以下", 20.0),
    ("并处违法所得一倍以上五倍以下的罚款", "违法所得一倍以上五倍以下", 5.0),   # quoted with the sum it is of
    # Ends in two units of one kind: the upper end counted in the lower end's unit.
    ("处一千元以上一万元以下罚款", "一千元以上一万元以下", 10.0),          # 一千元 reads as 1 千元
    ("处5000元以上3万元以下罚款", "5000元以上3万元以下", 30000.0),
    # Closed by 不满, what is measured named once after both ends.
    ("年综合能源消费总量五千吨以上不满一万吨标准煤的用能单位", "五千吨以上不满一万吨标准煤", 10.0),
])
def test_bounds_on_both_sides_make_one_range(text, shown, high):
    [q] = parse_quantities(text)
    assert (q.display, q.high, q.qualifier) == (shown, high, "以上")


@pytest.mark.parametrize("text, shown", [
    ("市邮电管理部门对其可以并处赔偿金三倍以下的罚款", "赔偿金三倍以下"),
    ("没收原材料、产品和违法所得，并处以货值金额百分之十的罚款", "货值金额百分之十"),
    ("对单位主要负责人处上一年度从本单位取得收入百分之五十以下的罚款", "上一年度从本单位取得收入百分之五十以下"),
])
def test_a_fine_set_as_a_multiple_or_share_of_a_sum_is_an_amount(text, shown):
    [q] = parse_quantities(text)
    assert (q.display, q.measure) == (shown, "amount")
    [share] = parse_quantities("研发投入占销售收入的百分之十")      # a share that is no fine stays a share
    assert share.measure == "ratio"


def test_parts_per_thousand_and_per_ten_thousand_are_ratios():
    assert [(q.display, q.value, q.unit, q.measure) for q in parse_quantities("按日加收滞纳款万分之五，另收千分之三")] == \
        [("万分之五", 5.0, "‱", "ratio"), ("千分之三", 3.0, "‰", "ratio")]


@pytest.mark.parametrize("text, shown, value, high", [
    ("比例应达到百分之二至百分之三", "百分之二至百分之三", 2.0, 3.0),     # each end with its 百分之
    ("年均增长5%—10%", "5%—10%", 5.0, 10.0),                          # each end with its unit
    ("给予3万元至5万元资助", "3万元至5万元", 3.0, 5.0),
])
def test_a_range_written_with_both_ends_whole_is_one_figure(text, shown, value, high):
    [q] = parse_quantities(text)
    assert (q.display, q.value, q.high) == (shown, value, high)


def test_the_second_of_two_joined_figures_is_stated_as_the_first():
    found = parse_quantities("每学年参加社会实践活动的时间分别不少于10天和20天")
    assert [q.display for q in found] == ["不少于10天", "20天"]
    assert parse_quantities("通过三年和五年的努力") == []        # neither is bounded
