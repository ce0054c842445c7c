"""``baoxue report FORMAT``: a county's report or ledger written to an .xlsx or .csv file.

The operator at the command line reaches every county, so ``--jurisdiction`` names the one. The
report is stored as a snapshot like one made through the API (``--no-store`` writes the file
only), and the command prints its id and checksum, so a figure handed in on paper can be found
and checked later.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import click

from core.access.caller import Caller
from core.cli_ids import GlobalId, global_id
from core.errors import DomainError
from core.reports.enums import PlaceKind
from core.rules.enums import PeriodKind
from core.settings import normalise_database_url

_WRITERS = {".xlsx", ".csv"}


def _render(table, suffix: str) -> bytes:
    if suffix == ".csv":
        from core.reports.render_csv import render_csv

        return render_csv(table)
    from core.reports.render_xlsx import render_xlsx

    return render_xlsx(table)


async def _run(database_url: str, request, store: bool, now: datetime):
    from tortoise.context import TortoiseContext

    from core.db import tortoise_config
    from core.reports import services

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        caller = Caller.system()
        if store:
            snapshot = await services.generate_report(caller, request, now)
            return services.table_of(snapshot), snapshot
        report = await services.build_report(caller, request, now)
        return report.table, None


@click.command("report")
@click.argument("format_code", metavar="FORMAT")
@click.option("--jurisdiction", "-j", required=True, help="6-digit division code of the county.")
@click.option(
    "--period",
    "-p",
    "period_value",
    required=True,
    help="2026-09 (月报), 2026-W38 (周报), 2026-09-14 (日报/截至某日), 2026-autumn (开学/学期), "
    "2026 (学年).",
)
@click.option(
    "--period-kind",
    type=click.Choice([k.value for k in PeriodKind], case_sensitive=False),
    default=None,
    help="Kind of period (default: the format's first).",
)
@click.option(
    "--town",
    "town_id",
    default=None,
    type=GlobalId("Town"),
    help="Town id (as the API returns it, or UUID): that town's report.",
)
@click.option(
    "--school",
    "school_id",
    default=None,
    type=GlobalId("School"),
    help="School id (as the API returns it, or UUID): that school's.",
)
@click.option("--public", is_flag=True, help="The published variant: names, ID numbers masked.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="File to write: .xlsx or .csv (UTF-8 with BOM).",
)
@click.option("--no-store", is_flag=True, help="Write the file only; keep no snapshot.")
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default="sqlite://baoxue.db",
    show_default=True,
    help="Database to use: sqlite://FILE or postgres://USER@HOST:PORT/DB.",
)
def report_command(
    format_code: str,
    jurisdiction: str,
    period_value: str,
    period_kind: str | None,
    town_id: uuid.UUID | None,
    school_id: uuid.UUID | None,
    public: bool,
    output: str,
    no_store: bool,
    database_url: str,
) -> None:
    """Write a report or ledger to a file (生成报表/台账, 导出为 XLSX 或 CSV)."""
    from core.reports.services import ReportRequest

    path = Path(output)
    if path.suffix.lower() not in _WRITERS:
        raise click.BadParameter("须以 .xlsx 或 .csv 结尾 / must end in .xlsx or .csv", "--output")
    place_kind, place_id = None, None
    if school_id:
        place_kind, place_id = PlaceKind.SCHOOL, school_id
    elif town_id:
        place_kind, place_id = PlaceKind.TOWN, town_id
    request = ReportRequest(
        format_code=format_code,
        period_value=period_value,
        period_kind=PeriodKind(period_kind.upper()) if period_kind else None,
        place_kind=place_kind,
        place_id=place_id,
        public=public,
        jurisdiction_code=jurisdiction,
    )
    try:
        table, snapshot = asyncio.run(
            _run(normalise_database_url(database_url), request, not no_store, datetime.now(UTC))
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    path.write_bytes(_render(table, path.suffix.lower()))
    click.echo(f"{table.title}: {len(table.rows)} 行 → {path}")
    if snapshot is not None:
        click.echo(
            f"快照 / snapshot {global_id('ReportSnapshot', snapshot.id)}  "
            f"sha256 {snapshot.checksum}"
        )
