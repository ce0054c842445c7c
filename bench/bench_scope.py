"""Time the row scopes and list filters that used to be slow (issue 15, point 3).

On a demo database built beforehand (``baoxue demo --students 100000 …``), read only::

    nice -n 10 .venv/bin/python bench/bench_scope.py --database-url sqlite:///copy-of-demo.db
    nice -n 10 .venv/bin/python bench/bench_scope.py \
        --database-url postgres://postgres@127.0.0.1:5432/copy_of_demo --repeat 5

It logs nobody in: it builds the callers of the demo accounts (``demo-township``, the township
official of one town; ``demo-admin``, the county administrator) as the server does, and runs the
statements the API sends for

* ``town cases``  the township official's open cases, most overdue (next deadline) first, page
  of 50, and their total;
* ``town children`` the township official's children by name, page of 50, and their total;
* ``never enrolled`` children never enrolled, born in a six-year range (the age range of
  compulsory schooling), page of 50 and total, as the county administrator and as the
  township official.

For each it prints best and median wall-clock milliseconds of ``--repeat`` runs after a
warm-up, the rows, the machine, the data size and the load average. Target: under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import machine
from tortoise.context import TortoiseContext

from core.access.accounts import caller_for_account
from core.access.models import StaffAccount
from core.access.scope import restrict
from core.cases.models import Case
from core.cases.queries import CaseFilter, CaseOrderField, cases_queryset
from core.child_lists import ChildFilter, children_queryset
from core.db import tortoise_config
from core.people.models import Child
from core.settings import normalise_database_url

TARGET_MS = 100.0


async def _time(label: str, repeat: int, run: Callable[[], Awaitable[Any]]) -> float:
    await run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = await run()
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    verdict = "ok" if median < TARGET_MS else "OVER TARGET"
    print(
        f"  {label:<58} best {min(times):8.1f} ms  median {median:8.1f} ms  {result}"
        f"  load {os.getloadavg()[0]:.1f}  [{verdict}]"
    )
    return median


async def _page_and_total(qs: Any) -> str:
    page = await qs.limit(50)
    total = await qs.count()
    return f"{len(page)} of {total:,}"


async def main(args: argparse.Namespace) -> int:
    url = normalise_database_url(args.database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        township = caller_for_account(await StaffAccount.get(username=args.township))
        admin = caller_for_account(await StaffAccount.get(username=args.admin))
        print(f"machine: {machine()}")
        print(f"database: {url.split('://')[0]}")
        print(f"data: {await Child.all().count():,} children, {await Case.all().count():,} cases")
        print(f"timings ({args.repeat} runs after a warm-up; target {TARGET_MS:.0f} ms):")
        now = datetime.datetime.now(datetime.UTC)
        jurisdiction = admin.scope.jurisdiction_id if admin.scope else None
        today = datetime.date.today()
        ages = ChildFilter(
            jurisdiction_id=jurisdiction,
            never_enrolled=True,
            birth_date_from=today.replace(year=today.year - 12),
            birth_date_to=today.replace(year=today.year - 6),
        )
        medians = [
            await _time(
                "town cases: open, most overdue first, 50 + total",
                args.repeat,
                lambda: _page_and_total(
                    restrict(
                        cases_queryset(
                            CaseFilter(is_open=True), now, CaseOrderField.NEXT_DEADLINE_AT, False
                        ),
                        township,
                    )
                ),
            ),
            await _time(
                "town children: by name, 50 + total",
                args.repeat,
                lambda: _page_and_total(restrict(children_queryset(ChildFilter()), township)),
            ),
            await _time(
                "never enrolled, born 6-12 years ago (county), 50 + total",
                args.repeat,
                lambda: _page_and_total(restrict(children_queryset(ages), admin)),
            ),
            await _time(
                "never enrolled, born 6-12 years ago (town), 50 + total",
                args.repeat,
                lambda: _page_and_total(restrict(children_queryset(ages), township)),
            ),
        ]
    return 0 if max(medians) < TARGET_MS else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--township", default="demo-township")
    parser.add_argument("--admin", default="demo-admin")
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
