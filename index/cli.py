"""policyqa command line: a thin argparse layer; library errors become one-line messages here only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from index.errors import PolicyIndexError
from ingest.citation import format_citation
from ingest.model import IngestError
from ingest.pipeline import CATALOG, Ingested, corpus_files, ingest_file, load_catalog

DEFAULT_INDEX = Path(os.environ.get("POLICYQA_INDEX", ".index"))
DEFAULT_CORPUS = Path(os.environ.get("POLICYQA_CORPUS", "corpus"))


def _expand(paths: list[str]) -> list[Path]:
    """Folders stand for their documents; files are taken as given (so a bad one gets its own error)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.name == CATALOG:
            continue                    # `policyqa ingest corpus/*`: the catalog describes documents, is none
        out.extend(corpus_files(path) if path.is_dir() else [path])
    return out


def ingested_json(result: Ingested, as_of: str | None = None) -> dict:
    from ingest.validity import validity_json

    doc = result.document
    return {
        "source": doc.source, "title": doc.title, "city": doc.city, "province": doc.province,
        "issuer": doc.issuer, "doc_number": doc.doc_number, "date": doc.date,
        "first_date": doc.first_date, "publish_date": doc.publish_date, "doc_type": doc.doc_type,
        **validity_json(doc, as_of),
        "clauses": [{"clause_id": c.clause_id, "label": c.label, "section": c.section_path, "text": c.text,
                     "citation": format_citation(doc, c)} for c in result.clauses],
    }


def _print_human(result: Ingested, as_of: str | None = None) -> None:
    from ingest.validity import status_of

    doc = result.document
    print(f"== {doc.source}")
    for key in ("title", "city", "province", "issuer", "doc_number", "date", "first_date", "publish_date",
                "doc_type", "valid_from", "valid_to"):
        print(f"   {key:12} {getattr(doc, key) or '—'}")
    print(f"   {'status':12} {status_of(doc, as_of)}（{doc.validity_basis or '文中未写明'}）")
    print(f"   {'clauses':12} {len(result.clauses)}")
    for clause in result.clauses:
        text = clause.text.replace("\n", " ")
        shown = text[:80] + ("…" if len(text) > 80 else "")
        print(f"   [{clause.clause_id}] {clause.section_path or '(前言)'}\n      {shown}")


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
            print(json.dumps(ingested_json(result, args.as_of), ensure_ascii=False))
        else:
            _print_human(result, args.as_of)
    return 0 if ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    from index.build import build_index, is_stale

    if args.if_stale and not (reason := is_stale(args.corpus, args.index)):
        print(f"index at {args.index} is up to date")
        return 0
    if args.if_stale:
        print(f"building the index: {reason}")
    from tqdm import tqdm

    bar = tqdm(total=0, unit="sentence", desc="embedding", disable=args.quiet)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    report = build_index(args.corpus, args.index, model=args.model, progress=progress)
    bar.close()
    for line in report.skipped:
        print(f"skipped: {line}", file=sys.stderr)
    print(f"indexed {report.documents} documents ({report.reused_documents} taken over from the index), "
          f"{report.clauses} clauses, {report.units} sentences ({report.newly_embedded} newly embedded) "
          f"in {report.seconds:.1f} s -> {args.index}")
    return 0


def _load_searcher(args: argparse.Namespace):
    from index.search import Searcher

    searcher = Searcher.load(args.index, corpus_dir=args.corpus, model=args.model)
    if searcher.stale:
        print(f"warning: {searcher.stale}", file=sys.stderr)
    return searcher


def _filters(args: argparse.Namespace):
    from index.search import SearchFilters

    return SearchFilters(cities=tuple(args.city or ()), provinces=tuple(args.province or ()),
                         doc_ids=tuple(args.doc or ()), national=args.national, year_from=args.year_from,
                         year_to=args.year_to, in_force=args.in_force, as_of=args.as_of,
                         include_superseded=args.all_versions)


def _batch(path: str, key: str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise IngestError(f"{path}:{number}: not JSON ({exc})") from exc
            if not isinstance(row, dict) or "id" not in row or key not in row:
                raise IngestError(f'{path}:{number}: each line must be {{"id": ..., "{key}": ...}}')
            rows.append(row)
    return rows


def cmd_search(args: argparse.Namespace) -> int:
    if not args.query and not args.batch:
        print('error: give a question, e.g. policyqa search "沧州如何吸引外国专家", or --batch FILE', file=sys.stderr)
        return 2
    from index import service
    from index.library import check_names
    from index.qa import answerer_for

    searcher, filters = _load_searcher(args), _filters(args)
    check_names(searcher, filters)
    answerer = answerer_for(searcher)
    if args.batch:
        for row in _batch(args.batch, "question"):
            result = answerer.search(row["question"], k=args.k, mode=args.mode, filters=filters)
            print(json.dumps({"id": row["id"], "results": [h.to_json() for h in result.hits]}, ensure_ascii=False))
        return 0
    if args.json:
        print(json.dumps(service.search(searcher, args.query, k=args.k, mode=args.mode, filters=filters),
                         ensure_ascii=False))
        return 0
    result = answerer.search(args.query, k=args.k, mode=args.mode, filters=filters)
    for note in result.notes:
        print(f"注意：{note}")
    _print_hits(result.hits)
    return 0


def _print_hits(hits) -> None:
    for rank, hit in enumerate(hits, start=1):
        print(f"{rank:2}. [{hit.score:.4f}] {hit.header}{_standing_note(hit)}\n"
              f"    {hit.clause.text.replace(chr(10), ' ')}\n    —— {hit.citation}\n")
        for old in hit.older:
            print(f"    旧版本：{old.citation}（{old.standing.status if old.standing else ''}）\n")


def _standing_note(hit) -> str:
    """  [现行] / [已被新版本取代：《…》(2024-05-10)]"""
    standing = hit.standing
    if standing is None:
        return ""
    if standing.newer_title:
        return f"  [{standing.status}，新版本《{standing.newer_title}》（{standing.newer_date or '日期不详'}）]"
    return f"  [{standing.status}{'·试行' if standing.trial else ''}]"


def cmd_ask(args: argparse.Namespace) -> int:
    from index import service
    from index.library import check_names
    from index.qa import answer

    if not args.question and not args.batch:
        print('error: give a question, e.g. policyqa ask "沧州2025年高新技术企业数量目标是多少", or --batch FILE',
              file=sys.stderr)
        return 2
    searcher, filters = _load_searcher(args), _filters(args)
    check_names(searcher, filters)
    if args.batch:
        for row in _batch(args.batch, "question"):
            reply = answer(searcher, row["question"], filters=filters)
            print(json.dumps({"id": row["id"], **reply.to_json()}, ensure_ascii=False))
        return 0
    if args.json:
        print(json.dumps(service.ask(searcher, args.question, filters=filters), ensure_ascii=False))
        return 0
    result = answer(searcher, args.question, filters=filters)
    if result.abstained:
        print(f"未找到：{result.reason}")
        if result.related:
            print("\n相关条款：")
            _print_hits(result.related[:3])
        return 0
    unsure = "，把握不大：请核对依据" if result.unsure else ""
    what = "各地的回答" if result.per_place else "有相关条款的地方" if result.per_city else \
        f"置信度 {result.confidence:.2f}{unsure}"
    print(f"答：{result.text}    （{what}）\n\n依据：")
    _print_hits(result.citations)
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    from index import service
    from index.library import check_names
    from index.similar import similar

    if not (args.text or args.clause_id or args.batch):
        print("error: give --text TEXT, --clause-id ID or --batch FILE", file=sys.stderr)
        return 2
    searcher = _load_searcher(args)
    if args.batch:
        for row in _batch(args.batch, "text"):
            hits = similar(searcher, text=row["text"], k=args.k)
            print(json.dumps({"id": row["id"], "results": [h.to_json() for h in hits]}, ensure_ascii=False))
        return 0
    if args.json:
        print(json.dumps(service.similar(searcher, text=args.text, clause_id=args.clause_id, k=args.k),
                         ensure_ascii=False))
        return 0
    check_names(searcher, clause_id=args.clause_id)
    _print_hits(similar(searcher, clause_id=args.clause_id, text=args.text, k=args.k))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from index import compare
    from index.library import check_names

    searcher = _load_searcher(args)
    check_names(searcher, cities=args.cities or ())
    rows = compare.compare(searcher, args.topic, cities=args.cities)
    if args.json:
        args.format = "json"
    if args.format == "xlsx":
        if not args.output:
            print("error: --format xlsx needs --output FILE.xlsx", file=sys.stderr)
            return 2
        Path(args.output).write_bytes(compare.rows_to_xlsx(rows))
        print(f"wrote {len(rows)} rows to {args.output}")
        return 0
    if args.format == "json":
        text = json.dumps(compare.rows_to_json(rows, args.topic), ensure_ascii=False)
    else:
        render = {"table": compare.rows_to_table, "csv": compare.rows_to_csv, "md": compare.rows_to_markdown}
        text = render[args.format](rows)
    if args.output:
        # CSV with a BOM: Excel opens UTF-8 Chinese text right only with it.
        Path(args.output).write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8")
        print(f"wrote {len(rows)} rows to {args.output}")
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    from index import service

    listed = service.documents(_load_searcher(args), " ".join(args.words), as_of=args.as_of, types=args.type or (),
                               year_from=args.year_from, year_to=args.year_to, sort=args.sort)
    if args.json:
        print(json.dumps(listed, ensure_ascii=False))
        return 0
    for d in listed["documents"]:
        print(f"{d['doc_id']}  {d['city'] or d['province'] or '—'}｜《{d['title']}》 {d['date'] or '日期不详'}  "
              f"{d['status']}  {d['clauses']} 条")
    print(f"{len(listed['documents'])} 份文件")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from index.api import ENDPOINTS, check_address, load_for_serving, serve

    check_address(args.host, args.port)
    searcher = load_for_serving(args.index, args.corpus, args.model)
    print(f"serving the index at {args.index} ({len(searcher.documents)} documents, {len(searcher.clauses)} clauses) "
          f"on http://{args.host}:{args.port}: {' '.join(ENDPOINTS)}; schema at /openapi.json",
          flush=True)
    serve(searcher, args.host, args.port)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from index.diff import KIND_NAMES, diff_clauses
    from index.versions import version_date

    docs = []
    if all(Path(d).is_file() for d in (args.doc_a, args.doc_b)):
        for path in (args.doc_a, args.doc_b):
            result = ingest_file(Path(path), load_catalog(Path(path).parent))
            docs.append((result.document, result.clauses))
    else:
        searcher = _load_searcher(args)
        for ref in (args.doc_a, args.doc_b):
            doc = _find_document(searcher, ref)
            docs.append((doc, searcher.clauses_of(doc.doc_id)))
    (old, old_clauses), (new, new_clauses) = sorted(docs, key=lambda d: version_date(d[0]) or "")
    rows = diff_clauses(old_clauses, new_clauses)
    if args.json:
        print(json.dumps({"old": _diff_doc(old), "new": _diff_doc(new), "rows": [r.to_json() for r in rows]},
                         ensure_ascii=False))
        return 0
    print(f"旧：《{old.title}》{old.source}（{version_date(old) or '日期不详'}）\n"
          f"新：《{new.title}》{new.source}（{version_date(new) or '日期不详'}）\n"
          "标记：[-删去的文字-] {+新增的文字+}\n")
    names = KIND_NAMES
    for row in rows:
        left = row.old.label if row.old else "—"
        right = row.new.label if row.new else "—"
        print(f"== {left} → {right}  {names[row.kind]}")
        if row.kind == "same":
            continue
        if row.old is not None:
            print("  旧：" + "".join(f"[-{s.old}-]" if s.kind in ("changed", "removed") and s.old else
                                     s.old for s in row.segments).replace("\n", " "))
        if row.new is not None:
            print("  新：" + "".join(f"{{+{s.new}+}}" if s.kind in ("changed", "added") and s.new else
                                     s.new for s in row.segments).replace("\n", " "))
    counts = {names[k]: sum(r.kind == k for r in rows) for k in names}
    print("\n" + "，".join(f"{k} {v} 条" for k, v in counts.items()))
    return 0


def _find_document(searcher, ref: str):
    """A document of the index by its id, its file name, or its file name without extension."""
    for doc in searcher.documents:
        if ref in (doc.doc_id, doc.source, Path(doc.source).stem):
            return doc
    raise IngestError(f"no document {ref!r} in the index at {searcher.folder}: give a doc id or file name "
                      "(see the 文件名 column of the app's 文档库), or the paths of two files")


def _diff_doc(doc) -> dict:
    from index.versions import version_date

    return {"doc_id": doc.doc_id, "source": doc.source, "title": doc.title, "version_date": version_date(doc)}


def cmd_eval(args: argparse.Namespace) -> int:
    from index.build import build_index, is_stale
    from index.evaluate import HALVES, evaluate_gold, format_report, load_jsonl

    gold = Path(args.gold)
    if not (gold / "questions.jsonl").exists():
        raise IngestError(f"--gold {gold}: no questions.jsonl there (a gold set folder, e.g. bench/gold/seeds)")
    corpus = args.corpus or (gold / "corpus" if (gold / "corpus").is_dir() else DEFAULT_CORPUS)
    index = args.index or _eval_index_for(corpus)
    if reason := is_stale(corpus, index):
        print(f"building the index of {corpus} in {index}: {reason}", file=sys.stderr)
        build_index(corpus, index, model=args.model)
    args.corpus, args.index = corpus, index
    searcher = _load_searcher(args)
    questions = load_jsonl(gold / "questions.jsonl")
    pairs = load_jsonl(gold / "similar.jsonl") if (gold / "similar.jsonl").exists() else []
    halves = [args.half] if args.half else ["all", *HALVES]
    modes = [args.mode] if args.mode else ["hybrid", "dense", "lexical"]
    report = {half: evaluate_gold(searcher, questions, pairs, half=half, modes=modes) for half in halves}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"gold set {gold}, corpus {corpus} ({len(searcher.documents)} documents)")
        print(format_report(report))
    return 0


def _eval_index_for(corpus: Path) -> Path:
    """Each evaluated corpus keeps its own index (and embedding cache) under .eval-index/, built once."""
    import hashlib

    key = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:8]
    return Path(".eval-index") / f"{corpus.resolve().name}-{key}"


def _index_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX,
                   help="index folder (default .index, env POLICYQA_INDEX)")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder (default corpus)")
    p.add_argument("--model", default=None, help="sentence-transformers model name or path (env POLICYQA_MODEL)")


def _output_options(p: argparse.ArgumentParser, batch_field: str) -> None:
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--batch", help=f'JSONL file of {{"id", "{batch_field}"}}; one JSON line out per line in')


def _filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--city", action="append", help="only this city (repeatable), e.g. 沧州")
    p.add_argument("--province", action="append", help="only this province (repeatable), e.g. 河北")
    p.add_argument("--doc", action="append", help="only this document (its id, the file name without extension)")
    p.add_argument("--national", action="store_true", help="only national texts (国务院, 科技部…)")
    _year_options(p)
    p.add_argument("--in-force", action="store_true",
                   help="只看现行有效: documents in force (on --as-of) and not replaced by a newer version")
    p.add_argument("--all-versions", action="store_true",
                   help="old versions as results of their own (default: folded under the newest version)")
    _as_of_option(p)


def _year_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year-from", type=int, help="documents dated in or after this year")
    p.add_argument("--year-to", type=int, help="documents dated in or before this year")


def _as_of_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=_day, metavar="DATE",
                   help="status (现行/已到期/未生效/不详) on this day, YYYY-MM-DD (default today)")


def _day(value: str) -> str:
    from ingest.validity import parse_day

    try:
        return parse_day(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policyqa", description="Search and question Chinese policy documents.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="read documents and show their metadata and clauses")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .docx .pdf)")
    p.add_argument("--json", action="store_true", help="one JSON object per document and line")
    _as_of_option(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("build", help="build the index of a corpus folder")
    _index_options(p)
    p.add_argument("--if-stale", action="store_true",
                   help="only when missing, older than the corpus or built by another version")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("search", help="the clauses that best match a question")
    p.add_argument("query", nargs="?", help="a question in Chinese")
    p.add_argument("-k", type=int, default=10, help="how many clauses (default 10)")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    _output_options(p, "question")
    _index_options(p)
    _filter_options(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="a short answer quoted from the cited clauses, or 未找到")
    p.add_argument("question", nargs="?", help="a question in Chinese")
    _output_options(p, "question")
    _index_options(p)
    _filter_options(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("similar", help="what other cities did about the same measure")
    p.add_argument("--text", help="a clause or any text describing a measure")
    p.add_argument("--clause-id", help="a clause id from search results")
    p.add_argument("-k", type=int, default=5, help="how many clauses (default 5)")
    _output_options(p, "text")
    _index_options(p)
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("compare", help="one row per city: its best clauses on a topic, figures pulled out")
    p.add_argument("topic", help="a measure, e.g. 技术市场, 孵化器, 人才引进")
    p.add_argument("--cities", nargs="+", help="only these cities")
    p.add_argument("--format", choices=["table", "csv", "md", "xlsx", "json"], default="table")
    p.add_argument("--json", action="store_true", help="same as --format json: rows with their clauses and figures")
    p.add_argument("--output", help="write to this file (needed for xlsx; a CSV file gets a BOM for Excel)")
    _index_options(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("documents", help="the documents of the index, with their status and number of clauses")
    p.add_argument("words", nargs="*", help="only those whose title, place, type, date or issuer hold every word")
    p.add_argument("--json", action="store_true", help="one JSON object: {query, documents: [...]}")
    p.add_argument("--type", action="append", help="only this type (repeatable), e.g. 条例")
    _year_options(p)
    p.add_argument("--sort", default="place",
                   help="place (province, city, date; default), date (newest first), date-oldest, title or type")
    _index_options(p)
    _as_of_option(p)
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("serve", help="the HTTP API (/search /ask /similar /compare /documents) on one loaded index")
    _index_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("diff", help="新旧对照: the articles of two versions side by side, changes marked")
    p.add_argument("doc_a", help="a document of the index (doc id or file name), or a file path")
    p.add_argument("doc_b", help="the other version; the older of the two is shown on the left")
    p.add_argument("--json", action="store_true", help="aligned rows as one JSON object")
    _index_options(p)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("eval", help="score a gold set (bench/gold/seeds, bench/gold/regs): every figure, by half")
    p.add_argument("--gold", required=True, help="folder with questions.jsonl (and similar.jsonl, corpus/)")
    p.add_argument("--corpus", type=Path, help="the corpus the gold set is about (default: GOLD/corpus or corpus)")
    p.add_argument("--index", type=Path, help="index folder (default: one per corpus under .eval-index/)")
    p.add_argument("--model", default=None, help="sentence-transformers model name or path (env POLICYQA_MODEL)")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], help="only this search mode")
    p.add_argument("--half", choices=["all", "tune", "check"], help="only this half of the questions (by id)")
    p.add_argument("--json", action="store_true", help="the figures as one JSON object")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (IngestError, PolicyIndexError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
