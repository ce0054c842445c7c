"""``baoxue attendance check``: the daily absence-rule check (考勤预警), for cron.

Run it every school-day evening, after head teachers have recorded the day: it opens a
suspected-dropout case for each child who crossed one of the county's absence rules, reopens
the case of a child who relapsed, and prints who was caught. Running it twice for the same day
changes nothing the second time. ``--json`` prints one object per county for other tools.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from typing import Any

import click

from core.china_time import local_date
from core.cli_ids import global_id
from core.observability import prepare_multiprocess, track_job
from core.settings import load_settings, normalise_database_url


def _day(value: str | None) -> date:
    if not value:
        return local_date(datetime.now(UTC))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("须为日期, 如 2026-09-15 / a date such as 2026-09-15") from None


async def _run(database_url: str, day: date, jurisdiction: str | None) -> list[dict[str, Any]]:
    from tortoise.context import TortoiseContext

    from core.attendance.rules import check
    from core.db import tortoise_config

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        results = await check(day, jurisdiction)
        out = []
        for result in results:
            out.append(
                {
                    "jurisdictionCode": result.jurisdiction_code,
                    "date": result.day.isoformat(),
                    "schoolDay": result.school_day,
                    "rules": [r.rule.code for r in result.rules],
                    "opened": [_alert(a) for a in result.opened],
                    "reopened": [_alert(a) for a in result.reopened],
                    "alreadyOpen": [_alert(a) for a in result.already_open],
                }
            )
        return out


def _alert(alert: Any) -> dict[str, Any]:
    return {
        "childId": global_id("Child", alert.child_id),
        "caseId": global_id("Case", alert.case_id) if alert.case_id else None,
        "rule": alert.rule_code,
        "absences": alert.absences,
        "days": [e["day"] for e in alert.evidence],
    }


@click.group("attendance")
def attendance() -> None:
    """Attendance and early warning (考勤与预警)."""


@attendance.command("check")
@click.option(
    "--date", "day_text", default=None, help="School day to check (default: today, 北京时间)."
)
@click.option("--jurisdiction", "-j", default=None, help="6-digit division code (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per county).")
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default="sqlite://baoxue.db",
    show_default=True,
    help="Database to use: sqlite://FILE or postgres://USER@HOST:PORT/DB.",
)
def check_command(
    day_text: str | None, jurisdiction: str | None, as_json: bool, database_url: str
) -> None:
    """Run the absence rules for a day and open or reopen the cases they call for
    (考勤预警: 达到规则的学生自动上报疑似辍学)."""
    day = _day(day_text)
    metrics_dir = load_settings().metrics_dir
    if metrics_dir:
        prepare_multiprocess(metrics_dir, empty=False)
    with track_job("attendance-check"):
        results = asyncio.run(_run(normalise_database_url(database_url), day, jurisdiction))
    if as_json:
        click.echo(
            json.dumps({"date": day.isoformat(), "counties": results}, ensure_ascii=False, indent=2)
        )
        return
    for result in results:
        code = result["jurisdictionCode"]
        if not result["schoolDay"]:
            click.echo(f"{code} {day}: 不是上学日, 未检查 / not a school day")
            continue
        click.echo(
            f"{code} {day}: 新立案 {len(result['opened'])} 人, "
            f"重新打开 {len(result['reopened'])} 人, "
            f"已有未结个案 {len(result['alreadyOpen'])} 人 (规则: {', '.join(result['rules'])})"
        )
        for label, key in (("立案", "opened"), ("重新打开", "reopened")):
            for item in result[key]:
                click.echo(f"  {label} {item['childId']} {item['rule']}: {', '.join(item['days'])}")
