"""Answers: figures from prose and indicator tables, short verbatim phrases, honest refusals.

Questions here are not the gold set's: they test the method on other facts of the seed documents.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from index.figures import extract_figures, find_figures, indicator_unit, table_figures
from index.qa import Answer, answer, answerer_for, read_question
from index.qa.refusal import document_horizon, no_figure_reason
from index.qa.understand import Places, answer_type, bigram_recall, unit_fits, wh_anchors
from ingest.normalize import normalize
from ingest.pipeline import ingest_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def cangzhou_plan():
    return ingest_file(CORPUS / "001_eb25fe5d9d6a88ea.txt")


@pytest.fixture(scope="module")
def cangzhou_open():
    return ingest_file(CORPUS / "000_feff5ef0713189d6.txt")


# -- figures (pure) ------------------------------------------------------------------------------------

def test_prose_figures_carry_the_year_of_their_sentence(cangzhou_open):
    clause = next(c for c in cangzhou_open.clauses if "院士工作站达到35家" in c.text)
    figures = {f.text: f for f in find_figures(clause.text)}
    assert figures["35家"].year == 2020
    assert figures["16家"].year == 2020
    assert clause.text[figures["35家"].start:figures["35家"].end] == "35家"


def test_growth_figures_get_the_year_just_before_each():
    figures = find_figures("全社会R&D经费投入由2015年16亿元增至2020年的47.62亿元,年均增长24.4%")
    assert [(f.text, f.year) for f in figures[:2]] == [("16亿元", 2015), ("47.62亿元", 2020)]
    assert not any(f.text.startswith("2015") or f.text.startswith("2020") for f in figures)


def test_qualifiers_and_ranges():
    figures = find_figures("按投资额的1%予以最高100万元的补贴;2018—2020年,完成销售收入20亿元以上企业达27家")
    by_text = {f.text: f for f in figures}
    assert by_text["100万元"].qualifier == "最高" and by_text["100万元"].display == "最高100万元"
    assert by_text["1%"].kind == "ratio" and by_text["100万元"].kind == "amount"
    assert by_text["20亿元"].display == "20亿元以上"
    assert by_text["27家"].year == 2020          # a year range counts as its last year


def test_table_row_units_come_from_the_indicator_name(cangzhou_plan):
    rows = [c for c in cangzhou_plan.clauses if c.kind == "table_row"]
    smes = next(c for c in rows if c.fields.get("主要指标", "").startswith("科技型中小企业数量"))
    by_year = {f.year: f.text for f in table_figures(smes)}
    assert by_year == {2020: "11264家", 2025: "13500家"}
    ratio = next(c for c in rows if "公民具备" in c.fields.get("主要指标", ""))
    assert {f.year: f.text for f in table_figures(ratio)}[2025] == "15%"   # "(%" lost its bracket
    assert indicator_unit("技术合同成交额(亿元)") == "亿元"


def test_extract_figures_groups_by_kind():
    columns = extract_figures("到2020年,省级以上科技企业孵化器达到16家,按投资额的1%予以最高100万元的补贴")
    assert columns == {"数量": "16家", "比例": "1%", "金额": "最高100万元", "年份": "到2020年"}


# -- question understanding (pure) ---------------------------------------------------------------------

HEBEI = Places(frozenset({"张家口", "廊坊", "沧州"}), frozenset({"河北"}))


def test_read_question_periods_units_and_core():
    q = read_question("张家口市“十四五”时期科技型企业计划发展到多少家?", HEBEI)
    assert q.numeric and q.period == (2021, 2025) and q.units == ("家",) and q.wants_target
    assert "科技型企业" in q.core and "张家口" not in q.core and "多少" not in q.core
    assert q.kind == "figure" and q.cities == ("张家口",)
    assert read_question("2025年全社会研发经费支出占GDP比重是多少?").units[0] == "%"
    assert read_question("2025年全社会研发经费支出占GDP比重是多少?").year == 2025
    assert read_question("廊坊有哪几家国家级孵化器?", HEBEI).kind == "list"
    # A count says how many names answer it; 哪一 asks for one.
    assert read_question("创新券可以用于哪两类服务?").kind == "list"
    assert read_question("专项资金包括哪四个部分？").kind == "list"
    assert read_question("哪一家单位负责认定?").kind == "fact"
    assert read_question("企业能不能用研发投入抵扣税款?").yes_no
    assert read_question("外地人才落户有补贴吗？").yes_no
    assert not read_question("科技成果转化收益怎么分配?").yes_no
    # A-not-A questions, one and two characters: a word, 不 or 没, the word again.
    assert read_question("是不是只看论文数量?").yes_no and read_question("资质需不需要重新认定?").yes_no
    assert read_question("市里支持不支持?").yes_no and not read_question("不断不断提升服务水平").yes_no


def test_a_unit_after_the_question_word_is_the_unit_asked():
    # Stated after 多少/几, the unit wins over a word that only hints at one (强度 -> %).
    stated = read_question("研发投入强度提高的奖励是多少元?")
    assert stated.units[0] == "元" and stated.unit_stated
    assert read_question("比重要提高几个百分点?").units[0] == "%"
    assert read_question("多少个月内办结?").unit_stated and "个月" in read_question("多少个月内办结?").units
    assert not read_question("近几年研发投入比重是多少?").unit_stated        # 近几年 asks nothing
    assert not read_question("研发投入比重是多少?").unit_stated
    # A question word in the premise (刻了几个字: a few) names no unit; the part asked does (罚多少钱).
    assert read_question("孩子在景区的石碑上刻了几个字，会被罚多少钱?").units[0] == "元"
    assert unit_fits("万人", ("名", "人")) and unit_fits("亿元", ("元", "亿元")) and not unit_fits("家", ("元",))


def test_a_question_word_for_a_duration_or_a_share_reads_as_for_a_figure():
    # 几个工作日 asks for days as 多少个工作日 does (not for a count of 个); 多大比例 asks for a share.
    days = read_question("申请材料齐全的，要在几个工作日内办结?")
    assert days.numeric and "工作日" in days.units and "个" not in days.units
    share = read_question("专项资金至少要拿出多大比例用于人才培养?")
    assert share.numeric and "%" in share.units
    assert read_question("研发投入要占销售收入的几成?").units[0] == "%"      # 几成: tenths, not 收入's 元
    assert not read_question("园区要发挥多大作用?").numeric
    # How far, how high, how old (多远, 多大范围内, 多高, 多大以下): a length or an age.
    for asked in ("摊点离学校大门多远才行?", "消防通道两侧多大范围内不能堆放物品?", "围墙最高能建多高?"):
        assert read_question(asked).numeric and "米" in read_question(asked).units, asked
    assert read_question("孩子多大以下不能独自乘电梯?").units[0] == "周岁"
    # A rate asked (按什么标准罚款, 补助标准是多少) is a figure too.
    assert read_question("在保护区内擅自采砂的，按什么标准处以罚款?").numeric
    assert read_question("新认定的孵化器补助标准是多少?").numeric
    # A period asked in other words (什么期限, 多长时间) is a number of days or months too, and the words that
    # ask it name no topic.
    for asked in ("合同签订后，在什么期限内报送备案?", "合同签订后多长时间内报送备案?", "合同签订后多久报送备案?"):
        q = read_question(asked)
        assert q.numeric and "日" in q.units and "时间" not in q.core and "多" not in q.core
    assert not read_question("科技活动周定在每年的什么时间?").numeric      # a date, not a number of days


@pytest.mark.parametrize("asked, unit", [("一户最多可以养几条狗?", "条"), ("农村住房最多能盖几层?", "层"),
                                         ("每个站点配几辆车?", "辆"), ("每年最多办几场展会?", "场"),
                                         ("每次最多采集多少毫升?", "毫升"), ("驾驶人要年满多少周岁?", "周岁"),
                                         ("绿地至少要有多少平方米?", "平方米")])
def test_any_counter_the_figures_know_makes_a_count_question(asked, unit):
    q = read_question(asked)
    assert q.numeric and q.units == (unit,) and q.unit_stated


def test_a_yes_no_question_asks_whether_not_how_much():
    # 多少 inside a yes/no question names a quantity the question is about, not the figure asked.
    q = read_question("项目评审是不是还看申报单位论文多少?")
    assert q.yes_no and not q.numeric
    assert read_question("项目评审看申报单位论文多少篇?").numeric


def test_the_part_asked_is_the_last_part_of_a_question_with_a_premise():
    assert read_question("在本市设立研发中心的外地企业，能申请哪些补贴？", HEBEI).ask == "能申请哪些补贴"
    assert read_question("高校科研人员到企业兼职，收入怎么分配?").ask == "收入怎么分配"
    assert read_question("沧州的孵化器有哪些?", HEBEI).ask is None                  # one part
    assert read_question("研究人员下班后给企业做咨询，合规吗？").ask is None          # nothing said alone
    assert read_question("外地企业在这里设研发中心，沧州支持吗？", HEBEI).ask is None  # a place and a verb
    # A last part pointing back at the premise only to have it judged: the premise is the question.
    for tag in ("这样可以吗", "他这样做可以吗", "这样做符合规定吗", "这种做法政府支持吗"):
        assert read_question(f"车充满电后一直停在充电车位上不挪，{tag}？").ask is None, tag
    assert read_question("在遗址保护范围内，这种工程能建吗？").ask == "这种工程能建吗"   # it names what is asked
    # What follows the part holding the question word says only what for: the part asked runs from there.
    assert read_question("对这名代表不满意，至少要多少名选民联名，才能提出罢免要求？").ask == \
        "至少要多少名选民联名,才能提出罢免要求"


def test_a_question_for_a_grade_is_answered_by_a_phrase_naming_one():
    from index.qa.quote import _type_score
    from index.qa.understand import answer_type

    question = "危险住宅是按照有关标准鉴定为哪一级的住宅？"
    assert answer_type(question) == answer_type("气象灾害预警分为几级？") == "等级"
    assert _type_score("按照有关标准鉴定为D级的住宅", "等级", question) > 0
    assert _type_score("整体不能满足安全使用要求", "等级", question) == 0
    assert _type_score("按照有关标准鉴定为哪一级", "等级", question) == 0      # no grade named


def test_a_decision_whether_to_act_is_no_yes_no_question():
    # 作出是否受理的决定 names the decision: the question asks how long, a figure.
    q = read_question("投诉后，监督检查部门应当在多长时间内作出是否受理的决定？")
    assert q.numeric and not q.yes_no
    assert read_question("企业是否可以申请补贴？").yes_no and read_question("是否需要作出决定？").yes_no


def test_a_place_named_in_passing_is_no_constraint():
    q = read_question("廊坊每年要从北京引进多少个科技项目?", HEBEI)
    assert q.cities == ("廊坊",) and q.mentioned == ("北京市",) and not q.unknown
    q = read_question("沧州对从天津来的人才有什么补贴?", HEBEI)
    assert q.cities == ("沧州",) and "天津" not in q.unknown


def test_a_province_constrains_to_its_documents_and_a_missing_place_is_unknown():
    q = read_question("河北省对科技型中小企业有什么支持?", HEBEI)
    assert q.provinces == ("河北",) and not q.cities
    assert read_question("河北省沧州市的孵化器政策", HEBEI).provinces == ()
    q = read_question("保定对孵化器有什么奖励?", HEBEI)
    assert q.unknown == ("保定市",) and not q.cities
    assert read_question("各市在孵化器建设上分别有什么安排?", HEBEI).kind == "cities"


def test_wh_anchors_are_the_words_around_the_question_word():
    left, right = wh_anchors("要建设什么平台来汇聚科技成果?")
    assert left.endswith("建设") and right.startswith("平台")
    assert wh_anchors("成果转化项目由谁负责审批?")[1] == "负责审批"      # 谁 is a question word too
    # The kind of organ asked is the answer's own word (市建设管理部门), what it does is the anchor.
    assert wh_anchors("由哪个部门组织专家委员会?")[1] == "组织专家"
    assert wh_anchors("主管机关是哪个机关?")[1] == "机关"              # nothing after it: the kind stays
    assert "谁" not in read_question("成果转化项目由谁负责审批?").core
    # A measure word after a bare 哪 is dropped (哪[条]线路); a noun that only starts like one stays.
    assert wh_anchors("要沿哪条线路布局物流园区?")[1] == "线路布局"
    assert wh_anchors("中小企业能得到什么支持?")[1] == "支持"
    assert wh_anchors("由哪个部门负责处罚?")[1] == "负责处罚"


def test_which_noun_with_a_measure_word_of_its_own_is_the_kind_asked():
    assert answer_type("要沿哪条铁路布局物流园区?") == "铁路"
    assert answer_type("由哪个县来担当?") == "县"
    assert answer_type("由哪个机构负责统筹?") is None          # a category no name ends in
    assert answer_type("以哪种类型的机构为重点?") is None


def test_everyday_words_are_matched_as_the_texts_name_them():
    q = read_question("在小区里乱扔垃圾会被罚多少钱?")
    assert "罚款" in q.core and q.numeric
    assert "罚款" in read_question("在小区里乱扔垃圾被城管查到,会罚多少钱?").ask


def test_a_phrase_fills_the_slot_when_it_holds_the_words_around_the_question_word():
    from index.qa.quote import fills_slot

    anchors = wh_anchors("成果转化项目由谁负责审批?")
    assert fills_slot("成果转化项目由市科技局负责审批", anchors)
    assert not fills_slot("成果转化项目由负责审批", anchors)            # nothing between: a restatement
    assert not fills_slot("市科技局负责审批成果转化项目", anchors)       # the words, not around a name
    assert not fills_slot("由市科技局负责", wh_anchors("什么平台?"))    # no word before the question word


def test_a_figure_reached_or_added_is_stated_one_counted_in_passing_is_not():
    from index.qa.numeric import is_stated

    for text, figure in (("到2020年全市科技型中小企业达到2500家以上", "2500"), ("三年内新增科技型中小企业1000家以上", "1000")):
        assert is_stated(text, text.index(figure))
    text = "每年遴选200家企业给予支持"
    assert not is_stated(text, text.index("200"))


def test_a_list_question_that_says_how_many_takes_a_list_of_that_many():
    from index.qa.quote import is_list_of

    assert read_question("森林公园分为哪两类？").list_count == 2
    assert read_question("保护区分为哪三个？").list_count == 3
    assert read_question("有哪些保护区？").list_count is None and read_question("有哪些保护区？").wants_list
    assert is_list_of("森林公园分为经营性森林公园和公益性森林公园", 2)
    assert not is_list_of("森林公园分为国家级、省级、市级、县级", 2)          # four names, two asked
    assert is_list_of("保护范围分为核心保护区、风貌协调区和建设控制区", 3)
    assert is_list_of("城市规划、镇规划分为总体规划和详细规划", 2)           # the subject's list is not counted
    assert is_list_of("国家级、省级、市级、县级", None) and not is_list_of("经营性和公益性", None)


def test_document_horizon_from_title_or_text(cangzhou_plan, cangzhou_open):
    assert document_horizon(cangzhou_plan.document, []) == (2021, 2025)          # 十四五 in the title
    texts = [c.text for c in cangzhou_open.clauses]
    assert document_horizon(cangzhou_open.document, texts) == (2018, 2020)       # dated 2018, plans to 2020


def test_bigram_recall():
    assert bigram_recall("院士工作站", "院士工作站达到35家") == 1.0
    assert bigram_recall("新能源汽车", "院士工作站达到35家") == 0.0


# -- answers on the real index -------------------------------------------------------------------------

def _cites(result: Answer, fragment: str) -> bool:
    return any(normalize(fragment) in normalize(h.clause.text) for h in result.citations)


def test_numeric_answer_from_prose(searcher):
    result = answer(searcher, "沧州到2020年院士工作站要达到多少家?")
    assert not result.abstained and result.text == "35家"
    assert _cites(result, "院士工作站达到35家")
    assert result.to_json()["citations"][0]["city"] == "沧州"


def test_a_figure_in_another_unit_than_the_one_asked_is_no_answer(searcher):
    # The plans count firms (家) and rates (%) near these words, but state no sum of money for them.
    for question in ("沧州市科技型中小企业评价入库的资助是多少元?", "沧州市研发投入强度的奖励是多少元?"):
        result = answer(searcher, question)
        assert result.abstained or re.search(r"[0-9一二三四五六七八九十百千万亿]+(万|亿)?元", result.text), result.text
    assert answer(searcher, "沧州到2020年院士工作站要达到多少家?").text == "35家"


def test_numeric_answer_from_indicator_table_picks_the_year_column(searcher):
    target = answer(searcher, "沧州2025年高新技术企业数量目标是多少家?")
    done = answer(searcher, "2020年沧州技术合同成交额是多少?")
    assert target.text == "1300家" and _cites(target, "高新技术企业数量(家)")
    assert done.text == "68.2亿元"


def test_fact_answer_is_a_short_verbatim_phrase(searcher):
    result = answer(searcher, "沧州高新区重点支持哪个云计算大数据中心建设?")
    assert not result.abstained and "华为云计算大数据中心" in result.text
    assert len(result.text) <= 30
    assert normalize(result.text) in normalize(result.citations[0].clause.text)


def test_a_phrase_that_restates_the_premise_loses_to_the_one_that_answers(searcher):
    # The clause says who (持有永久居留证的外籍人才在我市创办科技型企业), then what they get.
    result = answer(searcher, "外籍人才拿了永久居留证在沧州创业，科研上享受什么待遇？")
    assert "享受市内科研活动相同的政策支持" in result.text


def test_a_topic_named_in_the_premise_still_holds(searcher):
    # The part asked (沧州有哪些支持) names no topic: the sentences are still chosen by the whole question.
    result = answer(searcher, "对于科技型中小企业，沧州有哪些支持？")
    assert "科技型中小企业" in result.text


def test_which_ones_question_gets_the_whole_list_without_its_lead_in(searcher):
    result = answer(searcher, "沧州组织企业、高校参加哪些技术展会?")
    assert result.text == "北京科博会、北京国际技术转移大会、深圳高交会"


def test_which_ones_question_keeps_only_the_items_of_the_kind_asked(searcher):
    # 北京计算机中心黄骅分中心、北京化工大学沧州技术转移中心、沧州市科技大市场: one is a 分中心.
    result = answer(searcher, "沧州的技术市场服务平台有哪些分中心?")
    assert "北京计算机中心黄骅分中心" in result.text and "大市场" not in result.text


def test_which_department_question_gets_a_department_name(searcher):
    result = answer(searcher, "张家口科技创新领导小组的办公室放在哪个部门?")
    assert "市科技和地震局" in result.text


def test_a_question_word_with_its_unit_is_no_topic():
    assert "天" not in read_question("申请复查要在多少天内提出？").core
    assert "万元" not in read_question("对引进的院士团队给多少万元？").core
    assert "近几年" in read_question("近几年新增了多少家企业？").core          # a time, not a question word


def test_a_figure_refusal_names_no_qualifier_as_its_topic(searcher):
    refused = answer(searcher, "张家口对新认定的国家级众创空间至少奖励多少？")
    assert refused.abstained and "至少" not in refused.reason


def test_the_general_counter_stands_for_any_other():
    assert unit_fits("个", ("项",)) and unit_fits("家", ("个",)) and unit_fits("万人", ("人",))
    assert not unit_fits("人", ("家",)) and not unit_fits("元", ("个",))


def test_a_count_asked_in_one_counter_is_answered_in_the_general_one(searcher):
    # 廊坊's plan: 到2018年，引进和转化京津科技成果、产业化项目5000个以上.
    assert answer(searcher, "廊坊到2018年要引进转化京津科技成果多少项？").text == "5000个以上"


def test_an_amount_asked_in_other_words_is_never_answered_by_a_count(searcher):
    # 奖励多少 asks for money without saying 元: 张家口's plan counts its 众创空间 (12家以上) but names no reward.
    refused = answer(searcher, "张家口对新认定的国家级众创空间奖励多少？")
    assert refused.abstained and "数字" in refused.reason
    assert answer(searcher, "廊坊对新认定的市级协同创新基地奖励多少？").text == "10万元"


def test_a_figure_dated_the_year_asked_beats_an_undated_target(searcher):
    # "2018年完成技术交易总额14亿元" vs the plan's undated "技术交易总额达到20亿元".
    assert answer(searcher, "张家口2018年的技术交易总额目标是多少?").text == "14亿元"


def test_a_plans_review_section_answers_for_the_period_before_it(searcher):
    # 《沧州市科技创新“十四五”规划》 reviews the 十三五 in "(一)基础与现状" without naming years.
    result = answer(searcher, "沧州在十三五期间选派了多少名科技特派员?")
    assert result.text == "304名" and _cites(result, "选派科技特派员304名")


def test_which_cities_question_names_the_cities_that_take_the_measure(searcher):
    # 院士工作站: in 沧州's, 张家口's and 连云港's documents, never in 廊坊's.
    result = answer(searcher, "哪几个城市提出要建院士工作站?")
    assert set(result.text.split("、")) == {"沧州市", "张家口市", "连云港市"}
    assert [h.document.city_display for h in result.citations] == result.text.split("、")
    assert all("院士" in h.clause.text for h in result.citations)
    assert result.per_city and 0.6 <= result.confidence <= 1.0    # each place's clause near the best one


def test_refusal_for_a_city_not_in_the_corpus(searcher):
    result = answer(searcher, "保定市2025年高新技术企业目标是多少?")
    assert result.abstained and result.text is None and result.confidence == 0.0
    assert "保定" in result.reason and result.related
    assert result.to_json()["answer"] is None and result.to_json()["abstained"] is True


def test_refusal_for_a_year_the_city_documents_do_not_cover(searcher):
    result = answer(searcher, "张家口2025年科技型中小企业目标是多少?")
    assert result.abstained and "2025" in result.reason and "张家口" in result.reason
    assert all(h.document.city == "张家口" for h in result.related)
    # The same question for a covered year is answered.
    assert not answer(searcher, "张家口到2020年要选派多少名科技特派员?").abstained


def test_refusal_for_a_policy_area_the_city_never_mentions(searcher):
    # Other cities' documents speak of 新能源汽车; 连云港's never of buying cars or subsidies.
    result = answer(searcher, "连云港购买新能源汽车有什么补贴?")
    assert result.abstained and "连云港" in result.reason and "汽车" in result.reason


def test_refusal_for_a_measure_the_city_never_names(searcher):
    # 中试基地 is a policy term of the corpus (沧州 builds one); 张家口's plan never names it.
    refused = answer(searcher, "张家口怎么建设中试基地？")
    assert refused.abstained and refused.reason == "语料中张家口市的政策文件没有涉及“中试基地”"
    assert not answer(searcher, "沧州怎么建设中试基地？").abstained
    # 廊坊 never says 科技型中小企业 but does say 中小企业: the city speaks of them, less narrowly.
    assert not answer(searcher, "廊坊对科技型中小企业有什么支持？").abstained


def test_a_plans_duty_line_answers_who_acts_not_what_is_done(searcher):
    from index.qa.quote import _DUTY, rank_phrases, rank_sentences

    answerer = answerer_for(searcher)
    for question, who in (("沧州怎样加强对外科技合作的金融支持？", False), ("沧州加强对外科技合作的金融支持由哪些单位负责？", True)):
        q = answerer.understand(question)
        hits = [h for h in answerer.search(question, k=20, q=q).hits if h.document.city == "沧州"]
        sentences = rank_sentences(searcher, q, hits)
        best = sorted(sentences, key=lambda s: -s[1])[:3]
        assert any(_DUTY.search(span.sentence) for span, _ in best)    # (牵头单位:…,责任单位:…) ranks high
        from_duty = [span for span, _ in rank_phrases(searcher, q, sentences) if _DUTY.search(span.sentence)]
        assert bool(from_duty) == who, question
    assert "市金融办" in answer(searcher, "沧州加强对外科技合作的金融支持由哪些单位负责？").text


def test_a_title_named_in_the_question_is_read_as_a_document():
    assert read_question("河南省志愿服务条例规定志愿者的年龄要求是什么？").documents == ("河南省志愿服务条例",)
    assert read_question("《高新技术企业认定管理办法》里企业申请认定时须注册成立多久？").documents == ("高新技术企业认定管理办法",)
    assert read_question("北京的技术市场条例怎么规定技术合同登记？").documents == ("北京的技术市场条例",)
    assert read_question("上海市对科技人员兼职有什么规定？").documents == ()     # a place's rules, no title
    assert read_question("张家口市科技局规划建设哪些园区？").documents == ()     # 规划 a verb: no title
    assert read_question("上海市科技奖励规定多少奖金？").documents == ()
    assert read_question("上海市政府规定的补贴标准是多少？").documents == ()          # 规定 a verb again
    assert read_question("上海市科学技术进步条例的适用范围是什么？").documents == ("上海市科学技术进步条例",)


def test_a_document_named_in_the_question_is_searched_first(searcher, monkeypatch):
    question = "沧州十四五规划对国际科技合作有什么举措？"
    answerer = answerer_for(searcher)
    assert {h.document.doc_id for h in answerer.search(question, k=10).hits[:5]} == {"001_eb25fe5d9d6a88ea"}
    # Without the title read as a constraint, 沧州's other plan (on open cooperation) comes in among the five.
    monkeypatch.setattr(type(answerer), "named_documents", lambda self, q: ())
    assert len({h.document.doc_id for h in answerer.search(question, k=10).hits[:5]}) > 1


def test_refusal_for_a_document_the_corpus_does_not_hold(searcher):
    refused = answer(searcher, "沧州市人才发展规划提出了哪些目标？")
    assert refused.abstained and refused.reason == "语料中没有《沧州市人才发展规划》" and refused.related
    # A title named loosely is still the document held: 沧州市科技创新“十四五”规划, 张家口市科技创新三年行动计划(2018―2020年).
    for question in ("沧州十四五规划提出了哪些目标？", "张家口市科技创新三年行动计划提出建设哪些平台？"):
        assert not answer(searcher, question).abstained, question


def test_what_a_question_asks_of_a_document_itself_is_answered_from_what_was_read_of_it(searcher):
    assert answer(searcher, "连云港的实施方案文号是多少？").text.endswith("》连政办发〔2018〕138号")
    assert answer(searcher, "连云港市推进科技与产业融合的实施方案是哪个部门印发的？").text.endswith("》连云港市人民政府办公室")
    # A plan for 2021-2025, asked from 2026 on.
    assert answer(searcher, "沧州的十四五规划现在还有效吗？").text.endswith("已到期（2021年1月1日至2025年12月31日）")
    unknown = answer(searcher, "张家口科技创新三年行动计划的文号是什么？")
    assert unknown.abstained and unknown.reason.endswith("的文本中没有写明文号")
    # Of a document's content, not the document: no such answer.
    assert read_question("高新技术企业资格的有效期是几年？").asks_document is None
    assert read_question("沧州对外籍人才有什么便利？").asks_document is None
    assert read_question("沧州目前执行的人才政策补贴标准是多少？").asks_document is None
    assert read_question("这个实施方案现在还有效吗？").asks_document == "效力"
    assert read_question("本条例规定气象灾害预警信号由谁发布？").asks_document is None     # a duty in the text


def test_a_question_about_several_places_gets_each_places_answer(searcher):
    got = answer(searcher, "沧州和廊坊在技术市场建设上分别有什么举措？")
    assert got.per_city and got.per_place and got.text.startswith("沧州市：") and "；廊坊市：" in got.text
    assert [h.document.city for h in got.citations] == ["沧州", "廊坊"]
    refused = answer(searcher, "廊坊和张家口对研发费用加计扣除有什么规定？")      # neither names it
    assert refused.abstained and "廊坊市" in refused.reason and "张家口市" in refused.reason


def test_a_place_joined_to_a_held_one_is_asked_about_not_mentioned_in_passing():
    held = Places(frozenset({"沧州", "廊坊"}), frozenset({"河北"}))
    assert read_question("沧州和保定对院士工作站有什么支持？", held).unknown == ("保定市",)
    assert read_question("一家北京的公司搬到廊坊能享受什么政策？", held).unknown == ()


def test_a_part_of_a_plan_asked_by_its_heading_is_answered_by_its_own_headings(searcher):
    got = answer(searcher, "廊坊的政策措施有哪些？")          # 三、政策措施 of 廊坊's plan: (一) … (四)
    assert got.text.split("；") == ["支持重大成果转化项目", "支持成果转化载体建设", "支持中介服务机构建设",
                                   "支持成果转化产品在我市优先应用"]
    assert got.citations[0].clause.section[0] == "三、政策措施"


def test_a_statutes_chapter_named_is_no_list_of_parts(statutes):
    # A chapter's articles have no headings of their own: the answer is a quote, never a list of nothing.
    from index.qa.sections import section_answer

    answerer = answerer_for(statutes)
    chapter = next(words for c in statutes.clauses if c.section and "章" in c.section[0]
                   and len(words := c.section[0].split(" ", 1)[-1]) >= 4)
    question = f"上海市科学技术进步条例关于{chapter}有哪些规定？"
    q = answerer.understand(question)
    assert section_answer(statutes, q, answerer.search(question, k=10, q=q).hits) is None


def test_answer_invariants():
    with pytest.raises(ValueError):
        Answer("q", None, False, 0.5)
    with pytest.raises(ValueError):
        Answer("q", "x", False, 1.5)


@pytest.mark.parametrize("which", ["searcher", "versions_index"])
def test_clause_words_are_the_clauses_and_headings_own_words(which, request, embedder):
    from index.qa.facts import clause_words
    from index.search import Searcher

    found = request.getfixturevalue(which)
    searcher = found if which == "searcher" else Searcher.load(found[1], embedder=embedder)
    tokenizer = searcher.lexical.tokenizer
    expected = [set(tokenizer(" ".join([*c.section, c.text]))) for c in searcher.clauses]
    assert clause_words(searcher) == expected


def test_a_phrase_is_read_for_frames_without_the_number_it_starts_with():
    from index.qa.quote import _FRAME, _unnumbered

    assert _unnumbered("第十三条 对国家和省属驻郑的科研机构") == "对国家和省属驻郑的科研机构"
    assert _unnumbered("（四）对有证据证明侵犯他人专利的产品") == "对有证据证明侵犯他人专利的产品"
    assert _unnumbered("对于新引进的人才") == "对于新引进的人才"
    assert _FRAME.search(_unnumbered("第十三条 对国家和省属驻郑的科研机构"))


@pytest.fixture(scope="module")
def statutes(versions_index, embedder):
    """A Searcher on the versions index (two regulations in two versions each, one plan), loaded once."""
    from index.search import Searcher

    return Searcher.load(versions_index[1], embedder=embedder)


def test_a_quote_leaves_the_article_number_to_the_citation(statutes):
    # The best phrase of 第六条 is its first, which opens with the article's number: the answer gives what
    # the rule says; the citation names the article.
    got = answer(statutes, "上海市政府设立科学技术奖吗？")
    assert not got.abstained
    assert "设立科学技术奖" in got.text and not got.text.startswith("第")
    assert any("第六条" in c.clause.text for c in got.citations)


def test_an_article_named_is_answered_from_that_article_of_the_newest_version(statutes):
    assert read_question("上海市科学技术进步条例第10条规定了什么？").articles == (10,)
    got = answer(statutes, "上海市科学技术进步条例第十条规定了什么？")
    first = got.citations[0]
    assert first.clause.label == "第十条" and first.document.date.startswith("2024")
    assert got.quote and got.quote in first.clause.text


def test_a_long_phrase_is_quoted_from_the_words_the_question_says_before_its_question_word(statutes):
    # 第九条's phrase is longer than an answer: the quote starts at the word of 应当建立, which the question
    # says before its question word, instead of cutting the phrase's end short in the middle of a word.
    got = answer(statutes, "上海市政府应当建立什么样的基础研究投入机制？")
    assert got.text == "应当建立稳定支持和竞争性支持相结合的基础研究投入机制"


def test_the_subject_a_rule_is_about_is_not_its_answer(statutes):
    # 使用财政性资金建设或者购置的大型科学仪器设施，应当按照规定向社会开放共享: the phrase before 应当 only
    # names what the rule is about, however like the question it reads; the rule says what is required.
    got = answer(statutes, "上海用财政资金买的大型科学仪器设施需要对外开放吗？")
    assert "开放共享" in got.text and "大型科学仪器设施" not in got.text


def test_a_figure_refusal_names_the_words_no_document_uses(searcher):
    # No clause of the corpus speaks of 诺贝尔奖: the refusal names it, not only the 奖励 the documents do name.
    got = answer(searcher, "张家口对引进的诺贝尔奖得主给予多少万元奖励?")
    assert got.abstained and "诺贝尔奖" in got.reason and "张家口市" in got.reason


def test_a_count_refusal_names_what_is_counted_not_the_modal(searcher):
    got = answer(searcher, "张家口一户家庭最多可以养几条狗?")
    assert got.abstained and "“狗”" in got.reason and "可以" not in got.reason, got.reason


def test_a_which_question_asks_for_the_head_of_its_noun_past_the_modifiers(searcher):
    got = answer(searcher, "沧州高新区同哪所境外院校开展合作?")
    assert "新加坡理工学院" in got.text


def test_a_figure_refusal_without_a_place_names_no_place_and_no_framing_word(searcher):
    q = answerer_for(searcher).understand("各地对量子计算企业的补贴是多少万元?")
    reason = no_figure_reason(searcher, q, ())
    assert reason.startswith("语料中没有找到") and "量子" in reason and "各地" not in reason


def test_a_strong_places_second_clause_comes_before_a_weak_places_first(searcher):
    from index.qa.answerer import _spread_over_places
    from index.qa.weights import PLACE_TURN_DECAY

    hits = searcher.search("各市怎样支持科技企业孵化器和众创空间建设?", k=60).hits
    spread = _spread_over_places(hits, lambda h: h.score)
    assert sorted(id(h) for h in spread) == sorted(id(h) for h in hits)
    by_place = lambda hs, p: [h.clause.clause_id for h in hs if h.document.place == p]  # noqa: E731
    assert all(by_place(spread, h.document.place) == by_place(hits, h.document.place) for h in hits)
    # The best place's second clause against every other place's first: the rule decides, not alternation.
    first = spread[0].document.place
    second = [h for h in hits if h.document.place == first][1]
    for other in {h.document.place for h in hits} - {first}:
        best = next(h for h in hits if h.document.place == other)
        ahead = spread.index(second) < spread.index(best)
        assert ahead == (second.score * PLACE_TURN_DECAY > best.score) or second.score * PLACE_TURN_DECAY == best.score
    assert any(spread.index(second) < spread.index(next(h for h in hits if h.document.place == p))
               for p in {h.document.place for h in hits} - {first})   # it does overtake some place here


def test_a_quote_cut_to_the_answer_length_ends_where_a_word_ends(searcher):
    from index.qa.quote import _clip
    from index.qa.weights import MAX_ANSWER

    long = "技术合同认定登记机构应当在受理认定登记申请之日起十日内作出认定登记决定并发给认定登记证明"
    clipped = _clip(searcher, long)
    assert len(clipped) <= MAX_ANSWER and long.startswith(clipped) and clipped.endswith("作出")
    assert _clip(searcher, "十日内作出认定登记决定") == "十日内作出认定登记决定"


def test_a_when_question_is_answered_by_the_phrase_naming_a_date(statutes):
    from index.qa.understand import answer_type

    assert answer_type("这部条例何时施行?") == "时间" and answer_type("在什么时间内办结?") is None
    got = answer(statutes, "上海市科学技术进步条例什么时候开始施行?")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", got.text), got.text


def test_a_question_with_no_words_or_off_every_topic_is_refused(searcher):
    empty = answer(searcher, "？？？")
    assert empty.abstained and "没有可检索的字词" in empty.reason and not empty.related
    # English words match no clause: the nearest text scores below every right quote, so it is no answer.
    off = answer(searcher, "What is the R&D target of Cangzhou?")
    assert off.abstained and "请用中文提问" in off.reason and off.related


def test_an_articles_number_takes_no_room_from_the_quote():
    from index.qa.quote import _widen

    text = "第二十四条 湿地修复按照自然恢复为主，自然恢复与人工修复相结合的原则，恢复湿地面积和湿地生态功能。"
    end = text.index("，")
    assert _widen(text, 0, end).endswith("相结合的原则")


def test_a_plans_clauses_are_embedded_whole_and_a_statutes_articles_are_not(statutes):
    from ingest.numbering import parse_numbering

    position, vectors = statutes.clause_vectors
    assert position.shape == (len(statutes.clauses),) and vectors.shape[1] == statutes.dense.dim
    embedded = position >= 0
    assert np.abs(vectors.astype(np.float32)).sum(axis=1).min() > 0
    articles = [bool(c.label) and getattr(parse_numbering(c.label), "kind", "") == "article" for c in statutes.clauses]
    assert any(articles) and not any(embedded[i] for i, a in enumerate(articles) if a)
    assert all(embedded[i] for i, a in enumerate(articles) if not a)


def test_the_whole_clause_view_lifts_a_plans_clause_an_everyday_question_matches_as_a_whole(searcher, monkeypatch):
    import index.qa.answerer as answerer

    question, wanted = "沧州能不能让专家同时在高校和企业任职？", "双聘"
    def rank() -> int:
        hits = answerer_for(searcher).search(question, k=10).hits
        return next(i for i, h in enumerate(hits, start=1) if wanted in h.clause.text)
    with_whole = rank()
    monkeypatch.setattr(answerer, "WHOLE_CLAUSE_WEIGHT", 0.0)
    assert with_whole <= 3 and with_whole < rank()


def _index_of(tmp_path_factory, embedder, *paths: Path):
    """A Searcher on the real index of these files."""
    import shutil

    from index.build import build_index
    from index.search import Searcher

    base = tmp_path_factory.mktemp("corpus")
    corpus = base / "corpus"
    corpus.mkdir()
    for path in paths:
        shutil.copy(path, corpus)
    build_index(corpus, base / "index", embedder=embedder)
    return Searcher.load(base / "index", corpus_dir=corpus, embedder=embedder)


def _one_regulation(tmp_path_factory, embedder, province: str, name: str):
    """A Searcher on the real index of one regulation of tests/data/lawref."""
    return _index_of(tmp_path_factory, embedder, Path(__file__).parent / "data" / "lawref" / province / name)


def _one_answers_document(tmp_path_factory, embedder, name: str):
    """A Searcher on the real index of one regulation of tests/data/answers."""
    return _index_of(tmp_path_factory, embedder, Path(__file__).parent / "data" / "answers" / name)


@pytest.fixture(scope="module")
def greening(tmp_path_factory, embedder):
    """One regulation with a penalty chapter (第四章 法律责任)."""
    return _one_regulation(tmp_path_factory, embedder, "重庆", "重庆市城市园林绿化条例(2021-05-27).md")


def test_penalty_articles_rank_lower_unless_penalties_are_asked(greening, monkeypatch):
    import index.qa.answerer as answering
    from index.qa.weights import PENALTY_CHAPTER

    def scores(question: str) -> dict[str, float]:
        return {h.clause.clause_id: h.score for h in answerer_for(greening).search(question, k=60).hits}

    duty, fine = "重庆的闲置土地和储备土地要简易绿化吗？", "重庆擅自移植古树名木会被怎么处罚？"
    lowered, kept = scores(duty), scores(fine)
    monkeypatch.setattr(answering, "PENALTY_CHAPTER", 0.0)
    as_searched, fine_as_searched = scores(duty), scores(fine)
    chapter = {c.clause_id for c in greening.clauses if any("法律责任" in h for h in c.section)}
    top = sorted(lowered, key=lowered.get, reverse=True)
    assert greening.clause(top[0]).label == "第二十二条"   # the duty, ahead of the article punishing its breach
    moved = [as_searched[c] - lowered[c] for c in top[:30]]   # well within the depth re-ranked
    assert moved == pytest.approx([PENALTY_CHAPTER if c in chapter else 0.0 for c in top[:30]])
    assert any(c in chapter for c in top[:30])
    # A question about the penalty keeps every article where search put it.
    assert kept == pytest.approx(fine_as_searched)


def test_a_penalty_naming_its_act_by_article_number_answers_a_question_about_the_act(greening, monkeypatch):
    # （三）违反本条例第三十条规定的，…处以五万元以上十万元以下罚款: 第三十条 forbids mortgaging green land.
    import index.qa.numeric as numeric

    question = "我们在重庆把道路附属绿地抵押给银行贷款，被查到要罚多少钱？"
    assert answer(greening, question).text == "五万元以上十万元以下"
    monkeypatch.setattr(numeric, "_references_read", lambda searcher, doc_id, sentence, articles, before="": sentence)
    assert answer(greening, question).abstained            # as written, the sentence says too little of it


def test_a_phrase_announcing_a_list_is_not_the_answer(greening):
    # 第十六条 其他绿化空间控制应当符合以下要求：（一）… : the announcement repeats the question, the items answer.
    got = answer(greening, "重庆对其他绿化空间控制有什么要求？")
    assert not got.abstained and not got.text.endswith("以下要求")


def test_every_phrase_of_a_sentence_announcing_a_list_is_a_lead_in():
    from index.qa.quote import announces_list

    # The place it opens with is no more an answer than the announcement; the items are.
    text = "第四十五条 在城市园林绿地内，禁止下列行为：\n（一）破坏城市园林绿地地形、地貌和水体；"
    place, announcement, item = (text.index(p) for p in ("在城市园林绿地内", "禁止下列行为", "破坏城市"))
    assert announces_list(text, place, place + 8) and announces_list(text, announcement, announcement + 6)
    assert not announces_list(text, item, item + 8)
    said = "在城市园林绿地内，禁止破坏园林植物。下列单位应当："   # 下列 in the next sentence announces nothing here
    assert not announces_list(said, 0, 8)


@pytest.fixture(scope="module")
def property_market(tmp_path_factory, embedder):
    """One regulation whose time limits come before what they bound (…之日起三十日内，…应当…登记)."""
    return _one_regulation(tmp_path_factory, embedder, "河南", "洛阳市城市房地产市场管理条例.md")


def test_a_time_limit_is_read_with_what_it_bounds_after_it(property_market):
    # 第十七条: 抵押合同自签订之日起三十日内，抵押当事人应当到房产管理部门进行登记。房产管理部门应当在受理登记之日起
    # 七个工作日内决定…: the 登记 the question asks of follows the first figure's phrase; read only up to its
    # phrase, that figure lost to the second, whose phrase names 房产管理部门 and 登记 itself.
    for question in ("洛阳市的房地产抵押合同签订后，抵押当事人应当在多少日内到房产管理部门登记？",
                     "在洛阳签了房地产抵押合同，几天之内要去房产管理部门登记？"):
        got = answer(property_market, question)
        assert got.text == "三十日内", question


def test_a_question_of_national_rules_names_a_national_organ_or_the_state_not_a_rank():
    with_national = Places(frozenset({"沧州"}), frozenset({"河北"}), national=True)
    for question, words in [("国家对科技型企业的知识产权有什么要求？", "国家"), ("国务院对科技特派员有什么规定？", "国务院"),
                            ("科技部规定的认定有效期是几年？", "科技部")]:
        assert read_question(question, with_national).national == words
        assert read_question(question, Places(frozenset({"沧州"}))).national is None   # no national text held
    for question in ("申报国家高新技术企业有什么奖励？", "国家重点实验室有哪些支持？", "这些措施是否全部对外开放？",
                     "沧州对国家级孵化器奖励多少？"):
        assert read_question(question, with_national).national is None, question


@pytest.fixture(scope="module")
def supervision(tmp_path_factory, embedder):
    """One regulation whose fines are set as multiples of a fee (收费总额一倍以上二倍以下的罚款)."""
    return _one_regulation(tmp_path_factory, embedder, "浙江", "浙江省建设工程监理管理条例(2014-11-28).md")


def test_a_fine_set_as_a_multiple_of_a_fee_answers_how_much_the_fine_is(supervision):
    got = answer(supervision, "在浙江省没有资质证书就承接工程监理业务的，可以并处多少罚款？")
    assert got.text == "该项监理业务收费总额一倍以上二倍以下"


@pytest.fixture(scope="module")
def special_equipment(tmp_path_factory, embedder):
    """One regulation with two figures in one phrase, each for its own places (…公众聚集场所使用十年以上的电梯以及
    其他场所使用十五年以上的电梯，…应当委托专业机构进行安全评估)."""
    root = Path(__file__).resolve().parent.parent / "bench" / "gold" / "regs" / "corpus" / "重庆"
    return _index_of(tmp_path_factory, embedder, next(root.glob("重庆市特种设备安全条例*.md")))


def test_two_figures_of_one_phrase_are_told_apart_by_the_words_before_each(special_equipment):
    school = answer(special_equipment, "重庆学校、医院里的电梯用了多少年以上要委托专业机构做安全评估？")
    other = answer(special_equipment, "重庆其他场所的电梯使用多少年以上要委托专业机构做安全评估？")
    assert (school.text, other.text) == ("十年以上", "十五年以上")


@pytest.fixture(scope="module")
def national_and_local(tmp_path_factory, embedder):
    """A national text (科技部…高新技术企业认定管理办法), a city's regulation and a city's plan."""
    data = Path(__file__).parent / "data"
    return _index_of(tmp_path_factory, embedder, data / "11_kejibu_gaoxin_qiye_rending_banfa.txt",
                     data / "08_beijing_kjcg_zhuanhua_tiaoli.txt", Path(__file__).parent.parent / "corpus" /
                     "001_eb25fe5d9d6a88ea.txt")


def test_a_question_of_national_rules_is_answered_from_the_national_text(national_and_local):
    answerer = answerer_for(national_and_local)
    asked = answerer.answer("国家对科技型企业的知识产权有什么要求？")
    assert asked.citations[0].document.level == "national"
    # Asked of no level, the cities' clauses on 知识产权 come first: the national words moved the answer.
    plain = answerer.answer("科技型企业的知识产权有什么要求？")
    assert plain.citations[0].document.level != "national"


def test_the_national_filter_keeps_national_texts_only(national_and_local):
    from index.search import SearchFilters

    hits = national_and_local.search("知识产权", k=10, filters=SearchFilters(national=True)).hits
    assert hits and all(h.document.level == "national" for h in hits)


def test_national_words_are_no_constraint_when_the_national_texts_say_nothing_of_it(national_and_local):
    result = answerer_for(national_and_local).search("国务院对科技成果转化收益分配有什么规定？", k=5)
    assert result.understood.national is None
    assert any("国家层面" in note for note in result.notes)
    assert result.hits[0].document.level != "national"


@pytest.fixture(scope="module")
def county_and_cities(tmp_path_factory, embedder):
    """A county's policy (柳河县, of 通化), a city's regulation (北京) and a city's plan (张家口)."""
    data = Path(__file__).parent / "data"
    return _index_of(tmp_path_factory, embedder, data / "13_liuhe_zhongdian_chanye_shishi_yijian_2023.txt",
                     data / "08_beijing_kjcg_zhuanhua_tiaoli.txt",
                     Path(__file__).parent.parent / "corpus" / "002_d39fd0845f93d78f.txt")


def test_a_question_about_a_county_reads_the_countys_own_words(county_and_cities):
    # The county's words are filed under the county as well as its city: asked by the county's name, its
    # documents are not taken to lack every word of the question.
    got = answer(county_and_cities, "柳河县对新落户的重点产业企业有什么支持？")
    assert not got.abstained and got.citations[0].document.county == "柳河县"


def test_a_province_named_gets_the_refusals_a_city_does(county_and_cities):
    # 吉林省's one document here is 柳河县's; 张家口 (河北) has 科技创新券, 柳河县 never names one.
    refused = answer(county_and_cities, "吉林省对科技创新券有什么规定？")
    assert refused.abstained and refused.reason == "语料中吉林省的政策文件没有涉及“科技创新券”"


def test_when_a_document_takes_effect_is_answered_in_its_own_words(county_and_cities):
    assert read_question("北京市促进科技成果转化条例什么时候开始施行？").asks_effect
    assert not read_question("张家口什么时候实施科技冬奥工程？").asks_effect      # a measure, not a document
    assert not read_question("该办法规定企业应当在什么时候实施整改？").asks_effect
    assert read_question("上海市老年人权益保障条例是哪天施行的？").asks_effect
    got = answer(county_and_cities, "北京市促进科技成果转化条例什么时候开始施行？")
    assert got.text == "本条例自2020年1月1日起施行" and "起施行" in got.citations[0].clause.text
    assert answer(county_and_cities, "柳河县这个实施意见什么时候开始施行？").text == "本政策自发布之日起施行"


@pytest.fixture(scope="module")
def villages(tmp_path_factory, embedder):
    """One regulation with meetings held 每年/每季度至少…一次 and notices given days ahead (提前十日通知)."""
    return _one_regulation(tmp_path_factory, embedder, "北京", "北京市实施《村民委员会组织法》的若干规定(2012-09-28).md")


def test_how_often_is_answered_by_a_frequency_not_a_length_of_time(villages):
    assert read_question("村民代表会议多久召开一次？").asks_often
    assert not read_question("应当提前多少日通知？").asks_often
    got = answer(villages, "北京的村民代表会议多久召开一次？")
    assert not got.abstained and got.text.startswith("每季度"), got.text
    got = answer(villages, "北京的村民会议多长时间至少召开一次？")
    assert not got.abstained and got.text.startswith("每年"), got.text


def test_a_word_is_said_where_a_longer_form_it_abbreviates_is():
    from index.qa.facts import abbreviates

    assert abbreviates("出租车", "出租汽车") and abbreviates("科技局", "科学技术局")
    assert not abbreviates("汽车站", "出租汽车") and not abbreviates("人才飞地", "人才引进")
    assert not abbreviates("出租车", "出租车") and not abbreviates("科局", "科学技术发展规划局")


def test_the_askers_own_situation_does_not_hide_the_figure_asked(villages):
    # A first-person premise (我家在…，家里…，) shares no words with the rule; the part asked names its figure.
    got = answer(villages, "我家在北京农村，家里老人去年刚过世，村里召开村民会议应当提前多少日通知？")
    assert not got.abstained and got.text == "十日", got.text
    # Refused, it says what was asked for, not the asker's circumstances.
    got = answer(villages, "我家在北京农村，家里老人去年刚过世，村里给的丧葬补助是多少钱？")
    assert got.abstained and "丧葬" in got.reason and "老人" not in got.reason, got.reason


def test_a_condition_in_the_third_person_still_binds_the_figure():
    q = read_question("在湖州，物业服务人不接受续聘的，应当提前多少日书面告知？")
    assert q.ask and not q.first_person
    assert read_question("我们公司在开封拿到一块地，超过多长时间不开工要遮盖？").first_person


def test_rules_broken_are_no_title():
    assert read_question("在北京违反控制吸烟规定的，罚多少钱？").documents == ()
    assert read_question("北京的控制吸烟条例对网吧有什么要求？").documents == ("北京的控制吸烟条例",)


def test_which_authority_is_answered_by_a_name_of_one():
    from index.qa.quote import _type_score
    from index.qa.understand import answer_type

    question = "郑州市游行的主管机关是哪个机关？"
    assert answer_type(question) == "机关"
    assert _type_score("主管机关为市公安局", "机关", question) > 0
    assert _type_score("本市游行的主管机关", "机关", question) == 0


def test_a_list_items_figure_is_read_with_the_lead_in_of_its_list():
    from index.qa.numeric import _with_lead_in

    text = ("第二十五条 献血者及其亲属临床用血的，持有效身份证件等材料，按照下列规定免交临床用血费用：\n"
            "（一）献血者捐献全血累计达四百毫升以上的，本人终身免交临床用血费用；\n"
            "（二）献血者的配偶、父母和子女，五年内按照不超过献血量的两倍免交临床用血费用")
    item = text[text.index("（二）"):]
    read = _with_lead_in(text, text.index("两倍"), item)
    assert read.startswith("第二十五条 献血者及其亲属临床用血的") and read.endswith(item)
    assert _with_lead_in(text, 5, "第二十五条 献血者") == "第二十五条 献血者"      # no list item: as it is


def test_an_age_asked_is_a_figure_in_years_of_age():
    q = read_question("多大年纪以上的老年人可以获得资助？")
    assert q.numeric and unit_fits("周岁", q.units)
    assert read_question("几岁以下的儿童免票？").numeric



@pytest.fixture(scope="module")
def blood_donation(tmp_path_factory, embedder):
    """One regulation whose article states a usual figure and a bound side by side (一般为…，最多不得超过…)."""
    return _one_answers_document(tmp_path_factory, embedder, "上海市献血条例.md")


def test_a_bound_asked_is_answered_by_the_figure_bounded_on_that_side(blood_donation):
    # 第十六条 …每次采集血液量一般为二百毫升，最多不得超过四百毫升: the usual amount unless the limit is asked.
    assert answer(blood_donation, "上海献血时每次采集的血液量最多多少毫升？").text == "不得超过四百毫升"
    assert answer(blood_donation, "上海献血时每次采集的血液量一般是多少毫升？").text == "二百毫升"


@pytest.fixture(scope="module")
def halal_food(tmp_path_factory, embedder):
    """One regulation whose penalties name the acts they punish by article number (违反本条例第十四条…的)."""
    return _one_answers_document(tmp_path_factory, embedder, "上海市清真食品管理条例.md")


def test_a_first_person_figure_question_is_matched_by_its_words_the_corpus_uses(halal_food, monkeypatch):
    # The asker's own words (牛肉面馆, 关门) share few character pairs with 第二十六条（一）; the words the
    # regulation uses (清真, 标志牌, 备案, 罚款) are named there once its reference to 第十四条 is read.
    import index.qa.numeric as numeric

    question = "我在上海开的清真牛肉面馆关门不干了，既没去备案也没交回清真标志牌，会被罚多少钱？"
    assert answer(halal_food, question).text == "五十元以上五百元以下"
    monkeypatch.setattr(numeric, "_known_words_named", lambda known_words, context: False)
    assert answer(halal_food, question).text != "五十元以上五百元以下"


def test_a_topic_no_document_names_is_refused_in_its_own_words(searcher):
    # 共享单车 occurs in no document of the bundled corpus: there is no rule on it to quote.
    got = answer(searcher, "廊坊对共享单车的停放有什么规定？")
    assert got.abstained and "单车" in got.reason
    # A topic the documents do name is answered, however it is worded around it; so is one named by a
    # colloquial word holding a word they use (洋专家: 专家).
    assert not answer(searcher, "沧州对引进的外国专家有什么支持政策？").abstained
    assert not answer(searcher, "沧州对洋专家有什么政策？").abstained


@pytest.fixture(scope="module")
def drug_control(tmp_path_factory, embedder):
    """One regulation whose time limits differ by case in one sentence (…二日内…报到；路途较远、交通不便的，…十五日内)."""
    return _one_answers_document(tmp_path_factory, embedder, "浙江省禁毒条例.md")


def test_a_case_the_question_names_picks_the_figure_of_that_case(drug_control, monkeypatch):
    # After the semicolon the case leaves out whose duty it is: named by the question, it still answers.
    import index.qa.numeric as numeric

    question = "浙江的社区康复人员变更执行地以后，路途较远、交通不便的，最迟多少日内到新的地方报到？"
    assert answer(drug_control, question).text == "十五日内"
    monkeypatch.setattr(numeric, "_case_named", lambda q, sentence: False)
    assert answer(drug_control, question).text != "十五日内"
