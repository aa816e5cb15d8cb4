"""policyqa command line: a thin argparse layer; library errors become one-line messages here only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest.citation import format_citation
from ingest.model import IngestError
from ingest.pipeline import Ingested, corpus_files, ingest_file, load_catalog


def _expand(paths: list[str]) -> list[Path]:
    """Folders stand for their documents; files are taken as given (so a bad one gets its own error)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        out.extend(corpus_files(path) if path.is_dir() else [path])
    return out


def ingested_json(result: Ingested) -> dict:
    doc = result.document
    return {
        "source": doc.source, "title": doc.title, "city": doc.city, "province": doc.province,
        "issuer": doc.issuer, "doc_number": doc.doc_number, "date": doc.date, "doc_type": doc.doc_type,
        "clauses": [{"clause_id": c.clause_id, "label": c.label, "section": c.section_path, "text": c.text,
                     "citation": format_citation(doc, c)} for c in result.clauses],
    }


def _print_human(result: Ingested) -> None:
    doc = result.document
    print(f"== {doc.source}")
    for key in ("title", "city", "province", "issuer", "doc_number", "date", "publish_date", "doc_type"):
        print(f"   {key:12} {getattr(doc, key) or '—'}")
    print(f"   {'clauses':12} {len(result.clauses)}")
    for clause in result.clauses:
        text = clause.text.replace("\n", " ")
        print(f"   [{clause.clause_id}] {clause.section_path or '(前言)'}\n      {text[:80]}{'…' if len(text) > 80 else ''}")


def cmd_ingest(args: argparse.Namespace) -> int:
    ok = True
    catalogs: dict[Path, dict] = {}
    for path in _expand(args.paths):
        try:
            catalog = catalogs.setdefault(path.parent, load_catalog(path.parent))
            result = ingest_file(path, catalog)
        except IngestError as exc:
            ok = False
            if args.json:
                print(json.dumps({"source": path.name, "error": str(exc)}, ensure_ascii=False))
            else:
                print(f"error: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(ingested_json(result), ensure_ascii=False))
        else:
            _print_human(result)
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyqa", description="Search and question Chinese policy documents.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="read documents and show their metadata and clauses")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .docx .pdf)")
    p.add_argument("--json", action="store_true", help="one JSON object per document and line")
    p.set_defaults(func=cmd_ingest)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (IngestError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
