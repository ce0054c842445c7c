"""The SHA-256 of every report table's canonical JSON, to show that a change left the outputs
byte-identical: run it on the same database with the code before and after, and compare.

Usage::

    python bench/bench_digests.py --database-url sqlite://demo.db --jurisdiction 450381 > after
    python bench/bench_digests.py --database-url … --format poverty-lifted-public-list

For each county given (default: every county in the database), each of its report formats
(or those named with ``--format``), each of the format's period kinds, the whole county and
its first town by name, the internal table and the published variant (公示版): one line
``county format period-kind place masking rows sha256``, built as the operator (the CLI's
caller) on the demo's "today" (2026-11-20) as ``bench_reports.py`` builds them. The database
is only read. ``--no-town`` leaves the towns out (at 100,000 pupils, to save time).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_reports import NOW, PERIODS
from core.access.caller import Caller
from core.db import close_database, open_database


async def run(url: str, codes: list[str], formats: list[str], towns: bool) -> None:
    from core.jurisdictions.models import Jurisdiction, Town
    from core.plugins import rules_for
    from core.reports.enums import PlaceKind
    from core.reports.services import ReportRequest, build_report

    ctx = await open_database(url)
    try:
        counties = await Jurisdiction.all().order_by("division_code")
        for county in counties:
            if codes and county.division_code not in codes:
                continue
            town = await Town.filter(jurisdiction_id=county.id).order_by("name", "id").first()
            places: list[tuple[PlaceKind | None, object, str]] = [(None, None, "county")]
            if towns and town is not None:
                places.append((PlaceKind.TOWN, town.id, f"town:{town.name}"))
            for fmt in rules_for(county.division_code).report_formats:
                if formats and fmt.code not in formats:
                    continue
                for kind in fmt.period_kinds:
                    for place_kind, place_id, place_name in places:
                        for public in (False, True):
                            request = ReportRequest(
                                format_code=fmt.code,
                                period_value=PERIODS[kind],
                                period_kind=kind,
                                place_kind=place_kind,
                                place_id=place_id,  # type: ignore[arg-type]
                                public=public,
                                jurisdiction_code=county.division_code,
                            )
                            report = await build_report(Caller.system(), request, NOW)
                            table = orjson.dumps(
                                report.table.to_json(), option=orjson.OPT_SORT_KEYS
                            )
                            print(
                                county.division_code,
                                fmt.code,
                                kind.value,
                                place_name,
                                report.table.masking.value,
                                len(report.table.rows),
                                hashlib.sha256(table).hexdigest(),
                                flush=True,
                            )
    finally:
        await close_database(ctx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--jurisdiction", action="append", default=[], help="repeatable")
    parser.add_argument("--format", action="append", default=[], help="repeatable")
    parser.add_argument("--no-town", action="store_true", help="the whole county only")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.jurisdiction, args.format, not args.no_town))


if __name__ == "__main__":
    main()
