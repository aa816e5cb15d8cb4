"""Small helpers shared by the benchmarks: printing rows as they come, timing, load and memory."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

SUMMARY: list[tuple[str, str, str]] = []   # (figure, value, target) for the table at the end


def load() -> str:
    """The machine load (1, 5, 15 min) next to the number of cores: figures taken under load are slower."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def section(title: str) -> None:
    print(f"\n== {title}  ({load()})", flush=True)


def row(label: str, value: str, target: str = "", summary: bool = False) -> None:
    print(f"  {label:<46} {value:<28} {target}".rstrip(), flush=True)
    if summary:
        SUMMARY.append((label, value, target))


def verdict(value: float, limit: float) -> str:
    return "ok" if value <= limit else "MISSED"


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def latencies_ms(fn: Callable[[object], object], inputs: Sequence) -> np.ndarray:
    """Milliseconds of fn(x) for each x, one call at a time."""
    out = []
    for x in inputs:
        started = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - started) * 1000)
    return np.asarray(out)


def p50_p95(ms: np.ndarray) -> str:
    return f"p50 {np.percentile(ms, 50):7.2f} ms  p95 {np.percentile(ms, 95):7.2f} ms"


def rss_mb() -> float:
    """Resident memory now (VmRSS), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- servers started by a benchmark or a test (policyqa serve, streamlit run) ----------------------------

def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc, log, timeout: float) -> None:
    """Poll url until it answers 200; RuntimeError (with the end of the server's log) when the process
    exits first or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer on {url} after {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc, timeout: float = 15) -> None:
    """Terminate a server process, killing it when it does not stop within timeout seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def process_rss_mb(pid: int) -> float:
    """Resident memory of another process (VmRSS), in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# The development questions (regulations, then the seed plans), read at run time: never copied into code.
_GOLD = Path(__file__).resolve().parent / "gold"
QUESTION_FILES = (_GOLD / "regs" / "questions.jsonl", _GOLD / "seeds" / "questions.jsonl")


def development_questions() -> list[str]:
    """The question texts of QUESTION_FILES, in file order."""
    out = []
    for path in QUESTION_FILES:
        with path.open(encoding="utf-8") as f:
            out.extend(json.loads(line)["question"] for line in f if line.strip())
    return out
