"""Time the metrics (issue 13): the full indicator set, every county target and the 底数清
accounting as of a day, in one statement; each breakdown; a page of a target's gap children.

Run against a demo database built beforehand (``baoxue demo --students 100000 …``)::

    .venv/bin/python bench/bench_metrics.py --database-url sqlite:///path/demo.db -j 210302
    .venv/bin/python bench/bench_metrics.py --database-url postgres://postgres@127.0.0.1:5432/db \
        -j 210302 --repeat 3

It prints the machine (CPU, memory, load average, Python, SQLite), the data size (children,
registry, enrolment changes, cases, case events) and, per measurement, the best and median
wall-clock seconds of ``--repeat`` runs (after one warm-up run), then the figures themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import machine
from tortoise import connections
from tortoise.context import TortoiseContext

from core.access.caller import Caller
from core.db import tortoise_config
from core.metrics import Breakdown, service
from core.settings import normalise_database_url


async def _size() -> dict[str, int]:
    conn = connections.get("default")
    sizes = {}
    for table in ("child", "enrolment", "enrolment_change", "case_file", "case_event"):
        _, rows = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
        sizes[table] = int(rows[0]["n"])
    return sizes


def _cpu() -> float:
    """User + system CPU seconds of this process (SQLite runs in it; PostgreSQL does not)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _time(label: str, repeat: int, run: Callable[[], Awaitable[Any]]) -> Any:
    result = await run()  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), _cpu()
        result = await run()
        times.append(time.perf_counter() - started)
        cpu.append(_cpu() - used)
    print(
        f"  {label:<52} best {min(times):7.3f} s   median {statistics.median(times):7.3f} s"
        f"   process CPU {min(cpu):6.3f} s   load {os.getloadavg()[0]:.1f}"
    )
    return result


async def main(args: argparse.Namespace) -> None:
    url = normalise_database_url(args.database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        caller = Caller.system()
        place = await service.resolve_place(caller, jurisdiction_code=args.jurisdiction)
        day = date.fromisoformat(args.as_of) if args.as_of else None
        frame = service.frame_for(place, day, datetime.now(UTC))
        print(f"machine: {machine()}")
        print(f"database: {url.split('://')[0]}")
        sizes = await _size()
        print("data: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
        print(f"county: {place.name} ({place.jurisdiction_code}), as of {frame.as_of}")
        print(f"timings ({args.repeat} runs after a warm-up):")
        board = await _time(
            "all indicators + every target + accounting (1 stmt)",
            args.repeat,
            lambda: service.dashboard(frame, with_metrics=True),
        )
        for breakdown in (Breakdown.STAGE, Breakdown.TOWN, Breakdown.KEY_GROUP, Breakdown.KEY_AREA):
            await _time(
                f"all indicators by {breakdown.value}",
                args.repeat,
                lambda b=breakdown: service.metrics(frame, breakdown=b),
            )
        worst = max(board.targets, key=lambda e: e.gap)
        listed = service.child_list(caller, frame, service.target_condition(worst))
        await _time(
            f"gap children of '{worst.target.label}': page of 20",
            args.repeat,
            lambda: listed.page(0, 20),
        )
        print(f"registry (学户册适龄儿童少年): {board.accounting.registry:,}")
        for v in board.metrics:
            ratio = f" = {v.numerator:,} / {v.denominator:,}" if v.denominator is not None else ""
            print(f"  {v.indicator.name:<16} {v.value}{ratio}")
        for e in board.targets:
            print(f"  [{e.status.value}] {e.summary}")
        for s in board.accounting.states:
            print(f"  {s.state.label:<22} {s.children:>9,}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("-j", "--jurisdiction", default=None, help="6-digit division code")
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
