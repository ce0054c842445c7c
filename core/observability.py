"""Prometheus metrics: what ``/metrics`` reports, and the calls that count.

* ``baoxue_requests_total{path,operation,status}`` and the latency histogram
  ``baoxue_request_duration_seconds{path,operation}`` — one per HTTP request
  (:class:`MetricsMiddleware`); ``operation`` is the GraphQL operation's name (``-`` when it
  has none), held to :data:`MAX_OPERATIONS` distinct names (then ``other``) so that a client
  cannot blow up the series;
* ``baoxue_rate_limit_refusals_total{limit}`` — HTTP 429s, by the limit that refused
  (``staff``, ``key``, ``anonymous``, ``login``, ``key_check``);
* ``baoxue_login_failures_total`` and ``baoxue_audit_events_total{action}`` — from the audit
  log's writer, so every sign-in failure and lock-out is counted where it is recorded;
* ``baoxue_background_jobs_total{job,outcome}`` and ``baoxue_background_job_seconds{job}`` —
  :func:`track_job` around any job (the ``baoxue deadlines`` run counts itself);
* ``baoxue_db_pool_size`` / ``baoxue_db_pool_idle`` — PostgreSQL's connection pool, read at
  each scrape (SQLite has no pool).

Several workers: ``baoxue serve`` points prometheus-client's multiprocess mode at
``BAOXUE_METRICS_DIR`` (a fresh temporary directory when it is unset and ``--workers`` is more
than one) before any metric exists, and ``/metrics`` then adds up every worker's files. The
metrics are created on first use, not on import, so that the mode is chosen in time.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Distinct operation names counted before the rest are reported as ``other``.
MAX_OPERATIONS = 200
_OPERATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
#: The paths reported as they are; anything else is ``other``.
KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
#: Paths reported by their first segment (``/reports/<id>.xlsx`` as ``/reports``).
PATH_PREFIXES = frozenset({"/graphiql-assets", "/reports", "/registers", "/ledgers"})
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@dataclass(frozen=True)
class _Metrics:
    requests: Any
    duration: Any
    refusals: Any
    login_failures: Any
    audit_events: Any
    jobs: Any
    job_seconds: Any


@lru_cache(maxsize=1)
def _metrics() -> _Metrics:
    from prometheus_client import Counter, Histogram, disable_created_metrics

    disable_created_metrics()  # no *_created series beside every counter
    return _Metrics(
        requests=Counter("baoxue_requests", "HTTP requests", ["path", "operation", "status"]),
        duration=Histogram(
            "baoxue_request_duration_seconds",
            "Time to answer an HTTP request",
            ["path", "operation"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        ),
        refusals=Counter(
            "baoxue_rate_limit_refusals", "Requests refused by a rate limit (429)", ["limit"]
        ),
        login_failures=Counter(
            "baoxue_login_failures", "Failed sign-ins (wrong password, unknown user, locked)"
        ),
        audit_events=Counter("baoxue_audit_events", "Audit log entries written", ["action"]),
        jobs=Counter("baoxue_background_jobs", "Background job runs", ["job", "outcome"]),
        job_seconds=Histogram("baoxue_background_job_seconds", "Background job run time", ["job"]),
    )


@lru_cache(maxsize=1)
def _pool_gauges() -> tuple[Any, Any]:
    """Created when a pool is first seen, so that SQLite reports none rather than zeros."""
    from prometheus_client import Gauge

    return (
        Gauge("baoxue_db_pool_size", "Connections in the pool", multiprocess_mode="livesum"),
        Gauge("baoxue_db_pool_idle", "Idle connections in the pool", multiprocess_mode="livesum"),
    )


_operations: set[str] = set()


def _operation_label(name: str | None) -> str:
    if not name or name == "-":
        return "-"
    if not _OPERATION.match(name):
        return "other"
    if name not in _operations:
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
    return name


def count_request(path: str, operation: str | None, status: int, seconds: float) -> None:
    metrics = _metrics()
    if path not in KNOWN_PATHS:
        prefix = "/" + path.split("/")[1] if path.count("/") > 1 else ""
        path = prefix if prefix in PATH_PREFIXES else "other"
    label = _operation_label(operation)
    metrics.requests.labels(path, label, str(status)).inc()
    metrics.duration.labels(path, label).observe(seconds)


def count_rate_limit_refusal(limit: str) -> None:
    _metrics().refusals.labels(limit).inc()


def count_audit_event(action: str) -> None:
    metrics = _metrics()
    metrics.audit_events.labels(action).inc()
    if action in ("LOGIN_FAILED", "LOCKED_OUT"):
        metrics.login_failures.inc()


@contextlib.contextmanager
def track_job(job: str) -> Iterator[None]:
    """Count one run of ``job`` (``ok`` or ``failed``) and its duration."""
    metrics = _metrics()
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        metrics.jobs.labels(job, "failed").inc()
        raise
    else:
        metrics.jobs.labels(job, "ok").inc()
    finally:
        metrics.job_seconds.labels(job).observe(time.perf_counter() - started)


def _read_pool() -> None:
    from tortoise import connections

    try:
        client = connections.get("default")
    except Exception:
        return
    pool = getattr(client, "_pool", None)
    if pool is None or not hasattr(pool, "get_size"):
        return
    size, idle = _pool_gauges()
    size.set(pool.get_size())
    idle.set(pool.get_idle_size())


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format: this process's, or, in multiprocess mode,
    every worker's added up."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, values

    _metrics()
    _read_pool()
    if values.ValueClass is not values.MutexValue:  # multiprocess mode, chosen at import
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def prepare_multiprocess(directory: str, *, empty: bool = True) -> None:
    """Make ``directory`` the home of this process's (and its workers') metric files; call
    before any metric exists. The server empties it when it starts (``empty``); a command
    such as ``baoxue deadlines`` run with the same ``BAOXUE_METRICS_DIR`` adds its counts to
    what the server's ``/metrics`` reports. Worker processes that uvicorn starts import
    prometheus-client afresh and so find the mode set."""
    os.makedirs(directory, exist_ok=True)
    if empty:
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))
    os.environ[MULTIPROCESS_VARIABLE] = directory


class MetricsMiddleware:
    """Count every HTTP request with its path, GraphQL operation and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            state = scope.get("state") or {}
            count_request(
                scope.get("path", ""),
                state.get("operation"),
                status,
                time.perf_counter() - started,
            )


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_endpoint(token: str | None) -> Any:
    """``GET /metrics``. With ``token`` (``BAOXUE_METRICS_TOKEN``) a scraper must send
    ``Authorization: Bearer <token>``; without one only this machine (a loopback address) may
    scrape. Anyone else gets 403: the figures tell which operations a county runs and when."""
    import hmac

    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response

    expected = f"Bearer {token}".encode() if token else None

    async def metrics(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            allowed = hmac.compare_digest(given, expected)
        else:
            allowed = _is_loopback(request.client.host if request.client else "")
        if not allowed:
            return PlainTextResponse(
                "指标仅限本机或持令牌访问 / metrics: loopback only, or set BAOXUE_METRICS_TOKEN "
                "and send it as a bearer token",
                status_code=403,
            )
        body, content_type = exposition()
        return Response(body, media_type=content_type, headers={"cache-control": "no-store"})

    return metrics
