"""Hybrid search on the real index of the seed corpus with the real model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import build as build_module
from index.build import build_index
from index.cli import main
from index.errors import IndexCorrupt, IndexMismatch, IndexMissing
from index.evaluate import first_relevant_rank, load_jsonl, score_search
from index.qa import answerer_for
from index.search import Searcher, SearchFilters

GOLD = Path(__file__).resolve().parents[1] / "bench" / "gold" / "seeds"
SAMPLES = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def questions():
    if not (GOLD / "questions.jsonl").exists():
        pytest.fail(f"gold set not found at {GOLD}")
    return load_jsonl(GOLD / "questions.jsonl")


def test_gold_questions_found_in_top_results(searcher, questions):
    hybrid = score_search(searcher, questions, "hybrid")
    assert hybrid["overall"]["recall@5"] >= 0.9
    assert hybrid["paraphrase"]["recall@5"] >= 0.8
    assert hybrid["overall"]["mrr@10"] >= 0.75
    assert hybrid["cross_city"]["coverage@10"] >= 0.85


def test_hybrid_beats_each_mode_alone(searcher, questions):
    scores = {mode: score_search(searcher, questions, mode)["overall"]["mrr@10"]
              for mode in ("hybrid", "dense", "lexical")}
    assert scores["hybrid"] > scores["dense"] and scores["hybrid"] > scores["lexical"]


@pytest.mark.parametrize(("question", "gold"), [
    ("怎样吸引外国专家来工作", "引进外国专家"),
    ("科研人员出国开会会不会占用出访指标", "不计入单位与个人年度因公临时出国批次限量管理范围"),
    ("廊坊对技术转移机构有什么奖励", "对新认定的市级以上技术转移、技术交易机构等给予10万元的一次性奖励"),
])
def test_questions_in_plain_chinese(searcher, question, gold):
    texts = [h.clause.text for h in answerer_for(searcher).search(question, k=5).hits]
    assert first_relevant_rank(texts, [{"text": gold}]) is not None


def test_city_named_in_question_ranks_first(searcher):
    result = answerer_for(searcher).search("张家口的孵化器建设目标", k=10)
    assert result.understood.cities == ("张家口",)
    assert {h.document.city for h in result.hits[:5]} == {"张家口"}


def test_a_place_named_in_passing_is_no_constraint_and_no_note(searcher):
    result = answerer_for(searcher).search("廊坊从北京引进科技成果有什么支持", k=10)
    assert result.understood.cities == ("廊坊",) and not result.notes
    assert result.hits[0].document.city == "廊坊"


def test_city_not_in_corpus_is_reported(searcher):
    result = answerer_for(searcher).search("保定市对孵化器有什么支持", k=5)
    assert "语料中没有保定市的政策文件" in result.notes
    assert result.hits        # the nearest clauses are still shown


def test_filters(searcher):
    only = searcher.search("孵化器", k=20, filters=SearchFilters(cities=("连云港",)))
    assert only.hits and {h.document.city for h in only.hits} == {"连云港"}
    jiangsu = searcher.search("孵化器", k=20, filters=SearchFilters(provinces=("河北",)))
    assert "连云港" not in {h.document.city for h in jiangsu.hits}
    recent = searcher.search("科技创新", k=50, filters=SearchFilters(year_from=2019))
    assert {h.document.title for h in recent.hits} == {"沧州市科技创新“十四五”规划"}


def test_hits_carry_citations_and_matched_terms(searcher):
    hit = searcher.search("院士工作站", k=1).hits[0]
    assert "院士工作站" in hit.matched_terms
    record = hit.to_json()
    assert set(record) == {"clause_id", "city", "province", "doc_title", "doc_number", "date", "section", "text",
                           "citation", "score", "status", "superseded_by"}
    assert record["citation"].startswith(hit.document.issuer or "")


def test_bad_mode_and_k(searcher):
    with pytest.raises(ValueError, match="mode"):
        searcher.search("x", mode="fuzzy")
    with pytest.raises(ValueError, match="k must be"):
        searcher.search("x", k=0)


# -- the index folder ---------------------------------------------------------------------------

def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing, match="policyqa build"):
        Searcher.load(tmp_path / "nothing")


def test_stale_corpus_is_reported(index_copy, embedder):
    corpus, index = index_copy
    shutil.copy(SAMPLES / "08_beijing_kjcg_zhuanhua_tiaoli.txt", corpus)
    searcher = Searcher.load(index, corpus_dir=corpus, embedder=embedder)
    assert searcher.stale and "policyqa build" in searcher.stale


def test_other_model_or_format_is_refused(index_copy, embedder):
    _, index = index_copy
    with pytest.raises(IndexMismatch, match="built with model m3e-small"):
        Searcher.load(index, model="BAAI/bge-small-zh-v1.5", embedder=embedder)
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    (index / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="format version"):
        Searcher.load(index, embedder=embedder)


def test_fewer_rows_than_clauses_is_refused(index_copy, embedder):
    _, index = index_copy
    owners = np.load(index / "units.npy")
    np.save(index / "units.npy", owners[:-5], allow_pickle=False)
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["units.npy"] = (index / "units.npy").stat().st_size
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="rebuild"):
        Searcher.load(index, embedder=embedder)


def test_interrupted_build_leaves_the_old_index_readable(index_copy, embedder, monkeypatch):
    corpus, index = index_copy
    before = {p.name: p.read_bytes() for p in index.iterdir() if p.is_file()}
    shutil.copy(SAMPLES / "08_beijing_kjcg_zhuanhua_tiaoli.txt", corpus)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module.DenseIndex, "save", interrupted)     # halfway through writing the files
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, index, embedder=embedder)
    assert {p.name: p.read_bytes() for p in index.iterdir() if p.is_file()} == before
    assert not [p for p in index.parent.iterdir() if p.name.startswith(".")]
    assert Searcher.load(index, embedder=embedder).search("孵化器", k=1).hits


def test_adding_a_document_embeds_only_its_clauses(index_copy, embedder):
    corpus, index = index_copy
    shutil.copy(SAMPLES / "13_liuhe_zhongdian_chanye_shishi_yijian_2023.txt", corpus)
    report = build_index(corpus, index, embedder=embedder)
    searcher = Searcher.load(index, corpus_dir=corpus, embedder=embedder)
    new_rows = {row for row, c in enumerate(searcher.clauses) if c.doc_id.startswith("13_")}
    new_units = sum(1 for row in searcher.owners.tolist() if row in new_rows)
    assert 0 < report.newly_embedded <= new_units < report.units
    assert searcher.stale is None
    assert searcher.search("柳河县企业挂牌上市奖励", k=3).hits[0].document.county == "柳河县"


# -- CLI contracts ------------------------------------------------------------------------------

def test_search_batch_contract(built_index, tmp_path, capsys):
    corpus, index = built_index
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "question": "沧州如何吸引外国专家"}\n{"id": "b", "question": "院士工作站"}\n',
                     encoding="utf-8")
    assert main(["search", "--batch", str(batch), "--json", "-k", "3", "--index", str(index),
                 "--corpus", str(corpus)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert all(len(line["results"]) == 3 for line in lines)
    assert set(lines[0]["results"][0]) >= {"clause_id", "city", "doc_title", "section", "text", "citation", "score"}


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["search", "孵化器", "--index", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "policyqa build" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    assert main(["search", "--batch", str(bad), "--index", str(tmp_path / "none")]) == 1


def test_cli_eval_prints_every_figure_for_each_half(built_index, capsys):
    corpus, index = built_index
    assert main(["eval", "--gold", str(GOLD), "--mode", "hybrid", "--index", str(index),
                 "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    for figure in ("recall@5", "MRR@10", "coverage@10", "numeric exact match", "answer containment",
                   "citing a gold clause", "negatives refused", "false refusals", "similar-measure recall@5"):
        assert figure in out
    header = next(line for line in out.splitlines() if line.startswith("figure (hybrid)"))
    assert header.split()[-3:] == ["all", "tune", "check"]


def test_cli_eval_refuses_a_folder_without_questions(tmp_path, capsys):
    assert main(["eval", "--gold", str(tmp_path)]) == 1
    assert "--gold" in capsys.readouterr().err


def test_a_penalty_is_embedded_with_the_words_its_reference_points_to():
    # 第四十一条 违反本条例第二十五条规定，在河道管理范围内从事禁止行为的，…: what it punishes is in 第二十五条.
    from index.build import embedding_units
    from ingest.pipeline import ingest_file
    from ingest.references import article_map
    from ingest.sentences import sentences

    rivers = ingest_file(Path(__file__).parent / "data" / "lawref" / "浙江" / "浙江省河道管理条例(2020-11-27).md")
    articles = article_map(rivers.clauses)
    penalty = next(c for c in rivers.clauses if c.label == "第四十一条")
    units = embedding_units(rivers.document, penalty, articles)
    assert len(units) == len(sentences(penalty.text))               # one vector per sentence still
    assert "建设住宅、商业用房" in units[0] and "第二十五条" not in units[0]
    assert embedding_units(rivers.document, penalty)[0].endswith(sentences(penalty.text)[0])  # no map: as written
