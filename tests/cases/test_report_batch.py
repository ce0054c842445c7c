"""``report_cases`` (the daily check's batch) writes what ``report_case`` writes, per case: the
case, its REPORT event, the idempotency key and the outbox event addressed as the single path
addresses it; a retried batch returns the same cases; a duplicate fails the whole batch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.access.caller import Caller
from core.cases import services
from core.cases.enums import CaseKind, CaseSource
from core.cases.models import Case, CaseEvent
from core.errors import DomainError, ErrorCode
from core.events.models import OutboxEvent
from tests.cases.conftest import make_county

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
SYSTEM = Caller.system()


def _report(child_id, key: str) -> services.ReportInput:
    return services.ReportInput(
        caller=SYSTEM,
        child_id=child_id,
        kind=CaseKind.DROPOUT,
        source=CaseSource.ATTENDANCE_RULE,
        now=NOW,
        reason_detail="考勤预警: 连续 3 天无故缺勤",
        occurred_at=NOW,
        actor=services.Actor(name="考勤预警 (系统)"),
        idempotency_key=key,
    )


def _event_row(event: OutboxEvent) -> tuple:
    return (
        event.kind,
        event.audience_kind,
        event.audience_office,
        event.town_id,
        event.school_id,
        event.school_class_id,
        event.responsible_official_id,
        event.responsible_name,
        event.summary,
        event.actor_kind,
    )


async def test_a_batch_writes_what_one_report_writes(db) -> None:
    county = await make_county(children=4)
    a, b, c = county.children[:3]
    single, _ = await services.report_case(_report(a.id, "single-key-0001"))
    batch = await services.report_cases(
        [_report(b.id, "batch-key-00001"), _report(c.id, "batch-key-00002")]
    )
    assert [(case.child_id, again) for case, again in batch] == [(b.id, False), (c.id, False)]

    one = await Case.get(id=single.id)
    for case, _ in batch:
        row = await Case.get(id=case.id)
        for name in ("state", "source", "reason", "reason_detail", "school_id", "opened_at"):
            assert getattr(row, name) == getattr(one, name), name
        assert row.next_deadline_at == one.next_deadline_at
        assert row.open_key == f"{c.id if row.child_id == c.id else b.id}:DROPOUT"
        (event,) = await CaseEvent.filter(case_id=case.id)
        (first,) = await CaseEvent.filter(case_id=one.id)
        assert (event.kind, event.to_state, event.actor_name, event.details) == (
            first.kind,
            first.to_state,
            first.actor_name,
            first.details,
        )
        (outbox,) = await OutboxEvent.filter(object_id=str(case.id))
        (reference,) = await OutboxEvent.filter(object_id=str(one.id))
        assert _event_row(outbox) == _event_row(reference)
        assert outbox.payload["caseEventId"] != reference.payload["caseEventId"]

    # the same batch again (a re-run): the same cases, nothing new written
    again = await services.report_cases(
        [_report(b.id, "batch-key-00001"), _report(c.id, "batch-key-00002")]
    )
    assert [(case.id, replayed) for case, replayed in again] == [
        (case.id, True) for case, _ in batch
    ]
    assert await Case.all().count() == 3 and await OutboxEvent.all().count() == 3


async def test_a_duplicate_fails_the_whole_batch(db) -> None:
    county = await make_county(children=4)
    a, b = county.children[:2]
    await services.report_case(_report(a.id, "single-key-0001"))
    with pytest.raises(DomainError) as caught:
        await services.report_cases(
            [_report(b.id, "batch-key-00001"), _report(a.id, "batch-key-00002")]
        )
    assert caught.value.code is ErrorCode.DUPLICATE
    assert await Case.filter(child_id=b.id).count() == 0  # nothing half-written
    assert await OutboxEvent.all().count() == 1
