"""Benchmarks on the bundled corpus: cold build, one-document rebuild, encoding batch sizes, query latency."""

from __future__ import annotations

import copy
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.common import latencies_ms, p50_p95, row, section, timed, verdict
from index import lexical
from index.build import build_index, ingest_corpus, lexical_text, result_units
from index.embed import Embedder
from index.fuse import convex_combination, scaled
from index.qa import answerer_for
from index.search import MODES, Searcher

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "bench" / "gold" / "seeds" / "questions.jsonl"
APPENDED = "\n附则补充：本条为基准测试追加的一句话，用于测量只改一个文件时的增量重建。\n"


class TimedEmbedder(Embedder):
    """The real Embedder, counting the seconds spent encoding."""

    encode_seconds = 0.0

    def encode(self, texts, show_progress=False):
        started = time.perf_counter()
        try:
            return super().encode(texts, show_progress)
        finally:
            self.encode_seconds += time.perf_counter() - started


def questions() -> list[str]:
    if QUESTIONS.is_file():
        with QUESTIONS.open(encoding="utf-8") as f:
            return [json.loads(line)["question"] for line in f if line.strip()]
    # Fallback so the benchmark runs anywhere: questions in the corpus's own words.
    return ["沧州对科研人员个人所得税有哪些优惠", "科技型中小企业研发费用加计扣除", "高新技术企业认定奖励多少钱",
            "人才引进住房补贴", "孵化器 众创空间 补助"] * 10


def copy_corpus(target: Path) -> Path:
    shutil.copytree(CORPUS, target)
    for path in target.iterdir():
        path.chmod(path.stat().st_mode | stat.S_IWUSR)   # the bundled files are read-only
    return target


def bench_build(work: Path) -> tuple[Path, TimedEmbedder, dict[str, float]]:
    """Cold build (empty cache, model load included), then rebuilds; returns the index, embedder, cold parts."""
    section("1. Build of the bundled corpus (index and its -cache folder in a temp dir)")
    corpus, index_dir = copy_corpus(work / "corpus"), work / "index"
    started = time.perf_counter()
    embedder = TimedEmbedder()
    model_s, _ = timed(lambda: embedder.model)          # imports torch + sentence-transformers, reads weights
    report = build_index(corpus, index_dir, embedder=embedder)
    total = time.perf_counter() - started
    encode_s = embedder.encode_seconds
    row("cold build, total (model load included)", f"{total:6.1f} s", f"target <= 20 s: {verdict(total, 20)}",
        summary=True)
    row("  of which model load", f"{model_s:6.1f} s", summary=True)
    row("  of which encoding (empty cache)", f"{encode_s:6.1f} s", summary=True)
    row("  of which the rest (ingest, terms, BM25, write)", f"{total - model_s - encode_s:6.1f} s")
    row("documents / clauses / sentence units",
        f"{report.documents} / {report.clauses} / {report.units}", summary=True)
    row("units/s encoded (cold build)", f"{report.newly_embedded / encode_s:6.1f}", summary=True)

    embedder.encode_seconds = 0.0
    seconds, same = timed(build_index, corpus, index_dir, embedder=embedder)
    row("rebuild, nothing changed (model loaded)", f"{seconds:6.2f} s  new units {same.newly_embedded}")
    target = sorted(corpus.glob("*.txt"))[-1]
    with target.open("a", encoding="utf-8") as f:
        f.write(APPENDED)
    embedder.encode_seconds = 0.0
    seconds, changed = timed(build_index, corpus, index_dir, embedder=embedder)
    row("rebuild after one document changed", f"{seconds:6.2f} s  new units {changed.newly_embedded}",
        f"target <= 3 s: {verdict(seconds, 3)}", summary=True)
    row("  of which encoding the new units", f"{embedder.encode_seconds:6.2f} s")
    _build_stages(corpus)
    cold = {"model": model_s, "units": report.newly_embedded, "rest": total - model_s - encode_s}
    return index_dir, embedder, cold


def _build_stages(corpus: Path) -> None:
    """Where a rebuild's time goes besides encoding: each stage run on its own."""
    ingest_s, read = timed(ingest_corpus, corpus)
    results = read.results
    documents = [r.document for r in results]
    clauses = [c for r in results for c in r.clauses]
    by_doc = {d.doc_id: d for d in documents}
    mine_s, terms = timed(lexical.mine_terms, [d.text for d in documents])
    tokenizer_s, tokenizer = timed(lexical.Tokenizer, terms, hmm=False)
    bm25_s, _ = timed(lexical.LexicalIndex.build, [lexical_text(by_doc[c.doc_id], c) for c in clauses], tokenizer)
    row("  stages: ingest / mine_terms / Tokenizer() / BM25",
        f"{ingest_s:.2f} / {mine_s:.2f} / {tokenizer_s:.2f} / {bm25_s:.2f} s")


def corpus_units(corpus: Path) -> list[str]:
    return [u for r in ingest_corpus(corpus).results for u in result_units(r)]


# Encoding settings compared in child processes: OMP_WAIT_POLICY is read once, when OpenMP starts.
# (label, OMP_WAIT_POLICY or None for the default, torch threads, also measure int8)
ENCODE_CONFIGS = [
    ("default: 2 threads, OpenMP spin-wait", None, 2, True),
    ("torch.set_num_threads(1)", None, 1, False),
    ("OMP_WAIT_POLICY=PASSIVE, 2 threads", "PASSIVE", 2, False),
    ("OMP_WAIT_POLICY=PASSIVE, 1 thread", "PASSIVE", 1, True),
]


def bench_encoding(quick: bool, cold: dict[str, float]) -> None:
    """Bulk speed per batch size and single-query latency, for each thread setting (fresh process each)."""
    config = {"units": 96 if quick else 0, "batches": [8, 16] if quick else [8, 16, 32],
              "queries": 20 if quick else 0}
    what = f"{config['units']} sampled" if quick else "all"
    section(f"1b. Encoding speed: {what} real sentence units, batch sizes, torch thread settings")
    print("  (each line a fresh process; the estimate is model load + all units at batch 16 + the rest of a"
          " cold build)", flush=True)
    for label, policy, threads, int8 in ENCODE_CONFIGS:
        if quick and policy is None and threads == 1:
            continue                                             # keep --quick short
        env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
        if policy:
            env["OMP_WAIT_POLICY"] = policy
        child = json.dumps({**config, "threads": threads, "int8": int8})
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--encode-probe", child],
                             capture_output=True, text=True, env=env)
        if out.returncode:
            row(label, "FAILED: " + (out.stderr.strip().splitlines() or ["?"])[-1])
            continue
        got = json.loads(out.stdout.strip().splitlines()[-1])
        speeds = "  ".join(f"b{b} {got['units_per_s'][str(b)]:4.1f}" for b in config["batches"])
        estimate = cold["model"] + cold["units"] / got["units_per_s"]["16"] + cold["rest"]
        print(f"  {label}  ({got['load']})", flush=True)
        row("    units/s by batch size", speeds, summary=True)
        row("    query encoding", got["query"], summary=True)
        if not quick:                   # a sample of mixed lengths pads more: its speed is no estimate
            row("    cold build estimate with this setting", f"{estimate:6.1f} s", f"target <= 20 s: "
                f"{verdict(estimate, 20)}", summary=True)
        if int8:
            row("    int8 dynamic quantisation, batch 16", f"{got['int8_units_per_s']:4.1f} units/s", summary=True)
            row("    int8 query encoding", got["int8_query"], summary=True)
            row("    int8 vs float32: cosine min / mean", got["int8_cosine"], summary=True)
            row("    int8 vs float32: dense top-10 overlap", got["int8_overlap"], summary=True)


def encode_probe(config: dict) -> None:
    """The child of bench_encoding: prints one JSON line of figures for this process's settings."""
    import torch

    from bench.common import load

    torch.set_num_threads(config["threads"])
    units = corpus_units(CORPUS)
    if config["units"]:
        units = [units[i] for i in np.random.default_rng(0).choice(len(units), config["units"], replace=False)]
    queries = questions()[: config["queries"] or None]
    embedder = Embedder()
    embedder.encode(units[:16])                                  # warm-up
    got: dict = {"units_per_s": {}}
    reference = None
    for batch in config["batches"]:
        embedder.batch_size = batch
        seconds, vectors = timed(embedder.encode, units)
        got["units_per_s"][batch] = len(units) / seconds
        reference = vectors if batch == 16 else reference
    embedder.batch_size = 16
    got["query"] = p50_p95(latencies_ms(lambda q: embedder.encode([q]), queries))
    if config["int8"]:
        import warnings

        warnings.filterwarnings("ignore")                        # quantize_per_tensor deprecation notice
        int8 = Embedder(embedder.name, batch_size=16, backend="torch")
        int8._model = torch.ao.quantization.quantize_dynamic(copy.deepcopy(embedder.model), {torch.nn.Linear},
                                                             dtype=torch.qint8)
        int8.encode(units[:16])
        seconds, vectors = timed(int8.encode, units)
        got["int8_units_per_s"] = len(units) / seconds
        got["int8_query"] = p50_p95(latencies_ms(lambda q: int8.encode([q]), queries))
        cosine = np.sum(vectors * reference, axis=1)
        got["int8_cosine"] = f"{cosine.min():.4f} / {cosine.mean():.4f}"
        # Does it change what dense search returns? top-10 units per question, int8 vs float32.
        top32 = np.argsort(-embedder.encode(questions()) @ reference.T, axis=1)[:, :10]
        top8 = np.argsort(-int8.encode(questions()) @ vectors.T, axis=1)[:, :10]
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top32, top8, strict=True)])
        got["int8_overlap"] = f"{overlap:.3f} over {len(top32)} questions, {len(units)} units"
    got["load"] = load()
    print(json.dumps(got))


def bench_queries(index_dir: Path, embedder: Embedder, queries: list[str]) -> dict[str, float]:
    """Warm latency per mode, and the hybrid time split into its parts; returns p50s (ms) for the 1M estimate."""
    section(f"2. Warm query latency, model loaded, {len(queries)} real questions, k=10")
    searcher = Searcher.load(index_dir, embedder=embedder)
    for q in queries[:5]:
        for mode in MODES:
            searcher.search(q, k=10, mode=mode)
    p50 = {}
    for mode in MODES:
        ms = latencies_ms(lambda q, m=mode: searcher.search(q, k=10, mode=m), queries)
        target = f"target p50 <= 30 ms: {verdict(np.percentile(ms, 50), 30)}" if mode == "hybrid" else ""
        row(f"search {mode}", p50_p95(ms), target, summary=True)
        p50[mode] = float(np.percentile(ms, 50))
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    ms = latencies_ms(lambda q: searcher.search(q, k=10, mode="hybrid"), queries)
    torch.set_num_threads(threads)
    row("search hybrid with torch.set_num_threads(1)", p50_p95(ms), f"target p50 <= 30 ms: "
        f"{verdict(np.percentile(ms, 50), 30)}", summary=True)

    dense = searcher.dense
    shortlist = min(dense.ntotal, 1000)
    vectors = {q: embedder.encode([q]) for q in queries}
    dense_lists = {q: searcher._dense_scored(vectors[q][0], None) for q in queries}
    lexical_lists = {q: searcher._lexical_scored(q, None) for q in queries}
    answerer = answerer_for(searcher)
    parts = {
        "query encoding (Embedder.encode)": lambda q: embedder.encode([q]),
        f"FAISS {dense.kind} search, k={shortlist}": lambda q: dense.search(vectors[q], shortlist),
        "dense ranking total (encode+FAISS+dedupe)": lambda q: searcher._dense_scored(embedder.encode([q])[0], None),
        "BM25 tokenizer (jieba)": lambda q: searcher.lexical.tokenizer(q),
        f"BM25 ranking total (k = {shortlist})": lambda q: searcher._lexical_scored(q, None),
        "fusion (scale both lists, combine)": lambda q: convex_combination(
            [scaled(dense_lists[q]), scaled(lexical_lists[q], 0.0)]),
        "query understanding (cities, year)": lambda q: answerer.understand(q),
    }
    print(f"  hybrid, part by part ({dense.ntotal} units, {len(searcher.clauses)} clauses):", flush=True)
    for label, fn in parts.items():
        ms = latencies_ms(fn, queries)
        row(f"  {label}", p50_p95(ms))
        p50[label] = float(np.percentile(ms, 50))
    return p50


def bench_memory(index_dir: Path, n_queries: int) -> None:
    """Peak RSS of a fresh process that loads the model and the index and answers every question."""
    section("3. Peak memory of a process serving queries (fresh process)")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--serve-memory", str(index_dir)],
                         capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    row("peak RSS after model load", f"{figures['after_model']:6.0f} MB")
    row("peak RSS after index load", f"{figures['after_index']:6.0f} MB")
    row(f"peak RSS after {n_queries} questions x 3 modes", f"{figures['after_queries']:6.0f} MB", summary=True)


def serve_memory(index_dir: Path) -> None:
    """The child of bench_memory: prints its peak RSS (MB) at each step as one JSON line."""
    from bench.common import peak_rss_mb

    embedder = Embedder()
    _ = embedder.model
    figures = {"after_model": peak_rss_mb()}
    searcher = Searcher.load(index_dir, embedder=embedder)
    figures["after_index"] = peak_rss_mb()
    for q in questions():
        for mode in MODES:
            searcher.search(q, k=10, mode=mode)
    figures["after_queries"] = peak_rss_mb()
    print(json.dumps(figures))

