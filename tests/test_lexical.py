from pathlib import Path

import jieba
import numpy as np
import pytest

from index.bm25 import TokenRows
from index.errors import IndexCorrupt
from index.lexical import (
    HAND_TERMS,
    STOP_WORDS,
    LexicalIndex,
    Tokenizer,
    mine_terms,
    read_tokens,
    rows_that_may_hold,
    tokenize_reusing,
)
from ingest.normalize import normalize

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    return [line for text in texts for line in text.splitlines() if normalize(line)]


@pytest.fixture(scope="module")
def tokenizer(lines) -> Tokenizer:
    return Tokenizer(mine_terms(lines))


@pytest.fixture(scope="module")
def index(lines, tokenizer) -> LexicalIndex:
    return LexicalIndex.build(lines, tokenizer)


@pytest.mark.parametrize(
    ("query", "must_hold"),
    [
        ("农业科技特派员 进村入户", ["科技特派员", "进村入户"]),
        ("院士工作站 产业技术研究院 集聚人才", ["院士工作站", "产业技术研究院"]),
        ("218个科技平台 科技人才", ["218个科技平台"]),
        ("县域科技创新跃升行动计划", ["县域科技创新跃升行动计划"]),
    ],
)
def test_query_of_corpus_terms_finds_the_line_holding_them(index, lines, query, must_hold):
    # Top 3, not top 1: BM25 rightly ranks a short heading such as "1.产业技术研究院" high too.
    top = [normalize(lines[row]) for row, _ in index.search(query, 3)]
    assert any(all(term in line for term in must_hold) for line in top), [line[:40] for line in top]


def test_hand_terms_come_out_whole(tokenizer):
    tokens = tokenizer("支持科技型中小企业建设众创空间和星创天地，提高技术合同成交额")
    for term in ["科技型中小企业", "众创空间", "星创天地", "技术合同成交额"]:
        assert term in tokens
    # ...and their parts too, so a query for the part still matches.
    assert {"中小企业", "空间", "成交额"} <= set(tokens)


def test_mined_terms_come_out_whole(tokenizer):
    assert "星期日工程师" in tokenizer.terms
    assert "星期日工程师" in tokenizer("推行星期日工程师制度")
    assert "星期日工程师" not in Tokenizer()("推行星期日工程师制度")


def test_tokens_drop_punctuation_and_function_words_and_fold_latin(tokenizer):
    tokens = tokenizer("我市的ＡＩ和 R&D 投入，与“十四五”规划。")
    assert "的" not in tokens and "和" not in tokens and "我市" not in tokens
    assert not any(t in {"，", "。", "“", "”", ",", "&"} for t in tokens)
    assert "ai" in tokens


def test_private_dictionaries_coexist():
    with_term, without = Tokenizer(["量子测控平台"]), Tokenizer()
    assert "量子测控平台" in with_term("建设量子测控平台")
    assert "量子测控平台" not in without("建设量子测控平台")
    assert "量子测控平台" not in jieba.lcut("建设量子测控平台")  # the global jieba is untouched
    assert with_term.dictionary_sha1 != without.dictionary_sha1


def test_mine_terms_names_and_quotes():
    texts = [
        "建设国家级众创空间。推动国家级众创空间提质增效。",
        "实施“六大新动能”工程,落实《沧州市加强创新能力开放合作实施方案》。",
        "以企业为中心。以企业为中心。",
    ]
    terms = mine_terms(texts)
    assert "国家级众创空间" in terms
    assert "建设国家级众创空间" not in terms  # a verb does not start a name
    assert {"六大新动能", "沧州市加强创新能力开放合作实施方案"} <= set(terms)
    assert not any(t.endswith("为中心") for t in terms)


@pytest.mark.parametrize("query", ["香蕉菠萝", "的 和 与", "", "。，！"])
def test_unknown_words_give_no_hits_not_zero_scores(index, query):
    assert index.search(query, 10) == []


def test_scores_positive_best_first_and_k_clamped(index):
    hits = index.search("科技创新", 100_000)
    assert 0 < len(hits) <= index.ntotal
    scores = [s for _, s in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert index.search("科技创新", 0) == []


def test_save_load_round_trip(index, tmp_path):
    index.save(tmp_path / "lexical")
    assert not list((tmp_path / "lexical").glob("*.pkl"))
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded.tokenizer.terms == index.tokenizer.terms
    assert loaded.tokenizer.settings() == index.tokenizer.settings()
    for query in ["院士工作站", "技术合同成交额 增长", "科技型中小企业 评价", "星期日工程师"]:
        assert loaded.search(query, 10) == index.search(query, 10)


def test_edited_dictionary_is_detected(index, tmp_path):
    index.save(tmp_path)
    with open(tmp_path / "userdict.txt", "a", encoding="utf-8") as f:
        f.write("多出来的词\n")
    with pytest.raises(IndexCorrupt, match=r"userdict\.txt does not match its sha1"):
        LexicalIndex.load(tmp_path)


def test_empty_corpus_is_refused(tokenizer):
    with pytest.raises(ValueError, match="none of the 2 texts has a word"):
        LexicalIndex.build(["。", "的"], tokenizer)


def test_rows_restrict_the_candidates_before_the_top_k(index, lines):
    everywhere = index.search("科技特派员", k=len(lines))
    assert len(everywhere) > 3
    # The rows of the lowest-scoring hits only: they still come back, best first, nothing else does.
    allowed = np.asarray(sorted(row for row, _ in everywhere[-3:]), dtype=np.int64)
    within = index.search("科技特派员", k=2, rows=allowed)
    assert [row for row, _ in within] == [row for row, _ in everywhere[-3:]][:2]


def test_tokens_cut_with_an_older_dictionary_are_reused_only_where_still_right(lines, tokenizer):
    # The older dictionary lacks a tenth of the mined terms and holds a term the corpus never uses.
    terms = [t for t in tokenizer.terms if t not in HAND_TERMS]
    older = Tokenizer([*terms[len(terms) // 10:], "前所未有的创新型试验区"])
    old_tokens = [older(line) for line in lines]
    old = TokenRows.of([["外星词汇"], *old_tokens])         # a row that is gone: its word leaves the vocabulary
    reused = tokenize_reusing(tokenizer, lines, range(1, len(lines) + 1), old, older.terms)
    assert reused.rows() == [tokenizer(line) for line in lines]
    assert "外星词汇" not in reused.vocabulary
    assert sorted(reused.vocabulary.values()) == list(range(len(reused.vocabulary)))
    assert sum(a != b for a, b in zip(old_tokens, reused.rows(), strict=True)) > 0   # some lines had to be cut again
    cut = []
    counting = Tokenizer.__call__
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Tokenizer, "__call__", lambda self, text: cut.append(text) or counting(self, text))
        tokenize_reusing(tokenizer, lines, range(1, len(lines) + 1), old, older.terms)
    assert 0 < len(cut) < len(lines) / 2                                           # most were not
    fresh = tokenize_reusing(tokenizer, lines, [None] * len(lines), None, ())
    assert fresh.rows() == [tokenizer(line) for line in lines]


def test_the_rows_told_from_their_tokens_include_every_row_holding_a_term(lines, tokenizer):
    rows = TokenRows.of([tokenizer(line) for line in lines])
    for term in [*tokenizer.terms, "前所未有的创新型试验区", "R&D经费", "第十条"]:
        holding = np.array([term in normalize(line) for line in lines])
        may_hold = rows_that_may_hold([term], rows)
        if may_hold is None:                            # only stop words' characters: none tells
            assert all(any(c in w for w in STOP_WORDS) for c in term), term
            continue
        assert not (holding & ~may_hold).any(), term
    assert rows_that_may_hold(["第十条"], rows) is None
    assert rows_that_may_hold(["院士工作站", "科技特派员"], rows).mean() < 0.5     # it does narrow them down


def test_saved_tokens_and_dictionary_read_back(index, tmp_path):
    index.save(tmp_path)
    terms, tokens = read_tokens(tmp_path)
    assert terms == index.tokenizer.terms and tokens.rows() == index.tokens


def test_match_share_is_high_for_a_lines_own_words_and_low_for_words_no_line_holds_together(index, lines):
    from index.search import LEXICAL_FULL_SHARE

    for line in [line for line in lines if "院士工作站" in line]:
        assert index.match_share(line, index.search(line, 1)[0][1]) > 0.5    # each word's best is in another line
    scattered = "院士工作站 星创天地 揭榜挂帅 首台套"          # policy terms the seed plans use apart
    assert not any(all(t in normalize(x) for t in scattered.split()) for x in lines)
    assert index.match_share(scattered, index.search(scattered, 1)[0][1]) < LEXICAL_FULL_SHARE
    assert index.match_share("完全陌生的外星词汇", 0.0) == 0.0


def test_the_score_matrix_is_the_one_bm25s_builds(index, lines, tokenizer):
    import bm25s

    reference = bm25s.BM25()
    reference.index(index.tokens, show_progress=False)
    ours = index._bm25
    assert set(ours.vocab_dict) == set(reference.vocab_dict) and ours.scores["num_docs"] == len(lines)
    for query in ("科技成果转化 收益", "孵化器 众创空间 建设", "院士工作站", "企业 研发 投入 补助"):
        tokens = tokenizer(query)
        np.testing.assert_array_equal(ours.get_scores(ours.get_tokens_ids(tokens)),
                                      reference.get_scores(reference.get_tokens_ids(tokens)))


def test_token_rows_round_trip_and_refuse_a_mismatch(tmp_path):
    from index.bm25 import IDS_FILE, TokenRows

    rows = [["科技", "成果", "科技"], [], ["转化"]]
    TokenRows.of(rows).save(tmp_path)
    assert TokenRows.load(tmp_path).rows() == rows
    np.save(tmp_path / IDS_FILE, np.array([0, 1, 0, 5], dtype=np.int32))
    with pytest.raises(ValueError, match="does not match its vocabulary"):
        TokenRows.load(tmp_path)
