"""``baoxue notices admission``: the autumn 入学通知书 of a county or a school, as one DOCX."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import click

from core.china_time import local_date
from core.settings import normalise_database_url


async def _admission(database_url: str, code: str, year: int, school: str | None):
    from tortoise.context import TortoiseContext

    from core.access.caller import Caller
    from core.db import tortoise_config
    from core.jurisdictions.models import Jurisdiction
    from core.notices.admission import admission_notices, school_named

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        caller = Caller.system()
        county = await Jurisdiction.get_or_none(division_code=code)
        if county is None:
            raise click.ClickException(f"行政区 {code} 不存在 / no county {code}")
        school_id = None
        if school:
            found = await school_named(caller, county, school)
            if found is None:
                raise click.ClickException(f"学校 {school} 不存在 / no school {school}")
            school_id = found.id
        today = local_date(datetime.now(UTC))
        return await admission_notices(caller, county, year, issued_on=today, school_id=school_id)


@click.group("notices")
def notices() -> None:
    """Printable notices (文书) as DOCX."""


@notices.command("admission")
@click.option("--jurisdiction", "-j", required=True, help="6-digit division code.")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="School year, 2026.")
@click.option("--school", default=None, help="Only this school (学校标识码).")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="x.docx")
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default="sqlite://baoxue.db",
    show_default=True,
    help="Database to use: sqlite://FILE or postgres://USER@HOST:PORT/DB.",
)
def admission(
    jurisdiction: str, year: int, school: str | None, output: str, database_url: str
) -> None:
    """The 入学通知书 of the first grades of 小学 and 初中 (秋季学期入学通知书)."""
    if not output.lower().endswith(".docx"):
        raise click.BadParameter("须以 .docx 结尾 / must end in .docx", param_hint="--output")
    data, count = asyncio.run(
        _admission(normalise_database_url(database_url), jurisdiction, year, school)
    )
    Path(output).write_bytes(data)
    click.echo(f"入学通知书 {count} 份 → {output}")
