"""``baoxue deadlines``: what is overdue or due soon, grouped by the office that answers for it.

Meant for cron. ``--json`` prints one object per office for other tools; with
``--fail-if-overdue`` the exit status is 3 when anything is overdue, so a wrapper can raise the
alarm only then.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from core.access.caller import Caller
from core.cases.deadlines import CHAIN_STATES, DueCase, by_office, due_cases
from core.china_time import CHINA_TZ
from core.cli_ids import global_id
from core.observability import prepare_multiprocess, track_job
from core.settings import load_settings, normalise_database_url

#: Exit status when at least one case is overdue.
EXIT_OVERDUE = 3


def _parse_at(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "须为 ISO 8601 时间, 如 2026-03-01T08:00+08:00 / an ISO 8601 date-time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(UTC)


async def _collect(
    database_url: str, at: datetime, within: timedelta, jurisdiction: str | None
) -> list[DueCase]:
    from tortoise.context import TortoiseContext

    from core.db import tortoise_config

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        # the operator at the command line: every county, every permission
        return await due_cases(Caller.system(), at, within=within, jurisdiction_code=jurisdiction)


def _item_json(item: DueCase) -> dict[str, Any]:
    return {
        "caseId": global_id("Case", item.case_id),
        "child": item.child_name,
        "school": item.school_name,
        "state": item.state.value,
        "level": item.level,
        "levelName": item.level_name,
        "clock": item.clock.value if item.clock else None,
        "deadline": item.deadline.isoformat(),
        "overdue": item.overdue,
        "daysOverdue": item.days_overdue,
        "escalationDue": item.escalation_due,
        "notify": list(item.notify),
    }


def _local(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _print_text(items: list[DueCase], at: datetime) -> None:
    overdue = sum(1 for i in items if i.overdue)
    click.echo(
        f"截至 {_local(at)} (北京时间): 逾期 {overdue} 件, 即将到期 {len(items) - overdue} 件"
        f" / as of {at.isoformat()}: {overdue} overdue, {len(items) - overdue} due soon"
    )
    for (code, office), group in by_office(items).items():
        click.echo("")
        click.echo(f"[{code} {group[0].jurisdiction_name}] {office or '-'} ({len(group)})")
        for item in group:
            status = f"逾期 {item.days_overdue} 天" if item.overdue else "即将到期"
            action = " → 应上报上一级" if item.escalation_due else ""
            clock = item.clock.label if item.clock else ""
            level = f"{item.level_name}  " if item.state in CHAIN_STATES else ""
            click.echo(
                f"  {status:<10} {_local(item.deadline)}  {item.child_name}  "
                f"{item.state.label}  {level}{clock}{action}  ({global_id('Case', item.case_id)})"
            )


@click.command("deadlines")
@click.option("--jurisdiction", "-j", default=None, help="6-digit division code (default: all).")
@click.option(
    "--at",
    "at_text",
    default=None,
    help="Moment to judge by, ISO 8601 (default: now; no offset = 北京时间).",
)
@click.option(
    "--within",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, 366),
    help="Also list cases due within this many days.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per office).")
@click.option(
    "--fail-if-overdue",
    is_flag=True,
    help=f"Exit with status {EXIT_OVERDUE} when a case is overdue.",
)
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default="sqlite://baoxue.db",
    show_default=True,
    help="Database to use: sqlite://FILE or postgres://USER@HOST:PORT/DB.",
)
def deadlines(
    jurisdiction: str | None,
    at_text: str | None,
    within: float,
    as_json: bool,
    fail_if_overdue: bool,
    database_url: str,
) -> None:
    """Cases overdue or due soon, by responsible office (逾期与即将到期的个案, 按责任单位)."""
    at = _parse_at(at_text)
    metrics_dir = load_settings().metrics_dir
    if metrics_dir:  # counted in the directory the server's /metrics reads
        prepare_multiprocess(metrics_dir, empty=False)
    with track_job("deadlines"):
        items = asyncio.run(
            _collect(normalise_database_url(database_url), at, timedelta(days=within), jurisdiction)
        )
    if as_json:
        groups = [
            {
                "jurisdictionCode": code,
                "jurisdictionName": group[0].jurisdiction_name,
                "office": office,
                "overdue": sum(1 for i in group if i.overdue),
                "cases": [_item_json(i) for i in group],
            }
            for (code, office), group in by_office(items).items()
        ]
        click.echo(
            json.dumps({"at": at.isoformat(), "groups": groups}, ensure_ascii=False, indent=2)
        )
    else:
        _print_text(items, at)
    if fail_if_overdue and any(i.overdue for i in items):
        sys.exit(EXIT_OVERDUE)
