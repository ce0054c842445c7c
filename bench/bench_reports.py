"""Time every report format of a county: building its table from the database, and writing
the XLSX and CSV.

Usage::

    python bench/bench_reports.py --students 3000 --jurisdiction 450381    # temporary SQLite
    python bench/bench_reports.py --database-url sqlite://big.db --jurisdiction 369901

With ``--students`` a demo county is generated into a temporary SQLite file first, its stored
child facts rebuilt as ``baoxue demo`` does (neither timed);
with ``--database-url`` the county must be there already. Reports are taken as the operator
(the CLI's caller) on the demo's "today" (2026-11-20), for the whole county, each for its
format's first period kind. Prints the machine, the data size and, per format, the rows and
the seconds to build the table, to write the XLSX and to write the CSV.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_demo import machine, peak_rss_mb
from core.access.caller import Caller
from core.db import close_database, open_database, run_migrations
from core.rules.enums import PeriodKind

#: The demo's "today", 10:00 China time.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PERIODS = {
    PeriodKind.DAILY: "2026-11-20",
    PeriodKind.WEEKLY: "2026-11-16",
    PeriodKind.MONTHLY: "2026-10",
    PeriodKind.BIMONTHLY: "2026-09",
    PeriodKind.TERM_START: "2026-autumn",
    PeriodKind.TERM: "2026-autumn",
    PeriodKind.SCHOOL_YEAR: "2026",
    PeriodKind.ON_DEMAND: "2026-11-20",
}


async def run(
    database_url: str,
    code: str,
    students: int | None,
    formats: list[str] | None = None,
    build_only: bool = False,
) -> dict[str, Any]:
    from core.demo.command import resolve_jurisdiction
    from core.demo.generator import generate_demo
    from core.metrics.store import rebuild_child_facts
    from core.people.models import Child
    from core.plugins import rules_for
    from core.reports.render_csv import render_csv
    from core.reports.render_xlsx import render_xlsx
    from core.reports.services import ReportRequest, build_report

    await run_migrations(database_url)
    ctx = await open_database(database_url)
    try:
        if students:
            await generate_demo(resolve_jurisdiction(code), students=students, seed=2026)
            # as `baoxue demo` does: else the first report with metric columns pays for
            # deriving every child's stored facts (the generator marks them all)
            await rebuild_child_facts()
        children = await Child.filter(jurisdiction__division_code=code).count()
        results = []
        for fmt in rules_for(code).report_formats:
            if formats and fmt.code not in formats:
                continue
            kind = fmt.period_kinds[0]
            request = ReportRequest(
                format_code=fmt.code,
                period_value=PERIODS[kind],
                period_kind=kind,
                jurisdiction_code=code,
            )
            started, started_cpu = time.perf_counter(), time.process_time()
            report = await build_report(Caller.system(), request, NOW)
            built, cpu = time.perf_counter(), time.process_time()
            xlsx = b"" if build_only else render_xlsx(report.table)
            wrote, xlsx_cpu = time.perf_counter(), time.process_time() - cpu
            if not build_only:
                render_csv(report.table)
            done = time.perf_counter()
            results.append(
                {
                    "format": fmt.code,
                    "title": fmt.title,
                    "rows": len(report.table.rows),
                    "build_s": round(built - started, 3),
                    "build_cpu_s": round(cpu - started_cpu, 3),
                    "xlsx_s": round(wrote - built, 3),
                    "xlsx_cpu_s": round(xlsx_cpu, 3),
                    "load": round(os.getloadavg()[0], 1),
                    "csv_s": round(done - wrote, 3),
                    "xlsx_kib": len(xlsx) // 1024,
                }
            )
        return {"children": children, "reports": results}
    finally:
        await close_database(ctx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jurisdiction", default="369901")
    parser.add_argument("--students", type=int, default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--format", action="append", help="only this format code (repeatable)")
    parser.add_argument(
        "--build-only", action="store_true", help="build the tables, write no XLSX or CSV"
    )
    args = parser.parse_args()
    if not args.students and not args.database_url:
        parser.error("give --students N (a temporary database) or --database-url")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite://{tmp}/bench-reports.db"
        out = asyncio.run(run(url, args.jurisdiction, args.students, args.format, args.build_only))
    out["machine"] = machine()
    out["students"] = args.students
    out["database"] = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    out["peak_rss_mib"] = round(peak_rss_mb())
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    m = out["machine"]
    print(f"machine: {m['platform']}, {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}")
    print(
        f"county {args.jurisdiction}: {out['children']} children in the 学户册 "
        f"({args.students or '?'} pupils), {out['database']}, peak RSS {out['peak_rss_mib']} MiB"
    )
    print(f"{'format':32} {'rows':>7} {'build s':>8} {'build CPU':>9} {'xlsx s':>7} "
          f"{'xlsx CPU':>8} {'csv s':>6} {'load':>5}")  # fmt: skip
    for r in out["reports"]:
        print(f"{r['format']:32} {r['rows']:>7} {r['build_s']:>8.3f} {r['build_cpu_s']:>9.3f} "
              f"{r['xlsx_s']:>7.3f} "
              f"{r['xlsx_cpu_s']:>8.3f} {r['csv_s']:>6.3f} {r['load']:>5}")  # fmt: skip


if __name__ == "__main__":
    main()
