"""The HTTP API behind `policyqa serve`: /search, /ask, /similar, /compare and /documents return the JSON
objects of `policyqa search|ask|similar|compare|documents --json` (index/service.py builds both), with the
CLI's options as query parameters of the same names (--year-from -> year_from). Schema: /openapi.json.

One Searcher (index and model) is loaded before the server starts and shared by every request; FastAPI
runs the endpoints in its thread pool, which is safe without a lock: the fast tokenizer is only changed
when truncation or padding settings change (every call here uses the same ones), torch inference, FAISS
CPU search and BM25 scoring only read, and the per-index caches are filled at startup (service.warm_up). Measured:
480 encodes from 8 threads gave the sequential vectors, without an error (bench/README.md, API).

Every error is one JSON line {"error": "…"} with its status: 422 for a missing, empty or malformed
parameter, 404 for a city, province, document or clause the index does not hold or an unknown path,
500 (traceback in the server log only) for anything else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

# On 2 cores torch's spinning OpenMP threads make concurrent queries collapse (index/embed.py): passive
# waiting must be set before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from index import service
from index.errors import IndexStale, UnknownName
from index.library import SORTS
from index.search import Searcher, SearchFilters

ENDPOINTS = ("/search", "/ask", "/similar", "/compare", "/documents")


class Error(BaseModel):
    error: str      # one line: what was wrong and what to give instead


class BadRequest(Exception):
    """A parameter the endpoint cannot use (422), said in one line naming it."""


ERRORS = {404: {"model": Error, "description": "a city, province, document or clause the index does not hold"},
          422: {"model": Error, "description": "a missing, empty or malformed parameter"}}


def load_for_serving(index: Path, corpus: Path | None = None, model: str | None = None) -> Searcher:
    """The Searcher a server shares, with its model loaded and caches filled. Refuses (IndexMissing,
    IndexCorrupt, IndexMismatch, IndexStale: one line naming the folder and the command to run) an index
    that is missing, unreadable, of another model or older than its corpus: a server must not answer from
    documents that are no longer there."""
    searcher = Searcher.load(Path(index), corpus_dir=corpus, model=model)
    if searcher.stale:
        raise IndexStale(f"the corpus {corpus} changed since the index at {index} was built: run "
                         f"`policyqa build --corpus {corpus} --index {index}` (or give the corpus it was built "
                         "from with --corpus)")
    service.warm_up(searcher)
    return searcher


def create_app(searcher: Searcher) -> FastAPI:
    app = FastAPI(title="PolicyQA", version="0.1.0",
                  description="Search and question Chinese policy documents; every result cites its city, "
                              "document and section. The same JSON objects as `policyqa … --json`.")

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    @app.exception_handler(UnknownName)
    async def unknown_name(request: Request, exc: UnknownName) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_line(exc)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": f"{request.method} {request.url.path}: {exc.detail}; endpoints: "
                                      f"{' '.join(ENDPOINTS)} (GET), schema at /openapi.json"},
                            status_code=exc.status_code)

    @app.exception_handler(Exception)      # Starlette re-raises it after the response: the log has the traceback
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        first = (str(exc).strip().splitlines() or [""])[0]
        return JSONResponse({"error": f"internal error ({type(exc).__name__}: {first}); the server log has "
                                      "the details"}, status_code=500)

    @app.get("/search", summary="The clauses that best match a question", responses=ERRORS,
             description="As `policyqa search QUERY --json`: {query, notes, results: [clause_id, city, province, "
                         "doc_title, doc_number, date, section, text, citation, score, status, superseded_by]}.")
    def search(query: Annotated[str, Query(description="a question in Chinese")],
               filters: Annotated[SearchFilters, Depends(_filters)],
               k: Annotated[int, Query(ge=1, le=1000, description="how many clauses")] = 10,
               mode: Literal["hybrid", "dense", "lexical"] = "hybrid") -> JSONResponse:
        return JSONResponse(service.search(searcher, _given("query", query), k=k, mode=mode, filters=filters))

    @app.get("/ask", summary="A short answer quoted from the cited clauses, or 未找到 with the reason",
             responses=ERRORS,
             description="As `policyqa ask QUESTION --json`: {question, answer, abstained, confidence, unsure, "
                         "reason, quote, citations, related}.")
    def ask(question: Annotated[str, Query(description="a question in Chinese")],
            filters: Annotated[SearchFilters, Depends(_filters)]) -> JSONResponse:
        return JSONResponse(service.ask(searcher, _given("question", question), filters=filters))

    @app.get("/similar", summary="What other cities did about the same measure", responses=ERRORS,
             description="As `policyqa similar --text TEXT --json` or `--clause-id ID`: {results: [...]}.")
    def similar(text: Annotated[str | None, Query(description="a clause or any text describing a measure")] = None,
                clause_id: Annotated[str | None, Query(description="a clause id from /search results")] = None,
                k: Annotated[int, Query(ge=1, le=100, description="how many clauses")] = 5) -> JSONResponse:
        if not (text and text.strip()) and not clause_id:
            raise BadRequest("text or clause_id: give one, e.g. /similar?text=推进知识产权质押融资")
        return JSONResponse(service.similar(searcher, text=text if text and text.strip() else None,
                                            clause_id=clause_id, k=k))

    @app.get("/compare", summary="One row per city and document: its best clauses on a topic, figures pulled out",
             responses=ERRORS, description="As `policyqa compare TOPIC --json`: {topic, rows: [...]}.")
    def compare(topic: Annotated[str, Query(description="a measure, e.g. 孵化器")],
                cities: Annotated[list[str] | None, Query(description="only these cities (repeatable)")] = None,
                ) -> JSONResponse:
        return JSONResponse(service.compare(searcher, _given("topic", topic), cities=cities))

    @app.get("/documents", summary="The documents of the index, with their status and number of clauses",
             responses={422: ERRORS[422]},
             description="As `policyqa documents --json`: {query, documents: [doc_id, source, title, city, "
                         "province, issuer, doc_number, date, doc_type, valid_from, valid_to, status, "
                         "superseded_by, clauses]}; query keeps those whose title, place, type, date or issuer "
                         "hold every word of it.")
    def documents(query: Annotated[str, Query(description="words, space-separated")] = "",
                  as_of: Annotated[str | None, Query(description="status on this day, YYYY-MM-DD")] = None,
                  type: Annotated[list[str] | None, Query(description="only these types (repeat), e.g. 条例")] = None,
                  year_from: Annotated[int | None, Query(description="dated in or after this year")] = None,
                  year_to: Annotated[int | None, Query(description="dated in or before this year")] = None,
                  sort: Annotated[str, Query(description=f"order: {', '.join(SORTS)}")] = "place",
                  ) -> JSONResponse:
        if sort not in SORTS:
            raise BadRequest(f"sort {sort}: unknown order; use one of {', '.join(SORTS)}")
        return JSONResponse(service.documents(searcher, query, as_of=_day("as_of", as_of), types=type or (),
                                              year_from=year_from, year_to=year_to, sort=sort))

    return app


def _filters(city: Annotated[list[str] | None, Query(description="only this city (repeatable), e.g. 沧州")] = None,
             province: Annotated[list[str] | None, Query(description="only this province (repeatable)")] = None,
             doc: Annotated[list[str] | None, Query(description="only this document id (repeatable)")] = None,
             national: Annotated[bool, Query(description="only national texts (国务院, 科技部…)")] = False,
             year_from: Annotated[int | None, Query(description="documents issued in or after this year")] = None,
             year_to: Annotated[int | None, Query(description="documents issued in or before this year")] = None,
             in_force: Annotated[bool, Query(description="只看现行有效: in force and not replaced")] = False,
             as_of: Annotated[str | None, Query(description="status on this day, YYYY-MM-DD (default today)")] = None,
             all_versions: Annotated[bool, Query(description="old versions as results of their own")] = False,
             ) -> SearchFilters:
    """The CLI's filter options (index/cli.py _filter_options) as query parameters."""
    return SearchFilters(cities=tuple(city or ()), provinces=tuple(province or ()), doc_ids=tuple(doc or ()),
                         national=national, year_from=year_from, year_to=year_to, in_force=in_force,
                         as_of=_day("as_of", as_of), include_superseded=all_versions)


def _given(name: str, value: str) -> str:
    if not value.strip():
        raise BadRequest(f"{name} is empty: give a question or topic in Chinese, e.g. {name}=孵化器")
    return value


def _day(name: str, value: str | None) -> str | None:
    from ingest.validity import parse_day

    if value is None:
        return None
    try:
        return parse_day(value).isoformat()
    except ValueError as exc:
        raise BadRequest(f"{name}: {exc}") from exc


def _validation_line(exc: RequestValidationError) -> str:
    """The first problem, naming its parameter: "k: Input should be greater than or equal to 1"."""
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    name = str(first.get("loc", ("?",))[-1])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{name}: {first.get('msg', 'invalid')}{more}"


def check_address(host: str, port: int) -> None:
    """Fail in one line before the model loads when the address cannot be listened on (a port in use)."""
    import socket

    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise OSError(f"cannot listen on {host}:{port} ({reason}): give another with --port "
                      "or --host") from None


def serve(searcher: Searcher, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(searcher), host=host, port=port, log_level="info")
