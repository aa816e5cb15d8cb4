"""Speed and memory of PolicyQA, printed as figures: `make bench` or `.venv/bin/python bench/run.py [--quick]`.

Sections: 1 build of the bundled corpus (cold, then one-document rebuild), 1b encoding batch sizes,
2 warm query latency per mode, 3 peak memory of a serving process, 4 scale (100k / 1M synthetic clauses:
FAISS exact vs HNSW, BM25, hybrid estimate). See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SUMMARY, load, peak_rss_mb


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="corpus-size figures + 100k only, encoding test on 96 units (~3 min quiet)")
    parser.add_argument("--sizes", default=None,
                        help="synthetic sizes for section 4, comma-separated (default 100000,1000000)")
    parser.add_argument("--skip-large", action="store_true", help="drop synthetic sizes above 200,000")
    parser.add_argument("--sections", default="build,batch,query,memory,scale",
                        help="which sections to run (query and memory need build)")
    parser.add_argument("--serve-memory", metavar="INDEX", help=argparse.SUPPRESS)  # child of section 3
    parser.add_argument("--encode-probe", metavar="JSON", help=argparse.SUPPRESS)  # child of section 1b
    args = parser.parse_args(argv)
    sizes = args.sizes or ("100000" if args.quick else "100000,1000000")
    args.sizes = [int(s.replace("_", "")) for s in sizes.split(",") if s.strip()]
    if args.skip_large:
        args.sizes = [n for n in args.sizes if n <= 200_000]
    args.sections = set(args.sections.split(","))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.serve_memory:
        from bench.corpus import serve_memory

        serve_memory(Path(args.serve_memory))
        return 0
    if args.encode_probe:
        from bench.corpus import encode_probe

        encode_probe(json.loads(args.encode_probe))
        return 0
    from bench import corpus, scale

    started = time.perf_counter()
    long_run = max(args.sizes, default=0) >= 1_000_000 and "scale" in args.sections
    print(f"PolicyQA benchmark  {time.strftime('%Y-%m-%d %H:%M')}  python {platform.python_version()}  "
          f"{os.cpu_count()} cores  {load()}")
    print("Other processes share the CPU: compare figures only at a similar load.")
    print(f"Sizes for section 4: {', '.join(f'{n:,}' for n in args.sizes) or 'none'}; "
          + ("the 1M run takes 20-40 min (HNSW build)." if long_run else "expect a few minutes."), flush=True)
    queries = corpus.questions()
    p50: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as tmp:
        work = Path(tmp)
        if args.sections & {"build", "batch", "query", "memory"}:
            index_dir, embedder, cold = corpus.bench_build(work)
            if "batch" in args.sections:
                corpus.bench_encoding(args.quick, cold)
            if "query" in args.sections or "scale" in args.sections:
                p50 = corpus.bench_queries(index_dir, embedder, queries)
            if "memory" in args.sections:
                corpus.bench_memory(index_dir, len(queries))
        if "scale" in args.sections and args.sizes:
            dense = {n: scale.bench_dense(n) for n in args.sizes}
            bm25 = scale.bench_bm25(args.sizes, corpus.CORPUS, queries, args.quick)
            if p50:
                for n in args.sizes:
                    note = (f"(recall@10 at default efSearch: noisy {dense[n]['recall_noisy']:.3f}, "
                            f"random {dense[n]['recall_random']:.3f})")
                    scale.hybrid_estimate(n, p50, dense[n], bm25.get(n), note, embedder, queries)

    print(f"\n== Summary  ({load()}, {time.perf_counter() - started:.0f} s in all, "
          f"peak RSS of this process {peak_rss_mb():.0f} MB)")
    for label, value, target in SUMMARY:
        print(f"  {label.strip():<50} {value:<28} {target}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
