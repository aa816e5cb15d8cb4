"""A cold build's speed against plain torch float32 encoding of the same prefixed sentences, in one run.

    .venv/bin/python bench/build_speed.py [FOLDER] [--repeat N]

FOLDER (default tests/data/lawref, 100 real regulations) is copied to a temporary corpus. In the same process
and with the model loaded once for each setting: (1) torch float32 (POLICYQA_BACKEND=torch,
POLICYQA_PRECISION=fp32) encodes every sentence unit a build embeds, each with its context prefix, at the
build's batch size; (2) a cold build with the default settings (OpenVINO where installed, an empty embedding
cache) indexes the folder. The ratio is (2)'s sentence units per second over (1)'s. The two are run
alternately --repeat times, so a change of load hits both. Then single-question encoding p50 / p95 for both
settings over the development questions. Model load is left out of both sides. See bench/README.md ("OpenVINO").
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import script_env  # offline, passive OpenMP: before torch loads

ROOT = script_env.ROOT

from bench.common import development_questions, latencies_ms, load, p50_p95, row, section, timed  # noqa: E402
from index.build import build_index, ingest_corpus, result_units  # noqa: E402
from index.embed import Embedder  # noqa: E402


def units_of(corpus: Path) -> list[str]:
    """Every sentence unit a build of the corpus embeds, prefixed as the build prefixes it."""
    return [u for r in ingest_corpus(corpus).results for u in result_units(r)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", default=ROOT / "tests" / "data" / "lawref")
    parser.add_argument("--repeat", type=int, default=2, help="alternations of the two measurements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="policyqa-build-speed-") as work:
        corpus = Path(work) / "corpus"
        shutil.copytree(args.folder, corpus, ignore=shutil.ignore_patterns("README.md", "SOURCES.md"))
        units = units_of(corpus)
        fp32 = Embedder(precision="fp32", backend="torch")
        default = Embedder()
        fp32.encode(units[:16])
        default.encode(units[:16])                          # both models loaded and warm
        section(f"Cold build of {args.folder.name} ({len(units)} sentence units) against torch fp32 encoding; "
                f"default here: {default.backend} {default.precision}")
        ratios = []
        for attempt in range(args.repeat):
            encode_s, _ = timed(fp32.encode, units)
            index = Path(work) / f"index-{attempt}"             # a new folder: its embedding cache is empty
            build_s, report = timed(build_index, corpus, index, embedder=default)
            fp32_rate, build_rate = len(units) / encode_s, report.units / build_s
            ratios.append(build_rate / fp32_rate)
            row(f"[{attempt + 1}] torch fp32 encoding the prefixed units", f"{fp32_rate:7.1f} units/s  ({load()})")
            row(f"[{attempt + 1}] cold build, units indexed", f"{build_rate:7.1f} units/s  ({load()})")
            row(f"[{attempt + 1}] ratio", f"{ratios[-1]:7.2f} x", "target >= 3x", summary=True)
        questions = development_questions()
        fp32_q = latencies_ms(lambda q: fp32.encode([q]), questions)
        default_q = latencies_ms(lambda q: default.encode([q]), questions)
        row("question encoding p50 / p95, torch fp32", f"{p50_p95(fp32_q)}  ({load()})")
        row(f"question encoding p50 / p95, {default.backend} {default.precision}", f"{p50_p95(default_q)}  ({load()})",
            "target <= 10 ms", summary=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
