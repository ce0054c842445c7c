"""Time the row scopes: the same screens as a township official (town scope) and as the county
administrator (county scope), in-process through the whole ASGI app, on a demo database.

Usage (on a copy of a demo database made by ``baoxue demo``; the script only reads)::

    nice -n 10 python bench/bench_scope.py --database-url sqlite:///tmp/copy-of-demo.db
    nice -n 10 python bench/bench_scope.py --database-url postgres://postgres@127.0.0.1:5432/copy

Scenarios, each sent as every login given by ``--login`` (default: ``demo-township`` and
``demo-admin``, the demo's password):

* ``town cases``     the open cases by how overdue, first 50, with child, household, village,
                     guardians, school and last event (``bench/__main__.py``'s ``town``);
* ``children``       a page of 50 children by name with household and current school, and
                     ``totalCount`` (every visible child counted);
* ``never enrolled`` "never enrolled in an age range" (适龄未入学: ages 6-15, never enrolled),
                     first 50 with ``totalCount``;
* ``scope count``    the scope alone: ``SELECT COUNT(*)`` of the caller's visible children and
                     cases (no GraphQL), one statement each.

For each it prints p50 and best wall time, p50 process CPU time (the Python process: with
SQLite the database's work is in it, with PostgreSQL it is not), and the SQL statements of
one request, after the machine, the database, the data size and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tortoise import connections

from bench.__main__ import DASHBOARD, PAGE_OF_50
from bench.bench_api import StatementCounter, data_size, login, machine, unlimited_settings
from core.access.authentication import authenticate
from core.access.scope import scoped
from core.cases.models import Case
from core.db import close_database, open_database
from core.people.models import Child
from core.server import create_app
from core.settings import normalise_database_url

TOWN_CASES = """
query TownOpenCases {
  cases(filter: {isOpen: true}, orderBy: {field: NEXT_DEADLINE_AT, direction: ASC}, first: 50) {
    totalCount
    edges {
      node {
        id kind state escalationLevel nextDeadlineAt isOverdue daysOverdue reasonLabel
        school { name }
        child { name age household { village { name } guardians { name phone isPrimary } } }
        lastEvent { kind occurredAt actorName }
      }
    }
  }
}
"""

CHILDREN = """
query Children {
  children(orderBy: {field: NAME, direction: ASC}, first: 50) {
    totalCount
    edges { node { id name age household { currentAddress }
                   currentEnrolment { grade status } } }
  }
}
"""

NEVER_ENROLLED = """
query NeverEnrolled {
  children(filter: {neverEnrolled: true, age: {gte: 6, lte: 15}}, first: 50) {
    totalCount
    edges { node { id name birthDate household { currentAddress } } }
  }
}
"""

SCENARIOS = {"town cases": TOWN_CASES, "children": CHILDREN, "never enrolled": NEVER_ENROLLED}

#: With ``--county CODE``: ``python -m bench``'s page of 50 children at risk and the county
#: dashboard (one run each after no warm-up: seconds a request at 1,000,000 pupils).
COUNTY_SCENARIOS = {"page50": PAGE_OF_50, "dashboard": DASHBOARD}


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


async def timed(run: Any, runs: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        await run()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


def line(name: str, who: str, walls: list[float], cpus: list[float], statements: Any) -> str:
    return (
        f"{who:<15} {name:<15} p50 {statistics.median(walls):8.1f} ms  best {min(walls):8.1f} ms"
        f"  CPU p50 {statistics.median(cpus):7.1f} ms  {statements:>3} SQL"
    )


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"query failed: {response.text[:500]}")
    return body["data"]


async def main(args: argparse.Namespace) -> None:
    url = normalise_database_url(args.database_url)
    ctx = await open_database(url)
    try:
        sizes = await data_size()
        app = create_app(unlimited_settings("warning"), manage_database=False)
        print(f"machine: {machine()}")
        print(f"database: {connections.get('default').capabilities.dialect} ({url.split('@')[-1]})")
        print("data: " + ", ".join(f"{n:,} {k}" for k, n in sizes.items()))
        print(f"runs: {args.runs} per scenario after {args.warmup} warm-up, sequential\n")
        transport = httpx.ASGITransport(app=app)
        for user in args.login:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", timeout=600
            ) as http:
                token = await login(http, f"{user}:{args.password}")
                http.headers["Authorization"] = f"Bearer {token}"
                for name, query in SCENARIOS.items():
                    if args.only and args.only not in name:
                        continue
                    for _ in range(args.warmup):
                        data = await post(http, query)
                    with StatementCounter() as counter:
                        data = await post(http, query)
                    walls, cpus = await timed(lambda q=query: post(http, q), args.runs)
                    total = next(iter(data.values()))["totalCount"]
                    print(
                        line(name, user, walls, cpus, counter.count)
                        + f"  totalCount {total:,}  (load {load_average()})",
                        flush=True,
                    )
                for name, query in COUNTY_SCENARIOS.items() if args.county else ():
                    if args.only and args.only not in name:
                        continue
                    variables = {"code": args.county}
                    try:
                        with StatementCounter() as counter:
                            data = await post(http, query, variables)
                    except SystemExit as refused:  # e.g. the dashboard, for a township
                        print(f"{user:<15} {name:<15} refused: {str(refused)[:160]}")
                        continue
                    runs = 1 if name == "dashboard" else args.runs
                    walls, cpus = await timed(lambda q=query, v=variables: post(http, q, v), runs)
                    print(
                        line(name, user, walls, cpus, counter.count) + f"  (load {load_average()})"
                    )
                if not args.only or "scope" in args.only:
                    headers = {"authorization": f"Bearer {token}"}
                    caller = (await authenticate(headers, now=datetime.now(UTC))).caller
                    for model in (Child, Case):
                        walls, cpus = await timed(
                            lambda m=model, c=caller: scoped(m, c).count(), args.runs
                        )
                        count = await scoped(model, caller).count()
                        print(
                            line(f"scope count {model.__name__}", user, walls, cpus, 1)
                            + f"  rows {count:,}  (load {load_average()})",
                            flush=True,
                        )
    finally:
        await close_database(ctx)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "sqlite://baoxue.db")
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    parser.add_argument(
        "--login",
        action="append",
        help="a demo account to log in as (repeatable; default demo-township and demo-admin)",
    )
    parser.add_argument("--password", default="baoxue-demo-2026")
    parser.add_argument(
        "--county", help="division code: also time the page of 50 and the dashboard as each login"
    )
    args = parser.parse_args(argv)
    args.login = args.login or ["demo-township", "demo-admin"]
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
