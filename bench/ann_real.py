"""ANN on the real sentence vectors of an index: exact search vs HNSW vs IVF, recall@10 and latency, at
10k, 50k and all vectors, a 1M projection from that curve, and filters applied before the top-k.

    .venv/bin/python bench/ann_real.py INDEX_DIR [--sizes 10000,50000,all] [--corpus DIR]

INDEX_DIR is a built index (`policyqa build`, or bench/lawref_e2e.py's OUT/index). Its vectors are read
back from dense.faiss (DenseIndex.vectors). A size below the index's is a random sample of its rows
(seed 0). Two kinds of query, recall@10 against exact search (IndexFlatIP) for both:
- questions: the development questions (bench/gold/*/questions.jsonl, read at run time) encoded with the
  index's model;
- stored: 200 stored vectors of the sample, each searched for its 10 nearest *other* vectors (itself
  dropped from every result list), so every query has real near neighbours.
Latency: single queries, one at a time, at k=10 and at the k the product asks (search 1000, similar 400,
quotes 4000). Memory: the serialised size of each index (what it holds in RAM). See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import script_env  # offline, passive OpenMP: before torch loads

ROOT = script_env.ROOT

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from bench.common import development_questions, load  # noqa: E402
from index import dense as dense_module  # noqa: E402
from index.dense import DenseIndex  # noqa: E402

STORED_QUERIES = 200
EF_SWEEP = (16, 32, 64, 128, 256, 512)
NPROBE_SWEEP = (4, 8, 16, 32, 64, 128)
PRODUCT_K = (1000, 400, 4000)         # Searcher shortlist, similar.py, quote.py
LATENCY_QUERIES = 60
RECALL_GOAL, LATENCY_GOAL_MS = 0.95, 10.0


def figure(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<52} {value:<34} {note:<16} ({load()})".rstrip(), flush=True)


def section(title: str) -> None:
    print(f"\n== {title}  ({load()}, {time.strftime('%H:%M:%S')})", flush=True)


def top_ids(search, queries: np.ndarray, k: int, drop: np.ndarray | None) -> list[np.ndarray]:
    """Top-k ids per query from search(queries, k') -> ids; with drop, each query's own row is removed."""
    ids = search(queries, k + (drop is not None))
    if drop is None:
        return [row[:k] for row in ids]
    return [row[row != own][:k] for row, own in zip(ids, drop, strict=True)]


def recall(found: list[np.ndarray], truth: list[np.ndarray], k: int = 10) -> float:
    return float(np.mean([len(set(f[:k].tolist()) & set(t[:k].tolist())) / k
                          for f, t in zip(found, truth, strict=True)]))


def latency(search_one, queries: np.ndarray) -> tuple[float, float]:
    """p50, p95 in ms of search_one(q) over the queries, one at a time."""
    ms = []
    for q in queries:
        t = time.perf_counter()
        search_one(q.reshape(1, -1))
        ms.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def index_mb(index: faiss.Index) -> float:
    return faiss.serialize_index(index).nbytes / 2**20


def bench_size(vectors: np.ndarray, n: int, queries: dict[str, np.ndarray], rng: np.random.Generator) -> dict:
    """Exact, HNSW and IVF on a sample of n rows; returns the curve's points for the projection."""
    rows = np.sort(rng.choice(len(vectors), n, replace=False)) if n < len(vectors) else np.arange(len(vectors))
    base = np.ascontiguousarray(vectors[rows])
    own = rng.choice(n, min(STORED_QUERIES, n), replace=False)
    kinds = {"questions": (queries["questions"], None), "stored": (base[own], own)}
    section(f"{n:,} real vectors (dim {base.shape[1]})")
    point: dict = {"n": n}

    t = time.perf_counter()
    flat = DenseIndex.build(base, exact_below=n + 1)
    build_s = time.perf_counter() - t
    raw = flat._index
    truth = {kind: top_ids(lambda q, k: raw.search(q, k)[1], qs, 10, drop) for kind, (qs, drop) in kinds.items()}
    big_truth = {k: top_ids(lambda q, kk: raw.search(q, kk)[1], queries["questions"], k, None) for k in PRODUCT_K}
    sample = queries["questions"][:LATENCY_QUERIES]
    point["exact"] = {}
    figure("exact IndexFlatIP: build / memory", f"{build_s:6.2f} s  {index_mb(raw):7.1f} MB")
    for k in (10, *PRODUCT_K):
        p50, p95 = latency(lambda q, k=k: flat.search(q, k), sample)
        point["exact"][k] = p50
        figure(f"  exact search k={k}", f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")

    t = time.perf_counter()
    hnsw = DenseIndex.build(base, exact_below=0)
    point["hnsw_build_s"] = time.perf_counter() - t
    point["hnsw_mb"] = index_mb(hnsw._index)
    figure(f"HNSW (M={dense_module.HNSW_M}, efConstruction={dense_module.EF_CONSTRUCTION}): build / memory",
           f"{point['hnsw_build_s']:6.1f} s  {point['hnsw_mb']:7.1f} MB")
    point["hnsw"] = {}
    for ef in EF_SWEEP:
        hnsw.ef_search = ef
        got = {kind: recall(top_ids(lambda q, k: _ids(hnsw.search(q, k)), qs, 10, drop), truth[kind])
               for kind, (qs, drop) in kinds.items()}
        p50, p95 = latency(lambda q: hnsw.search(q, 10), sample)
        point["hnsw"][ef] = (got["questions"], got["stored"], p50)
        figure(f"  HNSW efSearch {ef:>4}, k=10: recall@10 questions / stored",
               f"{got['questions']:.3f} / {got['stored']:.3f}", f"p50 {p50:5.2f} p95 {p95:5.2f} ms")
    hnsw.ef_search = dense_module.EF_SEARCH
    point["hnsw_product"] = {}
    for k in PRODUCT_K:                          # efSearch is lifted to k: what the product's calls get
        found = top_ids(lambda q, kk: _ids(hnsw.search(q, kk)), queries["questions"], k, None)
        p50, p95 = latency(lambda q, k=k: hnsw.search(q, k), sample)
        point["hnsw_product"][k] = p50
        figure(f"  HNSW k={k} (efSearch {k}): recall@10 / recall@{k}",
               f"{recall(found, big_truth[k]):.3f} / {recall(found, big_truth[k], k):.3f}",
               f"p50 {p50:5.2f} p95 {p95:5.2f} ms")
    if n == len(vectors):
        point["hnsw_index"] = hnsw            # re-used by the filter check

    nlist = max(16, int(4 * math.sqrt(n)))
    t = time.perf_counter()
    quantizer = faiss.IndexFlatIP(base.shape[1])
    ivf = faiss.IndexIVFFlat(quantizer, base.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(base)
    ivf.add(base)
    point["ivf_build_s"] = time.perf_counter() - t
    figure(f"IVF-Flat (nlist {nlist} = 4 sqrt(n)): train + add / memory",
           f"{point['ivf_build_s']:6.1f} s  {index_mb(ivf):7.1f} MB")
    point["ivf"], point["nlist"] = {}, nlist
    for nprobe in NPROBE_SWEEP:
        if nprobe > nlist:
            continue
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        got = {kind: recall(top_ids(lambda q, k, p=params: ivf.search(q, k, params=p)[1], qs, 10, drop),
                            truth[kind]) for kind, (qs, drop) in kinds.items()}
        p50, p95 = latency(lambda q, p=params: ivf.search(q, 10, params=p), sample)
        k1 = PRODUCT_K[0]
        p50_big, _ = latency(lambda q, p=params, k1=k1: ivf.search(q, k1, params=p), sample)
        point["ivf"][nprobe] = (got["questions"], got["stored"], p50, p50_big)
        figure(f"  IVF nprobe {nprobe:>3}, k=10: recall@10 questions / stored",
               f"{got['questions']:.3f} / {got['stored']:.3f}",
               f"p50 {p50:5.2f} p95 {p95:5.2f} ms; k={k1} p50 {p50_big:5.2f} ms")
    return point


def _ids(hits) -> list[np.ndarray]:
    return hits.ids


def smallest(setting: dict, goal: float) -> int | None:
    """The smallest efSearch / nprobe whose recall@10 reaches goal on both kinds of query."""
    return next((s for s, (rq, rs, *_) in sorted(setting.items()) if min(rq, rs) >= goal), None)


def project(points: list[dict], dim: int, target: int = 1_000_000) -> None:
    """The 1M figures from the measured curve: how each is extrapolated is printed beside it."""
    section(f"Projection to {target:,} vectors from the curve above (not measured)")
    ns = np.array([p["n"] for p in points], dtype=float)
    for k in (10, PRODUCT_K[0]):
        ms = np.array([p["exact"][k] for p in points])
        slope, intercept = np.polyfit(ns, ms, 1) if len(ns) > 1 else (ms[0] / ns[0], 0.0)
        crossing = (LATENCY_GOAL_MS - intercept) / slope if slope > 0 else float("inf")
        figure(f"exact k={k}: ms = a + b n (least squares), at 1M", f"{intercept + slope * target:7.1f} ms",
               f"> {LATENCY_GOAL_MS:g} ms from ~{crossing:,.0f} vectors")
    figure("exact: memory at 1M (n x dim x 4 bytes)", f"{target * dim * 4 / 2**20:7.0f} MB")
    biggest = points[-1]
    n_big = biggest["n"]
    growth = target * math.log(target) / (n_big * math.log(n_big))
    print("  Recall at 1M: linear in log10(n) through the measured sizes (a rough extrapolation: recall falls as "
          "the graph grows at a fixed efSearch).")
    figure("HNSW build at 1M: measured x n log n growth", f"{biggest['hnsw_build_s'] * growth:7.0f} s")
    figure("HNSW memory at 1M: bytes per vector at the largest size", f"{biggest['hnsw_mb'] / n_big * target:7.0f} MB")
    logs = np.log10(ns)
    for ef in EF_SWEEP:
        rq = np.array([p["hnsw"][ef][0] for p in points])
        rs = np.array([p["hnsw"][ef][1] for p in points])
        ms = np.array([p["hnsw"][ef][2] for p in points])
        at = [_linear(logs, y, math.log10(target)) for y in (rq, rs)] + [max(_linear(logs, ms, math.log10(target)),
                                                                            ms[-1])]
        figure(f"HNSW efSearch {ef:>4}: recall questions / stored, p50 at 1M",
               f"{min(at[0], 1):.3f} / {min(at[1], 1):.3f}", f"{at[2]:5.2f} ms  (linear in log n)")
    for k in PRODUCT_K:
        ms = np.array([p["hnsw_product"][k] for p in points])
        figure(f"HNSW k={k} (efSearch {k}) p50 at 1M (linear in log n)",
               f"{max(_linear(logs, ms, math.log10(target)), ms[-1]):6.2f} ms", "(never below the largest measured)")
    print("  IVF keeps nlist = 4 sqrt(n): at a fixed nprobe it scans about n x nprobe / nlist vectors, so its "
          "latency grows as sqrt(n) (projected so below) and its recall at a fixed nprobe / nlist stays about "
          "equal.")
    for nprobe in NPROBE_SWEEP:
        if all(nprobe in p["ivf"] for p in points):
            scale = math.sqrt(target / n_big)
            _, _, p50, p50_big = biggest["ivf"][nprobe]
            figure(f"IVF nprobe {nprobe:>3} x {math.sqrt(target / n_big):.1f} (same share of lists) at 1M",
                   f"k=10 ~{p50 * scale:5.2f} ms, k=1000 ~{p50_big * scale:5.2f} ms")


def _linear(x: np.ndarray, y: np.ndarray, at: float) -> float:
    if len(x) < 2:
        return float(y[0])
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept + slope * at)


def bench_filters(index_dir: Path, corpus: Path | None, vectors: np.ndarray, hnsw: DenseIndex | None) -> None:
    """A city filter on the real index: the filtered top-10 is from that city and equals exact search among
    that city's rows, on the dense side (flat as built and HNSW) and the lexical side."""
    from index.search import Searcher, SearchFilters

    searcher = Searcher.load(index_dir, corpus_dir=corpus)
    asked = development_questions()
    encoded = searcher.embedder.encode(asked)
    cities: dict[str, int] = {}
    for c in searcher.clauses:
        city = searcher.document(c.doc_id).city
        if city:
            cities[city] = cities.get(city, 0) + 1
    ranked = sorted(cities, key=lambda c: -cities[c])
    chosen = [ranked[0], ranked[len(ranked) // 2]] if len(ranked) > 1 else ranked
    section("Filters before the top-k: a city filter on the whole index")
    if hnsw is None or searcher.dense.kind == "hnsw":
        hnsw = searcher.dense if searcher.dense.kind == "hnsw" else DenseIndex.build(vectors, exact_below=0)
    flat = DenseIndex.build(vectors, exact_below=len(vectors) + 1) if searcher.dense.kind != "flat" else searcher.dense
    for city in chosen:
        filters = SearchFilters(cities=(city,))
        allowed = searcher._allowed_rows(filters)
        units = np.flatnonzero(np.isin(searcher.owners, allowed))
        from_city, dense_equal, hnsw_equal, lexical_equal, unfiltered_in = 0, 0, 0, 0, 0
        for question, vector in zip(asked, encoded, strict=True):
            hits = searcher.search(question, k=10, filters=filters).hits
            from_city += all(h.document.city == city or h.document.county == city for h in hits) and len(hits) == 10
            scores = vectors[units] @ vector
            exact = units[np.argsort(-scores, kind="stable")[:10]]
            got = flat.search_among(vector, units, 10)
            # Equal up to the order of ties: the scores of the exact top-10 (ids of equal scores may swap).
            best = np.sort(scores)[::-1][:10]
            dense_equal += len(got) == len(best) and bool(np.allclose([s for _, s in got], best, atol=1e-5))
            hnsw_equal += len({i for i, _ in hnsw.search_among(vector, units, 10)} & set(exact.tolist())) / 10
            everything = searcher.lexical.search(question, k=searcher.lexical.ntotal)
            wanted = set(allowed.tolist())
            expected = [r for r, _ in everything if r in wanted][:10]
            lexical_equal += [r for r, _ in searcher.lexical.search(question, k=10, rows=allowed)] == expected
            unfiltered_in += sum(1 for i, _ in searcher.dense.search_one(vector, 10)
                                 if int(searcher.owners[i]) in wanted)
        n = len(asked)
        figure(f"{city}: {cities[city]:,} of {len(searcher.clauses):,} clauses, {len(units):,} sentences",
               f"{n} questions")
        figure("  hybrid top-10 all from the city (10 hits)", f"{from_city} / {n}")
        figure(f"  dense ({flat.kind}) top-10 == exact among the city's rows", f"{dense_equal} / {n}")
        figure("  dense (hnsw) top-10 recall vs exact among them", f"{hnsw_equal / n:.3f}",
               f"{'scored exactly' if len(units) <= dense_module.SUBSET_EXACT else 'graph + selector'}")
        figure("  BM25 top-10 == full ranking cut to the city's rows", f"{lexical_equal} / {n}")
        figure("  (unfiltered dense top-10 from the city, mean)", f"{unfiltered_in / n:.1f} of 10")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path, help="an index folder")
    parser.add_argument("--sizes", default="10000,50000,all", help="comma-separated vector counts, or all")
    parser.add_argument("--corpus", type=Path, help="the index's corpus folder (only to warn when stale)")
    parser.add_argument("--no-filters", action="store_true", help="skip the city-filter check")
    args = parser.parse_args(argv)
    if not (args.index / "dense.faiss").is_file():
        print(f"ann_real: {args.index} holds no dense.faiss: give an index folder (policyqa build --index DIR)",
              file=sys.stderr)
        return 2
    from index.embed import Embedder
    from index.store import read_manifest

    print(f"ANN on real vectors  {time.strftime('%Y-%m-%d %H:%M:%S')}  faiss {faiss.__version__}  "
          f"{os.cpu_count()} cores, faiss threads {faiss.omp_get_max_threads()}  {load()}")
    vectors = DenseIndex.load(args.index / "dense.faiss").vectors()
    embedder = Embedder(read_manifest(args.index)["model"])
    queries = {"questions": embedder.encode(development_questions())}
    print(f"{len(vectors):,} vectors of dim {vectors.shape[1]} from {args.index}; "
          f"{len(queries['questions'])} questions; DenseIndex today: exact below {dense_module.EXACT_BELOW:,} rows, "
          f"efSearch {dense_module.EF_SEARCH}", flush=True)
    sizes = sorted({len(vectors) if s.strip() == "all" else min(int(s), len(vectors))
                    for s in args.sizes.split(",") if s.strip()})
    rng = np.random.default_rng(0)
    points = [bench_size(vectors, n, queries, rng) for n in sizes]
    section(f"Smallest setting with recall@10 >= {RECALL_GOAL} on both kinds of query")
    for p in points:
        ef, nprobe = smallest(p["hnsw"], RECALL_GOAL), smallest(p["ivf"], RECALL_GOAL)
        figure(f"{p['n']:,} vectors", f"HNSW efSearch {ef or '> ' + str(EF_SWEEP[-1])}",
               f"IVF nprobe {nprobe or '> ' + str(NPROBE_SWEEP[-1])} of {p['nlist']}")
    project(points, vectors.shape[1])
    if not args.no_filters:
        bench_filters(args.index, args.corpus, vectors, points[-1].get("hnsw_index"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
