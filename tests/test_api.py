"""The HTTP API: a real `policyqa serve` process on a free loopback port, over the session's index of the
bundled corpus, called with a real HTTP client (urllib); one server for the whole module."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.common import free_port, stop, wait_until_up
from index import service
from index.cli import main
from index.search import SearchFilters

ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 180          # model load and warm-up; slow when the machine is busy


def get(base: str, path: str, **params) -> tuple[int, dict]:
    """(status, parsed JSON body) of GET base+path?params; lists become repeated parameters."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    try:
        with urllib.request.urlopen(f"{base}{path}?{query}", timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def server(built_index, tmp_path_factory):
    """Base URL of a `policyqa serve` process on the session index; stopped after the module."""
    corpus, index = built_index
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "index.cli", "serve", "--index", str(index), "--corpus",
                                 str(corpus), "--port", str(port)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_up(f"{base}/openapi.json", proc, log, READY_SECONDS)
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield base
    finally:
        stop(proc)


def test_search_returns_the_clause_with_its_citation(server):
    status, body = get(server, "/search", query="廊坊对技术转移机构有什么奖励", k=3)
    assert status == 200 and body["query"] == "廊坊对技术转移机构有什么奖励"
    top = body["results"][0]
    assert "对新认定的市级以上技术转移、技术交易机构等给予10万元的一次性奖励" in top["text"]
    assert top["city"] == "廊坊" and top["section"] == "三、政策措施 › (三)支持中介服务机构建设"
    assert top["citation"].startswith("廊坊市《关于加快协同创新共同体建设促进科技成果转化行动计划")
    assert top["citation"].endswith("三、政策措施（三）支持中介服务机构建设（已到期）")


def test_filters_are_query_parameters(server, searcher):
    status, body = get(server, "/search", query="孵化器建设目标", city=["张家口"], k=4)
    assert status == 200 and len(body["results"]) == 4
    assert {r["city"] for r in body["results"]} == {"张家口"}
    status, body = get(server, "/search", query="孵化器", year_from=2021, k=5)
    assert status == 200 and body["results"]
    assert all(r["date"] >= "2021" for r in body["results"])


def test_every_endpoint_returns_the_clis_json_object(server, searcher, built_index, capsys):
    """The same functions build both; the CLI itself is run once for /ask."""
    question = "沧州2025年科技型中小企业数量要达到多少家?"
    status, asked = get(server, "/ask", question=question)
    corpus, index = built_index
    assert main(["ask", question, "--json", "--index", str(index), "--corpus", str(corpus)]) == 0
    assert status == 200 and asked == json.loads(capsys.readouterr().out)
    assert asked["answer"] == "13500家" and asked["abstained"] is False

    params = {"query": "孵化器", "k": 5, "city": ["沧州", "廊坊"], "in_force": "false", "as_of": "2019-01-01"}
    status, found = get(server, "/search", **params)
    assert status == 200 and found == service.search(searcher, "孵化器", k=5, filters=SearchFilters(
        cities=("沧州", "廊坊"), as_of="2019-01-01"))
    clause_id = found["results"][0]["clause_id"]
    assert get(server, "/similar", clause_id=clause_id, k=3) == (200, service.similar(searcher, clause_id=clause_id,
                                                                                      k=3))
    assert get(server, "/compare", topic="技术市场", cities=["沧州", "张家口"]) == (
        200, service.compare(searcher, "技术市场", cities=["沧州", "张家口"]))
    status, listed = get(server, "/documents", query="张家口 2018")
    assert (status, listed) == (200, service.documents(searcher, "张家口 2018"))
    assert [d["city"] for d in listed["documents"]] == ["张家口"]


@pytest.mark.parametrize(("path", "params", "code", "names"), [
    ("/ask", {"question": "  "}, 422, "question"),
    ("/search", {}, 422, "query"),
    ("/search", {"query": "孵化器", "k": 0}, 422, "k"),
    ("/search", {"query": "孵化器", "as_of": "2020-13-01"}, 422, "as_of"),
    ("/search", {"query": "孵化器", "city": "保定"}, 404, "city 保定"),
    ("/ask", {"question": "孵化器", "doc": "no-such-doc"}, 404, "doc no-such-doc"),
    ("/similar", {"clause_id": "nope-0001"}, 404, "clause_id nope-0001"),
    ("/similar", {}, 422, "text or clause_id"),
    ("/compare", {"topic": "孵化器", "cities": "保定"}, 404, "cities 保定"),
    ("/documents", {"sort": "size"}, 422, "sort size"),
    ("/nowhere", {}, 404, "/nowhere"),
])
def test_errors_are_one_json_line_with_their_status(server, path, params, code, names):
    status, body = get(server, path, **params)
    assert status == code
    assert set(body) == {"error"} and names in body["error"] and "\n" not in body["error"]
    assert "Traceback" not in body["error"]


def test_openapi_schema_lists_the_endpoints_with_summaries(server):
    status, schema = get(server, "/openapi.json")
    assert status == 200
    assert set(schema["paths"]) == {"/search", "/ask", "/similar", "/compare", "/documents"}
    assert all(op["get"]["summary"] for op in schema["paths"].values())
    names = {p["name"] for p in schema["paths"]["/search"]["get"]["parameters"]}
    assert {"query", "k", "mode", "city", "province", "doc", "year_from", "year_to", "in_force", "as_of",
            "all_versions"} <= names


def test_concurrent_requests_get_the_answers_of_sequential_ones(server):
    """One Searcher and model serve 8 requests at once: each gets what it gets alone."""
    questions = ["廊坊对技术转移机构有什么奖励", "孵化器建设目标", "院士工作站", "科技型中小企业数量",
                 "技术市场交易额", "引进外国专家", "科技特派员", "天使投资基金"]

    def ids(question: str) -> list[str]:
        status, body = get(server, "/search", query=question, k=5)
        assert status == 200
        return [r["clause_id"] for r in body["results"]]

    alone = [ids(q) for q in questions]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(ids, questions * 2))
    assert together == alone * 2


def test_serve_refuses_a_missing_or_stale_index(built_index, tmp_path, capsys):
    corpus, index = built_index
    missing = tmp_path / "no-index"
    assert main(["serve", "--index", str(missing), "--corpus", str(corpus)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(missing) in err and "policyqa build" in err
    other = tmp_path / "other-corpus"
    other.mkdir()
    shutil.copy(next(corpus.glob("*.txt")), other)
    assert main(["serve", "--index", str(index), "--corpus", str(other)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(index) in err and "policyqa build" in err


def test_serve_refuses_a_port_in_use_before_loading_anything(built_index, capsys):
    corpus, index = built_index
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--index", str(index), "--corpus", str(corpus), "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
