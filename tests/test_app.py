"""The Streamlit page, driven through streamlit.testing (AppTest) on the real index and the real model.

The app reads POLICYQA_INDEX / POLICYQA_CORPUS; its Searcher is cached per server process, so after the
first test (model load, about 10 s) each run takes well under a second or two.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"
SAMPLES = Path(__file__).resolve().parent / "data"
TIMEOUT = 120          # the first run loads the model


def _app_on(corpus_and_index, monkeypatch) -> AppTest:
    """The real app, run once on an index (its first run loads the model)."""
    corpus, index = corpus_and_index
    monkeypatch.setenv("POLICYQA_INDEX", str(index))
    monkeypatch.setenv("POLICYQA_CORPUS", str(corpus))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(built_index, monkeypatch):
    return _app_on(built_index, monkeypatch)


@pytest.fixture
def own_index(built_index, tmp_path, monkeypatch):
    """A private copy of corpus, index and embedding cache, for tests that add documents."""
    corpus, index = built_index
    mine = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(corpus, mine[0])
    shutil.copytree(index, mine[1])
    cache = index.with_name(index.name + "-cache")
    if cache.exists():
        shutil.copytree(cache, mine[1].with_name(mine[1].name + "-cache"))
    monkeypatch.setenv("POLICYQA_INDEX", str(mine[1]))
    monkeypatch.setenv("POLICYQA_CORPUS", str(mine[0]))
    return mine


def ask(at: AppTest, question: str) -> AppTest:
    at.text_input(key="question").input(question).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def html_of(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


def card_headers(at: AppTest) -> list[str]:
    return [h.value.split('<div class="pq-head">', 1)[1].split("</div>", 1)[0]
            for h in at.html if h.value.startswith('<div class="pq-head">')]


def test_page_opens_with_three_tabs_and_the_corpus_summary(app):
    assert [t.label for t in app.tabs] == ["提问", "跨城市比较", "文档库"]
    assert app.caption[0].value.startswith("5 份政策文件 · 195 条条款 · ")
    assert not app.error


def test_numeric_question_is_answered_with_its_citation(app):
    ask(app, "沧州2025年科技型中小企业数量目标是多少？")
    page = html_of(app)
    answer = page.split('<div class="pq-answer">', 1)[1].split("</div>", 1)[0]
    assert "13500" in answer
    cite = page.split('<div class="pq-cite">', 1)[1].split("</div>", 1)[0]
    assert "《沧州市科技创新“十四五”规划》" in cite
    # the source clause follows, with a copy button holding the clause and the same citation
    assert 'data-copy="科技型中小企业数量(家)' in page
    assert cite.removeprefix("出处：") in page.split('data-copy="', 1)[1].split('"', 1)[0]


def test_example_question_fills_the_box_and_is_answered(app):
    app.button_group(key="example").set_value("沧州如何吸引外国专家？").run()
    assert app.text_input(key="question").value == "沧州如何吸引外国专家？"
    assert '<div class="pq-answer">' in html_of(app)
    assert card_headers(app)[0].startswith("沧州市")


def test_which_cities_question_lists_the_cities_each_with_its_clause(app):
    ask(app, "哪些城市支持建设院士工作站？")
    answer = html_of(app).split('<div class="pq-answer">', 1)[1].split("</div>", 1)[0]
    cities = answer.split("、")
    assert set(cities) == {"沧州市", "张家口市", "连云港市"}
    assert [h.split(" ·")[0] for h in card_headers(app)[:3]] == cities


def test_answer_far_from_any_clause_is_flagged(app):
    ask(app, "沧州新开的餐馆能拿到什么扶持？")
    assert any(c.value.startswith("把握不大") for c in app.caption)
    ask(app, "沧州对新开餐馆有什么扶持？")           # asked of the rules by a thing no document names: refused
    assert "未找到" in app.info[0].value and "餐馆" in app.info[0].value
    ask(app, "沧州靠哪个平台让交通和公共场所的视频资源互通共享？")
    assert not any(c.value.startswith("把握不大") for c in app.caption)


def test_question_about_a_city_outside_the_corpus_says_not_found(app):
    ask(app, "保定的人才政策有哪些？")
    assert "未找到" in app.info[0].value and "保定" in app.info[0].value
    assert card_headers(app), "the nearest clauses are still listed"


def test_a_question_with_nothing_to_search_for_says_so_and_lists_nothing(app):
    ask(app, "？？？")
    assert "没有可检索的字词" in app.info[0].value and "最接近的条款" not in app.info[0].value
    assert not card_headers(app)


def test_city_named_in_the_question_is_a_removable_filter(app):
    question = "张家口对高新技术企业有哪些支持？"
    ask(app, question)
    chips = app.button_group(key=f"understood-{question}")
    assert [chips.format_func(v) for v in chips.value] == ["城市：张家口"]
    assert all(h.startswith("张家口市") for h in card_headers(app))
    chips.set_value([]).run()
    assert not app.exception and not app.error
    assert any("已按“对高新技术企业有哪些支持？”检索" in c.value for c in app.caption)
    assert any(not h.startswith("张家口市") for h in card_headers(app)), "other cities once the chip is removed"


def test_the_national_level_named_in_the_question_is_a_removable_filter(tmp_path, embedder, monkeypatch):
    from index.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in (SAMPLES / "11_kejibu_gaoxin_qiye_rending_banfa.txt", SAMPLES / "08_beijing_kjcg_zhuanhua_tiaoli.txt"):
        shutil.copy(path, corpus)
    build_index(corpus, tmp_path / "index", embedder=embedder)
    app = _app_on((corpus, tmp_path / "index"), monkeypatch)
    question = "国家对科技型企业的知识产权有什么要求？"
    ask(app, question)
    chips = app.button_group(key=f"understood-{question}")
    assert [chips.format_func(v) for v in chips.value] == ["国家层面：国家"]
    assert card_headers(app)[0].startswith("全国")
    chips.set_value([]).run()
    assert not app.exception and not app.error
    assert any("已按“对科技型企业的知识产权有什么要求？”检索" in c.value for c in app.caption)


def test_a_document_named_in_the_question_is_a_chip(app):
    question = "沧州十四五规划对国际科技合作有什么举措？"
    ask(app, question)
    chips = app.button_group(key=f"understood-{question}")
    assert [chips.format_func(v) for v in chips.value] == ["城市：沧州", "文件：沧州十四五规划"]
    assert all("十四五" in h for h in card_headers(app)[:3])


def test_sidebar_city_filter_changes_the_results(app):
    ask(app, "各市在建设技术市场方面有什么举措？")
    before = {h.split(" · ")[0] for h in card_headers(app)}
    assert len(before) > 1
    app.sidebar.multiselect(key="f_cities").set_value(["连云港"]).run()
    assert not app.exception
    after = {h.split(" · ")[0] for h in card_headers(app)}
    assert after == {"连云港市"}


def test_year_filter_keeps_documents_of_those_years(app):
    ask(app, "科技成果转化有哪些措施？")
    app.sidebar.slider(key="f_years").set_value((2021, 2021)).run()
    assert not app.exception
    headers = card_headers(app)
    assert headers and all("十四五" in h for h in headers)


def test_similar_measures_show_other_cities_only(app):
    ask(app, "沧州如何吸引外国专家？")
    first = next(e for e in app.expander if e.label == "其他城市的类似措施")
    assert not first.markdown, "computed only when opened"
    card = next(b.key for b in app.button if b.key and b.key.startswith("doc-a-"))  # the answer's source card
    app.session_state["sim-" + card.removeprefix("doc-")] = True
    app.run()
    assert not app.exception and not app.error
    opened = next(e for e in app.expander if e.label == "其他城市的类似措施")
    cities = [m.value.strip("*") for m in opened.markdown]
    assert len(cities) >= 2 and "沧州市" not in cities
    assert set(cities) <= {"张家口市", "廊坊市", "连云港市"}
    headers = [h.value.split('<div class="pq-head">', 1)[1] for h in opened.get("html") if "pq-small" in h.value]
    assert len(headers) >= len(cities) and not any(h.startswith("沧州") for h in headers)
    # looked up for the measure of the clause that the question is about, shown to the reader
    focus = next(c.value for c in opened.caption if c.value.startswith("按本条中的"))
    assert "外国" in focus or "外籍" in focus or "引智" in focus or "专家" in focus


def test_view_document_highlights_the_cited_clause(app):
    ask(app, "沧州2025年科技型中小企业数量目标是多少？")
    next(b for b in app.button if b.label == "查看原文").click().run()
    assert not app.exception
    doc = next(h.value for h in app.html if h.value.startswith('<div class="pq-doc">'))
    assert doc.count("pq-cited") == 1
    cited = doc.split("pq-cited", 1)[1]
    assert "13500" in cited.split("</div>", 1)[0]
    assert "scrollIntoView" in doc
    assert any("沧州市科技创新“十四五”规划" in m.value for m in app.markdown)


@pytest.fixture
def served(monkeypatch) -> dict[str, bytes]:
    """What the download buttons serve, by file name (AppTest keeps media in memory and does not expose it)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return files


def compare_topic(at: AppTest, topic: str, cities: list[str] | None = None) -> AppTest:
    at.text_input(key="topic").input(topic)
    if cities:
        at.multiselect(key="compare_cities").set_value(cities)
    next(b for b in at.button if b.label == "比较").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_comparison_has_a_row_per_city_and_document_and_downloads_csv_and_excel(app, served):
    compare_topic(app, "科技企业孵化器")
    table = app.dataframe[0].value
    assert {"城市", "文件", "目标", "支持", "条款", "出处"} <= set(table.columns)
    assert len(table) == len(set(zip(table["城市"], table["文件"], strict=True)))
    assert any("科技企业孵化器：" in t for t in table["目标"])          # each figure with what it counts
    assert [d.label for d in app.get("download_button")] == ["下载 CSV", "下载 Excel"]
    csv_bytes = served["比较_科技企业孵化器.csv"]
    assert csv_bytes.startswith(b"\xef\xbb\xbf"), "BOM, so that Excel opens the Chinese CSV correctly"
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert rows[0][:5] == ["城市", "省份", "文件", "类别", "对象"]
    documents = [(r[0], r[2]) for r in rows[1:] if r[3] == "条款"]
    assert list(zip(table["城市"], table["文件"], strict=True)) == documents[:len(table)]
    assert all(r[4] for r in rows[1:] if r[3] != "条款"), "no figure without a subject"
    assert served["比较_科技企业孵化器.xlsx"][:2] == b"PK"


def test_comparison_puts_cities_without_the_measure_under_more_cities(app):
    compare_topic(app, "科技特派员")
    table = app.dataframe[0].value
    best = set(zip(table["城市"], table["文件"], strict=True))
    assert best and {c for c, _ in best} < {"沧州市", "张家口市", "廊坊市", "连云港市"}
    more = next(e for e in app.expander if e.label.startswith("更多城市")).dataframe[0].value
    rest = set(zip(more["城市"], more["文件"], strict=True))
    assert rest and rest.isdisjoint(best) and {c for c, _ in rest} - {c for c, _ in best}


def test_comparison_of_chosen_cities_only(app):
    compare_topic(app, "引进外国专家", cities=["张家口", "连云港"])
    assert set(app.dataframe[0].value["城市"]) == {"张家口市", "连云港市"}


def test_library_lists_documents_with_clause_counts(app, searcher):
    table = next(d.value for d in app.dataframe if "条款数" in d.value.columns)
    assert len(table) == len(searcher.documents)
    counts = dict(zip(table["标题"], table["条款数"], strict=True))
    assert counts["沧州市科技创新“十四五”规划"] == len(searcher.clauses_of("001_eb25fe5d9d6a88ea"))


def test_missing_index_shows_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYQA_INDEX", str(tmp_path / "no-index"))
    monkeypatch.setenv("POLICYQA_CORPUS", str(tmp_path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["索引不存在：请先运行 `make index` 或 `policyqa build`，再刷新本页。"]


def test_broken_index_shows_what_to_do(built_index, tmp_path, monkeypatch):
    corpus, index = built_index
    broken = tmp_path / "index"
    shutil.copytree(index, broken)
    (broken / "clauses.jsonl").write_text("", encoding="utf-8")
    monkeypatch.setenv("POLICYQA_INDEX", str(broken))
    monkeypatch.setenv("POLICYQA_CORPUS", str(corpus))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert len(at.error) == 1 and "policyqa build" in at.error[0].value and "损坏" in at.error[0].value


def test_stale_index_warns_and_still_answers(own_index):
    corpus, _ = own_index
    shutil.copy(SAMPLES / "08_beijing_kjcg_zhuanhua_tiaoli.txt", corpus)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("policyqa build" in w.value for w in at.warning), [w.value for w in at.warning]
    ask(at, "沧州2025年科技型中小企业数量目标是多少？")
    assert "13500" in html_of(at)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name, content", [
    ("空白.txt", b""),
    ("000_feff5ef0713189d6.txt", "沧州市人民政府 同名文件".encode()),
    ("损坏.pdf", b"%PDF-1.4\nnot really a pdf"),
])
def test_bad_upload_says_why_and_changes_nothing(own_index, name, content):
    corpus, index = own_index
    before = _snapshot(corpus), _snapshot(index)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.get("file_uploader")[0].upload(name, content, "application/octet-stream")
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith(f"无法添加“{name}”："), [e.value for e in at.error]
    assert "\n" not in at.error[0].value
    assert (_snapshot(corpus), _snapshot(index)) == before


def test_good_upload_is_indexed_and_searchable(own_index):
    corpus, _ = own_index
    sample = SAMPLES / "08_beijing_kjcg_zhuanhua_tiaoli.txt"
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.get("file_uploader")[0].upload(sample.name, sample.read_bytes(), "text/plain")
    at.run()
    assert not at.exception
    assert at.success and at.success[0].value.startswith("已添加《北京市促进科技成果转化条例》")
    assert (corpus / sample.name).exists()
    assert "6 份政策文件" in at.caption[0].value
    ask(at, "北京对科技成果转化有哪些规定？")
    assert card_headers(at)[0].startswith("北京")


@pytest.fixture
def versions_app(versions_index, monkeypatch):
    return _app_on(versions_index, monkeypatch)


def test_library_shows_status_and_the_old_new_comparison(versions_app):
    at = versions_app
    table = next(d.value for d in at.dataframe if "状态" in d.value.columns)
    status = dict(zip(table["文件名"], table["状态"], strict=True))
    assert status["上海市科学技术进步条例(2010-09-17).md"] == "已被新版本取代（2024-05-10）"
    assert status["上海市科学技术进步条例(2024-05-10).md"] == "现行"
    assert status["001_eb25fe5d9d6a88ea.txt"] in ("现行", "已到期（2025-12-31止）")
    box = at.selectbox(key="diff_pair")
    science = next(o for o in box.options if "上海市科学技术进步条例" in o)
    box.select(science).run()
    assert not at.exception
    diff = next(h.value for h in at.html if 'class="pq-diff"' in h.value)
    # 第四十九条 本条例自2010年11月1日起施行 stands beside 第四十七条 本条例自2024年6月1日起施行
    assert "本条例自20<del>10年11</del>月1日起施行" in diff and "本条例自20<ins>24年6</ins>月1日起施行" in diff
    assert diff.count("<tr") > 49


def test_result_cards_carry_status_and_fold_old_versions(versions_app):
    at = ask(versions_app, "上海市科学技术奖励")
    page = html_of(at)
    assert '<span class="pq-badge pq-现行"' in page
    assert any(e.label.startswith("旧版本中的同一条款") for e in at.expander)
    # the old version's article, inside the fold, says what replaced it
    assert "已被新版本取代：《上海市科学技术进步条例》（2024-05-10）" in page


def test_in_force_checkbox_filters_the_search(versions_app):
    at = versions_app
    at.checkbox(key="f_in_force").check().run()
    at = ask(at, "上海市科学技术奖励")
    page = html_of(at)
    assert "<span class=\"pq-badge pq-已被新版本取代\"" not in page and "<span class=\"pq-badge pq-现行\"" in page
    assert not any(e.label.startswith("旧版本中的同一条款") for e in at.expander)


def test_library_is_searchable_by_title_place_type_or_year(app):
    app.text_input(key="library_query").input("张家口 2018").run()
    table = next(d.value for d in app.dataframe if "条款数" in d.value.columns)
    assert list(table["城市"]) == ["张家口市"] and "三年行动计划" in table["标题"][0]
    app.text_input(key="library_query").input("不存在的文件").run()
    assert any(c.value.startswith("0 份文件") for c in app.caption)


def test_the_city_filter_is_grouped_by_province(app):
    select = app.sidebar.multiselect(key="f_cities")
    labels = list(select.options)                 # as shown: 河北｜沧州市
    assert labels == sorted(labels) and all("｜" in label for label in labels)
    assert {label.split("｜")[0] for label in labels} == {"河北", "江苏"}


def test_a_question_of_no_place_answered_by_several_lists_them_city_by_city(app):
    ask(app, "对新认定的技术转移机构有什么奖励？")
    header = next(m.value for m in app.markdown if m.value.startswith("##### 各地的相关条款"))
    cities = [m.value.strip("*") for m in app.markdown if m.value.startswith("**") and m.value.endswith("市**")]
    assert f"（{len(cities)} 个地方）" in header and len(cities) == len(set(cities)) >= 2


def library_table(at: AppTest):
    return next(d.value for d in at.dataframe if "条款数" in d.value.columns)


def test_library_sorts_and_filters_by_type_and_year(app):
    app.selectbox(key="library_sort").select("date").run()
    dates = list(library_table(app)["日期"])
    assert dates == sorted(dates, reverse=True) and len(dates) == 5
    app.selectbox(key="library_sort").select("title").run()
    titles = list(library_table(app)["标题"])
    assert titles == sorted(titles)
    app.multiselect(key="library_types").set_value(["实施方案"]).run()
    table = library_table(app)
    assert set(table["类型"]) == {"实施方案"} and set(table["城市"]) == {"沧州市", "连云港市"}
    app.multiselect(key="library_types").set_value([]).run()
    app.slider(key="library_years").set_value((2018, 2018)).run()
    assert not app.exception
    dates = list(library_table(app)["日期"])
    assert len(dates) == 3 and all(d.startswith("2018") for d in dates)
    assert any(c.value.startswith("3 份文件") for c in app.caption)


def test_a_province_narrows_the_cities_and_files_offered(app):
    assert len(app.sidebar.multiselect(key="f_cities").options) == 4
    app.sidebar.multiselect(key="f_provinces").set_value(["江苏"]).run()
    assert list(app.sidebar.multiselect(key="f_cities").options) == ["江苏｜连云港市（1）"]   # as shown
    assert list(app.sidebar.multiselect(key="f_docs").options) == ["连云港市｜连云港市推进科技与产业融合加快科技成果转化实施方案"]


def test_comparison_shows_one_document_per_place_first_and_keeps_every_row_in_the_download(app, served):
    compare_topic(app, "科技成果转化")
    table = app.dataframe[0].value
    assert len(table) == len(set(table["城市"])) >= 2, "the best document of each place, best place first"
    more = next(e for e in app.expander if e.label.startswith("更多城市")).dataframe[0].value
    rows = list(csv.reader(io.StringIO(served["比较_科技成果转化.csv"].decode("utf-8-sig"))))
    documents = [(r[0], r[2]) for r in rows[1:] if r[3] == "条款"]
    shown = list(zip(table["城市"], table["文件"], strict=True)) + list(zip(more["城市"], more["文件"], strict=True))
    assert documents == shown
