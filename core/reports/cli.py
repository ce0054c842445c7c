"""``baoxue report FORMAT``: a county's report or ledger written to an .xlsx or .csv file.

The operator at the command line reaches every county, so ``--jurisdiction`` names the one. The
report is stored as a snapshot like one made through the API (``--no-store`` writes the file
only), and the command prints its id and checksum, so a figure handed in on paper can be found
and checked later.

A ledger of children that pages (the 学户册, a group's 关爱台账 …: :func:`core.reports.register.
pages`) is written with ``--no-store`` as the download writes it, a chunk of children at a time,
whatever the county's size; the command prints its rows and SHA-256. Such a ledger too large for
a snapshot is refused with the way out. The file appears whole or not at all: it is written
beside the target and moved into place.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import click

from core.access.caller import Caller
from core.cli_ids import GlobalId, global_id
from core.errors import DomainError, ErrorCode
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


async def _stream(database_url: str, request, now: datetime, path: Path):
    """A ledger that pages, written to ``path`` chunk by chunk: its title and the written file
    (rows, size, SHA-256); None for any other format (written whole by :func:`_run`)."""
    from tortoise.context import TortoiseContext

    from core.china_time import local_date
    from core.db import tortoise_config
    from core.plugins import rules_for
    from core.reports import services
    from core.reports.register import RegisterRequest, open_register, pages, write_register

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        caller = Caller.system()
        county = await services.county_of(caller, request.jurisdiction_code)
        fmt = services.format_of(rules_for(county.division_code), request.format_code)
        if not pages(fmt):
            return None
        today = local_date(now)
        as_of = services.period_of(fmt, request, today).as_of(today)
        register = await open_register(
            caller,
            RegisterRequest(
                as_of=as_of,
                place_kind=request.place_kind,
                place_id=request.place_id,
                public=request.public,
                jurisdiction_code=request.jurisdiction_code,
                format_code=fmt.code,
            ),
            now,
        )
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("w+b") as out:
                written = await write_register(register, path.suffix.lower()[1:], out)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        return register.frame.title, written


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
        raise click.BadParameter(
            "须以 .xlsx 或 .csv 结尾 / must end in .xlsx or .csv", param_hint="--output"
        )
    if not path.parent.is_dir():
        raise click.BadParameter(
            f"目录 {path.parent} 不存在 / the directory {path.parent} does not exist",
            param_hint="--output",
        )
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
    url, now = normalise_database_url(database_url), datetime.now(UTC)
    try:
        streamed = asyncio.run(_stream(url, request, now, path)) if no_store else None
        if streamed is not None:
            title, written = streamed
            click.echo(f"{title}: {written.rows} 行 → {path}  sha256 {written.sha256}")
            return
        table, snapshot = asyncio.run(_run(url, request, not no_store, now))
    except DomainError as exc:
        if exc.code is ErrorCode.TOO_LARGE and not no_store:
            raise click.ClickException(
                f"{exc.message}\n加 --no-store 可逐批写出全部行 (不存快照) / add --no-store to"
                " write every row in chunks (no snapshot)"
            ) from None
        raise click.ClickException(exc.message) from None
    path.write_bytes(_render(table, path.suffix.lower()))
    click.echo(f"{table.title}: {len(table.rows)} 行 → {path}")
    if snapshot is not None:
        click.echo(
            f"快照 / snapshot {global_id('ReportSnapshot', snapshot.id)}  "
            f"sha256 {snapshot.checksum}"
        )
