"""Benchmarks at 100k / 1M synthetic clauses: FAISS exact vs HNSW, BM25, and the hybrid estimate.

Dense: random unit vectors (dim 512). They have no clusters, which makes them the hardest case for HNSW:
real embeddings are clustered and reach a given recall with a smaller efSearch.
Queries: noisy copies of stored vectors (cosine ~0.8 to their source, so there is a true nearest
neighbour) and pure random vectors. Recall@10 is measured against exact search (IndexFlatIP).

Lexical: texts of real corpus words, sampled by their corpus frequency, with clause lengths drawn from
the real clauses. The vocabulary is only the corpus's (a few thousand words), so every posting list is
long: a pessimistic case for BM25 query time.
"""

from __future__ import annotations

import gc
from pathlib import Path

import bm25s
import numpy as np

from bench.common import latencies_ms, p50_p95, row, rss_mb, section, timed, verdict
from index import lexical
from index.build import ingest_corpus, lexical_text
from index.dense import EF_SEARCH, EXACT_BELOW, DenseIndex
from index.fuse import convex_combination, scaled

DIM = 512
N_QUERIES = 200
SHORTLIST = 1000          # what Searcher._dense_scored asks FAISS for
EF_SWEEP = (64, 128, 256, 512, 1024, 2048)
BM25_BUDGET_S = 300       # index BM25 at a size only if the extrapolated indexing fits in this


def random_unit(n: int, seed: int, chunk: int = 100_000) -> np.ndarray:
    """(n, DIM) float32 unit vectors, generated in chunks so that no float64 copy of the whole exists."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, chunk):
        part = rng.standard_normal((min(chunk, n - start), DIM), dtype=np.float32)
        part /= np.linalg.norm(part, axis=1, keepdims=True)
        out[start:start + len(part)] = part
    return out


def noisy_copies(vectors: np.ndarray, n: int, seed: int, noise: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
    """n queries near stored vectors (cosine ~0.8), and the row each was made from."""
    rng = np.random.default_rng(seed)
    sources = rng.choice(len(vectors), n, replace=False)
    picked = vectors[sources]
    jitter = rng.standard_normal(picked.shape, dtype=np.float32)
    jitter *= noise / np.linalg.norm(jitter, axis=1, keepdims=True)
    out = picked + jitter
    return out / np.linalg.norm(out, axis=1, keepdims=True), sources


def recall_at_10(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    pairs = zip(found, truth, strict=True)
    return float(np.mean([len(set(f[:10].tolist()) & set(t[:10].tolist())) / 10 for f, t in pairs]))


def bench_dense(n: int) -> dict[str, float]:
    """Exact vs HNSW at n vectors; returns the HNSW p50 (ms) at the Searcher's shortlist, for the estimate."""
    section(f"4a. FAISS at {n:,} random unit vectors (dim {DIM}), single queries")
    seconds, vectors = timed(random_unit, n, seed=1)
    row("generate vectors", f"{seconds:6.1f} s  {vectors.nbytes / 2**30:.2f} GiB")
    noisy, sources = noisy_copies(vectors, N_QUERIES, seed=2)
    queries = {"noisy": noisy, "random": random_unit(N_QUERIES, seed=3)}

    before = rss_mb()
    seconds, flat = timed(DenseIndex.build, vectors, exact_below=n + 1)
    row("exact IndexFlatIP: build / memory", f"{seconds:6.1f} s  {rss_mb() - before:6.0f} MB")
    truth = {name: flat.search(q, 10).ids for name, q in queries.items()}
    ms = latencies_ms(lambda v: flat.search(v, 10), queries["random"][:50])
    row("exact search, k=10", p50_p95(ms), summary=True)
    ms = latencies_ms(lambda v: flat.search(v, SHORTLIST), queries["random"][:50])
    row(f"exact search, k={SHORTLIST} (Searcher's shortlist)", p50_p95(ms))
    exact_shortlist_p50 = float(np.percentile(ms, 50))
    flat = None  # free the memory before HNSW
    gc.collect()

    auto_kind = "hnsw" if n >= EXACT_BELOW else "flat"
    row("DenseIndex.build default picks", f"{auto_kind} (HNSW from {EXACT_BELOW:,} rows)")
    before = rss_mb()
    seconds, hnsw = timed(DenseIndex.build, vectors, exact_below=0)
    row("HNSW (M=32, efConstruction=80): build", f"{seconds:6.1f} s  ({n / seconds:,.0f} vectors/s)",
        summary=True)
    row("HNSW memory (RSS growth, vectors + graph)", f"{rss_mb() - before:6.0f} MB")
    ms = latencies_ms(lambda v: hnsw.search(v, 10), queries["random"])
    row(f"HNSW search k=10, efSearch {EF_SEARCH}", p50_p95(ms), summary=True)
    ms = latencies_ms(lambda v: hnsw.search(v, SHORTLIST), queries["random"][:50])
    row(f"HNSW search k={SHORTLIST} (efSearch -> {SHORTLIST})", p50_p95(ms), summary=True)
    hnsw_shortlist_p50 = float(np.percentile(ms, 50))
    print(f"  efSearch sweep (k=10; recall@10 vs exact over {N_QUERIES} queries each):", flush=True)
    enough, recall_default = None, {}
    for ef in EF_SWEEP:
        hnsw.ef_search = ef
        found = {name: hnsw.search(q, 10).ids for name, q in queries.items()}
        recall = {name: recall_at_10(found[name], truth[name]) for name in queries}
        source = np.mean([s in f for s, f in zip(sources.tolist(), found["noisy"], strict=True)])
        ms = latencies_ms(lambda v: hnsw.search(v, 10), queries["random"])
        default = "  <- default" if ef == EF_SEARCH else ""
        row(f"  efSearch {ef:>4}: recall noisy / random / source",
            f"{recall['noisy']:.3f} / {recall['random']:.3f} / {source:.3f}", f"{p50_p95(ms)}{default}",
            summary=ef == EF_SEARCH or n >= 1_000_000)
        recall_default = recall if ef == EF_SEARCH else recall_default
        if enough is None and min(recall.values()) >= 0.95:
            enough = ef
    row("smallest efSearch with recall >= 0.95 (both kinds)",
        str(enough) if enough else f"not reached up to {EF_SWEEP[-1]}", summary=True)
    hnsw = vectors = None
    gc.collect()
    return {"hnsw_shortlist": hnsw_shortlist_p50, "exact_shortlist": exact_shortlist_p50,
            "recall_noisy": recall_default["noisy"], "recall_random": recall_default["random"]}


class SyntheticTexts:
    """Clause texts of real corpus words: the word pool and clause lengths come from the bundled corpus."""

    def __init__(self, corpus: Path) -> None:
        results = ingest_corpus(corpus).results
        documents = [r.document for r in results]
        by_doc = {d.doc_id: d for d in documents}
        texts = [lexical_text(by_doc[c.doc_id], c) for r in results for c in r.clauses]
        self.tokenizer = lexical.Tokenizer(lexical.mine_terms([d.text for d in documents]), hmm=False)
        words = lexical.Tokenizer(self.tokenizer.terms, hmm=False, subwords=False)  # whole words only
        per_clause = [words(t) for t in texts]
        self.lengths = np.array([len(w) for w in per_clause if w])
        self.vocab, pool = np.unique([w for ws in per_clause for w in ws], return_inverse=True)
        self.pool = pool                                        # word ids, each as often as in the corpus
        self.tokens_of = [self.tokenizer(w) for w in self.vocab.tolist()]   # indexing tokens per word

    def sample(self, n: int, seed: int) -> list[np.ndarray]:
        """n clauses, each an array of word ids."""
        rng = np.random.default_rng(seed)
        lengths = rng.choice(self.lengths, n)
        flat = self.pool[rng.integers(0, len(self.pool), int(lengths.sum()))]
        return np.split(flat, np.cumsum(lengths)[:-1])

    def text(self, words: np.ndarray) -> str:
        return "".join(self.vocab[words].tolist())

    def tokens(self, words: np.ndarray) -> list[str]:
        """What the tokenizer gives for the text, assembled word by word (close to cutting the whole text)."""
        return [t for w in words.tolist() for t in self.tokens_of[w]]


def bench_bm25(sizes: list[int], corpus: Path, queries: list[str], quick: bool) -> dict[int, dict[str, float]]:
    """BM25 build and query time per size; returns p50s (ms) and list sizes for the hybrid estimate."""
    section("4b. BM25 on synthetic clauses of real corpus words")
    texts = SyntheticTexts(corpus)
    row("word pool", f"{len(texts.vocab):,} distinct words, clauses of median {int(np.median(texts.lengths))} words")
    sample = [texts.text(w) for w in texts.sample(5_000 if quick else 20_000, seed=4)]
    seconds, _ = timed(lambda: [texts.tokenizer(t) for t in sample])
    tokenize_per_text = seconds / len(sample)
    row(f"tokenizer (jieba + subwords), {len(sample):,} texts", f"{len(sample) / seconds:,.0f} texts/s")
    out, index_per_text = {}, None
    for n in sizes:
        print(f"  -- {n:,} clauses", flush=True)
        tokenize_s = tokenize_per_text * n
        if index_per_text is not None and index_per_text * n > BM25_BUDGET_S:
            row(f"BM25 build at {n:,} (extrapolated, SKIPPED)",
                f"~{tokenize_s + index_per_text * n:,.0f} s (indexing ~{index_per_text * n:,.0f} s"
                f" > {BM25_BUDGET_S} s budget)", summary=True)
            continue
        seconds, corpus_tokens = timed(lambda n=n: [texts.tokens(w) for w in texts.sample(n, seed=5)])
        row("generate tokenised clauses", f"{seconds:6.1f} s")
        before = rss_mb()
        bm25 = bm25s.BM25()
        index_s, _ = timed(bm25.index, corpus_tokens, show_progress=False)
        index_per_text = index_s / n
        del corpus_tokens
        gc.collect()
        index = lexical.LexicalIndex(bm25, texts.tokenizer)
        row("BM25 build = tokenize (extrapolated from rate) + index",
            f"{tokenize_s + index_s:6.1f} s = {tokenize_s:.1f} + {index_s:.1f}", summary=True)
        row("BM25 memory (RSS growth after build)", f"{rss_mb() - before:6.0f} MB")
        figures = {}
        for k, label in ((n, "k = all clauses, as Searcher asks"), (SHORTLIST, f"k={SHORTLIST}")):
            ms = latencies_ms(lambda q, k=k, index=index: index.search(q, k), queries)
            row(f"BM25 search, {label}", p50_p95(ms), summary=True)
            figures[k] = float(np.percentile(ms, 50))
        hits = [index.search(q, n) for q in queries]
        sizes_hit = [len(h) for h in hits]
        row("clauses matching a question (median)", f"{int(np.median(sizes_hit)):,} of {n:,}")
        # The dense shortlist with cosines falling from its best, as FAISS returns them.
        dense_list = scaled([(int(r), 0.9 - 0.0001 * i) for i, r in enumerate(
            np.random.default_rng(6).choice(n, SHORTLIST, replace=False))])

        def fuse(h, d=dense_list):
            return convex_combination([d, scaled(h, 0.0)])

        fuse_all = latencies_ms(fuse, hits)
        fuse_short = latencies_ms(lambda h: fuse(h[:SHORTLIST]), hits)
        row("fusion (scale, combine), all BM25 hits", p50_p95(fuse_all), summary=True)
        row(f"fusion (scale, combine), BM25 top {SHORTLIST}", p50_p95(fuse_short))
        out[n] = {"bm25_all": figures[n], "bm25_short": figures[SHORTLIST],
                  "fuse_all": float(np.percentile(fuse_all, 50)), "fuse_short": float(np.percentile(fuse_short, 50))}
        index = bm25 = hits = None
        gc.collect()
    return out


def hybrid_estimate(n: int, corpus_p50: dict[str, float], dense: dict[str, float], bm25: dict[str, float] | None,
                    recall_note: str, embedder, queries: list[str]) -> None:
    """End-to-end hybrid p50 at n clauses from its measured parts (query encoding measured again now)."""
    import torch

    section(f"4c. Hybrid query estimate at {n:,} clauses (sum of measured p50s)")
    encode = float(np.percentile(latencies_ms(lambda q: embedder.encode([q]), queries), 50))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    encode_1 = float(np.percentile(latencies_ms(lambda q: embedder.encode([q]), queries), 50))
    torch.set_num_threads(threads)
    other = corpus_p50["query understanding (cities, year)"]
    hnsw = dense["hnsw_shortlist"]
    row("query encoding, default threads (measured now)", f"{encode:7.2f} ms")
    row("query encoding, torch.set_num_threads(1)", f"{encode_1:7.2f} ms")
    row(f"HNSW search, k={SHORTLIST}", f"{hnsw:7.2f} ms")
    row("query understanding", f"{other:7.2f} ms")
    if bm25 is None:
        row("BM25 at this size", "not measured (skipped): no estimate")
        return
    today = encode + hnsw + other + bm25["bm25_all"] + bm25["fuse_all"]
    short = encode_1 + hnsw + other + bm25["bm25_short"] + bm25["fuse_short"]
    row("BM25 all hits + fusion of all", f"{bm25['bm25_all'] + bm25['fuse_all']:7.2f} ms")
    row(f"BM25 top {SHORTLIST} + fusion (shortlist, code today)", f"{bm25['bm25_short'] + bm25['fuse_short']:7.2f} ms")
    row(f"hybrid p50 at {n:,}, as coded today", f"{today:7.1f} ms",
        f"target <= 100 ms: {verdict(today, 100)} {recall_note}", summary=True)
    row(f"hybrid p50 at {n:,}, 1 thread + BM25 top {SHORTLIST}", f"{short:7.1f} ms",
        f"target <= 100 ms: {verdict(short, 100)}", summary=True)

