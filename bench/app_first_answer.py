"""Time from starting the Streamlit app to its first answer, in a real browser.

    .venv/bin/python bench/app_first_answer.py INDEX_DIR CORPUS_DIR [--question Q] [--shots bench/out]

Chromium is started first (its own start-up is not the app's), then `streamlit run app.py` on the index,
the clock starting as the server process is spawned. Prints the seconds from server start to: the
server answering its health check, the page ready (the question box shown, which comes after the index
and the model are loaded), and the first answer rendered (a short answer, or 未找到 with the nearest
clauses), the question asked --think seconds after the page is ready (0 by default, the worst case);
then a second session asking --second (warm), the server's resident memory and the load average. With
--shots, full-page screenshots of the answer, of 其他城市的类似措施 opened on the first card, of 跨城市比较
for --topic, of 文档库 and of the sidebar's city list searched for 浙江 go to that folder (for looking at, not
committed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import free_port, load, process_rss_mb, stop, wait_until_up  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PLACEHOLDER = "输入问题，例如：沧州如何吸引外国专家？按回车提问"
ANSWERED = ".pq-answer, [data-testid=stAlert]:has-text('未找到')"   # an answer, or 未找到 and the nearest clauses
TIMEOUT_MS = 300_000


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    try:
        wait_until_up(f"{url}/_stcore/health", proc, log, timeout)
    except RuntimeError as exc:
        sys.exit(f"streamlit: {exc}")


def ask(page, question: str) -> None:
    box = page.get_by_placeholder(PLACEHOLDER)
    box.fill(question)
    box.press("Enter")
    page.locator(ANSWERED).first.wait_for(timeout=TIMEOUT_MS)


def full_shot(page, path: Path) -> None:
    """Streamlit scrolls its main area, not the document: grow the window to the page's height first."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})
    print(f"  screenshot {path}", flush=True)


def screenshots(page, shots: Path, topic: str) -> None:
    shots.mkdir(parents=True, exist_ok=True)
    full_shot(page, shots / "app-answer.png")
    page.locator("[data-testid=stExpander] summary", has_text="其他城市的类似措施").first.click()
    page.get_by_text("更多", exact=False).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)
    full_shot(page, shots / "app-similar.png")
    page.get_by_role("tab", name="跨城市比较").click()
    page.get_by_label("比较主题").fill(topic)
    page.get_by_role("button", name="比较", exact=True).click()
    page.locator("[data-testid=stExpander] summary", has_text="更多城市").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)
    full_shot(page, shots / "app-compare.png")
    page.get_by_role("tab", name="文档库").click()
    page.get_by_text("份文件").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)
    full_shot(page, shots / "app-library.png")
    cities = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="城市")
    cities.click()
    page.keyboard.type("浙江")                   # typing searches the 省份｜城市 labels
    page.wait_for_timeout(1000)
    page.screenshot(path=str(shots / "app-city-filter.png"))
    print(f"  screenshot {shots / 'app-city-filter.png'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path, help="index folder (policyqa build)")
    parser.add_argument("corpus", type=Path, help="the corpus folder the index was built from")
    parser.add_argument("--question", default="对技术转移机构有什么奖励？", help="the first question asked")
    parser.add_argument("--second", default="科技企业孵化器有哪些扶持政策？", help="the warm question")
    parser.add_argument("--topic", default="科技成果转化", help="跨城市比较 topic for the screenshot")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds between the page being ready and the question (a reader reading the page)")
    parser.add_argument("--shots", type=Path, help="folder for screenshots (e.g. bench/out)")
    args = parser.parse_args()
    for name, folder in (("index", args.index), ("corpus", args.corpus)):
        if not folder.is_dir():
            sys.exit(f"{name} {folder}: not a folder; give the index built by `policyqa build` and its corpus")
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: run `make browser-deps` (installs Chromium and a Chinese font)")
    from playwright.sync_api import sync_playwright

    print(f"app first answer: index {args.index}, corpus {args.corpus}; {load()}", flush=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "POLICYQA_INDEX": str(args.index.resolve()), "POLICYQA_CORPUS": str(args.corpus.resolve()),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    log = Path(tempfile.mkdtemp(prefix="policyqa-app-bench-")) / "server.log"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
        with log.open("wb") as out:
            started = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
                 "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.headless", "true"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_healthy(url, proc, log)
            healthy = time.monotonic() - started
            page.goto(url)
            page.get_by_placeholder(PLACEHOLDER).wait_for(timeout=TIMEOUT_MS)
            ready = time.monotonic() - started
            page.wait_for_timeout(args.think * 1000)
            ask(page, args.question)
            first = time.monotonic() - started
            print(f"  server healthy {healthy:6.1f} s", flush=True)
            print(f"  page ready     {ready:6.1f} s   (index and model loaded)", flush=True)
            print(f"  first answer   {first:6.1f} s   ({first - ready - args.think:.1f} s after the question, asked "
                  f"{args.think:.0f} s after the page was ready)   {load()}", flush=True)
            began = time.monotonic()
            warm = page.context.new_page()
            warm.goto(url)
            warm.get_by_placeholder(PLACEHOLDER).wait_for(timeout=TIMEOUT_MS)
            warm_ready = time.monotonic() - began
            ask(warm, args.second)
            print(f"  a second session: page ready {warm_ready:.1f} s, answer {time.monotonic() - began:.1f} s "
                  f"(warm)   {load()}", flush=True)
            print(f"  server RSS     {process_rss_mb(proc.pid):6.0f} MB", flush=True)
            if args.shots:
                screenshots(page, args.shots, args.topic)
        finally:
            browser.close()
            stop(proc, timeout=10)


if __name__ == "__main__":
    main()
