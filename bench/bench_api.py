"""Time the read API's list screens on a demo database, in-process through the ASGI app.

Usage (the demo database is made beforehand, outside the repository)::

    DATABASE_URL=sqlite:///tmp/bench100k.db baoxue migrate
    DATABASE_URL=sqlite:///tmp/bench100k.db baoxue demo --students 100000
    DATABASE_URL=sqlite:///tmp/bench100k.db python bench/bench_api.py --runs 50

Each scenario sends one GraphQL request per run over httpx's ASGI transport (the whole app:
middleware, GraphQL parsing and validation, limits, resolvers, DataLoaders, SQL), after a few
warm-up runs, and reports p50/p95/max wall time, the SQL statements one request issued and
the size of the answer. The first scenario is the nested list of 100 children (household →
guardians, current school and class, open cases with their last event), the query of
``tests/api/test_statement_count.py``. The report starts with the machine and the data size.

The API answers only authenticated callers, so the benchmark logs in first: ``--login
USER:PASSWORD`` (default: the demo's county administrator, ``demo-admin``, whose scope is the
whole county), or pass ``--header 'Authorization: Bearer …'`` / ``--header 'X-API-Key: …'``
instead. Rate limits are lifted for the run (the benchmark measures the API, not the limiter).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tortoise import connections

from core.db import close_database, open_database
from core.server import create_app
from core.settings import load_settings, normalise_database_url

NESTED_CHILDREN = """
query Nested($code: String!, $first: Int!, $after: String) {
  children(filter: {jurisdictionCode: $code}, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        keyGroups
        household { headName guardians { name relation phone } }
        currentEnrolment { grade status school { name } schoolClass { name } }
        openCases { state isOverdue lastEvent { kind occurredAt } }
      }
    }
  }
}
"""

AT_RISK = """
query AtRisk($code: String!) {
  children(filter: {jurisdictionCode: $code, hasOpenCase: true},
           orderBy: {field: LATEST_CASE_OPENED_AT, direction: DESC}, first: 100) {
    totalCount
    edges { node { name age keyGroups household { guardians { name phone } }
                   openCases { kind state isOverdue nextDeadlineAt lastEvent { kind } } } }
  }
}
"""

OVERDUE_CASES = """
query Overdue($code: String!) {
  cases(filter: {jurisdictionCode: $code, isOpen: true},
        orderBy: {field: NEXT_DEADLINE_AT, direction: ASC}, first: 100) {
    totalCount
    edges { node { kind state daysOverdue school { name }
                   child { name household { village { name town { name } } } }
                   lastEvent { kind occurredAt } } }
  }
}
"""

CASE_COUNTS = """
query Counts($code: String!) {
  caseStatistics(filter: {jurisdictionCode: $code}) {
    total open overdue byState { state count } byKind { kind count }
  }
}
"""

NAME_SEARCH = """
query Search($code: String!, $text: String!) {
  children(filter: {jurisdictionCode: $code, nameContains: $text}, first: 20) {
    totalCount edges { node { name birthDate currentEnrolment { school { name } } } }
  }
}
"""


@dataclass
class Scenario:
    name: str
    query: str
    variables: dict[str, Any]


@dataclass
class Result:
    name: str
    times_ms: list[float]
    statements: int
    response_bytes: int

    def line(self) -> str:
        times = sorted(self.times_ms)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        return (
            f"{self.name:<34} p50 {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   "
            f"max {times[-1]:8.1f} ms   {self.statements:3d} SQL   "
            f"{self.response_bytes / 1024:7.1f} KiB"
        )


class StatementCounter:
    """Counts statements on the default connection's client class while active."""

    METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")

    def __init__(self) -> None:
        self.count = 0
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> StatementCounter:
        cls = type(connections.get("default"))
        for name in self.METHODS:
            original = getattr(cls, name)
            self._saved[name] = original

            def wrap(method: Any) -> Any:
                async def counted(client: Any, *args: Any, **kwargs: Any) -> Any:
                    self.count += 1
                    return await method(client, *args, **kwargs)

                return counted

            setattr(cls, name, wrap(original))
        return self

    def __exit__(self, *exc: object) -> None:
        cls = type(connections.get("default"))
        for name, original in self._saved.items():
            setattr(cls, name, original)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = "; load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}{load}"
    )


async def data_size() -> dict[str, int]:
    conn = connections.get("default")
    sizes = {}
    for table in ("jurisdiction", "school", "child", "household", "enrolment", "case_file"):
        _, rows = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
        sizes[table] = int(rows[0]["n"])
    _, rows = await conn.execute_query(
        "SELECT COUNT(*) AS n FROM case_file WHERE state NOT IN "
        "('DISMISSED', 'CLOSED', 'EXEMPTED', 'TRANSFERRED')"
    )
    sizes["open cases"] = int(rows[0]["n"])
    return sizes


async def run_scenario(
    http: httpx.AsyncClient, scenario: Scenario, runs: int, warmup: int
) -> Result:
    payload = {"query": scenario.query, "variables": scenario.variables}
    for _ in range(warmup):
        await post(http, payload)
    with StatementCounter() as counter:
        size = len(await post(http, payload))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await post(http, payload)
        times.append((time.perf_counter() - started) * 1000)
    return Result(scenario.name, times, counter.count, size)


async def post(http: httpx.AsyncClient, payload: dict[str, Any]) -> bytes:
    response = await http.post("/graphql", json=payload)
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise SystemExit(f"query failed: {json.dumps(body['errors'], ensure_ascii=False)}")
    return response.content


async def login(http: httpx.AsyncClient, user_password: str) -> str:
    username, _, password = user_password.partition(":")
    response = await http.post(
        "/graphql",
        json={
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
            "{ token errors { message } } }",
            "variables": {"u": username, "p": password},
        },
    )
    payload = response.json().get("data", {}).get("login") or {}
    if not payload.get("token"):
        raise SystemExit(f"login as {username} failed: {response.text}")
    return payload["token"]


async def main(args: argparse.Namespace) -> None:
    url = normalise_database_url(args.database_url)
    ctx = await open_database(url)
    try:
        if args.code is None:
            _, rows = await connections.get("default").execute_query(
                "SELECT division_code FROM jurisdiction ORDER BY division_code LIMIT 1"
            )
            if not rows:
                raise SystemExit("the database holds no county: run `baoxue demo` first")
            args.code = rows[0]["division_code"]
        sizes = await data_size()
        app = create_app(unlimited_settings(args.log_level), manage_database=False)
        headers = dict(h.split(":", 1) for h in args.header)
        headers = {k.strip(): v.strip() for k, v in headers.items()}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers, timeout=120
        ) as http:
            if args.login and not any(k.lower() == "authorization" for k in headers):
                http.headers["Authorization"] = f"Bearer {await login(http, args.login)}"
            first = {"code": args.code, "first": args.first}
            scenarios = [
                Scenario(f"nested children, first {args.first}", NESTED_CHILDREN, first),
                Scenario("nested children, first 5", NESTED_CHILDREN, {**first, "first": 5}),
                Scenario("children at risk, newest case", AT_RISK, {"code": args.code}),
                Scenario("open cases, most overdue", OVERDUE_CASES, {"code": args.code}),
                Scenario("case counts by state", CASE_COUNTS, {"code": args.code}),
                Scenario(
                    f"name contains {args.name!r}, first 20",
                    NAME_SEARCH,
                    {"code": args.code, "text": args.name},
                ),
            ]
            print(f"machine: {machine()}")
            print(
                f"database: {connections.get('default').capabilities.dialect} "
                f"({url.split('@')[-1]}); county {args.code}"
            )
            print("data: " + ", ".join(f"{n} {k}" for k, n in sizes.items()))
            print(f"runs: {args.runs} per scenario after {args.warmup} warm-up, sequential\n")
            for scenario in scenarios:
                if args.only and args.only not in scenario.name:
                    continue
                result = await run_scenario(http, scenario, args.runs, args.warmup)
                print(result.line(), flush=True)
    finally:
        await close_database(ctx)


def unlimited_settings(log_level: str) -> Any:
    """The server's settings with every rate limit lifted (the benchmarks measure the API, not
    the limiter) and ``log_level``."""
    settings = load_settings()
    unlimited = {
        name: 10**9 for name in type(settings).model_fields if name.startswith("rate_limit_")
    }
    return settings.model_copy(update={"log_level": log_level, **unlimited})


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "sqlite://baoxue.db")
    )
    parser.add_argument("--code", help="county division code (default: the first one)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--first", type=int, default=100, help="page size of the nested query")
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    parser.add_argument("--name", default="一", help="text of the name-contains scenario")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument(
        "--login",
        default="demo-admin:baoxue-demo-2026",
        help="USER:PASSWORD to log in with ('' to send no credentials)",
    )
    parser.add_argument(
        "--log-level", default="warning", help="server log level (default: no request lines)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
