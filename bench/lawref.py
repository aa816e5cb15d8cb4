"""Structure of real regulations: ingest every LawRefBook file of a folder and score it with lawref_check.

    .venv/bin/python bench/lawref.py FOLDER        # e.g. a LawRefBook DLC checkout, or tests/data/lawref

FOLDER holds LawRefBook Markdown laws (https://github.com/LawRefBook/Laws, its DLC folder), one subfolder
per province. Prints lawref_check's figures (articles each their own clause, chapters in the paths, noise,
body text kept, titles, places, dates), then throughput (documents/s) and peak memory of the ingestion.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import lawref_check  # noqa: E402
from bench.common import peak_rss_mb  # noqa: E402
from index.cli import ingested_json  # noqa: E402
from ingest.model import IngestError  # noqa: E402
from ingest.pipeline import ingest_file  # noqa: E402


def ingest_all(paths: list[Path]) -> tuple[dict[str, dict], float]:
    """`ingest --json` records by file name, and the seconds ingestion took."""
    records, started = {}, time.perf_counter()
    for path in paths:
        try:
            records[path.name] = ingested_json(ingest_file(path))
        except IngestError as exc:
            records[path.name] = {"source": path.name, "error": str(exc)}
    return records, time.perf_counter() - started


def score(folder: Path) -> tuple[dict, int, float]:
    """lawref_check's figures for every file under folder, the number of files and the ingestion seconds."""
    paths = [p for p in lawref_check.find_sources([str(folder)]) if p.name.lower() != "readme.md"]
    records, seconds = ingest_all(paths)
    rows = [lawref_check.score(lawref_check.read_source(p), records.get(p.name)) for p in paths]
    return lawref_check.figures(rows, [], 0, [], []), len(paths), seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path,
                        help="LawRefBook files, directly or in province subfolders (the repository's 100-file "
                             "sample: tests/data/lawref)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"lawref: {args.folder} is not a folder. Get LawRefBook: git clone https://github.com/LawRefBook/Laws "
              "and pass its DLC folder (or a copy of some of its province folders) as FOLDER.", file=sys.stderr)
        return 2
    try:
        figures, n, seconds = score(args.folder)
    except lawref_check.InputError as exc:
        print(f"lawref: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lawref_check.text_report(figures)))
    print(f"throughput: {n} documents in {seconds:.1f} s = {n / seconds:.0f} documents/s; "
          f"peak memory {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
