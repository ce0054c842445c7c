"""Limits on what one request may ask for, and masking of internal errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from unittest.mock import ANY

import httpx
import pytest
from graphql import parse
from tortoise import connections

from core.access.caller import Caller
from core.api import limits
from core.api.schema import build_schema
from core.settings import Settings
from tests.api.test_statement_count import NESTED_QUERY
from tests.conftest import graphql


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    from core.server import create_app

    app = create_app(settings, manage_database=False, default_caller=Caller.system())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def strict(db) -> AsyncIterator[httpx.AsyncClient]:
    """A server configured with small limits (as BAOXUE_MAX_* variables would)."""
    settings = Settings(max_query_depth=4, max_aliases=2, max_tokens=60, max_query_cost=50)
    async for http in _client(settings):
        yield http


def _estimate(query: str, variables: dict | None = None) -> int:
    schema = build_schema(Settings())._schema
    return limits.estimate_cost(schema, parse(query), None, variables, 20)


def test_cost_counts_pages_lists_and_objects() -> None:
    assert _estimate("{ jurisdictions { name } }") == 10  # a list: LIST_FACTOR objects
    assert _estimate("{ children(first: 5) { totalCount } }") == 1
    # connection 1 + 5 edges × (edge 1 + node 1)
    assert _estimate("{ children(first: 5) { edges { node { name } } } }") == 11
    assert _estimate("query($n: Int) { children(first: $n) { edges { cursor } } }", {"n": 7}) == 8
    assert _estimate("{ children { edges { cursor } } }") == 21  # default page size 20
    # the statement-count test's nested query over 100 children stays far below the default
    nested = _estimate(NESTED_QUERY, {"first": 100})
    assert nested == 1 + 100 * (1 + 1 + (1 + 10) + (1 + 1 + 1) + 10 * (1 + 1))
    assert nested < Settings().max_query_cost
    # fragments and inline fragments count like the fields they contain
    assert (
        _estimate(
            'query { node(id: "x") { ...F ... on School { classes { name } } } }'
            " fragment F on Child { household { headName } }"
        )
        == 1 + 1 + 10
    )
    # introspection is free
    assert _estimate("{ __schema { types { name fields { name } } } }") == 0


async def test_a_query_over_the_cost_limit_is_refused_before_it_runs(client) -> None:
    query = """{ schools(first: 100) { edges { node {
        classes { children { cases { events { kind } } } } } } } }"""
    body = await graphql(client, query)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["cost"] > error["extensions"]["maxCost"] == 50_000
    assert "查询过于复杂" in error["message"]
    assert body.get("data") is None


async def test_limits_come_from_settings(strict) -> None:
    deep = "{ children { edges { node { household { village { town { name } } } } } } }"
    error = (await graphql(strict, deep))["errors"][0]
    assert "超过最大查询深度" in error["message"]
    assert "exceeds maximum operation depth" in error["extensions"]["messages"]["en"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

    aliases = "{ a: jurisdictions { name } b: jurisdictions { name } c: jurisdictions { name } }"
    error = (await graphql(strict, aliases))["errors"][0]
    assert "aliases" in error["message"].lower()

    tokens = "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"
    error = (await graphql(strict, tokens))["errors"][0]
    assert "token" in error["message"].lower()

    error = (await graphql(strict, "{ children(first: 60) { edges { cursor } } }"))["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    ok = await graphql(strict, "{ children(first: 10) { edges { cursor } } }")
    assert "errors" not in ok, ok


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_internal_errors_show_a_request_id_and_log_the_traceback(client, monkeypatch):
    from core.cases import queries

    # Open the SQLite connection first: Tortoise 1.1 leaks its connection lock when a query is
    # cancelled (here: the sibling field ``total``) while the connection is being opened.
    await connections.get("default").execute_query("SELECT 1")

    async def broken(qs):
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setattr(queries, "count_by_state", broken)
    capture = _Capture()
    logging.getLogger("baoxue.errors").addHandler(capture)
    try:
        response = await client.post(
            "/graphql",
            json={"query": "{ caseStatistics { total byState { state count } } }"},
            headers={"x-request-id": "req-42"},
        )
    finally:
        logging.getLogger("baoxue.errors").removeHandler(capture)

    body = response.json()
    # the server's own id, the client's kept beside it
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32 and request_id != "req-42"
    assert response.headers["x-client-request-id"] == "req-42"
    error = body["errors"][0]
    assert error["extensions"] == {"messages": ANY, "code": "INTERNAL", "requestId": request_id}
    assert request_id in error["message"]
    assert "secret" not in response.text and "Traceback" not in response.text
    assert body["data"] is None or body["data"]["caseStatistics"] is None

    # one record with the traceback; the one-line summary of the failed request has none
    [record] = [r for r in capture.records if r.exc_info]
    assert [r.codes for r in capture.records if not r.exc_info] == ["INTERNAL"]
    assert record.request_id == request_id
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
