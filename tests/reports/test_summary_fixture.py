"""The summary returns' counts of one school, computed by hand: cases whose state, return and
period boundaries (China time) each decide a count, and enrolments whose 学籍异动 decide 在籍
on the day before the period (core/reports/aggregates.py's definitions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.access.caller import Caller
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.demo.generator import generate_demo
from core.enrolment.models import (
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentStatus,
)
from core.jurisdictions.models import Jurisdiction, Town
from core.people.enums import Gender
from core.people.models import Child
from core.plugins import get_registry
from core.reports.aggregates import COUNTS, summary_rows
from core.reports.enums import PlaceKind
from core.reports.ledgers import Place
from core.rules.enums import RowKind
from core.schools.models import School, SchoolKind

pytestmark = pytest.mark.asyncio
CST = timezone(timedelta(hours=8))
S = CaseState


def _at(day: str, clock: str = "10:00") -> datetime:
    """A moment in China time, as UTC."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=CST).astimezone(UTC)


async def test_one_schools_counts_by_hand(db) -> None:
    spec = {s.division_code: s for s in get_registry().jurisdictions()}["450381"]
    await generate_demo(spec, students=150, seed=11)
    county = await Jurisdiction.get(division_code="450381")
    town = await Town.filter(jurisdiction=county).order_by("name").first()
    school = await School.create(
        jurisdiction=county, town=town, code="9999999999", name="测试小学", kind=SchoolKind.PRIMARY
    )
    kids = {
        name: await Child.create(
            jurisdiction=county, name=f"童{name}", gender=Gender.FEMALE, birth_date=date(2016, 3, 1)
        )
        for name in "ABCDEFGHIJ"
    }

    async def case(name, opened, state, events=(), *, source=CaseSource.HEAD_TEACHER_REPORT,
                   kind=CaseKind.DROPOUT, closed=None):  # fmt: skip
        row = await Case.create(
            jurisdiction=county, child=kids[name], school=school, kind=kind, state=state,
            source=source, opened_at=opened, closed_at=closed,
        )  # fmt: skip
        for when, event_kind, to_state in events:
            await CaseEvent.create(case=row, kind=event_kind, to_state=to_state, occurred_at=when)

    report, confirm = CaseEventKind.REPORT, CaseEventKind.CONFIRMATION
    # A: opened 00:30 on the period's first day (China time): in it; explained (转学)
    await case("A", _at("2026-10-01", "00:30"), S.TRANSFERRED,
               [(_at("2026-10-01", "00:30"), report, S.REPORTED),
                (_at("2026-10-08"), CaseEventKind.DISMISSAL, S.TRANSFERRED)])  # fmt: skip
    # B: from the platform, confirmed, back on 10-20; closed after the period (not seen)
    await case("B", _at("2026-10-03"), S.CLOSED,
               [(_at("2026-10-03"), report, S.REPORTED), (_at("2026-10-10"), confirm, S.CONFIRMED),
                (_at("2026-10-20"), CaseEventKind.RETURN, S.RETURNED),
                (_at("2026-11-05"), CaseEventKind.CLOSURE, S.CLOSED)],
               source=CaseSource.NATIONAL_PLATFORM)  # fmt: skip
    # C: opened and back before the period: not 劝返复学 in it
    await case("C", _at("2026-09-10"), S.RETURNED,
               [(_at("2026-09-10"), report, S.REPORTED), (_at("2026-09-12"), confirm, S.CONFIRMED),
                (_at("2026-09-20"), CaseEventKind.RETURN, S.RETURNED)])  # fmt: skip
    # D: 缓学 since September
    await case(
        "D",
        _at("2026-09-01"),
        S.EXEMPTED,
        [(_at("2026-09-15"), CaseEventKind.EXEMPTION_APPROVAL, S.EXEMPTED)],
    )
    # E: two cases in the period; the later one (confirmed) says what the child is
    await case("E", _at("2026-10-02"), S.DISMISSED,
               [(_at("2026-10-04"), CaseEventKind.DISMISSAL, S.DISMISSED)],
               closed=_at("2026-10-04"))  # fmt: skip
    await case("E", _at("2026-10-12"), S.CONFIRMED, [(_at("2026-10-13"), confirm, S.CONFIRMED)])
    # F: opened 23:00 on the last day; confirmed only after it
    await case("F", _at("2026-10-31", "23:00"), S.CONFIRMED,
               [(_at("2026-10-31", "23:00"), report, S.REPORTED),
                (_at("2026-11-02"), confirm, S.CONFIRMED)])  # fmt: skip
    # G: opened after the period; H: closed before it; I: 23:30 the day before; J: a warning
    await case("G", _at("2026-11-05"), S.REPORTED)
    await case("H", _at("2026-08-01"), S.EXEMPTED, closed=_at("2026-09-20"))
    await case("I", _at("2026-09-30", "23:30"), S.REPORTED)
    await case("J", _at("2026-10-05"), S.CONFIRMED, kind=CaseKind.AT_RISK)

    async def enrolment(name, status, changes=(), ended_on=None):
        row = await Enrolment.create(
            child=kids[name], school=school, grade=3, status=status,
            started_on=date(2026, 9, 1), ended_on=ended_on,
        )  # fmt: skip
        for day, kind, after in changes:
            await EnrolmentChange.create(
                enrolment=row, child=kids[name], kind=kind, occurred_on=date.fromisoformat(day),
                status_after=after,
            )  # fmt: skip

    K, ES = EnrolmentChangeKind, EnrolmentStatus
    await enrolment("A", ES.ENROLLED)  # no change: its status
    await enrolment("B", ES.TRANSFERRED_OUT,
                    [("2026-09-01", K.ENROL, ES.ENROLLED),
                     ("2026-10-15", K.TRANSFER_OUT, ES.TRANSFERRED_OUT)],
                    ended_on=date(2026, 10, 15))  # fmt: skip
    await enrolment("C", ES.ENROLLED,
                    [("2026-09-20", K.DROP_OUT, ES.DROPPED_OUT),
                     ("2026-09-25", K.RESUME, ES.ENROLLED)])  # fmt: skip
    await enrolment("D", ES.SUSPENDED)  # no change, not 在读
    await enrolment("E", ES.ENROLLED,
                    [("2026-09-10", K.SUSPEND, ES.SUSPENDED),
                     ("2026-10-10", K.RESUME, ES.ENROLLED)])  # fmt: skip
    # the same day twice: the later recorded wins
    await enrolment("F", ES.ENROLLED,
                    [("2026-09-20", K.DROP_OUT, ES.DROPPED_OUT),
                     ("2026-09-20", K.RESUME, ES.ENROLLED)])  # fmt: skip
    await enrolment("G", ES.DROPPED_OUT, [("2026-09-28", K.DROP_OUT, ES.DROPPED_OUT)])

    place = Place(PlaceKind.SCHOOL, county.id, school.name, school.id)
    rows = await summary_rows(
        Caller.system(), place, RowKind.SCHOOL, start=date(2026, 10, 1), as_of=date(2026, 10, 31)
    )
    assert {k: rows[0][k] for k in COUNTS} == {
        "stats.enrolled_last_term": 4,  # A, B, C, F (not D, E, G)
        "stats.expected": 3,  # less B, 转出 on 10-15
        "stats.arrived": 1,  # less E and F, not back
        "stats.absent": 4,  # A, B, E, F
        "stats.transferred": 1,  # A
        "stats.suspected_dropouts": 3,  # B, E, F
        "stats.platform_suspected": 1,  # B
        "stats.new_suspected": 5,  # A, B, E twice, F
        "stats.verified": 4,  # A, B, E twice
        "stats.returned": 1,  # B
        "stats.still_out": 1,  # E's second
        "stats.exempted": 1,  # D
    }
    # The 返校 counts from an earlier day (a 月报's term start, here 09-15): the period's own
    # counts (平台下发 … 缓学) stay the month's; H, closed on 09-20, is in the window but not
    # opened in it; C and D, opened before 09-15, are not counted
    rows = await summary_rows(
        Caller.system(), place, RowKind.SCHOOL, start=date(2026, 10, 1), as_of=date(2026, 10, 31),
        since=date(2026, 9, 15),
    )  # fmt: skip
    assert {k: rows[0][k] for k in COUNTS} == {
        "stats.enrolled_last_term": 4,  # on 09-14: A, B, C, F (D and E suspended, G's now)
        "stats.expected": 3,  # less B, 转出 on 10-15
        "stats.arrived": 0,  # less E, F and I, not back
        "stats.absent": 5,  # A, B, E, F and I (09-30 23:30)
        "stats.transferred": 1,  # A
        "stats.suspected_dropouts": 4,  # B, E, F, I
        "stats.platform_suspected": 1,
        "stats.new_suspected": 5,
        "stats.verified": 4,
        "stats.returned": 1,
        "stats.still_out": 1,
        "stats.exempted": 1,
    }
