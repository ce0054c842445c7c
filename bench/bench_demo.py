"""Time the demo county generator (``generate_demo``) on a fresh database.

Usage::

    python bench/bench_demo.py --students 100000              # a temporary SQLite file
    python bench/bench_demo.py --students 100000 --postgres postgres://postgres@127.0.0.1:5432

With ``--postgres SERVER`` a scratch database is created on that server and dropped
afterwards. Migrations run before the clock starts; the timing covers ``generate_demo`` only
(building the rows and writing them), not the demo accounts (Argon2 hashing) that
``baoxue demo`` adds. The report gives the machine, N, seconds, rows, rows per second and the
process's peak resident set size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import secrets
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.db import close_database, open_database, run_migrations
from core.demo.command import resolve_jurisdiction
from core.demo.generator import generate_demo


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (``ru_maxrss`` is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


async def _admin(server: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def bench(url: str, *, students: int, seed: int, jurisdiction: str | None) -> dict:
    spec = resolve_jurisdiction(jurisdiction)
    await run_migrations(url)
    ctx = await open_database(url)
    try:
        started = time.perf_counter()
        summary = await generate_demo(spec, students=students, seed=seed)
        seconds = time.perf_counter() - started
    finally:
        await close_database(ctx)
    return {
        "database": url.split("://", 1)[0],
        "jurisdiction": f"{spec.name} ({spec.division_code})",
        "students": students,
        "seed": seed,
        "seconds": round(seconds, 1),
        "rows": summary.rows,
        "rows_per_second": round(summary.rows / seconds),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "counts": summary.counts,
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jurisdiction", default=None, help="division code or name")
    parser.add_argument(
        "--postgres", metavar="SERVER", help="e.g. postgres://postgres@127.0.0.1:5432"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    if args.postgres:
        server = args.postgres.rstrip("/").replace("postgresql://", "postgres://", 1)
        name = f"baoxue_bench_{os.getpid()}_{secrets.token_hex(3)}"
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
        try:
            result = asyncio.run(
                bench(
                    f"{server}/{name}",
                    students=args.students,
                    seed=args.seed,
                    jurisdiction=args.jurisdiction,
                )
            )
        finally:
            asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        with tempfile.TemporaryDirectory(prefix="baoxue-bench-") as tmp:
            result = asyncio.run(
                bench(
                    f"sqlite://{Path(tmp) / 'demo.db'}",
                    students=args.students,
                    seed=args.seed,
                    jurisdiction=args.jurisdiction,
                )
            )
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    m = result["machine"]
    print(
        f"machine   {m['platform']}, {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}"
    )
    print(
        f"county    {result['jurisdiction']}, seed {result['seed']}, database {result['database']}"
    )
    print(f"N         {result['students']:,} enrolled pupils")
    print(f"time      {result['seconds']} s")
    print(f"rows      {result['rows']:,} ({result['rows_per_second']:,} rows/s)")
    print(f"peak RSS  {result['peak_rss_mb']} MiB")
    width = max(len(k) for k in result["counts"])
    for model, count in result["counts"].items():
        print(f"  {model:<{width}}  {count:>9,}")


if __name__ == "__main__":
    main()
