"""Load test of the HTTP API on loopback: concurrent clients, a bounded number of requests.

    .venv/bin/python bench/api_load.py [--index .index] [--corpus corpus] [--clients 8] [--requests 500]
    .venv/bin/python bench/api_load.py --url http://127.0.0.1:8000      # a server already running here

Starts `policyqa serve` on a free port of 127.0.0.1 (or takes --url, loopback only), then sends the
requests from --clients threads, each with its own keep-alive connection: /search mostly, /ask for
--ask-share of them, the questions read from a gold set's questions.jsonl at run time. Prints the time to
the first answer, throughput, p50/p95/p99 per endpoint, failed requests (transport errors, a status
other than 200, a body without its keys), answers that differ from the same question's first answer,
and the load average. Stops after --requests requests or --max-seconds, whichever comes first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, load, row, section, stop, verdict  # noqa: E402

QUESTIONS = ROOT / "bench" / "gold" / "seeds" / "questions.jsonl"
READY_SECONDS = 240
SEARCH_P95_TARGET_MS = 1000      # issue target: p95 <= 1 s for /search at 8 concurrent clients
KEYS = {"/search": "results", "/ask": "answer"}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    if not questions:
        raise SystemExit(f"error: no questions in {args.questions}")
    rng = random.Random(args.seed)
    plan = [("/ask", {"question": q}) if rng.random() < args.ask_share else ("/search", {"query": q, "k": 10})
            for q in (rng.choice(questions) for _ in range(args.requests))]
    server = None
    try:
        if args.url:
            host, port = loopback(args.url)
        else:
            host, port = "127.0.0.1", free_port()
            server, startup = start_server(args.index, args.corpus, port)
            section("server")
            row("start to first answer (model load, warm-up)", f"{startup:.1f} s")
        section(f"one client, {args.warm} requests (warm-up, not counted)")
        alone = run(host, port, plan[:args.warm], 1, args.max_seconds)
        for endpoint in KEYS:
            ms = [r[1] for r in alone if r[0] == endpoint and r[2]]
            if ms:
                row(f"{endpoint} alone, n={len(ms)}", percentiles(np.asarray(ms)))
        section(f"{args.clients} clients, {len(plan)} requests ({args.ask_share:.0%} /ask)")
        before = os.getloadavg()
        started = time.perf_counter()
        results = run(host, port, plan, args.clients, args.max_seconds)
        wall = time.perf_counter() - started
        report(results, wall, len(plan), before)
        failed = sum(not ok for _, _, ok, _ in results) + len(plan) - len(results)
        return 1 if failed else 0
    finally:
        if server is not None:
            stop(server)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, default=Path(".index"), help="index folder to serve (default .index)")
    p.add_argument("--corpus", type=Path, default=Path("corpus"), help="its corpus folder (default corpus)")
    p.add_argument("--url", help="a server already running on this machine (loopback only)")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--ask-share", type=float, default=0.2, help="share of /ask requests (default 0.2)")
    p.add_argument("--questions", type=Path, default=QUESTIONS, help="a questions.jsonl (default the seeds')")
    p.add_argument("--warm", type=int, default=20, help="requests sent by one client first, not counted")
    p.add_argument("--max-seconds", type=float, default=600, help="stop sending after this long")
    p.add_argument("--seed", type=int, default=11)
    return p.parse_args(argv)


def loopback(url: str) -> tuple[str, int]:
    """host and port of a loopback URL; anything else is refused (the test must not leave this machine)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if not (host == "localhost" or host == "::1" or host.startswith("127.")):
        raise SystemExit(f"error: --url {url}: only a server on this machine (127.0.0.1, localhost, ::1)")
    return host, parts.port or 80


def start_server(index: Path, corpus: Path, port: int) -> tuple[subprocess.Popen, float]:
    """`policyqa serve` on 127.0.0.1:port, its output in a temporary file; (process, seconds until it answered)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    log = tempfile.NamedTemporaryFile(prefix="policyqa-serve-", suffix=".log", delete=False)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "index.cli", "serve", "--index", str(index), "--corpus",
                             str(corpus), "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"error: the server exited ({proc.returncode}):\n"
                             + Path(log.name).read_text(errors="replace")[-2000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/openapi.json")
            if conn.getresponse().status == 200:
                return proc, time.perf_counter() - started
        except OSError:
            pass
        if time.perf_counter() - started > READY_SECONDS:
            proc.kill()
            raise SystemExit(f"error: no answer on port {port} after {READY_SECONDS} s (log {log.name})")
        time.sleep(0.25)


def run(host: str, port: int, plan: list[tuple[str, dict]], clients: int, max_seconds: float) -> list[tuple]:
    """(endpoint, ms, ok, fingerprint) per request sent, from `clients` threads sharing one queue."""
    todo: queue.Queue = queue.Queue()
    for item in plan:
        todo.put(item)
    results: list[tuple] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while time.monotonic() < deadline:
            try:
                endpoint, params = todo.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            ok, fingerprint = False, None
            try:
                conn.request("GET", f"{endpoint}?{urllib.parse.urlencode(params)}")
                response = conn.getresponse()
                body = response.read()
                data = json.loads(body) if response.status == 200 else {}
                ok = KEYS[endpoint] in data
                fingerprint = (endpoint, *params.values(), _fingerprint(endpoint, data)) if ok else None
            except (OSError, http.client.HTTPException, ValueError):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
            ms = (time.perf_counter() - started) * 1000
            with lock:
                results.append((endpoint, ms, ok, fingerprint))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _fingerprint(endpoint: str, data: dict) -> tuple:
    """What must not change between two answers to one question: the clauses and the answer."""
    if endpoint == "/search":
        return tuple(r["clause_id"] for r in data["results"])
    return (data["answer"], tuple(c["clause_id"] for c in data["citations"]))


def percentiles(ms: np.ndarray) -> str:
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms"


def report(results: list[tuple], wall: float, planned: int, before: tuple[float, float, float]) -> None:
    failed = sum(not ok for _, _, ok, _ in results)
    unsent = planned - len(results)
    row("requests sent / planned", f"{len(results)} / {planned}", "stopped at --max-seconds" if unsent else "")
    row("throughput", f"{len(results) / wall:.1f} requests/s", f"{wall:.1f} s wall")
    for endpoint in KEYS:
        ms = np.asarray([m for e, m, ok, _ in results if e == endpoint and ok])
        if len(ms):
            target = (f"target p95 <= {SEARCH_P95_TARGET_MS} ms: "
                      f"{verdict(np.percentile(ms, 95), SEARCH_P95_TARGET_MS)}") if endpoint == "/search" else ""
            row(f"{endpoint}, n={len(ms)}", percentiles(ms), target)
    row("failed requests", str(failed + unsent), "target 0: " + ("ok" if failed + unsent == 0 else "MISSED"))
    first: dict[tuple, tuple] = {}
    differing = 0
    for _, _, ok, fingerprint in results:
        if ok:
            key, value = fingerprint[:-1], fingerprint[-1]
            differing += first.setdefault(key, value) != value
    row("answers differing from that question's first", str(differing))
    row("load average before / after", f"{before[0]:.2f} / {os.getloadavg()[0]:.2f}", load())


if __name__ == "__main__":
    sys.exit(main())
