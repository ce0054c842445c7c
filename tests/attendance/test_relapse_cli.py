"""A relapse after closure, through the public surface: the head teacher records the days over
HTTP, cron runs ``baoxue attendance check``, the case goes all the way to 销号 (CLOSED) over
HTTP, the child stays away again, the next check reopens that same case, and the case's
timeline (read over GraphQL) shows the reopening."""

from __future__ import annotations

import asyncio
import json
from datetime import date, time, timedelta

from click.testing import CliRunner

from core.access.enums import Role
from core.china_time import at_local
from core.cli import main
from tests.cases.conftest import CASE_FIELDS, Workflow, make_county

from .conftest import RECORD


def _weekdays(first: date, last: date) -> list[date]:
    out = []
    while first <= last:
        if first.weekday() < 5:
            out.append(first)
        first += timedelta(days=1)
    return out


async def _check(database_url: str, code: str, day: date) -> dict:
    """``baoxue attendance check --date DAY --json`` as cron runs it (its own event loop and
    database connection, so in a thread)."""
    result = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        [
            *("attendance", "check", "--date", day.isoformat(), "-j", code, "--json"),
            *("--database-url", database_url),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (county,) = json.loads(result.output)["counties"]
    return county


async def test_a_closed_case_reopens_when_the_child_crosses_a_rule_again(
    http, db, clock, database_url
) -> None:
    county = await make_county(children=4)
    code = county.jurisdiction.division_code
    teacher = Workflow(http, county, Role.HEAD_TEACHER)
    bureau = Workflow(http, county)
    child = county.gid("Child", county.children[0])

    async def record(day: date, absent: bool) -> None:
        clock.now = at_local(day, time(9, 0))
        marks = [{"childId": child, "kind": "UNEXPLAINED"}] if absent else []
        body = await teacher.query(
            RECORD,
            {
                "input": {
                    "classId": county.gid("SchoolClass", county.class_4),
                    "date": day.isoformat(),
                    "marks": marks,
                }
            },
        )
        assert body["data"]["recordClassAttendance"]["errors"] == [], body

    # three unexplained days in a row: the evening check opens the case
    first_days = _weekdays(date(2026, 3, 2), date(2026, 3, 4))
    for day in first_days:
        await record(day, absent=True)
    opened = await _check(database_url, code, first_days[-1])
    assert [a["childId"] for a in opened["opened"]] == [child]
    cid = opened["opened"][0]["caseId"]
    assert opened["opened"][0]["days"] == [d.isoformat() for d in first_days]

    # verified, confirmed, back in class, followed up for 30 days and closed (销号)
    clock.now = at_local(date(2026, 3, 5), time(10, 0))
    bureau.versions[cid] = 1
    await bureau.ok("verifyCase", cid)
    await bureau.ok("confirmCase", cid, findings="在家务农")
    await bureau.ok("recordReturn", cid, schoolClassId=county.gid("SchoolClass", county.class_4))
    await bureau.ok("recordFollowUp", cid, attending=True)
    clock.advance(days=30, minutes=1)
    await bureau.ok("recordFollowUp", cid, attending=True)
    closed = await bureau.ok("closeCase", cid, note="稳定在校, 销号")
    assert closed["state"] == "CLOSED"
    events_before = len(closed["events"])

    # a quiet week after the closure: nobody is caught
    later = _weekdays(date(2026, 4, 13), date(2026, 4, 17))
    for day in later[:2]:
        await record(day, absent=False)
        quiet = await _check(database_url, code, day)
        assert quiet["opened"] == quiet["reopened"] == []
    # then three unexplained days again: the same case is reopened, not a new one
    for day in later[2:]:
        await record(day, absent=True)
    relapse = await _check(database_url, code, later[-1])
    assert relapse["opened"] == [] and relapse["alreadyOpen"] == []
    assert [(a["childId"], a["caseId"]) for a in relapse["reopened"]] == [(child, cid)]
    assert relapse["reopened"][0]["days"] == [d.isoformat() for d in later[2:]]
    again = await _check(database_url, code, later[-1])  # cron run twice: nothing new
    assert again["opened"] == again["reopened"] == []

    body = await bureau.query(
        f"query($id: ID!) {{ node(id: $id) {{ ... on Case {{ {CASE_FIELDS} }} }} }}",
        {"id": cid},
    )
    case = body["data"]["node"]
    assert case["state"] == "REPORTED"
    timeline = case["events"]
    assert len(timeline) == events_before + 1  # the history is kept
    assert [e["kind"] for e in timeline[:1]] == ["REPORT"]
    assert timeline[-2]["toState"] == "CLOSED"  # the closure, then the reopening
    reopening = timeline[-1]
    assert reopening["kind"] == "REOPEN"
    assert (reopening["fromState"], reopening["toState"]) == ("CLOSED", "REPORTED")
    assert reopening["details"]["source"] == "ATTENDANCE_RULE"
    assert reopening["details"]["previousState"] == "CLOSED"
    assert reopening["actorName"] == "考勤预警 (系统)"

    cases = await bureau.query(
        "query($c: ID!) { node(id: $c) { ... on Child { openCases { id state } } } }",
        {"c": child},
    )
    assert cases["data"]["node"]["openCases"] == [{"id": cid, "state": "REPORTED"}]
