"""End to end on folders of real documents: cold build, index size, one document added, a killed build
resumed, hybrid search and ask latency.

    .venv/bin/python bench/lawref_e2e.py FOLDER [FOLDER ...] [--out DIR] [--sections ...]

Each FOLDER (e.g. a LawRefBook DLC checkout, the seeds and the samples; tests/data/lawref is a 100-file
sample) is copied under OUT/corpus/<folder name>/, without the files that describe a folder (README.md,
SOURCES.md). Two of its documents are held back for "one document added". Every build runs
`policyqa build` as a child process, so its time includes the model load; its peak RSS is the child's
VmHWM, read every POLL_S (not ru_maxrss: Linux carries the parent's peak across fork and exec, so a child
of this process, which holds an index by then, would report at least the parent's memory). Every figure
is printed with the load average: compare figures only at a similar load.
The development questions (bench/gold/*/questions.jsonl) are read at run time. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import script_env  # offline, passive OpenMP: before torch loads

ROOT = script_env.ROOT

import numpy as np  # noqa: E402

from bench.common import development_questions, load  # noqa: E402

NOT_DOCUMENTS = {"readme.md", "sources.md"}   # describe the folder they are in
SECTIONS = ("cold", "query", "add", "kill", "stages")
POLL_S = 0.1                  # how often a child's memory is read
SCAN_EVERY_S = 2.0            # how often its embedding cache is scanned for a kill
PROGRESS_EVERY_S = 60.0
SUMMARY: list[tuple[str, str, str]] = []


def figure(label: str, value: str, target: str = "") -> None:
    """One figure, with the load average when it was taken."""
    print(f"  {label:<50} {value:<30} {target:<22} ({load()})".rstrip(), flush=True)
    if target:
        SUMMARY.append((label, value, target))


def verdict(value: float, limit: float, unit: str) -> str:
    return f"<= {limit:g} {unit}: {'ok' if value <= limit else 'MISSED'}"


def section(title: str) -> None:
    print(f"\n== {title}  ({load()}, {time.strftime('%H:%M:%S')})", flush=True)


# -- the corpus ---------------------------------------------------------------------------------------------
def assemble(folders: list[Path], corpus: Path, held: Path) -> tuple[int, list[Path]]:
    """Copy the folders' documents under corpus/<folder name>/; hold two back (paths under held/).

    Returns the number of documents copied and the held-back files."""
    from ingest.pipeline import corpus_files

    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(held, ignore_errors=True)
    held.mkdir(parents=True)
    names: set[str] = set()
    copied, kept_back = 0, []
    for number, folder in enumerate(folders):
        name = folder.resolve().name
        name = name if name not in names else f"{name}-{number}"
        names.add(name)
        files = [p for p in corpus_files(folder) if p.name.lower() not in NOT_DOCUMENTS]
        # Held back: two mid-sized documents of the first folder (sizes vary by 100x; the middle is typical).
        chosen = set()
        if number == 0 and len(files) > 2:
            by_size = sorted(files, key=lambda p: (p.stat().st_size, str(p)))
            chosen = {by_size[len(by_size) // 2], by_size[len(by_size) // 2 + 1]}
        for path in files:
            if path in chosen:
                target = held / path.name
                kept_back.append(target)
            else:
                target = corpus / name / path.relative_to(folder)
                copied += 1
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return copied, sorted(kept_back)


# -- builds in a child process ------------------------------------------------------------------------------
File = tuple[Path, int, int]          # a cache file as written once: path, mtime in ns, size


def cache_keys(folder: Path, seen: dict[File, list[str]] | None = None) -> dict[File, list[str]]:
    """Keys of every cache file in folder, by file version (a name is re-used when shards are folded and
    numbered again); versions already in `seen` are not read again, and files gone are dropped."""
    out = {}
    for path in sorted(folder.glob("*.npz")) if folder.is_dir() else []:
        if path.name.startswith("."):
            continue
        try:
            info = path.stat()
            version = (path, info.st_mtime_ns, info.st_size)
            if seen and version in seen:
                out[version] = seen[version]
                continue
            with np.load(path, allow_pickle=False) as data:
                out[version] = data["keys"].tolist()
        except (OSError, ValueError, KeyError):
            continue                      # being replaced right now: read it at the next poll
    return out


def is_shard(version: File) -> bool:
    """A shard (`<model>.<n>.npz`) holds what one batch encoded; the main file only folds earlier shards."""
    return version[0].stem.rsplit(".", 1)[-1].isdigit()


def count(keys: dict[File, list[str]]) -> int:
    return len({k for ks in keys.values() for k in ks})


class Build:
    """`policyqa build` in a child process, watched through its embedding cache."""

    def __init__(self, corpus: Path, index_dir: Path, log: Path) -> None:
        from index.build import cache_dir_for

        self.cache = cache_dir_for(index_dir)
        self.log = log
        command = Path(sys.executable).with_name("policyqa")
        argv = [str(command)] if command.is_file() else [sys.executable, "-m", "index.cli"]
        self.before = cache_keys(self.cache)
        self.seen = self.before
        self.started = time.perf_counter()
        with log.open("w") as out:
            self.process = subprocess.Popen([*argv, "build", "--corpus", str(corpus), "--index", str(index_dir),
                                             "--quiet"], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        self.status = None
        self.peak_kb = 0

    def embedded(self) -> dict[File, list[str]]:
        """Shards written by this build so far (file version -> keys)."""
        self.seen = cache_keys(self.cache, self.seen)
        return {v: k for v, k in self.seen.items() if v not in self.before and is_shard(v)}

    def poll(self) -> bool:
        """True once the child has ended; till then its peak memory so far is read."""
        if self.status is not None:
            return True
        self.peak_kb = max(self.peak_kb, high_water_kb(self.process.pid))
        pid, status = os.waitpid(self.process.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.status = status
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.seconds = time.perf_counter() - self.started
        return True

    def watch(self, total: int | None, stop_at: int | None = None) -> None:
        """Wait for the end (printing progress now and then), or kill -9 once stop_at sentences are saved."""
        last_progress = last_scan = time.perf_counter()
        while not self.poll():
            time.sleep(POLL_S)
            now = time.perf_counter()
            if stop_at is not None and now - last_scan >= SCAN_EVERY_S:
                last_scan = now
                if count(self.embedded()) >= stop_at:
                    os.kill(self.process.pid, signal.SIGKILL)
                    self.killed_at = time.perf_counter() - self.started
                    while not self.poll():
                        time.sleep(POLL_S)
                    return
            if now - last_progress >= PROGRESS_EVERY_S:
                last_progress = now
                of = f" of {total:,}" if total else ""
                print(f"    {now - self.started:6.0f} s: {count(self.embedded()):,}{of} sentences embedded and saved  "
                      f"({load()})", flush=True)

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_kb / 1024

    def report(self) -> dict:
        """The `indexed …` line of the child as numbers; raises with the child's last lines if it failed."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        if self.process.returncode != 0:
            tail = "\n".join(text.strip().splitlines()[-5:])
            raise SystemExit(f"lawref_e2e: the build failed (exit {self.process.returncode}):\n{tail}")
        line = next(x for x in text.splitlines() if x.startswith("indexed "))
        number = {word: int(n) for n, word in re.findall(r"(\d+) (documents|clauses|sentences|newly)", line)}
        return {"documents": number.get("documents", 0), "clauses": number.get("clauses", 0),
                "sentences": number.get("sentences", 0), "new": number.get("newly", count(self.embedded())),
                "line": line, "skipped": text.count("skipped: ")}


def high_water_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), 0 once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    except OSError:
        return 0


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


# -- sections -----------------------------------------------------------------------------------------------
def copy_cache(source: Path, cache: Path, held: list[Path]) -> int:
    """Copy an embedding cache without the sentences of the held-back documents (they must be embedded when
    added); returns the number of sentences copied."""
    from index.build import result_units
    from index.embed import DEFAULT_MODEL, EmbeddingCache, text_key
    from ingest.pipeline import ingest_file

    entries = EmbeddingCache(source).load(DEFAULT_MODEL)
    for path in held:
        result = ingest_file(path)
        for unit in result_units(result):
            entries.pop(text_key(unit), None)
    keys = sorted(entries)
    EmbeddingCache(cache).add(DEFAULT_MODEL, keys, np.stack([entries[k] for k in keys]))
    return len(keys)


def bench_cold(corpus: Path, index_dir: Path, out: Path, warm_cache: Path | None, held: list[Path]) -> int:
    """Cold build; returns how many distinct sentences its cache holds (what a build embeds)."""
    from index.build import cache_dir_for

    cache = cache_dir_for(index_dir)
    shutil.rmtree(index_dir, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    if warm_cache:
        copied = copy_cache(warm_cache, cache, held)
        print(f"  NOT COLD: embedding cache copied from {warm_cache} ({copied:,} sentences, without those of the "
              "held-back documents)")
    build = Build(corpus, index_dir, out / "build-cold.log")
    build.watch(total=None)
    got = build.report()
    print(f"  {got['line']}")
    label = "build, warm cache copied in" if warm_cache else "cold build (model load included)"
    figure(label, f"{build.seconds:7.1f} s", verdict(build.seconds / 60, 20, "min") if not warm_cache else "")
    figure("documents / clauses / sentences", f"{got['documents']:,} / {got['clauses']:,} / {got['sentences']:,}")
    figure("files not ingested (see build-cold.log)", str(got["skipped"]))
    figure("sentences embedded, per second of the whole build",
           f"{got['new']:,}, {got['new'] / build.seconds:6.1f}/s")
    figure("peak RSS of the build process", f"{build.peak_rss_mb:7.0f} MB",
           verdict(build.peak_rss_mb / 1024, 2.5, "GB"))
    figure("index size on disk", f"{folder_mb(index_dir):7.1f} MB")
    for name in ("dense.faiss", "lexical", "clauses.jsonl", "documents.jsonl"):
        path = index_dir / name
        if path.exists():
            size = folder_mb(path) if path.is_dir() else path.stat().st_size / 2**20
            figure(f"  of which {name}", f"{size:7.1f} MB")
    figure("embedding cache beside it (-cache)", f"{folder_mb(cache):7.1f} MB")
    return count(cache_keys(cache))


def bench_query(index_dir: Path, corpus: Path) -> None:
    from index.qa import answer, answerer_for
    from index.search import Searcher

    asked = development_questions()
    started = time.perf_counter()
    searcher = Searcher.load(index_dir, corpus_dir=corpus)
    searcher.embedder.encode(["预热"])
    figure("index + model load (first encode included)", f"{time.perf_counter() - started:7.1f} s")
    figure("dense index kind / vectors", f"{searcher.dense.kind} / {searcher.dense.ntotal:,}")
    answerer = answerer_for(searcher)
    for q in asked[:5]:                                          # warm-up: lazy caches, first-call costs
        answerer.search(q, k=10)
        answer(searcher, q)
    print(f"  {len(asked)} development questions (bench/gold/regs + bench/gold/seeds), one at a time:")
    parts = {
        "hybrid search (policyqa search, k=10)": lambda q: answerer.search(q, k=10),
        "ask (policyqa ask)": lambda q: answer(searcher, q),
        "  part: query encoding": lambda q: searcher.embedder.encode([q]),
        "  part: dense shortlist (k=1000)": None,
        "  part: BM25 shortlist (k=1000)": lambda q: searcher.lexical.search(q, k=1000),
    }
    vectors = searcher.embedder.encode(asked)
    by_question = dict(zip(asked, vectors, strict=True))
    parts["  part: dense shortlist (k=1000)"] = lambda q: searcher.dense.search_one(by_question[q], 1000)
    targets = {"hybrid search (policyqa search, k=10)": 40, "ask (policyqa ask)": 300}
    for label, fn in parts.items():
        ms = []
        for q in asked:
            t = time.perf_counter()
            fn(q)
            ms.append((time.perf_counter() - t) * 1000)
        p50, p95 = np.percentile(ms, 50), np.percentile(ms, 95)
        target = verdict(p50, targets[label], "ms p50") if label in targets else ""
        figure(label, f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", target)
    for label in ("hybrid search (policyqa search, k=10)", "ask (policyqa ask)"):
        where_time_goes(label, parts[label], asked)


def where_time_goes(label: str, fn, asked: list[str], shown: int = 8) -> None:
    """The functions of the project that take most of fn's time over the questions (cProfile, cumulative)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for q in asked:
        fn(q)
    profile.disable()
    stats = pstats.Stats(profile).stats
    total = sum(tt for _, _, tt, _, _ in stats.values()) or 1.0
    ours = [(ct, f"{Path(file).parent.name}/{Path(file).name}:{line} {name}") for (file, line, name), (_, _, _, ct, _)
            in stats.items() if str(ROOT) in file and "/bench/" not in file and ".venv" not in file]
    top = sorted(ours, reverse=True)[:shown]
    print(f"  where the time of '{label}' goes (cProfile, cumulative, share of {total:.1f} s):")
    for seconds, where in top:
        print(f"    {seconds / total:6.1%}  {where}")


def bench_add(corpus: Path, index_dir: Path, held: list[Path], out: Path) -> None:
    from index.build import add_document, build_index, cache_dir_for
    from index.embed import Embedder

    embedder = Embedder()
    embedder.encode(["预热"])                                    # the app's model is loaded already
    started = time.perf_counter()
    report = build_index(corpus, index_dir, embedder=embedder)   # an index of older code is built again here
    figure("before: the index brought up to date (model loaded)", f"{time.perf_counter() - started:7.1f} s  "
           f"{report.reused_documents:,} of {report.documents:,} documents taken over")
    first = sorted(p for p in corpus.iterdir() if p.is_dir())[0]
    one, two = held
    shutil.copyfile(one, first / one.name)
    build = Build(corpus, index_dir, out / "build-add.log")
    build.watch(total=None)
    got = build.report()
    print(f"  added {one.name} ({one.stat().st_size / 1024:.0f} KB); {got['line']}")
    figure("one document added: `policyqa build` (new process)", f"{build.seconds:7.1f} s  {got['new']} new",
           verdict(build.seconds, 5, "s"))
    figure("  its peak RSS", f"{build.peak_rss_mb:7.0f} MB")

    started = time.perf_counter()
    add_document(two, corpus, index_dir, embedder=embedder)
    seconds = time.perf_counter() - started
    figure("one document added: add_document (model loaded)", f"{seconds:7.1f} s", verdict(seconds, 5, "s"))
    started = time.perf_counter()
    report = build_index(corpus, index_dir, embedder=embedder)
    figure("rebuild, nothing changed (model loaded)", f"{time.perf_counter() - started:7.1f} s  "
           f"{report.reused_documents:,} of {report.documents:,} documents taken over")
    print("  a full rebuild (nothing taken over from the index), stage by stage:")
    rebuild_stages(corpus, index_dir, cache_dir_for(index_dir))


def rebuild_stages(corpus: Path, index_dir: Path, cache: Path) -> None:
    """Where the time of a rebuild with nothing new to embed goes: each stage run on its own."""
    import tempfile

    from index import lexical
    from index.build import ingest_corpus, lexical_text, result_units
    from index.dense import DenseIndex
    from index.embed import EmbeddingCache, text_key
    from index.store import read_manifest

    times = {}
    t = time.perf_counter()
    results = ingest_corpus(corpus).results
    times["ingest"] = time.perf_counter() - t
    documents = [r.document for r in results]
    clauses = [c for r in results for c in r.clauses]
    by_doc = {d.doc_id: d for d in documents}
    t = time.perf_counter()
    units = [u for r in results for u in result_units(r)]
    keys = [text_key(u) for u in units]
    times["units + keys"] = time.perf_counter() - t
    t = time.perf_counter()
    built = (index_dir / "manifest.json").is_file()
    manifest = read_manifest(index_dir) if built else {}
    known = EmbeddingCache(cache).load(manifest.get("vectors", manifest.get("model"))) if built else {}
    found = [known[k] for k in keys if k in known]
    times["cache load"] = time.perf_counter() - t
    if len(found) < len(keys):
        print(f"    ({len(keys) - len(found):,} of {len(keys):,} sentence keys not in the cache: the dense stage "
              "indexes random unit vectors of dim 512 in their place)")
        rng = np.random.default_rng(0)
        found += list(rng.standard_normal((len(keys) - len(found), 512), dtype=np.float32))
    vectors = np.stack(found)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    t = time.perf_counter()
    terms = lexical.mine_terms([d.text for d in documents])
    tokenizer = lexical.Tokenizer(terms, hmm=False)
    times["mine_terms + Tokenizer"] = time.perf_counter() - t
    t = time.perf_counter()
    lexical.LexicalIndex.build([lexical_text(by_doc[c.doc_id], c) for c in clauses], tokenizer)
    times["BM25 index"] = time.perf_counter() - t
    t = time.perf_counter()
    dense = DenseIndex.build(vectors)
    with tempfile.TemporaryDirectory() as tmp:
        dense.save(Path(tmp) / "dense.faiss")
    times[f"dense index ({dense.kind}) + save"] = time.perf_counter() - t
    figure("rebuild stages, each alone", " / ".join(f"{v:.1f}" for v in times.values()) + " s")
    print(f"    ({' / '.join(times)})")


def bench_kill(corpus: Path, out: Path, total: int | None, fraction: float) -> None:
    from index.build import cache_dir_for

    index_dir = out / "killed-index"
    cache = cache_dir_for(index_dir)
    shutil.rmtree(index_dir, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    if not total:
        total = distinct_units(corpus)
    first = Build(corpus, index_dir, out / "build-killed.log")
    first.watch(total=total, stop_at=int(total * fraction))
    if first.process.returncode != -signal.SIGKILL:
        raise SystemExit(f"lawref_e2e: the build ended (exit {first.process.returncode}) before it was killed")
    saved = cache_keys(cache)
    had = {k for ks in saved.values() for k in ks}
    figure(f"build killed (kill -9) at {fraction:.0%} of the sentences", f"after {first.killed_at:6.1f} s, "
           f"{len(had):,} saved")
    figure("  index folder after the kill", "absent (old index intact)" if not index_dir.exists() else
           "present: " + ", ".join(sorted(p.name for p in index_dir.iterdir())))
    second = Build(corpus, index_dir, out / "build-resumed.log")
    second.watch(total=total)
    got = second.report()
    written = second.embedded()
    again = {k for ks in written.values() for k in ks}
    print(f"  {got['line']}")
    figure("run again: sentences embedded / all sentences", f"{got['new']:,} / {len(had | again):,}")
    figure("  re-embedded of what the killed run had saved", f"{len(had & again):,}", "= 0: "
           + ("ok" if not had & again else "MISSED"))
    figure("  resumed build time", f"{second.seconds:7.1f} s")


def distinct_units(corpus: Path) -> int:
    """How many distinct sentences a build of corpus embeds (when no cold build gave the figure)."""
    from index.build import ingest_corpus, result_units
    from index.embed import text_key

    return len({text_key(u) for r in ingest_corpus(corpus).results for u in result_units(r)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", help="folders of documents (subfolders included)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "lawref-e2e",
                        help="work folder: corpus copy, indexes, caches, logs (default bench/out/lawref-e2e)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the sentences saved at the kill")
    parser.add_argument("--warm-cache", type=Path, help="copy this embedding cache in before the first build "
                        "(debugging: the build is then not cold)")
    args = parser.parse_args(argv)
    sections = [s for s in args.sections.split(",") if s]
    wrong = [s for s in sections if s not in SECTIONS] + [str(f) for f in args.folders if not f.is_dir()]
    if wrong:
        print(f"lawref_e2e: not a folder or section: {', '.join(wrong)}", file=sys.stderr)
        return 2
    from index.build import cache_dir_for

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    corpus, index_dir, held_dir = out / "corpus", out / "index", out / "held-back"
    print(f"PolicyQA end to end  {time.strftime('%Y-%m-%d %H:%M:%S')}  {os.cpu_count()} cores  {load()}")
    print(f"folders: {', '.join(str(f) for f in args.folders)}\nwork folder: {out}", flush=True)

    section("0. Corpus copy")
    started = time.perf_counter()
    copied, held = assemble(args.folders, corpus, held_dir)
    figure("documents copied / held back for 'one added'", f"{copied:,} / {len(held)}")
    figure("copy time", f"{time.perf_counter() - started:7.1f} s")
    total = None
    if "cold" in sections:
        section("1. Cold build: `policyqa build` in a child process, empty embedding cache")
        total = bench_cold(corpus, index_dir, out, args.warm_cache, held)
    if "query" in sections:
        section("2. Hybrid search and ask, warm, one question at a time")
        bench_query(index_dir, corpus)
    if "add" in sections:
        section("3. One document added (the index's other sentences come from its cache)")
        bench_add(corpus, index_dir, held, out)
    if "stages" in sections:
        section("5. The stages of a rebuild with nothing new to embed, each alone (no model)")
        rebuild_stages(corpus, index_dir, cache_dir_for(index_dir))
    if "kill" in sections:
        section("4. A build killed halfway (kill -9), then run again")
        bench_kill(corpus, out, total, args.kill_at)

    print(f"\n== Summary against the targets  ({load()}, {time.strftime('%H:%M:%S')})")
    for label, value, target in SUMMARY:
        print(f"  {label.strip():<50} {value:<30} {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
