"""A scripted walk over HTTP through every path of the case state machine, including every
forbidden transition, with the timeline and the enrolment history checked at each end."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from strawberry import relay

from core.access.accounts import create_account
from core.access.enums import AuditAction, Role
from core.access.models import AuditEntry
from core.cases.enums import CaseState
from core.cases.models import Case, CaseEvent
from core.cases.workflow import TRANSITIONS, CaseAction, allowed_actions
from core.enrolment.models import Enrolment, EnrolmentChange
from core.jurisdictions.models import Town
from core.rules.enums import DeadlineKind
from core.visits.models import HomeVisit
from tests.cases.conftest import PASSWORD, County, Workflow, make_county, sha

S = CaseState
A = CaseAction


def row(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


def states(case: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["fromState"], e["toState"]) for e in case["events"]]


def kinds(case: dict[str, Any]) -> list[str]:
    return [e["kind"] for e in case["events"]]


async def timeline_agrees_with_enrolment(case_id: str) -> list[str]:
    """Every 学籍异动 of the case is named by exactly one event, and the other way round; the
    enrolment's status is the last change's. Returns the change kinds in order."""
    case = await Case.get(id=row(case_id))
    events = await CaseEvent.filter(case_id=case.id).order_by("occurred_at", "recorded_at")
    named = [e.details["enrolmentChangeId"] for e in events if e.details.get("enrolmentChangeId")]
    changes = await EnrolmentChange.filter(case_id=case.id).order_by("recorded_at")
    assert named == [str(c.id) for c in changes]
    for event in events:
        if event.details.get("enrolmentChangeId"):
            change = next(c for c in changes if str(c.id) == event.details["enrolmentChangeId"])
            assert change.kind.value == event.details["enrolmentChange"]
            assert change.child_id == case.child_id
    if changes:
        enrolment = await Enrolment.get(id=changes[-1].enrolment_id)
        assert enrolment.status == changes[-1].status_after
    return [c.kind.value for c in changes]


# -- the paths ---------------------------------------------------------------------------------


async def test_dropout_is_persuaded_back_followed_up_and_closed(
    head_teacher: Workflow, county: County, clock
) -> None:
    workflow = head_teacher  # the child's 班主任 takes the case through, in their own class
    child = county.children[0]
    created = (await workflow.report(child, whereabouts="在家", note="连续三天未到校"))["case"]
    cid = created["id"]
    assert created["state"] == "REPORTED" and created["version"] == 1
    assert created["events"][0]["details"]["source"] == "HEAD_TEACHER_REPORT"
    assert created["events"][0]["actorName"] == "张老师"

    await workflow.ok("verifyCase", cid, actorName="李管理员")
    confirmed = await workflow.ok(
        "confirmCase", cid, findings="核实: 在家, 厌学", reason="LEARNING_DIFFICULTY"
    )
    assert confirmed["state"] == "CONFIRMED"
    assert confirmed["events"][-1]["details"]["enrolmentChange"] == "DROP_OUT"

    persuading = await workflow.ok(
        "recordContact",
        cid,
        kind="HOME_VISIT",
        outcome="REFUSED",
        method="上门",
        participants=["张老师", "王校长"],
        note="家长不同意",
        attachments=[{"fileName": "劝返记录.jpg", "sha256": sha(1)}],
    )
    assert persuading["state"] == "PERSUADING"
    visit = persuading["events"][-1]
    assert visit["kind"] == "HOME_VISIT" and visit["fromState"] == "CONFIRMED"
    assert visit["details"]["participants"] == ["张老师", "王校长"]
    assert visit["details"]["outcome"] == "REFUSED"
    assert visit["attachments"] == [{"fileName": "劝返记录.jpg", "sha256": sha(1)}]
    assert await HomeVisit.filter(id=visit["details"]["homeVisitId"], case_id=row(cid)).exists()

    await workflow.ok("recordContact", cid, kind="PHONE_CALL", outcome="REACHED")
    noticed = await workflow.ok("issueReturnNotice", cid, number="荔教劝〔2026〕3号")
    notice = noticed["events"][-1]["details"]
    assert notice["number"] == "荔教劝〔2026〕3号" and notice["issuedOn"] == "2026-03-02"
    assert noticed["nextDeadlineAt"] == notice["deadlineAt"]
    assert noticed["escalationLevel"] == 1  # 荔浦: the school serves the notice

    escalated = await workflow.ok("escalateCase", cid, reason="通知书下达一周仍未返校")
    assert escalated["escalationLevel"] == 2
    step = escalated["events"][-1]["details"]
    assert (step["fromLevel"], step["toLevel"]) == (1, 2)
    assert step["toLevelName"] and step["toOffice"]

    returned = await workflow.ok(
        "recordReturn", cid, schoolClassId=county.gid("SchoolClass", county.class_4)
    )
    assert returned["state"] == "RETURNED"
    back = returned["events"][-1]["details"]
    assert back["enrolmentChange"] == "RESUME" and back["grade"] == 4

    early = await workflow.refused("closeCase", cid)
    assert early["code"] == "INVALID_TRANSITION"  # a follow-up comes first
    monitoring = await workflow.ok("recordFollowUp", cid, attending=True)
    assert monitoring["state"] == "MONITORING"
    too_early = await workflow.refused("closeCase", cid)
    assert too_early["code"] == "TOO_EARLY"
    assert "30" in too_early["message"]

    clock.advance(days=30, minutes=1)
    await workflow.ok("recordFollowUp", cid, attending=True)
    closed = await workflow.ok("closeCase", cid, note="稳定在校, 销号")
    assert closed["state"] == "CLOSED" and closed["nextDeadlineAt"] is None
    assert kinds(closed) == [
        "REPORT",
        "VERIFICATION",
        "CONFIRMATION",
        "HOME_VISIT",
        "PHONE_CALL",
        "RETURN_NOTICE",
        "ESCALATION",
        "RETURN",
        "FOLLOW_UP",
        "FOLLOW_UP",
        "CLOSURE",
    ]
    assert states(closed)[-1] == ("MONITORING", "CLOSED")
    assert await timeline_agrees_with_enrolment(cid) == ["DROP_OUT", "RESUME"]
    stored = await Case.get(id=row(cid))
    assert stored.open_key is None and stored.closed_at == clock.now

    again = await workflow.report(child, source="NATIONAL_PLATFORM")
    assert again["errors"] == [] and again["case"]["id"] != cid


async def test_a_child_studying_elsewhere_is_dismissed_with_evidence(
    workflow: Workflow, county: County
) -> None:
    cid = (await workflow.report(county.children[1], source="NATIONAL_PLATFORM"))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    missing = await workflow.refused("dismissCase", cid, grounds="DATA_ERROR")
    assert (missing["code"], missing["field"]) == ("REQUIRED", "evidence")
    no_school = await workflow.refused(
        "dismissCase", cid, grounds="STUDYING_ELSEWHERE", evidence="东莞就读证明"
    )
    assert (no_school["code"], no_school["field"]) == ("REQUIRED", "schoolElsewhere")
    dismissed = await workflow.ok(
        "dismissCase",
        cid,
        grounds="STUDYING_ELSEWHERE",
        evidence="已办转学手续, 人籍一致",
        schoolElsewhere="东莞市某小学",
        attachments=[{"fileName": "就读证明.pdf", "sha256": sha(2), "sizeBytes": 1024}],
    )
    assert dismissed["state"] == "DISMISSED" and dismissed["version"] == 3
    details = dismissed["events"][-1]["details"]
    assert details["grounds"] == "STUDYING_ELSEWHERE"
    assert details["schoolElsewhere"] == "东莞市某小学"
    assert await timeline_agrees_with_enrolment(cid) == []


async def test_exemption_needs_the_written_application_then_the_township(
    workflow: Workflow, county: County
) -> None:
    cid = (await workflow.report(county.children[2], reason="ILLNESS"))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="重病住院")
    no_request = await workflow.refused(
        "approveExemption", cid, approvingAuthority="青山镇人民政府"
    )
    assert no_request["code"] == "REQUIRED"
    no_paper = await workflow.refused("requestExemption", cid, applicantName="黄大明")
    assert (no_paper["code"], no_paper["field"]) == ("REQUIRED", "applicationReference")
    requested = await workflow.ok(
        "requestExemption",
        cid,
        applicantName="黄大明",
        applicantRelation="父亲",
        exemptionKind="DEFERRAL",
        attachments=[{"fileName": "缓学申请书.jpg", "sha256": sha(3)}],
    )
    assert requested["state"] == "CONFIRMED"
    no_authority = await workflow.refused("approveExemption", cid, approvingAuthority=" ")
    assert (no_authority["code"], no_authority["field"]) == ("REQUIRED", "approvingAuthority")
    exempted = await workflow.ok(
        "approveExemption",
        cid,
        approvingAuthority="青山镇人民政府",
        documentNumber="青政〔2026〕8号",
        filedWith="市教育局基教股",
    )
    assert exempted["state"] == "EXEMPTED" and exempted["nextDeadlineAt"] is None
    approval = exempted["events"][-1]["details"]
    assert approval["exemptionKind"] == "DEFERRAL"
    assert approval["filedWith"] == "市教育局基教股"
    assert await timeline_agrees_with_enrolment(cid) == ["DROP_OUT", "SUSPEND"]


async def test_an_unreachable_family_is_handed_to_the_township_and_found_again(
    workflow: Workflow, township: Workflow, county: County
) -> None:
    """The 教育局 hands the family to 青山镇; the township's own 乡镇干部 (town scope) keeps
    trying, finds them and brings the child back to a school of the town."""
    cid = (await workflow.report(county.children[3]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="举家外出")
    handed = await workflow.refused("markUnreachable", cid, handedTo="")
    assert handed["field"] == "handedTo"
    unreachable = await workflow.ok(
        "markUnreachable", cid, handedTo="青山镇人民政府", village="青山村", attempts="电话停机"
    )
    assert unreachable["state"] == "UNREACHABLE"
    township.versions = workflow.versions
    still = await township.ok("recordContact", cid, kind="PHONE_CALL", outcome="NOT_REACHED")
    assert still["state"] == "UNREACHABLE"
    found = await township.ok("recordContact", cid, kind="PERSUASION", outcome="REACHED")
    assert found["state"] == "PERSUADING"
    assert found["events"][-1]["details"]["action"] == "RESUME_CONTACT"
    await township.ok("markUnreachable", cid, handedTo="青山镇人民政府")
    back = await township.ok(
        "recordReturn", cid, schoolClassId=county.gid("SchoolClass", county.class_5)
    )
    assert back["state"] == "RETURNED"
    # The township's four writes are audited as its own account's.
    writes = await AuditEntry.filter(action=AuditAction.MUTATION, object_id=cid).order_by(
        "occurred_at"
    )
    assert [(w.operation, w.actor_label) for w in writes][-4:] == [
        (op, county.staff[Role.TOWNSHIP_OFFICIAL])
        for op in ("recordContact", "recordContact", "markUnreachable", "recordReturn")
    ]
    # Back at another school: the old enrolment ends, a new one starts with 复学.
    assert await timeline_agrees_with_enrolment(cid) == ["DROP_OUT", "RESUME"]
    current = await Enrolment.filter(child_id=county.children[3].id, is_current=True)
    assert [(e.school_id, e.grade, e.status.value) for e in current] == [
        (county.other_school.id, 5, "ENROLLED")
    ]


async def test_another_towns_official_can_neither_see_nor_write_the_case(
    workflow: Workflow, http, county: County
) -> None:
    """A 乡镇干部 of 白沙镇 (town scope, no school or child of 青山镇) is refused a case of
    青山镇 exactly as if it did not exist, and the case does not move."""
    await Town.create(jurisdiction=county.jurisdiction, name="白沙镇")
    await create_account(
        username="township-baisha",
        password=PASSWORD,
        role=Role.TOWNSHIP_OFFICIAL,
        jurisdiction_code=county.jurisdiction.division_code,
        town_name="白沙镇",
    )
    stranger = Workflow(
        http, replace(county, staff={Role.TOWNSHIP_OFFICIAL: "township-baisha"}),
        Role.TOWNSHIP_OFFICIAL,
    )  # fmt: skip
    cid = (await workflow.report(county.children[3]))["case"]["id"]
    stranger.versions = workflow.versions
    refused = await stranger.refused("verifyCase", cid)
    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "caseId")
    seen = await stranger.query("query($id: ID!) { node(id: $id) { id } }", {"id": cid})
    assert seen["data"]["node"] is None
    case = await Case.get(id=row(cid))
    assert (case.state, case.version) == (S.REPORTED, 1)


async def test_a_transfer_records_the_move_out(workflow: Workflow, county: County) -> None:
    cid = (await workflow.report(county.children[0], source="REGISTRY_TRACKING"))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="随父母去广东")
    papers = await workflow.refused("recordTransfer", cid, toSchool="东莞市某小学")
    assert (papers["code"], papers["field"]) == ("REQUIRED", "transferDocument")
    moved = await workflow.ok(
        "recordTransfer", cid, toSchool="东莞市某小学", transferDocument="转学联系函 2026-17"
    )
    assert moved["state"] == "TRANSFERRED"
    assert await timeline_agrees_with_enrolment(cid) == ["DROP_OUT", "TRANSFER_OUT"]
    change = await EnrolmentChange.get(case_id=row(cid), kind="TRANSFER_OUT")
    assert change.counterpart_school == "东莞市某小学"


async def test_a_relapse_after_return_goes_back_to_persuasion(
    head_teacher: Workflow, county: County
) -> None:
    workflow = head_teacher
    cid = (await workflow.report(county.children[1]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="在家")
    await workflow.ok("recordReturn", cid, schoolClassId=county.gid("SchoolClass", county.class_4))
    await workflow.ok("recordFollowUp", cid, attending=True)
    relapsed = await workflow.ok("recordFollowUp", cid, attending=False, note="又不来了")
    assert relapsed["state"] == "PERSUADING"
    assert relapsed["events"][-1]["details"]["action"] == "RECORD_RELAPSE"
    assert await timeline_agrees_with_enrolment(cid) == ["DROP_OUT", "RESUME", "DROP_OUT"]


async def test_a_child_never_enrolled_is_enrolled_on_return(
    workflow: Workflow, county: County
) -> None:
    await Enrolment.filter(child_id=county.children[2].id).delete()
    cid = (
        await workflow.report(county.children[2], kind="NEVER_ENROLLED", source="HOUSEHOLD_SURVEY")
    )["case"]["id"]
    await workflow.ok("verifyCase", cid)
    confirmed = await workflow.ok("confirmCase", cid, findings="从未入学")
    assert confirmed["events"][-1]["details"].get("enrolmentChangeId") is None
    await workflow.ok("recordReturn", cid, schoolClassId=county.gid("SchoolClass", county.class_4))
    assert await timeline_agrees_with_enrolment(cid) == ["ENROL"]


# -- every forbidden transition ----------------------------------------------------------------

#: The mutation (and valid arguments) that asks for each action.
CALLS: dict[CaseAction, tuple[str, dict[str, Any]]] = {
    A.VERIFY: ("verifyCase", {}),
    A.DISMISS: ("dismissCase", {"grounds": "DATA_ERROR", "evidence": "身份证号录入错误"}),
    A.CONFIRM: ("confirmCase", {"findings": "在家"}),
    A.RECORD_CONTACT: ("recordContact", {"kind": "PHONE_CALL", "outcome": "NOT_REACHED"}),
    A.ISSUE_RETURN_NOTICE: ("issueReturnNotice", {"number": "劝返〔2026〕1号"}),
    A.ESCALATE: ("escalateCase", {}),
    A.RECORD_RETURN: ("recordReturn", {"schoolClassId": None}),
    A.RECORD_FOLLOW_UP: ("recordFollowUp", {"attending": True}),
    A.RECORD_RELAPSE: ("recordFollowUp", {"attending": False}),
    A.CLOSE: ("closeCase", {}),
    A.REQUEST_EXEMPTION: (
        "requestExemption",
        {"applicantName": "黄大明", "applicationReference": "档案 12"},
    ),
    A.APPROVE_EXEMPTION: ("approveExemption", {"approvingAuthority": "青山镇人民政府"}),
    A.REJECT_EXEMPTION: (
        "rejectExemption",
        {"rejectingAuthority": "青山镇人民政府", "reason": "证明材料不足"},
    ),
    A.WITHDRAW_EXEMPTION: ("withdrawExemption", {}),
    A.MARK_UNREACHABLE: ("markUnreachable", {"handedTo": "青山镇人民政府"}),
    A.RECORD_TRANSFER: ("recordTransfer", {"toSchool": "外县某校", "transferDocument": "函 1"}),
    A.REOPEN: ("reopenCase", {"reasonDetail": "返校后又连续三天未到校"}),
}

#: How to bring a new case to each state: the actions after the report.
ROUTES: dict[CaseState, list[CaseAction]] = {
    S.REPORTED: [],
    S.VERIFYING: [A.VERIFY],
    S.DISMISSED: [A.VERIFY, A.DISMISS],
    S.CONFIRMED: [A.VERIFY, A.CONFIRM],
    S.PERSUADING: [A.VERIFY, A.CONFIRM, A.RECORD_CONTACT],
    S.UNREACHABLE: [A.VERIFY, A.CONFIRM, A.MARK_UNREACHABLE],
    S.RETURNED: [A.VERIFY, A.CONFIRM, A.RECORD_RETURN],
    S.MONITORING: [A.VERIFY, A.CONFIRM, A.RECORD_RETURN, A.RECORD_FOLLOW_UP],
    S.CLOSED: [A.VERIFY, A.CONFIRM, A.RECORD_RETURN, A.RECORD_FOLLOW_UP, A.CLOSE],
    S.EXEMPTED: [A.VERIFY, A.CONFIRM, A.REQUEST_EXEMPTION, A.APPROVE_EXEMPTION],
    S.TRANSFERRED: [A.VERIFY, A.CONFIRM, A.RECORD_TRANSFER],
}


def call_for(action: CaseAction, county: County) -> tuple[str, dict[str, Any]]:
    mutation, fields = CALLS[action]
    if "schoolClassId" in fields:
        fields = {"schoolClassId": county.gid("SchoolClass", county.class_4)}
    return mutation, fields


def test_the_sweep_covers_every_state_and_action() -> None:
    assert set(ROUTES) == set(CaseState)
    # RESUME_CONTACT is recordContact on an unreachable case; REPORT creates.
    assert set(CALLS) == set(CaseAction) - {A.REPORT, A.RESUME_CONTACT}


@pytest.mark.parametrize("target", list(CaseState), ids=lambda s: s.value)
async def test_every_action_the_table_forbids_is_refused_and_changes_nothing(
    http, db, clock, target: CaseState
) -> None:
    county = await make_county()
    flow = Workflow(http, county)
    cid = (await flow.report(county.children[0]))["case"]["id"]
    for action in ROUTES[target]:
        if action is A.CLOSE:
            clock.advance(days=31)
        mutation, fields = call_for(action, county)
        await flow.ok(mutation, cid, **fields)
    before = await Case.get(id=row(cid))
    assert before.state == target
    assert flow.last["allowedActions"] == [a.value for a in allowed_actions(target)]
    events_before = await CaseEvent.filter(case_id=before.id).count()

    expected_allowed = [a.value for a in allowed_actions(target)]
    forbidden = [a for a in CALLS if target not in TRANSITIONS[a]]
    assert forbidden, target
    for action in forbidden:
        mutation, fields = call_for(action, county)
        error = await flow.refused(mutation, cid, **fields)
        assert error["code"] == "INVALID_TRANSITION", (action, error)
        assert error["allowedActions"] == expected_allowed
        assert error["currentState"] == target.value
        assert error["currentVersion"] == before.version
        assert action.value in error["message"]

    after = await Case.get(id=row(cid))
    assert (after.state, after.version, after.updated_at) == (
        before.state,
        before.version,
        before.updated_at,
    )
    assert await CaseEvent.filter(case_id=before.id).count() == events_before


async def test_a_stale_version_is_a_conflict_that_changes_nothing(
    workflow: Workflow, county: County
) -> None:
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    payload = await workflow.do("confirmCase", cid, version=1, findings="在家")
    [error] = payload["errors"]
    assert (error["code"], error["field"], error["currentVersion"]) == (
        "CONFLICT",
        "expectedVersion",
        2,
    )
    assert payload["case"]["state"] == "VERIFYING" and payload["case"]["version"] == 2


async def test_bad_input_is_reported_in_the_errors_list(
    workflow: Workflow, county: County, clock
) -> None:
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    future = (clock.now.replace(year=2027)).isoformat()
    error = await workflow.refused("verifyCase", cid, occurredAt=future)
    assert (error["code"], error["field"]) == ("INVALID", "occurredAt")
    before_report = clock.now.replace(year=2025).isoformat()
    error = await workflow.refused("verifyCase", cid, occurredAt=before_report)
    assert (error["code"], error["field"]) == ("INVALID", "occurredAt")
    clock.advance(days=2)
    yesterday = (clock.now - timedelta(days=1)).isoformat()
    await workflow.ok("verifyCase", cid, occurredAt=yesterday)  # entered a day late: fine
    error = await workflow.refused(
        "confirmCase",
        cid,
        findings="在家",
        occurredAt=(clock.now - timedelta(days=1, hours=1)).isoformat(),
    )
    assert (error["code"], error["field"]) == ("INVALID", "occurredAt")  # before verification
    error = await workflow.refused(
        "verifyCase", cid, attachments=[{"fileName": "a.pdf", "sha256": "abc"}]
    )
    assert error["field"] == "attachments.0.sha256"
    error = await workflow.refused("verifyCase", cid, actorId=county.gid("Official", "0" * 32))
    assert (error["code"], error["field"]) == ("NOT_FOUND", "actorId")
    error = await workflow.refused("verifyCase", county.gid("Child", county.children[0]))
    assert (error["code"], error["field"]) == ("INVALID", "caseId")
    error = await workflow.refused("verifyCase", "not an id")
    assert (error["code"], error["field"]) == ("INVALID", "caseId")
    missing = await workflow.do("verifyCase", county.gid("Case", "0" * 32))
    assert missing["case"] is None
    assert (missing["errors"][0]["code"], missing["errors"][0]["field"]) == ("NOT_FOUND", "caseId")
    bad_reason = await workflow.report(county.children[1], reason="NO_SUCH_REASON")
    assert bad_reason["errors"][0]["field"] == "reason"


async def test_escalation_stops_at_the_top_of_the_chain(
    workflow: Workflow, county: County, clock
) -> None:
    from core.cases.policy import rules_for

    top = rules_for(county.jurisdiction.division_code).top_level
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="在家")
    skip = await workflow.refused("escalateCase", cid, toLevel=0)
    assert (skip["code"], skip["field"]) == ("INVALID", "toLevel")
    case = await workflow.ok("escalateCase", cid, toLevel=top)
    assert case["escalationLevel"] == top
    # 荔浦's top is the township's: nowhere left to go, but its clock runs (TOWNSHIP_ACTION).
    days = rules_for(county.jurisdiction.division_code).clock(DeadlineKind.TOWNSHIP_ACTION).days
    assert datetime.fromisoformat(case["nextDeadlineAt"]) == clock.now + timedelta(days=days)
    error = await workflow.refused("escalateCase", cid)
    assert (error["code"], error["field"]) == ("INVALID", "toLevel")


async def test_an_unreachable_family_goes_to_the_level_the_county_names(http, db) -> None:
    from core.cases.policy import rules_for

    rules = rules_for("500153")
    if rules.unreachable_level is None:
        pytest.skip("the 荣昌 plugin is not installed")
    county = await make_county("500153", "荣昌区")
    flow = Workflow(http, county)
    cid = (await flow.report(county.children[0]))["case"]["id"]
    await flow.ok("verifyCase", cid)
    await flow.ok("confirmCase", cid, findings="联系不上")
    handed = await flow.ok("markUnreachable", cid, handedTo="昌元街道办事处", village="某社区")
    assert handed["escalationLevel"] == rules.unreachable_level
    assert handed["events"][-1]["details"]["level"] == rules.unreachable_level
