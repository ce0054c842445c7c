"""Limits an attacker used to walk around, and bodies that used to crash the server
(issue 10, points 10, 11, 12, 13 and 17). Every request here goes through HTTP."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core.access.hashing import verify_secret as real_verify
from core.access.models import AuditEntry
from tests.security.conftest import gql, login, username

QUERY = "{ cases { totalCount } }"


# -- point 10: GET counts, failed key checks are limited before Argon2, GET is for safe reads --


async def test_get_requests_count_against_the_anonymous_limit(make_client, counties) -> None:
    http = make_client(rate_limit_anonymous=5)
    statuses = [
        (await http.get("/graphql", params={"query": "{ __typename }"})).status_code
        for _ in range(8)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 3


async def test_get_requests_count_against_a_key_limit(make_client, counties) -> None:
    http = make_client(rate_limit_key=3)
    headers = {"X-API-Key": counties.lipu.api_key}
    statuses = [
        (await http.get("/graphql", params={"query": QUERY}, headers=headers)).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


async def test_wrong_secrets_on_a_real_prefix_stop_before_argon2(
    make_client, counties, monkeypatch
) -> None:
    from core.access import api_keys

    verified: list[str] = []

    def counting(stored: str, secret: str) -> bool:
        verified.append(secret)
        return real_verify(stored, secret)

    monkeypatch.setattr(api_keys, "verify_secret", counting)
    http = make_client(rate_limit_anonymous=1000, rate_limit_key_failures=5)
    # the agency uses its key (and is remembered as verified) before the attack starts
    first = await http.post(
        "/graphql", json={"query": QUERY}, headers={"X-API-Key": counties.lipu.api_key}
    )
    assert first.status_code == 200
    verified.clear()
    prefix = "_".join(counties.lipu.api_key.split("_")[:2])
    statuses = []
    for i in range(12):
        response = await http.get(
            "/graphql", params={"query": QUERY}, headers={"X-API-Key": f"{prefix}_wrong{i}"}
        )
        statuses.append(response.status_code)
    # five checks a minute for the prefix: the agency's own first one, then four wrong ones
    assert len(verified) == 4, f"Argon2 ran {len(verified)} times for 12 wrong secrets"
    assert statuses[4:] == [429] * 8
    assert await AuditEntry.filter(action="KEY_REJECTED").count() == 4
    # the agency's key still works during the attack: it is recognised without a new check
    ok = await http.post(
        "/graphql", json={"query": QUERY}, headers={"X-API-Key": counties.lipu.api_key}
    )
    assert ok.status_code == 200 and "errors" not in ok.json()


async def test_failed_key_checks_are_limited_per_address_across_prefixes(
    make_client, counties, monkeypatch
) -> None:
    http = make_client(rate_limit_anonymous=1000, rate_limit_key_failures=5)
    statuses = []
    for i in range(8):
        response = await http.post(
            "/graphql", json={"query": QUERY}, headers={"X-API-Key": f"bx_{i:08x}_guess"}
        )
        statuses.append(response.status_code)
    assert statuses[:5] == [200] * 5  # refused keys: a GraphQL UNAUTHENTICATED answer
    assert statuses[5:] == [429] * 3
    assert await AuditEntry.filter(action="KEY_REJECTED").count() == 5


async def test_personal_data_cannot_be_read_over_get(http, counties) -> None:
    admin = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    headers = {"Authorization": f"Bearer {admin}"}
    for query in (
        "{ children(first: 1) { edges { node { name idNumber } } } }",
        '{ verifyEnrolment(idNumber: "450381201503070035") { found } }',
        '{ node(id: "Q2hpbGQ6MQ==") { id } }',
        "{ schools(first: 1) { edges { node { classes { children { name } } } } } }",
        "{ jurisdictions { schools { staff { phone } } } }",
    ):
        response = await http.get("/graphql", params={"query": query}, headers=headers)
        body = response.json()
        assert body.get("data") is None, (query, body)
        assert body["errors"][0]["extensions"]["code"] == "POST_REQUIRED", body
    # reference data is fine over GET (cacheable, no personal data in the URL or the answer)
    ok = await http.get(
        "/graphql",
        params={"query": "{ jurisdictions { divisionCode name towns { name } } me { role } }"},
        headers=headers,
    )
    assert ok.status_code == 200 and "errors" not in ok.json(), ok.text
    # the same personal query is answered over POST
    post = await gql(http, "{ children(first: 1) { totalCount } }", token=admin)
    assert "errors" not in post


# -- point 11: the body is limited --


async def test_a_large_body_is_refused_with_413(make_client, counties) -> None:
    http = make_client()
    big = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * 10_000_000}})
    response = await http.post(
        "/graphql", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    whitespace = json.dumps({"query": "{" + " " * 1_000_000 + "__typename }"})
    response = await http.post(
        "/graphql", content=whitespace, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(200):
            yield b" " * 10_000

    response = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


# -- point 13: malformed bodies are a clear 400 --


@pytest.mark.parametrize(
    "body",
    [
        b"123",
        b'"just a string"',
        b"[]",
        b"null",
        b'{"query": "{ __typename }"' + b"\xff\xfe" + b"}",
        b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 3000 + b"]" * 3000 + b"}}",
        b'{"query": 5}',
        b'{"query": "{ __typename }", "variables": [1]}',
        b'{"query": "{ __typename }", "operationName": 7}',
        b'{"query": "{ __typename }", "variables": {"a": "\\ud800"}}',
        b"{not json",
    ],
)
async def test_a_malformed_body_is_a_clear_400(make_client, counties, body: bytes) -> None:
    http = make_client()
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"] == error["extensions"]["messages"]["zh"]  # Chinese by default
    assert error["extensions"]["messages"]["en"].startswith("malformed request")


# -- point 12: X-Forwarded-For is trusted only from configured proxies --


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _served(settings_overrides: dict[str, Any], clock: Any) -> tuple[Any, str]:
    """The app served by uvicorn as ``baoxue serve`` runs it, on a free port."""

    import uvicorn

    from core.cli import uvicorn_options
    from core.server import create_app
    from core.settings import load_settings

    settings = load_settings(**settings_overrides)
    app = create_app(settings, manage_database=False, clock=clock)
    port = _free_port()
    options = {**uvicorn_options(settings), "host": "127.0.0.1", "port": port, "workers": 1}
    options.pop("factory", None)
    server = uvicorn.Server(uvicorn.Config(app, **options, lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    return (server, task), f"http://127.0.0.1:{port}"


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(counties, clock) -> None:
    (server, task), url = await _served({"rate_limit_anonymous": 5}, clock)
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            statuses = []
            for i in range(8):
                response = await http.post(
                    "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"},
                )
                statuses.append(response.status_code)
    finally:
        server.should_exit = True
        await task
    assert statuses == [200] * 5 + [429] * 3


async def test_forwarded_for_from_a_configured_proxy_is_used(counties, clock) -> None:
    (server, task), url = await _served(
        {"rate_limit_anonymous": 2, "trusted_proxies": ("127.0.0.1",)}, clock
    )
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            statuses = []
            for client in ("198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.1"):
                response = await http.post(
                    "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"X-Forwarded-For": client},
                )
                statuses.append(response.status_code)
    finally:
        server.should_exit = True
        await task
    assert statuses == [200, 200, 200, 429]


# -- point 17: Redis unreachable --


async def test_with_redis_unreachable_requests_fall_back_and_health_says_so(
    make_client, counties
) -> None:
    import logging

    warnings: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = warnings.append  # type: ignore[method-assign]
    logging.getLogger("baoxue.rate_limit").addHandler(handler)
    http = make_client(redis_url="redis://127.0.0.1:1/0", rate_limit_key=3)
    headers = {"X-API-Key": counties.lipu.api_key}
    statuses = []
    for _ in range(5):
        statuses.append(
            (await http.post("/graphql", json={"query": QUERY}, headers=headers)).status_code
        )
    # the in-process fallback still limits
    assert statuses == [200, 200, 200, 429, 429]
    health = await http.get("/healthz")
    body = health.json()
    assert body["redis"] == "unreachable"
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert health.status_code == 200  # serving (with in-process limits), not down
    # a worker whose first sign of the outage is the health check warns as well
    other = make_client(redis_url="redis://127.0.0.1:1/0")
    assert (await other.get("/healthz")).json()["redis"] == "unreachable"
    logging.getLogger("baoxue.rate_limit").removeHandler(handler)
    assert [w.levelname for w in warnings] == ["WARNING"] * 2, "a warning when Redis goes away"


async def test_health_reports_redis_when_it_answers(make_client, counties) -> None:
    from tests.access.test_keys_audit_limits import _redis_url

    url = _redis_url()
    if url is None:
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    body = (await make_client(redis_url=url).get("/healthz")).json()
    assert body == {"status": "ok", "database": "ok", "redis": "ok"}
    plain = (await make_client().get("/healthz")).json()
    assert plain == {"status": "ok", "database": "ok", "redis": "not configured"}
