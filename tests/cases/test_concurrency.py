"""No lost or double writes: concurrent mutations on one case, concurrent and retried reports."""

from __future__ import annotations

import asyncio
import uuid

from strawberry import relay

from core.cases.enums import CaseEventKind
from core.cases.models import Case, CaseEvent
from core.idempotency import IdempotencyRecord
from tests.cases.conftest import County, Workflow

CLIENTS = 6


def row(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


async def confirmed_case(workflow: Workflow, county: County) -> str:
    cid = (await workflow.report(county.children[0]))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="在家")
    return cid


async def test_head_teachers_escalating_at_once_exactly_one_wins(
    workflow: Workflow, county: County
) -> None:
    cid = await confirmed_case(workflow, county)
    version = workflow.versions[cid]
    results = await asyncio.gather(
        *(
            workflow.do("escalateCase", cid, version=version, actorName=f"老师{i}")
            for i in range(CLIENTS)
        )
    )
    winners = [r for r in results if not r["errors"]]
    losers = [r for r in results if r["errors"]]
    assert len(winners) == 1
    assert len(losers) == CLIENTS - 1
    for loser in losers:
        [error] = loser["errors"]
        assert error["code"] == "CONFLICT"
    case = await Case.get(id=row(cid))
    assert case.version == version + 1
    assert case.escalation_level == 1
    escalations = await CaseEvent.filter(case_id=case.id, kind=CaseEventKind.ESCALATION)
    assert len(escalations) == 1
    assert escalations[0].actor_name == winners[0]["case"]["events"][-1]["actorName"]


async def test_different_mutations_racing_on_one_version_leave_one_consistent_result(
    workflow: Workflow, county: County
) -> None:
    cid = await confirmed_case(workflow, county)
    version = workflow.versions[cid]
    class_id = county.gid("SchoolClass", county.class_4)
    calls = [
        workflow.do("escalateCase", cid, version=version),
        workflow.do("recordReturn", cid, version=version, schoolClassId=class_id),
        workflow.do("markUnreachable", cid, version=version, handedTo="青山镇人民政府"),
        workflow.do(
            "recordTransfer", cid, version=version, toSchool="外县某校", transferDocument="函"
        ),
        workflow.do("recordContact", cid, version=version, kind="PHONE_CALL", outcome="REACHED"),
    ]
    results = await asyncio.gather(*calls)
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1
    assert all(r["errors"][0]["code"] == "CONFLICT" for r in results if r["errors"])
    case = await Case.get(id=row(cid))
    assert case.version == version + 1
    assert case.state.value == winners[0]["case"]["state"]
    events = await CaseEvent.filter(case_id=case.id).count()
    assert events == 4  # report, verification, confirmation and the winner's


async def test_a_retried_report_returns_the_same_case(workflow: Workflow, county: County) -> None:
    key = str(uuid.uuid4())
    first = await workflow.report(county.children[0], idempotencyKey=key)
    retry = await workflow.report(county.children[0], idempotencyKey=key)
    assert first["errors"] == retry["errors"] == []
    assert (first["replayed"], retry["replayed"]) == (False, True)
    assert retry["case"]["id"] == first["case"]["id"]
    assert await Case.filter(child_id=county.children[0].id).count() == 1
    assert await IdempotencyRecord.filter(key=key).count() == 1


async def test_concurrent_retries_with_one_key_create_one_case(
    workflow: Workflow, county: County
) -> None:
    key = str(uuid.uuid4())
    results = await asyncio.gather(
        *(workflow.report(county.children[1], idempotencyKey=key) for _ in range(CLIENTS))
    )
    assert all(r["errors"] == [] for r in results)
    assert len({r["case"]["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results) == [False] + [True] * (CLIENTS - 1)
    assert await Case.filter(child_id=county.children[1].id).count() == 1


async def test_concurrent_reports_of_one_child_open_one_case(
    workflow: Workflow, county: County
) -> None:
    results = await asyncio.gather(
        *(
            workflow.report(county.children[2], idempotencyKey=str(uuid.uuid4()))
            for _ in range(CLIENTS)
        )
    )
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1
    winner_id = winners[0]["case"]["id"]
    for loser in (r for r in results if r["errors"]):
        [error] = loser["errors"]
        assert (error["code"], error["field"]) == ("DUPLICATE", "childId")
        assert error["existingCase"] == winner_id
        assert loser["case"]["id"] == winner_id
    assert await Case.filter(child_id=county.children[2].id).count() == 1
    # The other kinds are separate files of the same child.
    at_risk = await workflow.report(county.children[2], kind="AT_RISK")
    assert at_risk["errors"] == []


async def test_a_key_reused_for_another_child_is_refused(
    workflow: Workflow, county: County
) -> None:
    key = str(uuid.uuid4())
    await workflow.report(county.children[0], idempotencyKey=key)
    other = await workflow.report(county.children[1], idempotencyKey=key)
    [error] = other["errors"]
    assert (error["code"], error["field"]) == ("INVALID", "idempotencyKey")
    assert other["case"] is None
    assert await Case.filter(child_id=county.children[1].id).count() == 0
    short = await workflow.report(county.children[1], idempotencyKey="abc")
    assert short["errors"][0]["field"] == "idempotencyKey"
