"""A term of attendance for the demo county, from the first day of term to
:data:`~core.demo.calendar.DEMO_TODAY`.

Written after the rest of the county, from the rows already there (each class's pupils, the
open cases): a register for every class and school day of the county's calendar, and a mark for
each child not simply present. Most children are always there; some miss a day now and then
(ill, on leave, late); a few drift away (unexplained absences growing more frequent through the
term); a very few are chronic absentees; and the children of the demo's open suspected-dropout
cases stopped coming in the days before their case was opened. Unexplained absences mostly get
a same-day call to the guardian. Nothing here runs the absence rules: ``baoxue attendance
check`` does that, as it would on a real county.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.attendance.calendar import school_days
from core.attendance.models import (
    AbsenceFollowUp,
    AttendanceMark,
    ClassDay,
    FollowUpOutcome,
    MarkKind,
)
from core.cases.enums import CaseKind, CaseState
from core.cases.models import Case
from core.china_time import at_local, local_date
from core.demo.calendar import DEMO_TODAY, TERM_START, new_id, stream
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.plugins import rules_for
from core.schools.models import SchoolClass

BATCH_SIZE = 5000

#: Shares of the children who are not in a case: occasional absences, drifting, chronic.
OCCASIONAL = 0.16
DRIFTING = 0.012
CHRONIC = 0.002

#: States of an open case whose child has stopped coming to school.
_AWAY = frozenset(
    {
        CaseState.REPORTED,
        CaseState.VERIFYING,
        CaseState.CONFIRMED,
        CaseState.PERSUADING,
        CaseState.UNREACHABLE,
    }
)
_OUTCOMES = (
    (FollowUpOutcome.REACHED_RETURNING, 0.45),
    (FollowUpOutcome.REACHED_EXPLAINED, 0.25),
    (FollowUpOutcome.NOT_REACHED, 0.2),
    (FollowUpOutcome.REACHED_REFUSED, 0.1),
)
_NOTES = {
    MarkKind.SICK: ("发烧", "感冒", "肠胃不适", "家长电话请假"),
    MarkKind.PERSONAL_LEAVE: ("家中有事", "随家长外出", "亲属婚丧"),
    MarkKind.LATE: ("", "", "路远", "起晚"),
    MarkKind.UNEXPLAINED: ("", "", "未请假"),
}


def _occasional(rng: random.Random, day: date) -> MarkKind | None:
    x = rng.random()
    if x < 0.015:
        return MarkKind.SICK
    if x < 0.02:
        return MarkKind.PERSONAL_LEAVE
    if x < 0.028:
        return MarkKind.LATE
    return None


def _plan(
    rng: random.Random, days: list[date], case: tuple[CaseState, date] | None
) -> Iterable[tuple[date, MarkKind]]:
    """One child's marks over ``days``."""
    if case is not None:
        state, opened = case
        # stopped coming a week or two before the case was opened; away since if still away
        start = opened - timedelta(days=rng.randint(7, 16))
        for day in days:
            if day < start:
                kind = _occasional(rng, day)
            elif day <= opened or state in _AWAY:
                kind = MarkKind.UNEXPLAINED if rng.random() < 0.85 else MarkKind.PERSONAL_LEAVE
            else:  # back in school since the case
                kind = _occasional(rng, day)
            if kind is not None:
                yield day, kind
        return
    share = rng.random()
    if share < 1 - OCCASIONAL - DRIFTING - CHRONIC:
        return  # always there
    if share < 1 - DRIFTING - CHRONIC:
        for day in days:
            kind = _occasional(rng, day)
            if kind is not None:
                yield day, kind
        return
    chronic = share >= 1 - CHRONIC
    begin = rng.randrange(len(days) // 2) if chronic else rng.randrange(len(days) * 2 // 3)
    for i, day in enumerate(days):
        kind = _occasional(rng, day)
        if i >= begin:
            weight = 0.5 if chronic else 0.35 * (i - begin + 1) / (len(days) - begin)
            if rng.random() < weight:
                kind = MarkKind.UNEXPLAINED
        if kind is not None:
            yield day, kind


async def _write(model: type[Model], rows: list[Any]) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        await model.bulk_create(rows[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)


async def generate_attendance(
    jurisdiction_id: uuid.UUID, division_code: str, seed: int
) -> dict[str, int]:
    """Write the demo county's term of attendance; the rows written, by model name."""
    rng = stream(seed, division_code, "attendance")
    calendar = rules_for(division_code).term_calendar
    term = calendar.term_of(DEMO_TODAY)
    first = max(TERM_START, term.first_day) if term else TERM_START
    days = school_days(calendar, first, DEMO_TODAY)
    if not days:
        return {}
    pupils = await Enrolment.filter(
        school__jurisdiction_id=jurisdiction_id,
        is_current=True,
        status=EnrolmentStatus.ENROLLED,
        school_class_id__isnull=False,
    ).values_list("child_id", "school_id", "school_class_id")
    teachers = dict(
        await SchoolClass.filter(school__jurisdiction_id=jurisdiction_id).values_list(
            "id", "head_teacher__name"
        )
    )
    cases: dict[uuid.UUID, tuple[CaseState, date]] = {}
    for child_id, state, opened in await Case.filter(
        jurisdiction_id=jurisdiction_id, kind=CaseKind.DROPOUT, open_key__isnull=False
    ).values_list("child_id", "state", "opened_at"):
        cases[child_id] = (CaseState(state), local_date(opened))

    sizes: Counter[uuid.UUID] = Counter(class_id for _, _, class_id in pupils)
    schools = {class_id: school_id for _, school_id, class_id in pupils}
    registers: dict[tuple[uuid.UUID, date], ClassDay] = {}
    for class_id in sorted(sizes, key=str):
        teacher = teachers.get(class_id) or "班主任"
        for day in days:
            registers[(class_id, day)] = ClassDay(
                id=new_id(rng),
                jurisdiction_id=jurisdiction_id,
                school_id=schools[class_id],
                school_class_id=class_id,
                day=day,
                expected=sizes[class_id],
                present=sizes[class_id],
                absent=0,
                late=0,
                version=1,
                recorded_by_name=teacher,
                recorded_at=at_local(day, time(8, rng.randrange(20, 59))),
            )
    marks: list[AttendanceMark] = []
    calls: list[AbsenceFollowUp] = []
    for child_id, school_id, class_id in sorted(pupils, key=lambda p: str(p[0])):
        for day, kind in _plan(rng, days, cases.get(child_id)):
            register = registers[(class_id, day)]
            if kind.is_absence:
                register.absent += 1
                register.present -= 1
            else:
                register.late += 1
            marks.append(
                AttendanceMark(
                    id=new_id(rng),
                    class_day_id=register.id,
                    jurisdiction_id=jurisdiction_id,
                    school_id=school_id,
                    child_id=child_id,
                    day=day,
                    kind=kind,
                    note=rng.choice(_NOTES[kind]),
                )
            )
            if kind is MarkKind.UNEXPLAINED and rng.random() < 0.7:
                outcome = rng.choices([o for o, _ in _OUTCOMES], weights=[w for _, w in _OUTCOMES])[
                    0
                ]
                calls.append(
                    AbsenceFollowUp(
                        id=new_id(rng),
                        jurisdiction_id=jurisdiction_id,
                        school_id=school_id,
                        child_id=child_id,
                        day=day,
                        caller_name=register.recorded_by_name,
                        contacted=rng.choice(("父亲", "母亲", "祖父", "祖母", "")),
                        outcome=outcome,
                        note="",
                    )
                )
    async with in_transaction():
        await _write(ClassDay, list(registers.values()))
        await _write(AttendanceMark, marks)
        await _write(AbsenceFollowUp, calls)
    return {
        "ClassDay": len(registers),
        "AttendanceMark": len(marks),
        "AbsenceFollowUp": len(calls),
    }
