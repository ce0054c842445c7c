"""``baoxue metrics``: a county's (or a town's or school's) figures, targets and accounting as
of a day, printed or as JSON. The operator at the command line sees every county."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime
from typing import Any

import click

from core.access.caller import Caller
from core.errors import DomainError
from core.settings import normalise_database_url


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("须为日期, 如 2026-09-01 / a date such as 2026-09-01") from None


async def _place(jurisdiction: str, town: str | None, school: str | None):
    from core.jurisdictions.models import Town
    from core.metrics import service
    from core.metrics.place import PlaceKind
    from core.schools.models import School

    caller = Caller.system()
    county = await service.resolve_place(caller, jurisdiction_code=jurisdiction)
    if school:
        row = (
            await School.filter(jurisdiction_id=county.jurisdiction_id).filter(name=school).first()
            or await School.filter(code=school).first()
        )
        kind = PlaceKind.SCHOOL
    elif town:
        row = await Town.filter(jurisdiction_id=county.jurisdiction_id, name=town).first()
        kind = PlaceKind.TOWN
    else:
        return county
    if row is None:
        raise click.BadParameter(f"找不到 {school or town} / no such town or school")
    return await service.resolve_place(
        caller, jurisdiction_code=jurisdiction, kind=kind, place_id=row.id
    )


async def _collect(
    database_url: str, jurisdiction: str, as_of: date | None, town: str | None, school: str | None
) -> dict[str, Any]:
    from tortoise.context import TortoiseContext

    from core.db import tortoise_config
    from core.metrics import service

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        place = await _place(jurisdiction, town, school)
        frame = service.frame_for(place, as_of, datetime.now(UTC))
        started = time.perf_counter()
        board = await service.dashboard(frame, with_metrics=True)
        values = board.metrics
        seconds = time.perf_counter() - started
    return {
        "place": {
            "kind": place.kind.value,
            "name": place.name,
            "jurisdictionCode": place.jurisdiction_code,
        },
        "asOf": frame.as_of.isoformat(),
        "metrics": [
            {
                "indicator": v.indicator.code.value,
                "name": v.indicator.name,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "value": None if v.value is None else str(v.value),
                "formula": v.indicator.formula,
            }
            for v in values
        ],
        "targets": [
            {
                "target": e.target.label,
                "clause": e.target.clause.label,
                "status": e.status.value,
                "value": None if e.value.value is None else str(e.value.value),
                "numerator": e.value.numerator,
                "denominator": e.value.denominator,
                "gap": e.gap,
                "pending": e.pending,
                "excepted": e.value.excepted,
                "summary": e.summary,
            }
            for e in board.targets
        ],
        "accounting": {
            "registry": board.accounting.registry,
            "unaccounted": board.accounting.unaccounted,
            "states": {s.state.value: s.children for s in board.accounting.states},
        },
        "seconds": round(seconds, 3),
    }


def _print_text(data: dict[str, Any]) -> None:
    place = data["place"]
    click.echo(f"{place['name']} ({place['jurisdictionCode']}) 截至 {data['asOf']}")
    click.echo("\n指标 / metrics")
    for m in data["metrics"]:
        unit = "%" if m["denominator"] is not None else "人"
        shown = "—" if m["value"] is None else f"{m['value']}{unit}"
        ratio = f" ({m['numerator']}/{m['denominator']})" if m["denominator"] is not None else ""
        click.echo(f"  {m['name']:<12} {shown:>10}{ratio}")
    click.echo("\n目标 / targets")
    for t in data["targets"]:
        click.echo(f"  [{t['status']}] {t['summary']}  依据: {t['clause']}")
    acc = data["accounting"]
    click.echo(
        f"\n底数清 / accounting: 学户册 {acc['registry']} 人, 底数不清 {acc['unaccounted']} 人"
    )
    from core.metrics.accounting import AccountingState

    for state in AccountingState:
        click.echo(f"  {state.label:<20} {acc['states'][state.value]:>8}")


async def _rebuild(database_url: str) -> tuple[int, int, int, float]:
    """The marked children refreshed, the stored rows compared with the histories (the rows
    the triggers and the refresh got wrong), then every row derived again and compared once
    more: (rows, stale before, stale after, seconds of the rebuild)."""
    from tortoise.context import TortoiseContext

    from core.db import tortoise_config
    from core.metrics.store import rebuild_child_facts, refresh_child_facts, stale_child_facts

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        await refresh_child_facts()
        before = await stale_child_facts()
        started = time.perf_counter()
        rows = await rebuild_child_facts()
        seconds = time.perf_counter() - started
        after = await stale_child_facts()
    return rows, before, after, seconds


@click.command("metrics")
@click.option("--jurisdiction", "-j", default=None, help="6-digit division code.")
@click.option("--as-of", "as_of", default=None, help="Date (YYYY-MM-DD); default today.")
@click.option("--town", default=None, help="A town's name: its figures instead of the county's.")
@click.option("--school", default=None, help="A school's name or 10-digit code.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Compare every stored child fact (child_fact) with the histories, derive them all "
    "again, compare again and exit (status 1 if any row differed).",
)
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default="sqlite://baoxue.db",
    show_default=True,
    help="Database to use: sqlite://FILE or postgres://USER@HOST:PORT/DB.",
)
def metrics_command(
    jurisdiction: str | None,
    as_of: str | None,
    town: str | None,
    school: str | None,
    as_json: bool,
    rebuild: bool,
    database_url: str,
) -> None:
    """Metrics, targets and 底数清 accounting of a county as of a day (指标、目标与底数清)."""
    if rebuild:
        rows, before, after, seconds = asyncio.run(_rebuild(normalise_database_url(database_url)))
        click.echo(
            f"重算前与历史记录不符 {before} 行; 已重算学生统计事实 {rows:,} 行 ({seconds:.1f} s), "
            f"重算后不符 {after} 行 / {before} stored child facts differed from the histories; "
            f"rebuilt {rows:,} in {seconds:.1f} s; {after} differ after the rebuild"
        )
        sys.exit(1 if before or after else 0)
    if not jurisdiction:
        raise click.UsageError("须指定 --jurisdiction / --jurisdiction is required")
    day = _parse_day(as_of)
    try:
        data = asyncio.run(
            _collect(normalise_database_url(database_url), jurisdiction, day, town, school)
        )
    except DomainError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_text(data)
