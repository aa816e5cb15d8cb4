"""Real-browser checks: `streamlit run app.py` on the test indexes, driven by Debian's Chromium.

Asks the golden numeric question, waits for the rendered answer and its citation, copies the source
clause with one click, opens the full document at the cited clause, and saves a full-page screenshot
to tests/out/browser.png. Prints the time to the first answer (cold: page load including the model,
and warm: a second session), and the server's resident memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.common import free_port, process_rss_mb, stop, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
QUESTION = "沧州2025年科技型中小企业数量目标是多少？"
PLACEHOLDER = "输入问题，例如：沧州如何吸引外国专家？按回车提问"


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    try:
        wait_until_up(f"{url}/_stcore/health", proc, log, timeout)
    except RuntimeError as exc:
        pytest.fail(f"streamlit: {exc}")


def serve(corpus: Path, index: Path, log: Path):
    """`streamlit run app.py` on an index; yields (url, process), stops it afterwards."""
    port = free_port()
    env = {**os.environ, "POLICYQA_INDEX": str(index), "POLICYQA_CORPUS": str(corpus),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url, proc
    finally:
        stop(proc, timeout=10)


@pytest.fixture(scope="module")
def server(built_index, tmp_path_factory):
    corpus, index = built_index
    yield from serve(corpus, index, tmp_path_factory.mktemp("streamlit") / "server.log")


@contextmanager
def page_at(url: str):
    """A fresh Chromium page opened at url (1440 x 1000, zh-CN)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (installs Chromium and a Chinese font)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN").new_page()
            page.goto(url)
            yield page
        finally:
            browser.close()


def ask(page, url: str, question: str) -> tuple[float, float]:
    """Open the page in a fresh session, ask, wait for the answer: (seconds to answer, of which loading)."""
    started = time.monotonic()
    page.goto(url)
    box = page.get_by_placeholder(PLACEHOLDER)
    box.wait_for(timeout=120_000)
    loaded = time.monotonic() - started
    box.fill(question)
    box.press("Enter")
    page.locator(".pq-answer").wait_for(timeout=120_000)
    return time.monotonic() - started, loaded


def test_question_in_a_real_browser(server, capsys):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (installs Chromium and a Chinese font)")
    from playwright.sync_api import sync_playwright

    url, proc = server
    OUT.mkdir(exist_ok=True)
    shot = OUT / "browser.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
            cold, cold_load = ask(context.new_page(), url, QUESTION)
            page = context.new_page()
            warm, warm_load = ask(page, url, QUESTION)

            answer = page.locator(".pq-answer").first.inner_text()
            citation = page.locator(".pq-cite").first.inner_text()
            assert "13500" in answer
            assert "《沧州市科技创新“十四五”规划》" in citation
            source = page.locator(".pq-text").first.inner_text()
            assert "13500" in source

            page.locator("button.pq-copy").first.click()
            page.get_by_text("已复制 ✓").first.wait_for(timeout=5_000)
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied.startswith("科技型中小企业数量(家)")
            assert copied.endswith(citation.removeprefix("出处："))

            # Streamlit scrolls its main area, not the document: grow the window to the page's height first.
            height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
            page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 8000)})
            page.wait_for_timeout(500)
            page.screenshot(path=str(shot), full_page=True)
            page.set_viewport_size({"width": 1440, "height": 1000})

            page.get_by_role("button", name="查看原文").first.click()
            cited = page.locator(".pq-doc .pq-cited")
            cited.wait_for(timeout=30_000)
            assert "13500" in cited.inner_text()
            page.wait_for_timeout(800)                       # the scroll runs 300 ms after the dialog opens
            box = cited.bounding_box()
            assert box and 0 <= box["y"] <= 1000, f"cited clause not scrolled into view: {box}"
            page.screenshot(path=str(OUT / "browser-document.png"))
        finally:
            browser.close()
    memory = process_rss_mb(proc.pid)
    with capsys.disabled():
        print(f"\nbrowser: first answer cold {cold:.1f} s (page ready {cold_load:.1f} s), "
              f"warm {warm:.1f} s (page ready {warm_load:.1f} s); server RSS {memory:.0f} MB; screenshot {shot}")


def test_old_new_comparison_in_a_real_browser(versions_index, tmp_path):
    """文档库 → 新旧对照 of 上海市科学技术进步条例 2010 / 2024: the aligned table, with changes marked; a
    screenshot of it in tests/out/browser-diff.png."""
    corpus, index = versions_index
    OUT.mkdir(exist_ok=True)
    shot = OUT / "browser-diff.png"
    for url, _ in serve(corpus, index, tmp_path / "server.log"):
        with page_at(url) as page:
            page.get_by_role("tab", name="文档库").wait_for(timeout=120_000)
            page.get_by_role("tab", name="文档库").click()
            page.get_by_text("新旧对照").first.wait_for(timeout=30_000)
            page.locator("[data-testid=stSelectbox]").filter(has_text="有多个版本的文件").click()
            page.get_by_role("option", name="上海市科学技术进步条例").first.click()
            table = page.locator("table.pq-diff")
            table.get_by_text("本条例自20").first.wait_for(timeout=30_000)
            page.wait_for_timeout(800)
            assert "第四十九条" in table.inner_text() and "第四十七条" in table.inner_text()
            assert table.locator("ins").count() > 20 and table.locator("del").count() > 20
            # the first rows of the comparison, with the caption above them
            page.locator("h5", has_text="新旧对照").evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)
            page.screenshot(path=str(shot))
    assert shot.exists()


def test_comparison_table_in_a_real_browser(server):
    """跨城市比较 for 科技企业孵化器: a row per city and document with its figures, best first; a screenshot in
    tests/out/browser-compare.png."""
    url, _ = server
    OUT.mkdir(exist_ok=True)
    shot = OUT / "browser-compare.png"
    with page_at(url) as page:
        page.get_by_role("tab", name="跨城市比较").wait_for(timeout=120_000)
        page.get_by_role("tab", name="跨城市比较").click()
        page.get_by_label("比较主题").fill("科技企业孵化器")
        page.get_by_role("button", name="比较", exact=True).click()
        page.get_by_text("张家口市 ·").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        rows = page.locator("[data-testid=stExpander] summary").all_inner_texts()
        assert rows and "个数字" in rows[0], rows
        page.screenshot(path=str(shot), full_page=True)
    assert shot.exists()
