"""Time the 学户册 (or another ledger of children, ``--format``) paged and streamed
(core.reports.register): a page of 50 at the county and at its largest town (the first page
and one far into the list, past a cursor), and the whole county written as CSV and XLSX a
chunk at a time, with the peak RSS of each.

Usage::

    python bench/bench_register.py --database-url sqlite://big.db --jurisdiction 450381
    python bench/bench_register.py --students 3000 --jurisdiction 450381   # temporary SQLite
    python bench/bench_register.py --database-url … --jurisdiction 210302 \
        --format key-group-care-ledger                                   # 铁东's 关爱台账

Pages are taken as the resolver takes them (the register opened for the place, the page's
children by keyset on ``child (jurisdiction_id, name, id)``, then their rows by id), as the
operator, on the demo's "today" (2026-11-20). A database given by ``--database-url`` is only
read (not migrated). Times are wall and process CPU; the load
average is printed with them. Each file's peak RSS is measured from a reset peak
(``/proc/self/clear_refs``), so it is that step's own, and its anonymous memory (``RssAnon``,
sampled between statements) apart: SQLite maps the database file (``mmap_size``), whose pages
count in the RSS as they are read.
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

from bench.bench_demo import machine
from core.access.caller import Caller
from core.db import close_database, open_database, run_migrations

#: The demo's "today", 10:00 China time.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _rss_mib(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak since the last reset) of this process, in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


async def _timed(work) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


async def _pages(code: str, place_kind: Any, place_id: Any, size: int, fmt: str) -> dict[str, Any]:
    from core.keyset import keyset_of
    from core.querysets import raw_values
    from core.reports import register as registers

    request = registers.RegisterRequest(
        place_kind=place_kind, place_id=place_id, jurisdiction_code=code, format_code=fmt
    )

    async def cursor_at(skip: int) -> Any:
        """The keys of the ``skip``-th child: a cursor's content (not part of a page's time)."""
        register = await registers.open_register(Caller.system(), request, NOW)
        keyset = keyset_of(register.children)
        ordered = keyset.ordered(keyset.queryset, False)
        at = await raw_values(ordered.offset(skip).limit(1), *keyset.names)
        return keyset.position(at[0])

    async def page(position: Any) -> int:
        register = await registers.open_register(Caller.system(), request, NOW)
        keyset = keyset_of(register.children)
        qs = keyset.queryset
        if position is not None:
            qs = qs.filter(keyset.beyond(position, backward=False))
        found = await raw_values(keyset.ordered(qs, False).limit(size + 1), *keyset.names)
        rows = await registers.register_rows(register, [r["id"] for r in found[:size]])
        return len(rows)

    register = await registers.open_register(Caller.system(), request, NOW)
    total = await registers.register_count(register)
    await page(None)  # warm the statement caches
    out: dict[str, Any] = {"place": register.place.name, "children": total}
    for label, skip in (("first", 0), ("deep", total // 2)):
        position = await cursor_at(skip) if skip else None
        rows, wall, cpu = await _timed(lambda position=position: page(position))
        out[label] = {"rows": rows, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
    return out


async def _stream(code: str, extension: str, fmt: str) -> dict[str, Any]:
    from core.reports import register as registers

    register = await registers.open_register(
        Caller.system(), registers.RegisterRequest(jurisdiction_code=code, format_code=fmt), NOW
    )
    _reset_peak()
    before, anon_before = _rss_mib("VmRSS"), _rss_mib("RssAnon")
    peak_anon = [anon_before]

    async def sample() -> None:  # between the chunks' statements
        while True:
            peak_anon[0] = max(peak_anon[0], _rss_mib("RssAnon"))
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    with tempfile.TemporaryFile() as spool:
        written, wall, cpu = await _timed(
            lambda: registers.write_register(register, extension, spool)
        )
    sampler.cancel()
    peak_anon[0] = max(peak_anon[0], _rss_mib("RssAnon"))
    return {
        "rows": written.rows,
        "mib": round(written.size / 2**20, 1),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rss_before_mib": round(before),
        "peak_rss_mib": round(_rss_mib("VmHWM")),
        "anon_before_mib": round(anon_before),
        "peak_anon_mib": round(peak_anon[0]),
        "load": os.getloadavg()[0],
    }


async def run(
    database_url: str,
    code: str,
    students: int | None,
    only: str | None = None,
    fmt: str = "household-register",
) -> dict[str, Any]:
    from core.demo.command import resolve_jurisdiction
    from core.demo.generator import generate_demo
    from core.jurisdictions.models import Town
    from core.people.models import Child
    from core.reports.enums import PlaceKind

    if students:  # a database of its own; a given one is only read
        await run_migrations(database_url)
    ctx = await open_database(database_url)
    try:
        if students:
            await generate_demo(resolve_jurisdiction(code), students=students, seed=2026)
        pupils = await Child.filter(
            jurisdiction__division_code=code, enrolments__is_current=True
        ).count()
        towns = await Town.filter(jurisdiction__division_code=code).all()
        sizes = {t.id: await Child.filter(town_id=t.id).count() for t in towns}
        biggest = max(towns, key=lambda t: sizes[t.id])
        out: dict[str, Any] = {"pupils": pupils, "load_start": os.getloadavg()[0]}
        if only in (None, "pages"):
            out["county_page"] = await _pages(code, None, None, 50, fmt)
            out["town_page"] = await _pages(code, PlaceKind.TOWN, biggest.id, 50, fmt)
        for extension in ("csv", "xlsx"):
            if only in (None, extension):
                out[extension] = await _stream(code, extension, fmt)
        return out
    finally:
        await close_database(ctx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jurisdiction", default="450381")
    parser.add_argument("--students", type=int, default=None)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", choices=("pages", "csv", "xlsx"), help="one part only")
    parser.add_argument(
        "--format", default="household-register", help="the ledger (a format that pages)"
    )
    args = parser.parse_args()
    if not args.students and not args.database_url:
        parser.error("give --students N (a temporary database) or --database-url")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite://{tmp}/bench-register.db"
        out = asyncio.run(run(url, args.jurisdiction, args.students, args.only, args.format))
    out["machine"] = machine()
    out["database"] = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    m = out["machine"]
    print(f"machine: {m['platform']}, {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}")
    print(f"county {args.jurisdiction}, {args.format}, {out['database']}: {out['pupils']} pupils; "
          f"load at start {out['load_start']:.1f}")  # fmt: skip
    for label in ("county_page", "town_page"):
        p = out.get(label)
        for which in ("first", "deep") if p else ():
            r = p[which]
            print(
                f"page of 50, {label.split('_')[0]:6} {p['place']} ({p['children']} children), "
                f"{which:5}: wall {r['wall_s']:.3f} s, CPU {r['cpu_s']:.3f} s"
            )
    for ext in ("csv", "xlsx"):
        if ext not in out:
            continue
        r = out[ext]
        print(
            f"whole county streamed {ext:4}: {r['rows']} rows, {r['mib']} MiB, "
            f"wall {r['wall_s']} s, "
            f"CPU {r['cpu_s']} s, RSS {r['rss_before_mib']} MiB before, peak {r['peak_rss_mib']} "
            f"MiB (of which anonymous {r['anon_before_mib']} → peak {r['peak_anon_mib']} MiB; the "
            f"rest is the SQLite file mapped), load {r['load']:.1f}"
        )


if __name__ == "__main__":
    main()
