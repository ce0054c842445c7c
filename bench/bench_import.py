"""Time a roster import and the registry comparison at county scale, and say the peak memory.

Usage (makes its own database: a fresh SQLite file, or a scratch PostgreSQL database)::

    python bench/bench_import.py --rows 100000
    python bench/bench_import.py --rows 100000 --postgres postgres://postgres@127.0.0.1:5432

It migrates, loads the demo county 荔浦 (450381) with a few hundred pupils for its schools and
classes, writes a 学籍 roster CSV (GBK, as WPS saves it) of ``--rows`` synthetic pupils with valid
ID numbers spread over the county's classes, then times

1. the import (every row checked, then written in one transaction),
2. the same file again (nothing to write: every row unchanged),
3. the registry comparison (学户册与学籍比对) over the county,

and prints the machine, the data size, the seconds and the process's peak resident memory. The
targets (issue 12): import under 30 s on SQLite and 20 s on PostgreSQL, comparison under 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import resource
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.access.caller import Caller
from core.db import close_database, open_database, run_migrations
from core.demo.calendar import grade_birth_range
from core.imports.comparison import compare_registry_enrolment
from core.imports.models import ImportMode
from core.imports.services import ImportRequest, run_import
from core.people.resident_id import make_resident_id

COUNTY = "450381"
HEADERS = (
    "全国学籍号",
    "姓名",
    "性别",
    "出生日期",
    "身份证件类型",
    "身份证件号",
    "民族",
    "学校标识码",
    "年级",
    "班级",
    "就读方式",
    "是否留守儿童",
    "是否进城务工人员随迁子女",
    "残疾人类型",
)
GRADES = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class AnonymousPeak:
    """The process's peak anonymous resident memory (``RssAnon``: the heap, the rows in
    flight), sampled every 0.1 s by a thread. The peak RSS also counts the pages of the SQLite
    file mapped in (``mmap_size``), which are the operating system's file cache, not the
    import's."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def now_kb() -> int:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.now_kb())

    def take(self) -> float:
        """The peak since the last take, in MB; sampling starts again."""
        peak = max(self.peak, self.now_kb())
        self.peak = 0
        return peak / 1024


async def server_cpu() -> float | None:
    """CPU seconds the PostgreSQL server's processes for this database have used (a server on
    this machine whose /proc is readable), or None."""
    from tortoise import connections

    db = connections.get("default")
    if db.capabilities.dialect != "postgres":
        return None
    _, rows = await db.execute_query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    )
    return process_cpu([row["pid"] for row in rows])


def process_cpu(pids: list[int]) -> float | None:
    """CPU seconds (user + system) the processes ``pids`` have used, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def cpu_note(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return ""
    return f" + {after - before:.1f} s CPU of the PostgreSQL server"


async def write_roster(path: Path, rows: int) -> None:
    from core.schools.models import SchoolClass

    classes = await SchoolClass.filter(
        school__jurisdiction__division_code=COUNTY, school_year=2026
    ).values_list("school__code", "grade", "name")
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            code, grade, name = classes[i % len(classes)]
            first, _ = grade_birth_range(grade)
            born = first + timedelta(days=i % 365)
            # sequences 500-999: the demo's own pupils use lower ones
            number = make_resident_id(COUNTY, born, 500 + (i // 365) % 500)
            gender = "男" if int(number[16]) % 2 else "女"
            writer.writerow(
                [
                    "G" + number,
                    f"学生{i:06d}",
                    gender,
                    born.isoformat(),
                    "居民身份证",
                    number,
                    "汉族",
                    code,
                    GRADES[grade - 1],
                    name,
                    "在校就读",
                    "是" if i % 7 == 0 else "否",
                    "否",
                    "无",
                ]
            )


async def main(rows: int, database_url: str) -> None:
    from core.demo.generator import generate_demo
    from core.plugins import get_registry

    await run_migrations(database_url)
    ctx = await open_database(database_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        spec = next(s for s in get_registry().jurisdictions() if s.division_code == COUNTY)
        await generate_demo(spec, students=300, seed=1)
        roster = workdir / "roster.csv"
        await write_roster(roster, rows)
        size = roster.stat().st_size / 1e6
        print(
            f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, {platform.system()}"
        )
        print(
            f"database: {database_url.split('://')[0]}; roster: {rows} rows, {size:.1f} MB GBK CSV"
        )
        print(
            f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}; "
            f"peak memory before import: {peak_mb():.0f} MB"
        )
        anonymous = AnonymousPeak()
        anonymous.take()

        def request() -> ImportRequest:
            return ImportRequest(
                caller=Caller.system(),
                format_code="STUDENT_ROSTER",
                path=roster,
                now=datetime.now(UTC),
                jurisdiction_code=COUNTY,
                mode=ImportMode.VALID,
            )

        server = await server_cpu()
        started, cpu = time.perf_counter(), time.process_time()
        job = await run_import(request())
        first = time.perf_counter() - started
        print(
            f"import: {first:.1f} s wall, {time.process_time() - cpu:.1f} s CPU of this process"
            f"{cpu_note(server, await server_cpu())} ({job.state.value}; {job.counts})"
        )
        for issue in job.issues[:3]:
            print(f"  refused: row {issue['row']} {issue['column']}: {issue['reasonEn']}")
        print(
            f"peak memory after import: {peak_mb():.0f} MB RSS; "
            f"peak anonymous (heap) during it: {anonymous.take():.0f} MB"
        )
        server = await server_cpu()
        started, cpu = time.perf_counter(), time.process_time()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            again = await run_import(request())
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        else:
            again = await run_import(request())
        second = time.perf_counter() - started
        c = again.counts
        print(
            f"re-import: {second:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
            f"{cpu_note(server, await server_cpu())} (unchanged {c['unchanged']}, "
            f"new {c['new']}, updated {c['updated']}); "
            f"peak anonymous during it: {anonymous.take():.0f} MB"
        )
        from core.jurisdictions.models import Jurisdiction

        county = await Jurisdiction.get(division_code=COUNTY)
        started, cpu = time.perf_counter(), time.process_time()
        run = await compare_registry_enrolment(Caller.system(), county.id, datetime.now(UTC))
        third = time.perf_counter() - started
        print(
            f"comparison: {third:.1f} s wall, {time.process_time() - cpu:.1f} s CPU ({run.counts})"
        )
        print(f"peak memory (whole run, RSS): {peak_mb():.0f} MB")
        print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        await close_database(ctx)
        shutil.rmtree(workdir, ignore_errors=True)  # the roster written for the run


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=None, help="postgres://USER@HOST:PORT (scratch DB)")
    args = parser.parse_args()
    if args.postgres:
        import asyncpg

        name = f"bench_import_{secrets.token_hex(4)}"

        async def admin(sql: str) -> None:
            conn = await asyncpg.connect(f"{args.postgres}/postgres")
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
        try:
            asyncio.run(main(args.rows, f"{args.postgres}/{name}"))
        finally:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        db = Path(tempfile.mkdtemp(prefix="bench-import-")) / "bench.db"
        try:
            asyncio.run(main(args.rows, f"sqlite://{db}"))
        finally:
            shutil.rmtree(db.parent, ignore_errors=True)
