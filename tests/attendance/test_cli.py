"""``baoxue demo`` writes a term of attendance and ``baoxue attendance check`` (cron) runs the
county's rules on it: the children over a rule get cases, a second run of the day adds none."""

from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from core.cli import main
from tests.test_demo import scratch_url  # noqa: F401 - the fixture


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _check(url: str, day: str) -> dict:
    result = _run(
        "attendance", "check", "--date", day, "-j", "430527", "--json", "--database-url", url
    )
    assert result.exit_code == 0, result.output
    (county,) = json.loads(result.output)["counties"]
    return county


def test_the_demo_term_and_the_daily_check(scratch_url: str) -> None:  # noqa: F811
    demo = _run(
        "demo", "--students", "400", "--jurisdiction", "430527", "--database-url", scratch_url
    )
    assert demo.exit_code == 0, demo.output
    assert "AttendanceMark" in demo.output and "ClassDay" in demo.output

    weekend = _check(scratch_url, "2026-11-21")
    assert weekend["schoolDay"] is False and weekend["opened"] == []

    first = _check(scratch_url, "2026-11-20")
    assert first["schoolDay"] and first["rules"] == [
        "consecutive-unexplained",
        "monthly-unexplained",
    ]
    assert first["opened"], "the demo's drifting children are over a rule by its last day"
    for item in first["opened"]:
        needed = 3 if item["rule"] == "consecutive-unexplained" else 5
        assert item["absences"] == len(item["days"]) >= needed
        assert all(d.startswith("2026-11") for d in item["days"])

    again = _check(scratch_url, "2026-11-20")
    assert again["opened"] == again["reopened"] == []

    if scratch_url.startswith("sqlite://"):
        with sqlite3.connect(scratch_url.removeprefix("sqlite://")) as conn:
            (cases,) = conn.execute(
                "SELECT COUNT(*) FROM case_file c JOIN attendance_alert a ON a.case_id = c.id "
                "WHERE c.source = 'ATTENDANCE_RULE' AND c.state = 'REPORTED'"
            ).fetchone()
        assert cases == len(first["opened"])
