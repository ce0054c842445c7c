"""The transactional outbox: each case step, report submission and comparison leaves one
event, addressed to the office that acts next, in the transaction of its change."""

from __future__ import annotations

import pytest
from strawberry import relay

from core.access.enums import ScopeKind
from core.cases import services as case_services
from core.cases.models import Case
from core.events.enums import EventKind
from core.events.models import OutboxEvent
from tests.cases.conftest import County, Workflow


def row(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


async def _escalated_to_township(workflow: Workflow, county: County) -> str:
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="在家", reason="LEARNING_DIFFICULTY")
    case = await workflow.ok("escalateCase", cid, reason="班主任劝返无效")
    assert case["escalationLevel"] == 1
    case = await workflow.ok("escalateCase", cid, reason="学校劝返无效")
    assert case["escalationLevel"] == 2
    return cid


async def test_every_step_leaves_one_event_addressed_to_the_next_office(
    workflow: Workflow, county: County
) -> None:
    cid = await _escalated_to_township(workflow, county)
    events = await OutboxEvent.filter(object_id=row(cid)).order_by("recorded_at")
    kinds = [e.kind for e in events]
    assert kinds == [
        EventKind.CASE_OPENED,
        EventKind.CASE_STEP,
        EventKind.CASE_STEP,
        EventKind.CASE_ESCALATED,
        EventKind.CASE_ESCALATED,
    ]
    opened, *_, to_school, to_township = events
    # Reported at level 0 (班主任): the class and its head teacher, named by the class record.
    assert opened.audience_kind is ScopeKind.CLASS
    assert opened.school_class_id == county.class_4.id
    assert opened.responsible_official_id == county.teacher.id
    assert to_school.audience_kind is ScopeKind.SCHOOL
    assert to_school.school_id == county.school.id
    assert to_township.audience_kind is ScopeKind.TOWN
    assert to_township.town_id == county.school.town_id
    assert to_township.payload["fromLevel"] == 1 and to_township.payload["level"] == 2
    assert to_township.payload["caseId"] == cid
    assert to_township.actor_label  # who did it
    # The escalation's reason is free text that may name people: not in the event.
    assert "reason" not in to_township.payload["details"]
    assert to_township.payload["details"]["toLevel"] == 2


async def test_a_refused_step_leaves_no_event(workflow: Workflow, county: County) -> None:
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    before = await OutboxEvent.filter(object_id=row(cid)).count()
    error = await workflow.refused("escalateCase", cid, version=7)
    assert error["code"] == "CONFLICT"
    error = await workflow.refused("closeCase", cid)
    assert error["code"] == "INVALID_TRANSITION"
    assert await OutboxEvent.filter(object_id=row(cid)).count() == before == 1


async def test_a_change_that_rolls_back_after_its_event_leaves_no_event(
    workflow: Workflow, county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event is written before the transaction's last statement; when that statement
    fails, the case, its timeline and its event are all gone."""
    cid = (await workflow.report(county.children[0]))["case"]["id"]

    async def broken(audit) -> None:
        raise RuntimeError("the audit log is full")

    monkeypatch.setattr(case_services, "record_write", broken)
    body = await workflow.query(
        """mutation($input: VerifyCaseInput!) { verifyCase(input: $input) {
            case { id } errors { code } } }""",
        {"input": {"caseId": cid, "expectedVersion": 1}},
    )
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    case = await Case.get(id=row(cid))
    assert case.state == "REPORTED" and case.version == 1
    assert [e.kind for e in await OutboxEvent.filter(object_id=row(cid))] == [EventKind.CASE_OPENED]
