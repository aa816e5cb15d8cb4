"""The index folder on disk: written into a temporary folder, manifest last, then swapped in.

A reader either sees the previous complete index or the new complete one, never a half-written mix:
`manifest.json` is written only after every other file, and the folder is swapped with two renames
(os.replace cannot replace a non-empty folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

from index.errors import IndexCorrupt, IndexMismatch, IndexMissing, IndexStale

MANIFEST = "manifest.json"
FORMAT_VERSION = 5           # 2: clauses carry their units (款/项/目), documents first_date and validity;
                             # 3: a document whose text another file already holds is left out;
                             # 4: BM25 tokens, term candidates and file keys kept for the next build;
                             # 5: BM25 tokens kept as ids (index/bm25.py)

# Distribution names of what shapes the files on disk, recorded so a surprising index can be explained.
_PACKAGES = {
    "faiss": "faiss-cpu",
    "bm25s": "bm25s",
    "jieba": "jieba",
    "sentence-transformers": "sentence-transformers",
    "torch": "torch",
    "policyqa": "policyqa",
}


def write_atomically(target: Path, fill: Callable[[Path], dict]) -> None:
    """Build an index folder at `target` without ever exposing a partial one.

    `fill(tmp)` writes the index files into the empty folder `tmp` and returns the manifest dict; this
    function adds "format_version" and "files" (relative path -> size in bytes), writes manifest.json
    last, fsyncs, and swaps `tmp` in place of `target`. On any exception, KeyboardInterrupt included,
    the temporary folder is removed, the previous index stays as it was, and the exception propagates.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    old: Path | None = None
    try:
        manifest = fill(tmp)
        if not isinstance(manifest, dict):
            raise TypeError(f"fill returned {type(manifest).__name__}, not the manifest dict: return a dict")
        if (tmp / MANIFEST).exists():
            raise ValueError(f"fill wrote {MANIFEST} itself: return the manifest dict instead")
        written = sorted(f for f in tmp.rglob("*") if f.is_file())
        files = {f.relative_to(tmp).as_posix(): f.stat().st_size for f in written}
        manifest = {**manifest, "format_version": FORMAT_VERSION, "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _fsync_tree(tmp)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rename(target, old / "index")  # rename into a fresh folder: no name race with others
        os.rename(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not target.exists() and (old / "index").exists():
            os.rename(old / "index", target)  # interrupted between the two renames: put the old one back
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(
    folder: Path, *, model: str | None = None, fingerprint: str | None = None
) -> dict:
    """Read and check `folder`/manifest.json; raise the PolicyIndexError that tells the user what to do.

    Checks that every file the manifest lists is there with its recorded size, that the format version
    is this code's, and, when given, that the index was built with `model` and from a corpus with
    `fingerprint` (see corpus_fingerprint).
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.exists():
        if folder.is_dir() and any(folder.iterdir()):
            raise IndexCorrupt(f"index at {folder} has no {MANIFEST}: rebuild with `policyqa build`")
        raise IndexMissing(f"no index at {folder}: run `policyqa build`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise IndexCorrupt(f"{path} is unreadable ({e}): rebuild with `policyqa build`") from e
    if not isinstance(manifest, dict):
        raise IndexCorrupt(
            f"{path} holds a {type(manifest).__name__}, not an object: rebuild with `policyqa build`"
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatch(
            f"index at {folder} has format version {version}, this PolicyQA reads {FORMAT_VERSION}: "
            "rebuild with `policyqa build`"
        )
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise IndexCorrupt(f"{path} lists no files: rebuild with `policyqa build`")
    for name, size in files.items():
        file = folder / name
        if not file.is_file():
            raise IndexCorrupt(f"index at {folder} lacks {name}: rebuild with `policyqa build`")
        if (actual := file.stat().st_size) != size:
            raise IndexCorrupt(
                f"{file} has {actual} bytes, the manifest says {size}: rebuild with `policyqa build`"
            )
    if model is not None and manifest.get("model") != model:
        raise IndexMismatch(
            f"index at {folder} was built with model {manifest.get('model')}, not {model}: "
            f"rebuild with `policyqa build --model {model}`"
        )
    if fingerprint is not None and manifest.get("corpus_fingerprint") != fingerprint:
        raise IndexStale(f"the corpus changed since the index at {folder} was built: run `policyqa build`")
    return manifest


def package_versions() -> dict[str, str | None]:
    """Versions of the libraries whose output is on disk (None when one is not installed)."""
    versions: dict[str, str | None] = {}
    for key, dist in _PACKAGES.items():
        try:
            versions[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[key] = None
    return versions


def corpus_fingerprint(paths: Iterable[Path], root: Path | None = None) -> str:
    """sha1 over the files' names (relative to `root`, else the bare name) and bytes, in name order.

    Names count, so renaming a document (its doc_id comes from the name) makes the index stale; the
    folder's own location does not.
    """
    named = sorted((Path(p).relative_to(root).as_posix() if root else Path(p).name, Path(p)) for p in paths)
    digest = hashlib.sha1()
    for name, path in named:
        data = path.read_bytes()
        encoded = name.encode("utf-8")
        # Lengths first, so no two different (name, bytes) sequences feed the same stream.
        digest.update(f"{len(encoded)}:{len(data)}:".encode())
        digest.update(encoded)
        digest.update(data)
    return digest.hexdigest()


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        _fsync_dir(path)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in read_lines(path)]


def read_lines(path: Path) -> list[str]:
    """A JSON-lines file's records as their text, blank lines left out."""
    return [line for line in Path(path).read_text(encoding="utf-8").split("\n") if line.strip()]


def write_jsonl(path: Path, rows: list[dict | str]) -> None:
    """One JSON record per line; a row given as a str is a line already written (read_lines)."""
    with Path(path).open("w", encoding="utf-8") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
