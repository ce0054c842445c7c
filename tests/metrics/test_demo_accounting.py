"""The accounting identity on every demo county: each child of the registry in exactly one
state, the states adding up to the registry; and every county target evaluated with its gap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.access.caller import Caller
from core.demo.calendar import DEMO_TODAY
from core.demo.generator import generate_demo
from core.demo.organisation import DEFAULT_DEMO_JURISDICTION
from core.enrolment.models import EnrolmentChange
from core.metrics import AccountingState, service
from core.people.models import Child
from core.plugins import get_registry, rules_for

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
COUNTIES = ["369901", "450381", "500153", "430527", "210302"]


async def _registry_by_hand(code: str, frame) -> set[str]:
    """The registry computed in Python from the rows (independently of the SQL): of school age
    by birth date, or on a compulsory roll (在读, 休学, 辍学) in a covered grade on the day."""
    age = frame.age
    ranges = age.birth_ranges()
    latest: dict[str, tuple] = {}
    changes = await EnrolmentChange.filter(
        child__jurisdiction__division_code=code, occurred_on__lte=frame.as_of
    ).values("child_id", "occurred_on", "recorded_at", "id", "status_after", "enrolment__grade")
    for c in changes:
        key = (c["occurred_on"], c["recorded_at"], str(c["id"]))
        held = latest.get(str(c["child_id"]))
        if held is None or key > held[0]:
            latest[str(c["child_id"])] = (key, c["status_after"], c["enrolment__grade"])
    result = set()
    children = await Child.filter(
        jurisdiction__division_code=code, merged_into_id__isnull=True
    ).values("id", "birth_date")
    for child in children:
        cid = str(child["id"])
        in_window = any(first <= child["birth_date"] <= last for first, last in ranges)
        held = latest.get(cid)
        on_roll = held is not None and held[1].value in ("ENROLLED", "SUSPENDED", "DROPPED_OUT")
        if in_window or (on_roll and held[2] in age.grades):
            result.add(cid)
    return result


@pytest.mark.parametrize("code", COUNTIES)
async def test_every_child_in_exactly_one_state(db, code):
    spec = get_registry().jurisdiction(code) if code != "369901" else DEFAULT_DEMO_JURISDICTION
    await generate_demo(spec, students=300, seed=5)
    place = await service.resolve_place(Caller.system(), jurisdiction_code=code)
    frame = service.frame_for(place, DEMO_TODAY, NOW)
    acc = await service.accounting(frame)
    expected = await _registry_by_hand(code, frame)
    assert acc.registry == len(expected) > 0
    seen: dict[str, AccountingState] = {}
    for state in AccountingState:
        listed = service.child_list(Caller.system(), frame, service.state_condition((state,)))
        ids = [str(i) for i in await listed.page(0, None)]
        assert len(ids) == acc.count(state) == await listed.count()
        for child_id in ids:
            assert child_id not in seen, f"{child_id} in {seen[child_id]} and {state}"
            seen[child_id] = state
    assert set(seen) == expected
    assert sum(s.children for s in acc.states) == acc.registry
    # Every target of the county evaluated, with its gap in children.
    evaluations = await service.targets(frame)
    assert len(evaluations) == len(rules_for(code).targets) > 0
    for e in evaluations:
        assert e.gap >= 0
        assert e.target.label in e.summary
