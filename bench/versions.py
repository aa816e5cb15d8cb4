"""Versions linked in a folder of documents, against the pairs whose titles are identical.

    .venv/bin/python -m bench.versions FOLDER [--json]

Reference: two documents of the same province or city whose titles, as read, are identical (the way a
reader would spot two copies of one regulation). Every such pair should be linked as versions; any other
link is listed for a reader to check (a 试行 and its final text are versions too, but not a same-title pair).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from index.versions import link_versions, version_date
from ingest.model import IngestError
from ingest.normalize import normalize
from ingest.pipeline import corpus_files, ingest_file


def same_title_pairs(documents) -> set[frozenset[str]]:
    groups = defaultdict(list)
    for doc in documents:
        groups[(doc.province, doc.city, normalize(doc.title))].append(doc.doc_id)
    return {frozenset(p) for ids in groups.values() for p in combinations(sorted(ids), 2)}


def report(folder: Path) -> dict:
    documents, refused = [], 0
    for path in corpus_files(folder):
        try:
            documents.append(ingest_file(path).document)
        except IngestError:
            refused += 1
    versions = link_versions(documents)
    linked = {frozenset(pair) for family in versions.families for pair in combinations(family, 2)}
    reference = same_title_pairs(documents)
    by_id = {d.doc_id: d for d in documents}

    def show(pair: frozenset[str]) -> dict:
        old, new = sorted(pair, key=lambda i: versions.dates.get(i) or "")
        return {"older": by_id[old].source, "older_date": versions.dates.get(old),
                "newer": by_id[new].source, "newer_date": versions.dates.get(new)}

    unlinked = sorted(reference - linked, key=sorted)
    # Two copies carrying the same date are one version twice: left unlinked on purpose.
    same_date = [p for p in unlinked if len({version_date(by_id[i]) for i in p}) == 1]
    return {
        "documents": len(documents), "refused": refused, "same_title_pairs": len(reference),
        "linked_pairs": len(linked), "same_title_linked": len(reference & linked),
        "duplicates": [sorted(by_id[i].source for i in p) for p in same_date],
        "missed": [sorted(by_id[i].source for i in p) for p in unlinked if p not in same_date],
        "other_links": [show(p) for p in sorted(linked - reference, key=sorted)],
        "pairs": [show(p) for p in sorted(linked, key=sorted)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of documents (subfolders included)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder of documents", file=sys.stderr)
        return 2
    result = report(args.folder)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(f"{result['documents']} documents ({result['refused']} refused); same-title pairs "
          f"{result['same_title_pairs']}, linked {result['same_title_linked']} of them; "
          f"links in all {result['linked_pairs']}, other links {len(result['other_links'])}")
    for pair in result["pairs"]:
        print(f"  {pair['older']} ({pair['older_date']})  ->  {pair['newer']} ({pair['newer_date']})")
    for label, rows in (("missed", result["missed"]), ("copies of one date (not versions)", result["duplicates"]),
                        ("other links (check by hand)", result["other_links"])):
        if rows:
            print(f"{label}:")
            for pair in rows:
                print(f"  {pair}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
