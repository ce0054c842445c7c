"""Deadlines and overdue cases with the clock moved (no sleeping), and ``baoxue deadlines``."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from strawberry import relay

from core.access.caller import Caller
from core.cases.cli import EXIT_OVERDUE, deadlines
from core.cases.deadlines import due_cases
from core.cases.policy import rules_for
from core.china_time import CHINA_TZ, end_of_day
from core.rules.enums import DeadlineKind
from tests.cases.conftest import START, Clock, County, Workflow, make_county

OVERDUE = """
query($code: String, $due: Boolean) {
  overdueCases(jurisdictionCode: $code, escalationDue: $due) {
    totalCount
    edges { node { id state isOverdue nextDeadlineAt escalationLevel } }
  }
}
"""


def row(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def overdue(workflow: Workflow, code: str | None = None, due: bool | None = None) -> list:
    body = await workflow.query(OVERDUE, {"code": code, "due": due})
    assert "errors" not in body, body
    return [e["node"] for e in body["data"]["overdueCases"]["edges"]]


async def test_a_report_not_marked_in_time_becomes_overdue(
    workflow: Workflow, county: County, clock: Clock
) -> None:
    rules = rules_for(county.jurisdiction.division_code)
    marking = rules.clock(DeadlineKind.REPORT_MARKING).days
    case = (await workflow.report(county.children[0]))["case"]
    assert at(case["nextDeadlineAt"]) == START + timedelta(days=marking)
    assert case["isOverdue"] is False
    assert await overdue(workflow) == []

    clock.advance(days=marking, seconds=1)
    [late] = await overdue(workflow, county.jurisdiction.division_code)
    assert late["id"] == case["id"] and late["isOverdue"] is True
    assert await overdue(workflow, due=True) == []  # marking late is not an escalation
    assert await overdue(workflow, "210302") == []

    verifying = await workflow.ok("verifyCase", case["id"])
    verification = rules.clock(DeadlineKind.VERIFICATION).days
    assert at(verifying["nextDeadlineAt"]) == clock.now + timedelta(days=verification)
    assert verifying["isOverdue"] is False


async def test_each_level_has_its_time_and_escalation_restarts_the_clock(
    http, db, clock: Clock
) -> None:
    county = await make_county("210302", "铁东区")
    rules = rules_for("210302")
    if rules.chain_name == "五级联控":  # the 铁东 plugin is installed
        assert [lv.name for lv in rules.chain] == [
            "班主任",
            "学校",
            "区教育局",
            "区政府",
            "司法部门",
        ]
    flow = Workflow(http, county)
    cid = (await flow.report(county.children[0]))["case"]["id"]
    await flow.ok("verifyCase", cid)
    confirmed = await flow.ok("confirmCase", cid, findings="在家")
    first = rules.level_days(0)
    assert at(confirmed["nextDeadlineAt"]) == clock.now + timedelta(days=first)

    clock.advance(days=first - 1)
    contacted = await flow.ok("recordContact", cid, kind="PERSUASION", outcome="REFUSED")
    assert contacted["nextDeadlineAt"] == confirmed["nextDeadlineAt"]  # talking buys no time

    clock.advance(days=1, seconds=1)
    [due] = await overdue(flow, "210302", due=True)
    assert due["id"] == cid and due["escalationLevel"] == 0
    other = (await flow.report(county.children[1]))["case"]["id"]  # overdue in a week, not due
    filtered = await flow.query(
        """query($due: Boolean) { cases(filter: {escalationDue: $due}) {
            edges { node { id } } } }""",
        {"due": True},
    )
    assert [e["node"]["id"] for e in filtered["data"]["cases"]["edges"]] == [cid]
    filtered = await flow.query(
        """query($due: Boolean) { cases(filter: {escalationDue: $due}) {
            edges { node { id } } } }""",
        {"due": False},
    )
    assert [e["node"]["id"] for e in filtered["data"]["cases"]["edges"]] == [other]

    escalated = await flow.ok("escalateCase", cid)
    assert at(escalated["nextDeadlineAt"]) == clock.now + timedelta(days=rules.level_days(1))
    assert escalated["isOverdue"] is False
    assert await overdue(flow, due=True) == []

    noticed = await flow.ok("issueReturnNotice", cid, number="铁劝〔2026〕1号")
    notice_days = rules.return_notice_days
    issued_on = clock.now.astimezone(CHINA_TZ).date()
    assert at(noticed["nextDeadlineAt"]) == end_of_day(issued_on + timedelta(days=notice_days))
    clock.now = end_of_day(issued_on + timedelta(days=notice_days)) + timedelta(seconds=1)
    [due] = await overdue(flow, due=True)
    assert due["id"] == cid

    [item] = [i for i in await due_cases(Caller.system(), clock.now) if i.case_id == row(cid)]
    assert item.clock is DeadlineKind.RETURN_NOTICE_RESPONSE
    assert item.office == rules.level(1).office and item.escalation_due


async def test_a_case_at_the_top_is_overdue_but_not_due_for_escalation(
    workflow: Workflow, county: County, clock: Clock
) -> None:
    rules = rules_for(county.jurisdiction.division_code)
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="在家")
    await workflow.ok("escalateCase", cid, toLevel=rules.top_level)
    await workflow.ok("issueReturnNotice", cid, number="1", deadline="2026-03-05")
    clock.advance(days=10)
    assert [c["id"] for c in await overdue(workflow)] == [cid]
    assert await overdue(workflow, due=True) == []


async def test_overdue_cases_come_most_overdue_first(
    workflow: Workflow, county: County, clock: Clock
) -> None:
    ids = []
    for child in county.children[:3]:
        ids.append((await workflow.report(child))["case"]["id"])
        clock.advance(days=1)
    clock.advance(days=30)
    assert [c["id"] for c in await overdue(workflow)] == ids
    await workflow.ok("verifyCase", ids[0])  # its clock starts again
    assert [c["id"] for c in await overdue(workflow)] == ids[1:]


async def test_the_follow_up_window_runs_from_the_return(
    workflow: Workflow, county: County, clock: Clock
) -> None:
    rules = rules_for(county.jurisdiction.division_code)
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="在家")
    clock.advance(days=3)
    back = await workflow.ok(
        "recordReturn", cid, schoolClassId=county.gid("SchoolClass", county.class_4)
    )
    window_end = clock.now + timedelta(days=rules.follow_up_window_days)
    assert at(back["nextDeadlineAt"]) == window_end
    clock.advance(days=10)
    followed = await workflow.ok("recordFollowUp", cid, attending=True)
    assert at(followed["nextDeadlineAt"]) == window_end
    clock.now = window_end - timedelta(seconds=1)
    assert (await workflow.refused("closeCase", cid))["code"] == "TOO_EARLY"
    clock.now = window_end + timedelta(seconds=1)
    assert [c["id"] for c in await overdue(workflow)] == [cid]  # due for 销号
    assert await overdue(workflow, due=True) == []
    await workflow.ok("closeCase", cid)
    assert await overdue(workflow) == []


def _invoke(args: list[str]):
    return CliRunner().invoke(deadlines, args, catch_exceptions=False)


async def test_baoxue_deadlines_groups_what_is_due_by_office(
    workflow: Workflow, county: County, clock: Clock, database_url: str
) -> None:
    rules = rules_for(county.jurisdiction.division_code)
    report_only = (await workflow.report(county.children[0]))["case"]["id"]
    persuading = (await workflow.report(county.children[1]))["case"]["id"]
    await workflow.ok("verifyCase", persuading)
    await workflow.ok("confirmCase", persuading, findings="在家")
    later = await workflow.report(
        county.children[2], occurredAt=(START + timedelta(days=7)).isoformat()
    )
    assert later["errors"][0]["field"] == "occurredAt"  # not in the future
    clock.advance(days=8)
    fresh = (await workflow.report(county.children[2]))["case"]["id"]

    moment = clock.now.isoformat()
    args = ["--database-url", database_url, "--at", moment, "--json", "--within", "0"]
    result = await asyncio.to_thread(_invoke, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["at"] == clock.now.astimezone(UTC).isoformat()
    groups = {g["office"]: g for g in data["groups"]}
    marking_office = rules.clock(DeadlineKind.REPORT_MARKING).office
    # the JSON names cases by the API's global ids
    assert [c["caseId"] for c in groups[marking_office]["cases"]] == [report_only]
    level_office = rules.level(0).office
    [item] = groups[level_office]["cases"]
    assert item["escalationDue"] is True and item["levelName"] == rules.level(0).name
    assert item["daysOverdue"] == 1 and item["clock"] == "ESCALATION_STEP"
    all_ids = {c["caseId"] for g in data["groups"] for c in g["cases"]}
    assert all_ids == {report_only, persuading}
    assert fresh not in all_ids

    # Within 8 days the fresh report is listed too, as due soon; text output names the offices.
    result = await asyncio.to_thread(
        _invoke, ["--database-url", database_url, "--at", moment, "--within", "8"]
    )
    assert result.exit_code == 0
    assert marking_office in result.output and level_office in result.output
    assert "即将到期" in result.output and "逾期 1 天" in result.output
    assert "应上报上一级" in result.output

    result = await asyncio.to_thread(
        _invoke, ["--database-url", database_url, "--at", moment, "--fail-if-overdue"]
    )
    assert result.exit_code == EXIT_OVERDUE
    result = await asyncio.to_thread(
        _invoke,
        [
            "--database-url",
            database_url,
            "--at",
            START.isoformat(),
            "--fail-if-overdue",
            "-j",
            "210302",
        ],
    )
    assert result.exit_code == 0 and "逾期 0 件" in result.output


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01"])
def test_baoxue_deadlines_refuses_a_bad_time(text: str) -> None:
    result = CliRunner().invoke(deadlines, ["--at", text])
    assert result.exit_code == 2 and "ISO 8601" in result.output
