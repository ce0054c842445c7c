"""Time the risk list (issue 14, point 4) on a demo database: the county's children at risk
(``core.risk.services.children_at_risk``: the score of every child computed in the statement
from one grouped query per signal),
counted, its first page of 50 and the explanation of that page (``assess``), and the list of
children at high risk nobody follows up (``UNATTENDED``). Read only::

    nice -n 10 .venv/bin/python bench/bench_risk.py --database-url sqlite:///path/demo.db -j 450381

It prints the machine, the data size, and best / median wall time and process CPU of
``--repeat`` runs after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import machine
from tortoise import connections
from tortoise.context import TortoiseContext

from core.access.caller import Caller
from core.db import tortoise_config
from core.demo.calendar import DEMO_TODAY
from core.risk.services import UNATTENDED, RiskFilter, assess, children_at_risk
from core.settings import normalise_database_url


async def _time(label: str, repeat: int, run: Callable[[], Awaitable[Any]]) -> Any:
    result = await run()  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = await run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    print(
        f"  {label:<48} best {min(walls):7.3f} s   median {statistics.median(walls):7.3f} s"
        f"   (process CPU median {statistics.median(cpus):.3f} s)",
        flush=True,
    )
    return result


async def main(args: argparse.Namespace) -> None:
    url = normalise_database_url(args.database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        conn = connections.get("default")
        _, rows = await conn.execute_query("SELECT COUNT(*) AS n FROM child")
        print(f"machine: {machine()}")
        print(f"database: {url.split('://')[0]}; children {int(rows[0]['n']):,}")
        system = Caller.system()
        code = args.jurisdiction
        print(f"county {code}, as of {DEMO_TODAY}, {args.repeat} runs after a warm-up:")

        async def count(flt: RiskFilter) -> int:
            qs, _ = await children_at_risk(system, flt, DEMO_TODAY)
            return await qs.count()

        async def page() -> list[Any]:
            qs, _ = await children_at_risk(system, RiskFilter(jurisdiction_code=code), DEMO_TODAY)
            return await qs.limit(50).values_list("id", flat=True)

        n = await _time(
            "children at risk, totalCount",
            args.repeat,
            lambda: count(RiskFilter(jurisdiction_code=code)),
        )
        print(f"    → {n:,} children at watch or high risk")
        ids = await _time("children at risk, first page of 50", args.repeat, page)
        await _time(
            "explanations of that page (assess)",
            args.repeat,
            lambda: assess([(i, code) for i in ids], DEMO_TODAY),
        )
        unattended = RiskFilter(**{**UNATTENDED.__dict__, "jurisdiction_code": code})
        m = await _time(
            "high risk, no open case, no visit: totalCount",
            args.repeat,
            lambda: count(unattended),
        )
        print(f"    → {m:,} children")
        print(f"load average after: {machine().split('load average ')[-1]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--jurisdiction", "-j", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
