"""The counties' clocks as their clauses set them, tried through the API with the clock moved.

* 荔浦 四、(一): the guardian's week runs from the 劝返复学通知书, which the school serves; when
  it is out the case goes to the township government and the 市教育局. A case escalated to the
  school without a notice is on core's step, not on that week.
* 荣昌 四、(四)3: a confirmed dropout, like a child nobody can reach, goes to the 镇街 at once;
  the 镇街 sees it and has a clock of the plugin's own, so it shows in the overdue lists.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

from click.testing import CliRunner
from strawberry import relay

from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Permission, ScopeKind
from core.access.scope import restrict
from core.cases.cli import deadlines
from core.cases.models import Case
from core.cases.policy import rules_for
from core.china_time import CHINA_TZ as CST
from core.china_time import end_of_day
from core.rules.enums import DeadlineKind
from tests.cases.conftest import Clock, County, Workflow, make_county

OVERDUE = """
query($code: String, $due: Boolean) {
  overdueCases(jurisdictionCode: $code, escalationDue: $due) {
    edges { node { id escalationLevel nextDeadlineAt isOverdue } }
  }
}
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def row(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


async def overdue(workflow: Workflow, code: str, due: bool | None = None) -> list[dict]:
    body = await workflow.query(OVERDUE, {"code": code, "due": due})
    assert "errors" not in body, body
    return [e["node"] for e in body["data"]["overdueCases"]["edges"]]


async def confirmed(workflow: Workflow, county: County) -> dict:
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    return await workflow.ok("confirmCase", cid, findings="在家, 不愿返校")


def _deadlines_json(database_url: str, moment: datetime, code: str) -> dict:
    args = ["--database-url", database_url, "--at", moment.isoformat(), "--json", "-j", code]
    result = CliRunner().invoke(deadlines, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


async def test_lipu_week_runs_from_the_notice_then_township_and_city_bureau(
    workflow: Workflow, county: County, clock: Clock, database_url: str
) -> None:
    rules = rules_for("450381")
    case = await confirmed(workflow, county)
    assert case["escalationLevel"] == 0
    clock.advance(days=2)
    noticed = await workflow.ok("issueReturnNotice", case["id"], number="荔教劝〔2026〕1号")
    # The school serves the notice: the case is at the school, on the notice's week.
    assert noticed["escalationLevel"] == 1 == rules.return_notice_level
    issued = clock.now.astimezone(CST).date()
    assert at(noticed["nextDeadlineAt"]) == end_of_day(issued + timedelta(days=7))

    clock.now = end_of_day(issued + timedelta(days=7)) - timedelta(minutes=1)
    assert await overdue(workflow, "450381") == []
    clock.advance(minutes=2)
    [late] = await overdue(workflow, "450381", due=True)
    assert late["id"] == case["id"]
    data = await asyncio.to_thread(_deadlines_json, database_url, clock.now, "450381")
    [item] = [c for g in data["groups"] for c in g["cases"]]
    assert item["clock"] == "RETURN_NOTICE_RESPONSE"
    assert item["notify"] == ["乡镇政府", "市教育局"]

    # On expiry the school reports to the township government and the 市教育局.
    up = await workflow.ok("escalateCase", case["id"], reason="通知书下达一周仍未复学")
    step = up["events"][-1]["details"]
    assert (step["fromLevel"], step["toLevel"]) == (1, 2)
    assert step["toOffice"] == "乡镇人民政府" and step["notify"] == ["市教育局"]
    township = rules.clock(DeadlineKind.TOWNSHIP_ACTION).days
    assert at(up["nextDeadlineAt"]) == clock.now + timedelta(days=township)


async def test_lipu_escalated_to_the_school_without_a_notice_is_on_the_core_step(
    workflow: Workflow, county: County, clock: Clock, database_url: str
) -> None:
    rules = rules_for("450381")
    case = await confirmed(workflow, county)
    clock.advance(days=1)
    at_school = await workflow.ok("escalateCase", case["id"])
    assert at_school["escalationLevel"] == 1
    step = rules.clock(DeadlineKind.ESCALATION_STEP).days
    # Not the notice's week to the end of a day: the core step, from the escalation.
    assert at(at_school["nextDeadlineAt"]) == clock.now + timedelta(days=step)
    clock.advance(days=step, minutes=1)
    data = await asyncio.to_thread(_deadlines_json, database_url, clock.now, "450381")
    [item] = [c for g in data["groups"] for c in g["cases"]]
    assert item["clock"] == "ESCALATION_STEP" and item["escalationDue"] is True


def _township_caller(county: County) -> Caller:
    return Caller(
        kind=ActorKind.API_KEY,
        label="镇街政府",
        scope=Scope(kind=ScopeKind.COUNTY, jurisdiction_id=county.jurisdiction.id),
        permissions=frozenset({Permission.READ_ROSTER, Permission.READ_ESCALATED_CASES}),
    )


async def test_rongchang_confirmed_dropout_goes_to_the_township_with_its_clock(
    api, db, clock: Clock, database_url: str
) -> None:
    rules = rules_for("500153")
    county = await make_county("500153", "荣昌区")
    workflow = Workflow(api, county)
    suspected = (await workflow.report(county.children[1]))["case"]["id"]
    case = await confirmed(workflow, county)
    # 四、(四)3: reported to the 镇街 at once, which has the plugin's clock.
    assert case["escalationLevel"] == 1 == rules.confirmed_level
    township = rules.clock(DeadlineKind.TOWNSHIP_ACTION)
    assert township.office == "镇街政府"
    assert at(case["nextDeadlineAt"]) == clock.now + timedelta(days=township.days)
    # The 镇街 sees the confirmed case, not the one still being verified at the school.
    seen = await restrict(Case.all(), _township_caller(county)).values_list("id", flat=True)
    assert {str(i) for i in seen} == {row(case["id"])}
    assert row(suspected) not in {str(i) for i in seen}

    # When its time is out the case is overdue like any office's, but nowhere to go up.
    clock.advance(days=township.days, minutes=1)
    late = [c for c in await overdue(workflow, "500153") if c["id"] == case["id"]]
    assert late and late[0]["isOverdue"] is True
    assert [c["id"] for c in await overdue(workflow, "500153", due=True)] == []
    data = await asyncio.to_thread(_deadlines_json, database_url, clock.now, "500153")
    groups = {g["office"]: g["cases"] for g in data["groups"]}
    [item] = [c for c in groups["镇街政府"] if c["caseId"] == case["id"]]  # a global id
    assert item["clock"] == "TOWNSHIP_ACTION" and item["notify"] == ["村社"]


async def test_rongchang_unreachable_child_is_on_the_township_clock_too(
    api, db, clock: Clock
) -> None:
    rules = rules_for("500153")
    county = await make_county("500153", "荣昌区")
    workflow = Workflow(api, county)
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    handed = await workflow.ok("markUnreachable", cid, handedTo="昌元街道办事处", village="某社区")
    assert handed["escalationLevel"] == rules.unreachable_level == 1
    days = rules.clock(DeadlineKind.TOWNSHIP_ACTION).days
    assert at(handed["nextDeadlineAt"]) == clock.now + timedelta(days=days)
