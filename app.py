"""PolicyQA 政策问答: a thin Streamlit page over the index package's public API.

Ask a question (short answer with its citations, or 未找到 and the related clauses), compare what cities
did about one measure, browse and add documents. Retrieval, answering and citation formatting all live in
index/ and ingest/; this file only lays them out. Run with `make app`.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from index.errors import EmbeddingError, IndexCorrupt, IndexMismatch, IndexMissing, IndexStale, PolicyIndexError
from index.library import find_documents
from index.places import PlaceGroup, first_places, group_by_place
from index.qa import answerer_for
from index.search import Hit, Searcher, SearchFilters
from ingest.loaders import max_file_bytes
from ingest.model import IngestError

UPLOAD_TYPES = ["txt", "md", "html", "htm", "docx", "pdf"]
EXAMPLES = [
    "沧州如何吸引外国专家？",
    "张家口对高新技术企业有哪些支持？",
    "沧州2025年科技型中小企业数量目标是多少？",
    "各市在建设技术市场方面有什么举措？",
]
RESULTS = 8          # clauses listed under an answer
SIMILAR = 2          # analogous clauses shown per other place
SIMILAR_PLACES = 4   # places shown at once in 其他城市的类似措施; the others behind 更多
SIMILAR_DEPTH = 40   # analogous clauses looked up: up to 20 places at 2 each (the regs corpus has 29 places)

CSS = """<style>
.pq-head{font-weight:600;font-size:0.95rem;line-height:1.45;color:#1f2937}
.pq-meta{color:#6b7280;font-size:0.8rem;margin-top:2px}
.pq-text{font-size:0.95rem;line-height:1.75;margin:6px 0 2px 0}
.pq-text mark, .pq-doc mark{background:#fde68a;padding:0;color:inherit}
[data-testid="stMainBlockContainer"]{padding-top:3rem;max-width:1280px}
[data-testid="stHeader"]{background:transparent}
[data-testid="stAppDeployButton"]{display:none}
.pq-label{color:#6b7280;font-size:0.8rem}
.pq-small{border-left:3px solid #e5e7eb;padding-left:12px}
.pq-answer{font-size:1.25rem;font-weight:600;line-height:1.6;margin:0 0 4px 0}
.pq-cite{color:#374151;font-size:0.85rem;line-height:1.5;margin:2px 0}
.pq-doc{font-size:0.95rem;line-height:1.8;max-height:70vh;overflow-y:auto;padding-right:8px}
.pq-doc .pq-sec{font-weight:600;color:#1f2937;margin-top:12px}
.pq-doc .pq-clause{margin:4px 0;padding:4px 8px;border-left:3px solid transparent}
.pq-doc .pq-cited{background:#fef3c7;border-left-color:#f59e0b}
button.pq-copy{font-size:0.8rem;padding:3px 10px;border:1px solid #d1d5db;border-radius:6px;
  background:#fff;color:#374151;cursor:pointer;line-height:1.4}
button.pq-copy:hover{border-color:#ef4444;color:#ef4444}
.pq-badge{display:inline-block;font-size:0.72rem;line-height:1.3;padding:0 6px;margin-left:6px;border-radius:4px;
  border:1px solid #d1d5db;color:#374151;background:#f9fafb;vertical-align:1px}
.pq-badge.pq-现行{border-color:#86efac;color:#166534;background:#f0fdf4}
.pq-badge.pq-已到期,.pq-badge.pq-已被新版本取代{border-color:#fca5a5;color:#991b1b;background:#fef2f2}
.pq-badge.pq-未生效{border-color:#fcd34d;color:#92400e;background:#fffbeb}
table.pq-diff{width:100%;border-collapse:collapse;font-size:0.9rem;line-height:1.7;table-layout:fixed}
table.pq-diff th{background:#f3f4f6;text-align:left;padding:6px 8px}
table.pq-diff td{vertical-align:top;padding:6px 8px;border-top:1px solid #e5e7eb;word-break:break-all}
table.pq-diff td.pq-kind{width:4.5em;color:#6b7280;font-size:0.8rem}
table.pq-diff del{background:#fecaca;text-decoration:line-through;color:#7f1d1d}
table.pq-diff ins{background:#bbf7d0;text-decoration:none;color:#14532d}
</style>"""

# One click puts the clause and its citation on the clipboard; the textarea route covers plain-http hosts
# where navigator.clipboard does not exist.
COPY_SCRIPT = """<script>
document.querySelectorAll('button.pq-copy:not([data-bound])').forEach(function (b) {
  b.dataset.bound = '1';
  b.addEventListener('click', function () {
    var text = b.dataset.copy, done = function () { b.textContent = '已复制 ✓'; };
    var fallback = function () {
      var t = document.createElement('textarea'); t.value = text; document.body.appendChild(t);
      t.select(); document.execCommand('copy'); document.body.removeChild(t); done();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else { fallback(); }
  });
});
</script>"""


# -- settings and errors ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Paths:
    index: Path
    corpus: Path


def paths() -> Paths:
    return Paths(Path(os.environ.get("POLICYQA_INDEX", ".index")), Path(os.environ.get("POLICYQA_CORPUS", "corpus")))


# The ingest layer's one-line reasons, in the words of the people who upload (first match wins).
UPLOAD_REASONS = (
    ("already in the corpus", "文档库中已有同名文件，请改名后再上传"),
    ("empty file", "文件是空的，请重新下载后再上传"),
    ("no text layer", "这是扫描版 PDF，没有文字层，请先做文字识别（OCR）再上传"),
    ("needs a password", "PDF 设有打开密码，请先去掉密码再上传"),
    ("not a valid", "文件已损坏或内容与扩展名不符，请重新下载后再上传"),
    ("old Word format", "不支持旧版 Word（.doc），请另存为 .docx 或 PDF 后再上传"),
    ("unsupported file type", "不支持该文件类型，请上传 .txt .md .html .docx 或 .pdf 文件"),
    ("too large", "文件太大，请拆分后再上传"),
    ("no policy text found", "文件中没有找到政策正文（只有网页导航或标题），请上传政策全文"),
)


def user_message(exc: Exception, upload: str | None = None) -> str:
    """One plain Chinese line saying what to do; the library's own line is kept when it adds detail."""
    if isinstance(exc, IndexMissing):
        return "索引不存在：请先运行 `make index` 或 `policyqa build`，再刷新本页。"
    if isinstance(exc, IndexCorrupt):
        return "索引文件不完整或已损坏：请运行 `policyqa build` 重建索引，再刷新本页。"
    if isinstance(exc, IndexMismatch):
        return "索引由其他版本或其他模型建立：请运行 `policyqa build` 重建索引，再刷新本页。"
    if isinstance(exc, IndexStale):
        return "语料库在建索引之后有改动：请运行 `policyqa build` 更新索引，再刷新本页。"
    if isinstance(exc, EmbeddingError):
        return f"无法加载向量模型：请运行 `make setup` 后重试（{exc}）"
    if isinstance(exc, IngestError) and upload:
        reason = next((zh for en, zh in UPLOAD_REASONS if en in str(exc)), str(exc))
        return f"无法添加“{upload}”：{reason}。"
    return f"{exc}"


# -- the shared searcher ---------------------------------------------------------------------------

def index_version(index_dir: Path) -> int | None:
    """Changes whenever the index folder is rebuilt (the manifest is written last), so a new one is loaded."""
    try:
        return (index_dir / "manifest.json").stat().st_mtime_ns
    except OSError:
        return None


@st.cache_resource(show_spinner=False)
def _models() -> dict:
    """Embedding models already in memory, by name: a reloaded index re-uses its model (10 s, 200 MB)."""
    return {}


@st.cache_resource(show_spinner="正在加载索引和模型（首次约需 20 秒）…", max_entries=2)
def load_searcher(index_dir: str, corpus_dir: str, version: int | None) -> Searcher:
    """One Searcher per server process and index version, shared by every session."""
    models = _models()
    for model in list(models.values()):
        try:
            return Searcher.load(Path(index_dir), corpus_dir=Path(corpus_dir), embedder=model)
        except IndexMismatch:
            continue
    searcher = Searcher.load(Path(index_dir), corpus_dir=Path(corpus_dir))
    searcher.search("科技创新", k=1)          # loads the model now, not on the first user's question
    models[searcher.embedder.name] = searcher.embedder
    return searcher


def get_searcher(where: Paths) -> Searcher:
    return load_searcher(str(where.index), str(where.corpus), index_version(where.index))


@st.cache_resource(show_spinner=False, max_entries=2)
def warm_up(index_dir: str, corpus_dir: str, version: int | None) -> threading.Thread:
    """One call of each operation in the background as soon as an index is loaded (index.service.warm_up, as
    the HTTP server does before it listens): the first answer on an index computes word facts of every
    clause (12-30 s at 10,000 clauses on 2 busy cores), which the page then spends while the reader types."""
    searcher = load_searcher(index_dir, corpus_dir, version)

    def run() -> None:
        from index.service import warm_up as fill_caches

        try:
            fill_caches(searcher)
        except Exception:  # the reader's own question will meet the same error and show it
            logging.getLogger("policyqa.app").exception("warm-up failed")

    # Read here, not in the thread: numpy parses an .npy header with ast.literal_eval, and on Python 3.11 two
    # threads in the ast module at once (Streamlit parses this script with ast.parse on a rerun) fail with
    # "SystemError: AST constructor recursion depth mismatch" (fixed in later CPython releases).
    _ = searcher.token_rows
    # Not a daemon: a process leaving while it is inside torch aborts ("terminate called ...").
    thread = threading.Thread(target=run, name="policyqa-warm-up", daemon=False)
    thread.start()
    return thread


def wait_for_warm_up(where: Paths) -> None:
    """Before answering: let the warm-up finish (a question asked at once would do the same work again)."""
    thread = warm_up(str(where.index), str(where.corpus), index_version(where.index))
    if thread.is_alive():
        with st.spinner("正在准备问答（仅第一次：文件较多时需十几秒）…"):
            thread.join()


def memo(name: str, key: tuple, compute):
    """The last result of `compute` for this session, recomputed only when `key` changes (reruns are free)."""
    slot = st.session_state.setdefault("_memo", {})
    if name not in slot or slot[name][0] != key:
        slot[name] = (key, compute())
    return slot[name][1]


# -- rendering helpers -----------------------------------------------------------------------------

def highlight(text: str, terms: tuple[str, ...] | list[str] = ()) -> str:
    """Escape first, then wrap the matched words (longest first) in <mark>; newlines become <br>."""
    escaped = html.escape(text)
    words = sorted({html.escape(t) for t in terms if t and t.strip()}, key=len, reverse=True)
    if words:
        escaped = re.sub("|".join(map(re.escape, words)), lambda m: f"<mark>{m.group(0)}</mark>", escaped)
        escaped = escaped.replace("</mark><mark>", "")          # 科技型 + 企业 read as one marked phrase
    return escaped.replace("\n", "<br>")


def doc_meta(doc) -> str:
    """文号 · date · issuer, whichever are known."""
    return " · ".join(x for x in (doc.doc_number, doc.date, doc.issuer) if x)


def standing_badge(standing) -> str:
    """现行 / 已到期 / 未生效 / 不详, or 已被新版本取代 with the newer version's title and date."""
    if standing is None:
        return ""
    text = standing.status + ("·试行" if standing.trial else "")
    title = ""
    if standing.newer_title:
        title = f"新版本：《{standing.newer_title}》（{standing.newer_date or '日期不详'}）"
        if standing.status == "已被新版本取代":
            text += f"：《{standing.newer_title}》（{standing.newer_date or '日期不详'}）"
    return (f'<span class="pq-badge pq-{html.escape(standing.status)}" title="{html.escape(title, quote=True)}">'
            f"{html.escape(text)}</span>")


def older_versions(hit: Hit) -> None:
    """The same article in older versions, folded under the newest one's card."""
    if not hit.older:
        return
    with st.expander(f"旧版本中的同一条款（{len(hit.older)}）", icon=":material/history:"):
        for old in hit.older:
            small_card(old)


def copy_button(hit: Hit, label: str = "复制条款及出处") -> None:
    text = html.escape(hit.copy_text, quote=True)
    st.html(f'<button class="pq-copy" data-copy="{text}" title="{html.escape(hit.citation, quote=True)}">'
            f"{label}</button>{COPY_SCRIPT}", unsafe_allow_javascript=True, width="content")


@st.dialog("查看原文", width="large")
def show_document(searcher: Searcher, doc_id: str, clause_id: str | None) -> None:
    """The document's clauses in order, the cited one highlighted and scrolled into view."""
    doc = searcher.document(doc_id)
    st.markdown(f"#### 《{doc.title}》")
    st.caption(" · ".join(x for x in (doc.city_display, doc_meta(doc)) if x))
    parts, section = [], None
    for clause in searcher.clauses_of(doc_id):
        if clause.section[:-1] != section and clause.section[:-1]:
            section = clause.section[:-1]
            parts.append(f'<div class="pq-sec">{html.escape(" › ".join(section))}</div>')
        cited = clause.clause_id == clause_id
        parts.append(f'<div class="pq-clause{" pq-cited" if cited else ""}" id="pq-{html.escape(clause.clause_id)}">'
                     f"{highlight(clause.text)}</div>")
    anchor = json.dumps(f"pq-{clause_id}")
    scroll = (f"<script>setTimeout(function(){{var e=document.getElementById({anchor});"
              f"if(e)e.scrollIntoView({{block:'center'}});}},300);</script>") if clause_id else ""
    st.html(f'<div class="pq-doc">{"".join(parts)}</div>{scroll}', unsafe_allow_javascript=True)
    if doc.source_url:
        st.link_button("打开来源网页", doc.source_url)


def hit_card(searcher: Searcher, hit: Hit, key: str, similar: bool = True,
             marks: tuple[str, ...] | None = None, question: str = "") -> None:
    """One clause: citation header, highlighted text, copy / 查看原文 / 其他城市的类似措施.

    `marks` replaces the matched words as what is highlighted (the sentence an answer is quoted from);
    `question`, when given, picks the measure of a long clause that similar measures are looked up for.
    """
    with st.container(border=True):
        st.html(f'<div class="pq-head">{html.escape(hit.header)}</div>'
                f'<div class="pq-meta">{html.escape(doc_meta(hit.document))}{standing_badge(hit.standing)}</div>'
                f'<div class="pq-text">{highlight(hit.clause.text, marks or hit.matched_terms)}</div>')
        with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
            copy_button(hit)
            if st.button("查看原文", key=f"doc-{key}", type="tertiary", icon=":material/article:"):
                show_document(searcher, hit.document.doc_id, hit.clause.clause_id)
        older_versions(hit)
        if similar:
            similar_expander(searcher, hit, key, question)


def similar_expander(searcher: Searcher, hit: Hit, key: str, question: str = "") -> None:
    """Analogous clauses of other cities, grouped by city; computed only when opened. For a clause of
    several measures, the one its sentence most like the question names."""
    box = st.expander("其他城市的类似措施", key=f"sim-{key}", on_change="rerun", icon=":material/compare_arrows:")
    with box:
        if not box.open:
            return
        from index.similar import focus_of, similar

        focus = memo(f"focus-{key}", (id(searcher), hit.clause.clause_id, question),
                      lambda: focus_of(searcher, hit.clause, question)) if question else None
        if focus:
            st.caption(f"按本条中的“{focus}”查找")
        hits = similar(searcher, clause_id=hit.clause.clause_id, text=focus, k=SIMILAR_DEPTH, per_city=SIMILAR)
        if not hits:
            st.caption("其他城市的文件中没有找到类似条款。")
        groups = group_by_place(hits)
        for group in groups[:SIMILAR_PLACES]:
            place_cards(group)
        if len(groups) > SIMILAR_PLACES:
            others = groups[SIMILAR_PLACES:]
            names = "、".join(g.label for g in others[:3]) + ("…" if len(others) > 3 else "")
            with st.expander(f"更多（还有 {len(others)} 个地方：{names}）", key=f"sim-more-{key}"):
                for group in groups[SIMILAR_PLACES:]:
                    place_cards(group)


def place_cards(group: PlaceGroup) -> None:
    st.markdown(f"**{group.label}**")
    for other in group.hits:
        small_card(other)


def small_card(hit: Hit) -> None:
    """A lighter card for a clause inside another card: no frame, a rule on the left."""
    st.html(f'<div class="pq-small"><div class="pq-head">{html.escape(hit.header)}</div>'
            f'<div class="pq-meta">{html.escape(doc_meta(hit.document))}{standing_badge(hit.standing)}</div>'
            f'<div class="pq-text">{highlight(hit.clause.text, hit.matched_terms)}</div></div>')
    copy_button(hit)


# -- sidebar filters -------------------------------------------------------------------------------

def city_labels(docs) -> dict[str, str]:
    """City -> its label, grouped by province: 河北｜沧州市 (a city that is its own province: 上海市). A
    county's document is filed under its city, which the city filter matches."""
    labels = {}
    for d in docs:
        if d.city:
            name = replace(d, level="city").city_display
            labels[d.city] = f"{d.province}｜{name}" if d.province and d.province != d.city else name
    return labels


def sidebar_filters(searcher: Searcher) -> SearchFilters:
    docs = searcher.documents
    st.sidebar.header("筛选")
    st.sidebar.caption("作用于「提问」的检索结果")
    # The province narrows the cities and files offered; each list can be typed into to find a name.
    # No "Select all" entry: Streamlit words it in English, and no filter is the same as all.
    per_province = Counter(d.province for d in docs if d.province)
    provinces = st.sidebar.multiselect("省份", sorted(per_province), key="f_provinces", placeholder="全部省份",
                                       format_func=lambda p: f"{p}（{per_province[p]}）", select_all=False)
    in_reach = [d for d in docs if not provinces or d.province in provinces]
    display = city_labels(in_reach)
    per_city = Counter(d.city for d in in_reach if d.city)
    cities = st.sidebar.multiselect("城市", sorted(display, key=lambda c: display[c]),
                                    format_func=lambda c: f"{display[c]}（{per_city[c]}）",
                                    key="f_cities", placeholder="全部城市（可输入省份或城市查找）", select_all=False,
                                    help="省级法规属于其省份：用“省份”筛选" if len(per_province) > 1 else None)
    in_reach = [d for d in in_reach if not cities or d.city in cities]
    titles = {d.doc_id: f"{d.city_display}｜{d.title}" for d in in_reach}
    doc_ids = st.sidebar.multiselect("文件", sorted(titles, key=titles.get), format_func=titles.get, key="f_docs",
                                     placeholder=f"全部文件（{len(titles)} 份，可输入标题查找）", select_all=False)
    years = sorted({int(d.date[:4]) for d in docs if d.date})
    year_from = year_to = None
    if len(years) > 1:
        low, high = st.sidebar.slider("发文年份", years[0], years[-1], (years[0], years[-1]), key="f_years")
        year_from = low if low > years[0] else None
        year_to = high if high < years[-1] else None
    in_force = st.sidebar.checkbox("只看现行有效", key="f_in_force",
                                   help="只检索今天仍在有效期内、且没有被新版本取代的文件")
    return SearchFilters(cities=tuple(cities), provinces=tuple(provinces), doc_ids=tuple(doc_ids),
                         year_from=year_from, year_to=year_to, in_force=in_force)


# -- 提问 ------------------------------------------------------------------------------------------

def _use_example() -> None:
    picked = st.session_state.get("example")
    if picked:
        st.session_state.question = picked
    st.session_state.example = None


def understood_chips(result) -> list[tuple[str, str]]:
    """What the question itself named (its cities, provinces, the national level, documents, its year), as
    removable chips: (kind, value); exactly what search took as a constraint."""
    q = result.understood
    if q is None:
        return []
    chips = [("城市", c) for c in q.cities] + [("省份", p) for p in q.provinces]
    if q.national:
        chips.append(("国家层面", q.national))
    chips += [("文件", title) for title in q.documents]
    if q.year:
        chips.append(("年份", str(q.year)))
    return chips


def without(question: str, removed: list[tuple[str, str]]) -> str:
    """The question with the removed chips' words taken out: × 沧州 asks the same of every city."""
    for kind, value in removed:
        suffix = {"年份": "年?", "国家层面": "", "文件": ""}.get(kind, "(?:市|省)?")
        question = re.sub(re.escape(value) + suffix, "", question)
    return re.sub(r"^[\s，,、的]+", "", question).strip()


def ask_tab(searcher: Searcher, filters: SearchFilters, where: Paths) -> None:
    st.text_input("问题", key="question", placeholder="输入问题，例如：沧州如何吸引外国专家？按回车提问",
                  label_visibility="collapsed", icon=":material/search:")
    st.pills("示例问题", EXAMPLES, key="example", on_change=_use_example, label_visibility="collapsed")
    question = (st.session_state.get("question") or "").strip()
    if not question:
        st.caption("输入问题后按回车，或点上面的示例问题。左侧可按城市、省份、文件和发文年份筛选。")
        return

    wait_for_warm_up(where)
    version = id(searcher)
    result = memo("search", (version, question, filters),
                  lambda: answerer_for(searcher).search(question, k=RESULTS, filters=filters))
    if filters.in_force and not result.hits:
        st.info("勾选了“只看现行有效”：语料中没有今天仍然有效的文件回答这个问题。取消勾选可查看已到期或已被取代的文件。")
        return
    chips = understood_chips(result)
    asked = question
    if chips:
        kept = st.pills("问题中识别到（点击可取消）", chips, selection_mode="multi", default=chips,
                        format_func=lambda c: f"{c[0]}：{c[1]}", key=f"understood-{question}")
        removed = [c for c in chips if c not in kept]
        if removed:
            asked = without(question, removed)
            if not asked:
                st.caption("去掉这些条件后问题为空：请重新输入问题。")
                return
            st.caption(f"已按“{asked}”检索。")
            result = memo("search-without", (version, asked, filters),
                          lambda: answerer_for(searcher).search(asked, k=RESULTS, filters=filters))

    from index.qa import answer

    reply = memo("answer", (version, asked, filters), lambda: answer(searcher, asked, filters=filters))
    for note in result.notes:
        if not (reply.abstained and reply.reason and note in reply.reason):
            st.warning(note)
    shown = render_answer(searcher, reply)
    if reply.abstained and not reply.related:
        return                                          # nothing to search for (？？？): no nearest clauses either
    rest = [h for h in [*reply.citations[1:], *reply.related, *result.hits] if h.clause.clause_id not in shown]
    rest = list({h.clause.clause_id: h for h in rest}.values())
    if not rest:
        return
    rest = rest[:RESULTS]
    places = {h.document.place for h in rest}
    if result.understood and not (result.understood.cities or result.understood.provinces or filters.cities) \
            and len(places) > 1:
        # Asked of no place and answered by several: what each city says, city by city, best city first.
        st.markdown(f"##### 各地的相关条款（{len(places)} 个地方）")
        for group in group_by_place(rest):
            st.markdown(f"**{html.escape(group.label)}**")
            for hit in group.hits:
                hit_card(searcher, hit, key=f"r-{hit.clause.clause_id}", question=asked)
        return
    st.markdown("##### 相关条款")
    for i, hit in enumerate(rest):
        hit_card(searcher, hit, key=f"r{i}-{hit.clause.clause_id}", question=asked)


def render_answer(searcher: Searcher, reply) -> set[str]:
    """The short answer with its citation and source clause, or 未找到 with the reason; returns shown ids."""
    if reply.abstained:
        nearest = "以下是最接近的条款，供参考。" if reply.related else ""
        st.info(f"**未找到**：{reply.reason or '语料中没有直接回答这个问题的条款'}。{nearest}",
                icon=":material/search_off:")
        return set()
    source = reply.citations[0] if reply.citations else None
    if reply.per_city:
        # "哪些城市…": the cities, then each city's clause; "沧州和廊坊…分别…": each place's answer, then its clause.
        label = "各地的回答" if reply.per_place else "有相关条款的城市"
        with st.container(border=True):
            st.html(f'<div class="pq-label">{label}</div>'
                    f'<div class="pq-answer">{html.escape(reply.text)}</div>')
        for hit in reply.citations:
            hit_card(searcher, hit, key=f"a-{hit.clause.clause_id}", question=reply.question)
        return {hit.clause.clause_id for hit in reply.citations}
    with st.container(border=True):
        st.html(f'<div class="pq-label">回答</div><div class="pq-answer">{html.escape(reply.text)}</div>'
                + (f'<div class="pq-cite">出处：{html.escape(source.citation)}</div>' if source else ""))
        if reply.unsure:
            st.caption(f"把握不大（置信度 {reply.confidence:.2f}）：这是与问题最接近的一句，语料中可能没有直接的回答，"
                       "请核对下面的条款原文。")
    if source is None:
        return set()
    quoted = reply.quote if reply.quote and reply.quote in source.clause.text else None
    hit_card(searcher, source, key=f"a-{source.clause.clause_id}", marks=(quoted,) if quoted else None,
             question=reply.question)
    return {source.clause.clause_id}


# -- 跨城市比较 -------------------------------------------------------------------------------------

COMPARE_PLACES = 6    # places whose rows are shown at once; the others behind 更多城市
COMPARE_DEPTH = 200   # clauses searched for a topic: a few long regulations fill compare's default 40. On the
                      # regs corpus (29 places) places reached at 40 -> 200: 科技成果转化 4 -> 10, 技术市场 4 -> 11,
                      # 知识产权保护 10 -> 14, 科技企业孵化器 11 -> 16; under 0.1 s either way

def compare_tab(searcher: Searcher) -> None:
    from index.compare import compare, rows_to_csv_bytes, rows_to_xlsx

    display = city_labels(searcher.documents)
    with st.form("compare-form", border=False):
        left, right, go = st.columns([3, 3, 1], vertical_alignment="bottom")
        topic = left.text_input("比较主题", key="topic", placeholder="例如：科技企业孵化器、引进外国专家")
        cities = right.multiselect("城市", sorted(display, key=display.get), format_func=display.get,
                                   key="compare_cities", placeholder="全部城市（可输入省份或城市查找）",
                                   select_all=False)
        go.form_submit_button("比较", type="primary", width="stretch")
    topic = (topic or "").strip()
    if not topic:
        st.caption("输入一个措施主题，按城市并排查看各地的做法和数字指标（每个数字注明所指对象、年份和出处），"
                   "可下载为 CSV 或 Excel。")
        return
    rows = memo("compare", (id(searcher), topic, tuple(cities)),
                lambda: compare(searcher, topic, cities=list(cities) or None, depth=COMPARE_DEPTH))
    if not rows:
        st.info("各城市的文件中都没有找到与该主题相关的条款：换个说法再试。")
        return
    # Best places first: the best document of each of the first few places that take the measure, then
    # behind 更多城市 the other documents and places that take it and the nearest clauses of those that do
    # not; the rows of cities chosen by name are all shown.
    matched = [r for r in rows if r.matched or cities] or rows[:1]
    best, more = (matched, []) if cities else first_places(matched, _row_place, COMPARE_PLACES, per_place=1)
    rest = more + [r for r in rows if all(r is not m for m in matched)]
    if more:
        st.caption(f"{len({_row_place(r) for r in matched})} 个地方的 {len(matched)} 个文件有相关条款：先列出最相关的 "
                   f"{len(best)} 个地方，每地一个文件；其余见下方“更多城市”，下载的文件包含全部。")
    _compare_table(best)
    with st.container(horizontal=True, gap="small"):
        st.download_button("下载 CSV", rows_to_csv_bytes(best + rest), file_name=f"比较_{topic}.csv",
                           mime="text/csv", icon=":material/download:", key="dl-csv")
        st.download_button("下载 Excel", rows_to_xlsx(best + rest), file_name=f"比较_{topic}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:", key="dl-xlsx")
    for i, row in enumerate(best):
        _compare_row(searcher, row, i)
    if rest:
        places = len({_row_place(r) for r in rest} - {_row_place(r) for r in best})
        where = f"还有 {places} 个地方、{len(rest)} 个文件" if places else f"{len(rest)} 个文件"
        label = f"更多城市（{where}，" + ("相关度依次降低）" if more else "与主题相关度较低）")
        with st.expander(label, key="compare-more"):
            _compare_table(rest)
            for i, row in enumerate(rest, start=len(best)):
                _compare_row(searcher, row, i, nested=True)


def _row_place(row) -> str:
    return row.hits[0].document.place


def _compare_table(rows) -> None:
    """One line per city and document: its targets and its support, each figure with what it counts."""
    from index.compare import summary_cells

    cells = [summary_cells(r) for r in rows]
    # Figure columns no row fills go last: otherwise they push the document and its clauses out of view.
    figures = [c for c in ("目标", "支持", "其他") if any(row[c] for row in cells)]
    empty = [c for c in ("目标", "支持", "其他") if c not in figures]
    st.dataframe(cells, hide_index=True, width="stretch",
                 column_order=["城市", *figures, "文件", "条款", "出处", *empty],
                 column_config={"城市": st.column_config.TextColumn(width="small", pinned=True),
                                "目标": st.column_config.TextColumn(width="large"),
                                "支持": st.column_config.TextColumn(width="medium"),
                                "其他": st.column_config.TextColumn(width="medium"),
                                "文件": st.column_config.TextColumn(width="medium"),
                                "条款": st.column_config.TextColumn(width="large"),
                                "出处": st.column_config.TextColumn(width="large")})


def _compare_row(searcher: Searcher, row, i: int, nested: bool = False) -> None:
    """A row opened: its figures as a table (subject, figure, period, kind, citation), then its clauses.
    Inside the 更多城市 expander a bordered box instead (expanders do not nest)."""
    from index.figures import ROLES

    title = f"{row.city} ·《{row.document}》：{len(row.figures)} 个数字，{len(row.hits)} 条相关条款"
    box = st.container(border=True) if nested else st.expander(title, key=f"compare-row-{i}")
    with box:
        if nested:
            st.markdown(f"**{title}**")
        if row.figures:
            st.dataframe([{"类别": ROLES[f.figure.role], "对象": f.figure.subject, "数值": f.figure.display,
                           "年份或期间": f.figure.period, "受益对象": f.figure.beneficiary,
                           "条件": f.figure.condition, "出处": f.citation} for f in row.figures],
                         hide_index=True, width="stretch", key=f"compare-figures-{i}")
        for j, hit in enumerate(row.hits):
            hit_card(searcher, hit, key=f"c{i}-{j}-{hit.clause.clause_id}", similar=False)


# -- 文档库 ----------------------------------------------------------------------------------------

LIBRARY_PAGE = 50     # documents per page of 文档库


SORT_NAMES = {"place": "省份、城市", "date": "日期（新→旧）", "date-oldest": "日期（旧→新）", "title": "标题",
              "type": "类型"}


def library_tab(searcher: Searcher, where: Paths) -> None:
    docs = searcher.documents
    types = Counter(d.doc_type for d in docs if d.doc_type)
    years = sorted({int(d.date[:4]) for d in docs if d.date})
    query_col, type_col, sort_col = st.columns([4, 3, 2], vertical_alignment="bottom")
    query = query_col.text_input("查找文件", key="library_query", placeholder="标题、城市、类型或年份，空格分隔多个词")
    chosen = type_col.multiselect("类型", [t for t, _ in types.most_common()], key="library_types",
                                  format_func=lambda t: f"{t}（{types[t]}）", placeholder="全部类型", select_all=False)
    sort = sort_col.selectbox("排序", list(SORT_NAMES), format_func=SORT_NAMES.get, key="library_sort")
    year_col, page_col = st.columns([7, 2], vertical_alignment="bottom")
    year_from = year_to = None
    if len(years) > 1:
        low, high = year_col.slider("发文年份", years[0], years[-1], (years[0], years[-1]), key="library_years")
        year_from, year_to = (low, high) if (low, high) != (years[0], years[-1]) else (None, None)
    found = find_documents(searcher, query, types=chosen, year_from=year_from, year_to=year_to, sort=sort)
    pages = max(1, -(-len(found) // LIBRARY_PAGE))
    page = 1
    if pages > 1:      # out of range after a narrower filter, Streamlit puts it back to 1
        page = min(int(page_col.number_input(f"第几页（共 {pages} 页）", 1, pages, 1, key="library_page")), pages)
    docs = found[(page - 1) * LIBRARY_PAGE:page * LIBRARY_PAGE]
    undated = "（未注明日期的文件不在其中）" if year_from or year_to else ""
    st.caption(f"{len(found)} 份文件" + (f"，第 {page}/{pages} 页" if pages > 1 else "") + f"{undated}；"
               "点列名可在本页内排序。")
    counts = Counter(c.doc_id for c in searcher.clauses)
    st.dataframe(
        [{"城市": d.city_display, "标题": d.title, "状态": library_status(searcher, d.doc_id),
          "条款数": counts[d.doc_id], "日期": d.date or "",
          "文号": d.doc_number or "", "发文机关": d.issuer or "", "类型": d.doc_type or "", "省份": d.province or "",
          "文件名": d.source} for d in docs],
        hide_index=True, width="stretch",
        column_config={"标题": st.column_config.TextColumn(width="large"),
                       "条款数": st.column_config.NumberColumn(width="small")},
    )
    versions_view(searcher)
    st.markdown("##### 添加文件")
    limit_mb = max(1, max_file_bytes() // 2**20)
    upload = st.file_uploader("支持 .txt .md .html .htm .docx .pdf；添加后自动更新索引，之后即可检索",
                              type=UPLOAD_TYPES, key="upload", max_upload_size=limit_mb)
    if upload is None:
        return
    done = st.session_state.setdefault("uploaded", {})
    if upload.file_id in done:
        kind, message = done[upload.file_id]
        (st.success if kind == "ok" else st.error)(message)
        return
    try:
        with st.spinner(f"正在添加 {upload.name} 并更新索引…"):
            doc = add_upload(searcher, upload, where)
    except (IngestError, PolicyIndexError, OSError) as exc:
        done[upload.file_id] = ("error", user_message(exc, upload=upload.name))
        st.error(done[upload.file_id][1])
        return
    clauses = len(get_searcher(where).clauses_of(doc.doc_id))
    done[upload.file_id] = ("ok", f"已添加《{doc.title}》（{doc.city_display or '未识别城市'}，{clauses} 条条款）。")
    st.rerun()


def library_status(searcher: Searcher, doc_id: str) -> str:
    """现行 / 已到期 (至 2020-12-31) / 已被新版本取代 (2024-05-10) …, for the 状态 column."""
    standing = searcher.folding.standing(doc_id)
    doc = searcher.document(doc_id)
    if standing.newer_doc_id and standing.status == "已被新版本取代":
        return f"{standing.status}（{standing.newer_date or ''}）"
    if standing.status == "已到期" and doc.valid_to:
        return f"已到期（{doc.valid_to}止）"
    if standing.status == "未生效" and doc.valid_from:
        return f"未生效（{doc.valid_from}起）"
    return standing.status + ("·试行" if standing.trial else "")


def versions_view(searcher: Searcher) -> None:
    """新旧对照: pick a document that has versions; its articles side by side with the newer one's."""
    if not searcher.folding.versions.families:
        return
    st.markdown("##### 新旧对照")
    dates = searcher.folding.versions.dates
    choices = searcher.folding.versions.pairs()          # (older, next newer)

    def label(pair: tuple[str, str]) -> str:
        old, new = pair
        doc = searcher.document(new)
        return f"{doc.city_display}｜《{doc.title}》 {dates.get(old)} → {dates.get(new)}"

    pair = st.selectbox("有多个版本的文件", choices, format_func=label, key="diff_pair")
    if pair is None:
        return
    from index.diff import KIND_NAMES, diff_clauses

    old, new = pair
    rows = memo("diff", (id(searcher), pair),
                lambda: diff_clauses(searcher.clauses_of(old), searcher.clauses_of(new)))
    names = KIND_NAMES
    counts = "，".join(f"{names[k]} {sum(r.kind == k for r in rows)} 条" for k in names)
    st.caption(f"左：{searcher.document(old).source}（{dates.get(old)}）　右：{searcher.document(new).source}"
               f"（{dates.get(new)}）。{counts}。红色删除线为删去的文字，绿色为新增的文字。")
    st.html(diff_table(rows, names))


def diff_table(rows, names: dict[str, str]) -> str:
    """The aligned articles as an HTML table, changed text marked with <del> (old) and <ins> (new)."""
    def side(row, old_side: bool) -> str:
        article = row.old if old_side else row.new
        if article is None:
            return ""
        parts = []
        for seg in row.segments:
            text = html.escape(seg.old if old_side else seg.new)
            if seg.kind != "same" and text:
                text = f"<del>{text}</del>" if old_side else f"<ins>{text}</ins>"
            parts.append(text)
        return "".join(parts).replace("\n", "<br>")

    body = "".join(f'<tr class="pq-{row.kind}"><td class="pq-kind">{names[row.kind]}</td>'
                   f"<td>{side(row, True)}</td><td>{side(row, False)}</td></tr>" for row in rows)
    return (f'<table class="pq-diff"><colgroup><col style="width:4.5em"><col><col></colgroup>'
            f"<tr><th></th><th>旧版本</th><th>新版本</th></tr>{body}</table>")


def add_upload(searcher: Searcher, upload, where: Paths):
    """Save the upload under its own name in a scratch folder, add it, then drop the cached Searcher."""
    from index.build import add_document

    name = Path(upload.name).name
    with tempfile.TemporaryDirectory(prefix="policyqa-upload-") as scratch:
        path = Path(scratch) / name
        path.write_bytes(upload.getvalue())
        doc = add_document(path, where.corpus, where.index, embedder=searcher.embedder)
    load_searcher.clear()
    return doc


# -- page ------------------------------------------------------------------------------------------

def main() -> None:
    st.set_page_config(page_title="PolicyQA 政策问答", page_icon="📑", layout="wide")
    st.html(CSS)
    try:
        page(paths())
    except (PolicyIndexError, IngestError) as exc:
        st.error(user_message(exc))
    except Exception:  # a bug: the log gets the traceback, the user one line
        logging.getLogger("policyqa.app").exception("unexpected error in the page")
        st.error("页面出错了：请刷新页面重试；若反复出现，请把刚才的操作告诉维护人员。")


NAMED_PLACES = 6      # a header names this many places at most; a larger corpus is counted instead


def corpus_summary(searcher: Searcher) -> str:
    """5 份政策文件 · 195 条条款 · 廊坊市、张家口市…; past a handful of places, counts of places, provinces and
    document types instead of a long line of names."""
    docs = searcher.documents
    places = sorted({d.city_display for d in docs if d.city_display})
    head = f"{len(docs)} 份政策文件 · {len(searcher.clauses)} 条条款"
    if len(places) <= NAMED_PLACES:
        return f"{head} · {'、'.join(places)}"
    provinces = {d.province for d in docs if d.province}
    types = Counter(d.doc_type for d in docs if d.doc_type).most_common(4)
    kinds = "、".join(f"{kind} {n}" for kind, n in types)
    return f"{head} · {len(places)} 个地方（{len(provinces)} 个省级地区）" + (f" · {kinds}" if kinds else "")


def page(where: Paths) -> None:
    try:
        searcher = get_searcher(where)
    except (PolicyIndexError, IngestError) as exc:
        st.markdown("### PolicyQA 政策问答")
        st.error(user_message(exc))
        return
    warm_up(str(where.index), str(where.corpus), index_version(where.index))
    st.markdown("### PolicyQA 政策问答")
    st.caption(corpus_summary(searcher))
    if searcher.stale:
        st.warning(searcher.stale)
    filters = sidebar_filters(searcher)
    ask, comp, library = st.tabs(["提问", "跨城市比较", "文档库"])
    with ask:
        ask_tab(searcher, filters, where)
    with comp:
        compare_tab(searcher)
    with library:
        library_tab(searcher, where)


main()
