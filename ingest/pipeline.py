"""File -> Document -> Clauses: the one entry point of ingestion."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ingest import metadata
from ingest.clean import Dropped, leading_furniture, noise_reason, split_lines, trailing_furniture
from ingest.loaders import SUPPORTED_SUFFIXES, load_text
from ingest.model import Clause, Document, IngestError
from ingest.structure import build_clauses
from ingest.validity import with_period

CATALOG = "catalog.json"
_CATALOG_FIELDS = {f.name for f in dataclasses.fields(Document)} - {"doc_id", "source", "text"}


@dataclass(frozen=True)
class Ingested:
    document: Document
    clauses: list[Clause]
    dropped: list[Dropped]          # lines of the text that are in no clause, with the reason


def doc_id_for(path: Path) -> str:
    """Stable id from the file name: the same file gives the same id (and clause ids) on every rebuild."""
    return re.sub(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+", "_", path.stem).strip("_") or "doc"


def ingest_text(text: str, source: str, overrides: dict | None = None) -> Ingested:
    lines = split_lines(text)
    dropped: list[Dropped] = []
    header = metadata.find_header(lines)
    for i, line in enumerate(lines[: header.body_start]):
        reason = noise_reason(line) or ("document header (title, notice, signature, date)" if i in header.used
                                        else "page header (before the title)")
        dropped.append(Dropped(line, reason))
    body = []
    for line in lines[header.body_start:]:
        reason = noise_reason(line)
        if reason:
            dropped.append(Dropped(line, reason))
        else:
            body.append(line)
    head = leading_furniture(body, title_found=header.title is not None)
    dropped += [Dropped(line, "page header (furniture before the text)") for line in body[:head]]
    tail = trailing_furniture(body[head:])
    body, footer = body[head:len(body) - tail], body[len(body) - tail:]
    dropped += [Dropped(line, "page footer (short lines after the last clause)") for line in footer]

    doc_id = doc_id_for(Path(source))
    body_text = "\n".join(line.text for line in body)
    meta = metadata.extract(lines, header, body_text, fallback_title=Path(source).stem)
    fields = {**dataclasses.asdict(meta), **(overrides or {})}
    document = Document(doc_id=doc_id, source=source, text=text, **fields)
    clauses = build_clauses(doc_id, body)
    if not clauses:
        raise IngestError(f"{source}: no policy text found (only page navigation or headings)")
    document = with_period(document, clauses)
    return Ingested(document, clauses, sorted(dropped, key=lambda d: d.line.number))


def ingest_file(path: Path, catalog: dict | None = None) -> Ingested:
    """Read one file (txt, md, html, docx, pdf); raises IngestError with a one-line reason."""
    path = Path(path)
    overrides = (catalog or {}).get(path.name, {})
    unknown = set(overrides) - _CATALOG_FIELDS
    if unknown:
        raise IngestError(f"{CATALOG}: unknown field(s) {sorted(unknown)} for {path.name}; "
                          f"use {sorted(_CATALOG_FIELDS)}")
    return ingest_text(load_text(path), path.name, overrides)


def load_catalog(folder: Path) -> dict:
    """Hand-set metadata by file name (optional): {"file.txt": {"source_url": ..., "issuer": ...}}."""
    path = Path(folder) / CATALOG
    if not path.exists():
        return {}
    try:
        catalog = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path}: not valid JSON ({exc}); fix it or delete it") from exc
    if not isinstance(catalog, dict):
        raise IngestError(f"{path}: must be a JSON object keyed by file name")
    return catalog


def corpus_files(folder: Path) -> list[Path]:
    """The documents of a corpus folder and its subfolders, sorted (the catalog and hidden files and folders
    are not documents)."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.name != CATALOG and p.suffix.lower() in SUPPORTED_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))
