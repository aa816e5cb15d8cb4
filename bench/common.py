"""Small helpers shared by the benchmarks: printing rows as they come, timing, load and memory."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Sequence

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
