"""Time attendance (issue 14): the daily absence-rule check of a county with a term of
attendance, and recording a class's day in one GraphQL request.

Run against a demo database built beforehand (``baoxue demo --students 100000 …``, which
generates the term of attendance). The check writes cases, so a SQLite database is copied to a
temporary file first (``--in-place`` to skip that); a PostgreSQL one is changed::

    .venv/bin/python bench/bench_attendance.py --database-url sqlite:///path/demo.db -j 430527
    .venv/bin/python bench/bench_attendance.py -j 430527 --repeat 3 \
        --database-url postgres://postgres@127.0.0.1:5432/db

It prints the machine (CPU, memory, load average, Python, SQLite), the data size, then:

* the rules alone on the demo's last day (:func:`core.attendance.rules.crossings`, the SQL
  aggregates, read only: best and median of ``--repeat`` runs after a warm-up);
* the first check of the term (the day before the demo's last day: every child already over a
  rule gets a case, as the first cron run on a real county would), once;
* the daily check on the demo's last day after it (cases for the children who crossed that
  day), once, and its re-run (nothing to do), best and median;
* wall time and the bench process's CPU time for each (the database server's own CPU, on
  PostgreSQL, is not in the process figure);
* recording the largest class's day in one ``recordClassAttendance`` request over HTTP as its
  head teacher (the first record, then same-day corrections), best and median.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from bench_api import machine
from tortoise import connections
from tortoise.context import TortoiseContext

from core.access.accounts import create_account
from core.access.enums import Role
from core.attendance.calendar import school_days
from core.attendance.rules import check_county, crossings
from core.china_time import at_local
from core.db import tortoise_config
from core.demo.calendar import DEMO_TODAY
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.global_ids import encode_global_id
from core.jurisdictions.models import Jurisdiction
from core.plugins import rules_for
from core.settings import normalise_database_url

PASSWORD = "bench-attendance-password-1"


async def _size() -> dict[str, int]:
    conn = connections.get("default")
    sizes = {}
    for table in ("enrolment", "attendance_class_day", "attendance_mark", "case_file"):
        _, rows = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
        sizes[table] = int(rows[0]["n"])
    _, rows = await conn.execute_query(
        "SELECT COUNT(*) AS n FROM enrolment WHERE is_current AND status = 'ENROLLED'"
    )
    sizes["pupils"] = int(rows[0]["n"])
    return sizes


async def _time(label: str, repeat: int, run: Callable[[], Awaitable[Any]]) -> Any:
    result = await run()  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = await run()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    print(
        f"  {label:<56} best {min(times):7.3f} s   median {statistics.median(times):7.3f} s"
        f"   (process CPU median {statistics.median(cpu):.3f} s)"
    )
    return result


async def _once(label: str, run: Callable[[], Awaitable[Any]]) -> Any:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = await run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"  {label:<56} once {wall:7.3f} s   (process CPU {cpu:.3f} s)")
    return result


async def _record_requests(county: Jurisdiction, repeat: int) -> None:
    """The largest class's next school day after the demo, recorded over HTTP."""
    from core.server import create_app

    rows = await Enrolment.filter(
        school__jurisdiction_id=county.id, is_current=True, status=EnrolmentStatus.ENROLLED
    ).values_list("school_class_id", "child_id")
    classes: dict[Any, list[Any]] = {}
    for class_id, child_id in rows:
        if class_id is not None:
            classes.setdefault(class_id, []).append(child_id)
    class_id, pupils = max(classes.items(), key=lambda kv: len(kv[1]))
    calendar = rules_for(county.division_code).term_calendar
    day = next(
        d
        for d in school_days(
            calendar, DEMO_TODAY + timedelta(days=1), DEMO_TODAY + timedelta(days=14)
        )
    )
    username = f"bench-teacher-{str(class_id)[:8]}"
    await create_account(
        username=username,
        password=PASSWORD,
        role=Role.HEAD_TEACHER,
        jurisdiction_code=county.division_code,
        class_id=class_id,
    )
    moment = at_local(day, datetime.min.time().replace(hour=9))
    app = create_app(manage_database=False, clock=lambda: moment)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        login = await http.post(
            "/graphql",
            json={
                "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
                "{ token errors { code } } }",
                "variables": {"u": username, "p": PASSWORD},
            },
        )
        token = login.json()["data"]["login"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        kinds = ["SICK", "PERSONAL_LEAVE", "UNEXPLAINED", "LATE", "LATE"]
        query = """mutation($input: RecordClassAttendanceInput!) {
            recordClassAttendance(input: $input) {
                classDay { id version expected present absent late records { kind } }
                errors { code field message } } }"""
        variables = {
            "input": {
                "classId": encode_global_id("SchoolClass", class_id),
                "date": day.isoformat(),
                "marks": [
                    {"childId": encode_global_id("Child", child), "kind": kinds[i]}
                    for i, child in enumerate(pupils[:5])
                ],
            }
        }

        async def post() -> dict[str, Any]:
            response = await http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body = response.json()
            payload = body["data"]["recordClassAttendance"]
            assert payload["errors"] == [], payload
            return payload["classDay"]

        first = await _once(f"recordClassAttendance, {len(pupils)} pupils, first record", post)
        print(f"    → expected {first['expected']}, present {first['present']}")
        last = await _time(
            f"recordClassAttendance, {len(pupils)} pupils, same-day correction", repeat, post
        )
        print(f"    → version {last['version']} (each correction kept in history)")


async def main(args: argparse.Namespace) -> None:
    url = normalise_database_url(args.database_url)
    if url.startswith("sqlite://") and not args.in_place:
        source = Path(url.removeprefix("sqlite://"))
        scratch = Path(tempfile.mkdtemp(prefix="bench-attendance-")) / source.name
        shutil.copyfile(source, scratch)
        url = f"sqlite://{scratch}"
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        county = await Jurisdiction.get(division_code=args.jurisdiction)
        rules = rules_for(county.division_code)
        print(f"machine: {machine()}")
        print(f"database: {url.split('://')[0]}")
        print("data: " + ", ".join(f"{k} {v:,}" for k, v in (await _size()).items()))
        print(f"county: {county.name} ({county.division_code}), last demo day {DEMO_TODAY}")
        print(f"timings ({args.repeat} runs after a warm-up where it says best/median):")
        found = await _time(
            "rules alone (SQL aggregates), last demo day",
            args.repeat,
            lambda: crossings(county.id, rules, DEMO_TODAY),
        )
        print(f"    → {len(found)} children over a rule")
        days = school_days(rules.term_calendar, DEMO_TODAY - timedelta(days=7), DEMO_TODAY)
        before = days[-2]
        now = datetime.now(UTC)
        first = await _once(
            f"first check of the term ({before})", lambda: check_county(county, before, now)
        )
        print(f"    → {len(first.opened)} opened, {len(first.reopened)} reopened")
        daily = await _once(
            f"daily check ({DEMO_TODAY})", lambda: check_county(county, DEMO_TODAY, now)
        )
        print(f"    → {len(daily.opened)} opened, {len(daily.reopened)} reopened")
        await _time(
            f"daily check re-run ({DEMO_TODAY}, nothing new)",
            args.repeat,
            lambda: check_county(county, DEMO_TODAY, now),
        )
        await _record_requests(county, args.repeat)
        print(f"load average after: {machine().split('load average ')[-1]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--jurisdiction", "-j", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--in-place", action="store_true", help="Write to the database itself.")
    asyncio.run(main(parser.parse_args()))
