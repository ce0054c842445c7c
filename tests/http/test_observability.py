"""Observability (issue 16, point 7): Prometheus metrics at ``/metrics`` (requests by operation
and status, latency, rate-limit refusals, login failures, background jobs, the database pool),
scraped only from this machine or with the token; ``/readyz`` beside ``/healthz``; OpenTelemetry
spans when ``BAOXUE_TRACING`` is on, with no secret in them."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from core.observability import MULTIPROCESS_VARIABLE, track_job
from tests.access.conftest import username


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _loopback(**overrides: Any) -> httpx.AsyncClient:
    from core.server import create_app
    from core.settings import load_settings

    app = create_app(load_settings(**overrides), manage_database=False)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 40000)),
        base_url="http://testserver",
    )


async def test_metrics_count_requests_by_operation_and_status(db, make_client) -> None:
    async with _loopback() as http:
        before = _value("baoxue_requests_total", path="/graphql", operation="Probe", status="200")
        for _ in range(3):
            await http.post("/graphql", json={"query": "query Probe { __typename }"})
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'baoxue_requests_total{operation="Probe",path="/graphql",status="200"}' in text
    assert (
        _value("baoxue_requests_total", path="/graphql", operation="Probe", status="200")
        == before + 3
    )
    assert 'baoxue_request_duration_seconds_bucket{le="0.005",operation="Probe"' in text
    for family in ("baoxue_rate_limit_refusals", "baoxue_login_failures", "baoxue_audit_events"):
        assert f"# TYPE {family}_total counter" in text
    assert "_created" not in text and "baoxue_db_pool" not in text  # SQLite: no pool


async def test_operation_names_cannot_blow_up_the_series(db, make_client) -> None:
    async with _loopback() as http:
        await http.post("/graphql", json={"query": "query Ünïcode { __typename }"})
        await http.post("/graphql", json={"query": "{ __typename }"})
        text = (await http.get("/metrics")).text
    assert 'operation="Ünïcode"' not in text
    assert 'operation="-",path="/graphql"' in text


async def test_only_this_machine_or_the_token_may_scrape(db, make_client) -> None:
    outside = make_client()  # from 203.0.113.7
    assert (await outside.get("/metrics")).status_code == 403
    guarded = make_client(metrics_token="s3cret-scraper")
    assert (await guarded.get("/metrics")).status_code == 403
    wrong = {"authorization": "Bearer nope"}
    assert (await guarded.get("/metrics", headers=wrong)).status_code == 403
    right = {"authorization": "Bearer s3cret-scraper"}
    response = await guarded.get("/metrics", headers=right)
    assert response.status_code == 200 and "baoxue_requests_total" in response.text


async def test_rate_limit_refusals_and_login_failures_are_counted(counties, make_client) -> None:
    refusals = _value("baoxue_rate_limit_refusals_total", limit="anonymous")
    failures = _value("baoxue_login_failures_total")
    http = make_client(rate_limit_anonymous=1)
    await http.post("/graphql", json={"query": "{ __typename }"})
    assert (await http.post("/graphql", json={"query": "{ __typename }"})).status_code == 429
    assert _value("baoxue_rate_limit_refusals_total", limit="anonymous") == refusals + 1

    admin = username(counties.lipu, "COUNTY_ADMIN")
    wrong = f'mutation {{ login(username: "{admin}", password: "not-the-password") {{ token }} }}'
    await make_client().post("/graphql", json={"query": wrong})
    assert _value("baoxue_login_failures_total") == failures + 1
    assert _value("baoxue_audit_events_total", action="LOGIN_FAILED") >= 1


def test_background_jobs_are_counted() -> None:
    ok = _value("baoxue_background_jobs_total", job="probe", outcome="ok")
    failed = _value("baoxue_background_jobs_total", job="probe", outcome="failed")
    with track_job("probe"):
        pass
    with pytest.raises(ValueError), track_job("probe"):
        raise ValueError("boom")
    assert _value("baoxue_background_jobs_total", job="probe", outcome="ok") == ok + 1
    assert _value("baoxue_background_jobs_total", job="probe", outcome="failed") == failed + 1


_WORKER = """
import sys
from core.observability import count_request, exposition
count_request("/graphql", "Shared", 200, 0.01)
if sys.argv[1] == "scrape":
    print(exposition()[0].decode())
"""


def test_several_workers_are_added_up(tmp_path) -> None:
    """Multiprocess mode: two worker processes count, a third scrapes the sum."""
    env = {**os.environ, MULTIPROCESS_VARIABLE: str(tmp_path)}
    run = [sys.executable, "-c", _WORKER]
    subprocess.run([*run, "count"], env=env, check=True, timeout=60)
    scraped = subprocess.run(
        [*run, "scrape"], env=env, check=True, capture_output=True, text=True, timeout=60
    ).stdout
    assert 'baoxue_requests_total{operation="Shared",path="/graphql",status="200"} 2.0' in scraped


@pytest.mark.skipif(
    os.environ.get("BAOXUE_TEST_DATABASE", "sqlite") in ("", "sqlite"),
    reason="SQLite has no connection pool",
)
async def test_the_database_pool_is_reported_on_postgresql(db, make_client) -> None:
    async with _loopback() as http:
        text = (await http.get("/metrics")).text
    assert "\nbaoxue_db_pool_size " in text and "\nbaoxue_db_pool_idle " in text


async def test_readyz_is_ready_on_a_migrated_database(db, make_client) -> None:
    http = make_client()
    response = await http.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "redis": "not configured",
        "migrations": "ok",
    }


async def test_readyz_refuses_with_a_pending_migration(db, make_client, monkeypatch) -> None:
    from core import health

    on_disk = health.migrations_on_disk()
    monkeypatch.setattr(health, "migrations_on_disk", lambda: on_disk | {"0099_future"})
    response = await make_client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
    assert response.json()["pending"] == ["0099_future"]
    assert (await make_client().get("/healthz")).status_code == 200


async def test_readyz_refuses_when_redis_is_down(db, make_client) -> None:
    http = make_client(redis_url="redis://127.0.0.1:1/0")
    response = await http.get("/readyz")
    assert response.status_code == 503 and response.json()["redis"] == "unreachable"
    health = await http.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "degraded"


async def test_tracing_records_operations_without_secrets(counties, make_client) -> None:
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    http = make_client(tracing=True)
    admin = username(counties.lipu, "COUNTY_ADMIN")
    password = counties.lipu.password
    query = (
        f'mutation SignIn {{ login(username: "{admin}", password: "{password}") '
        "{ token errors { message } } }"
    )
    body = (await http.post("/graphql", json={"query": query})).json()
    assert body["data"]["login"]["token"]
    spans = exporter.get_finished_spans()
    names = [s.name for s in spans]
    assert "GraphQL Query: SignIn" in names, names
    assert "GraphQL Parsing" in names and "GraphQL Validation" in names
    recorded = " ".join(str(dict(s.attributes or {})) for s in spans)
    assert password not in recorded and body["data"]["login"]["token"] not in recorded
    operation = next(s for s in spans if s.name == "GraphQL Query: SignIn")
    assert "login" in operation.attributes["query"]

    exporter.clear()
    await make_client().post("/graphql", json={"query": "query Quiet { __typename }"})
    assert exporter.get_finished_spans() == (), "tracing is off unless BAOXUE_TRACING is set"
