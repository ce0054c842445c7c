"""Enrolment follows the case: the 学籍异动 a workflow step records.

=========================  ==================  =============================================
step                       学籍异动             enrolment afterwards
=========================  ==================  =============================================
confirm (辍学 case)         DROP_OUT 辍学        DROPPED_OUT
relapse after return        DROP_OUT 辍学        DROPPED_OUT
return to school            RESUME 复学          ENROLLED in the given class (a new enrolment
                            (ENROL 入学 if the   when the class is at another school, or the
                            child never had one) child never had one)
transfer                    TRANSFER_OUT 转出    TRANSFERRED_OUT, ended
exemption approved          SUSPEND 休学         SUSPENDED (缓学/免学 is not a dropout)
=========================  ==================  =============================================

Every change points at its case, and the case event that caused it names the change in its
details (``enrolmentChangeId``), so the enrolment history and the timeline can be checked
against each other. Functions run inside the command's transaction and return the
:class:`~core.cases.events.EnrolmentStep` the event records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core.cases.events import NO_ENROLMENT_CHANGE, EnrolmentStep
from core.cases.models import Case
from core.enrolment.models import (
    STATUS_AFTER_CHANGE,
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentStatus,
)
from core.schools.models import SchoolClass

K = EnrolmentChangeKind


async def current_enrolment(child_id: Any) -> Enrolment | None:
    return (
        await Enrolment.filter(child_id=child_id, is_current=True)
        .order_by("-started_on", "-id")
        .first()
    )


async def _record(
    case: Case,
    enrolment: Enrolment,
    kind: EnrolmentChangeKind,
    day: date,
    *,
    school_class: SchoolClass | None = None,
    counterpart: str = "",
    reason: str = "",
) -> EnrolmentStep:
    change = await EnrolmentChange.create(
        enrolment=enrolment,
        child_id=case.child_id,
        kind=kind,
        occurred_on=day,
        status_after=STATUS_AFTER_CHANGE[kind],
        school_class=school_class,
        counterpart_school=counterpart[:128],
        reason=reason[:255],
        case=case,
    )
    return EnrolmentStep(str(change.id), kind)


async def record_dropout(case: Case, day: date, reason: str) -> EnrolmentStep:
    """辍学: only a child who is on the roll (在读 or 休学) can drop out of it."""
    enrolment = await current_enrolment(case.child_id)
    if enrolment is None or enrolment.status not in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.SUSPENDED,
    ):
        return NO_ENROLMENT_CHANGE
    enrolment.status = EnrolmentStatus.DROPPED_OUT
    enrolment.version += 1
    await enrolment.save(update_fields=["status", "version", "updated_at"])
    return await _record(case, enrolment, K.DROP_OUT, day, reason=reason)


async def record_return(
    case: Case, day: date, school_class: SchoolClass, reason: str
) -> EnrolmentStep:
    """复学 into ``school_class``; 入学 for a child who was never enrolled."""
    enrolment = await current_enrolment(case.child_id)
    if enrolment is not None and enrolment.school_id == school_class.school_id:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.school_class = school_class
        enrolment.grade = school_class.grade
        enrolment.ended_on = None
        enrolment.version += 1
        await enrolment.save(
            update_fields=[
                "status",
                "school_class_id",
                "grade",
                "ended_on",
                "version",
                "updated_at",
            ]
        )
        return await _record(
            case, enrolment, K.RESUME, day, school_class=school_class, reason=reason
        )
    kind = K.ENROL if enrolment is None else K.RESUME
    if enrolment is not None:
        enrolment.is_current = False
        enrolment.ended_on = enrolment.ended_on or day
        enrolment.version += 1
        await enrolment.save(update_fields=["is_current", "ended_on", "version", "updated_at"])
    fresh = await Enrolment.create(
        child_id=case.child_id,
        school_id=school_class.school_id,
        school_class=school_class,
        grade=school_class.grade,
        status=EnrolmentStatus.ENROLLED,
        started_on=day,
        is_current=True,
    )
    return await _record(case, fresh, kind, day, school_class=school_class, reason=reason)


async def record_transfer_out(case: Case, day: date, to_school: str, reason: str) -> EnrolmentStep:
    """转出 to ``to_school`` (which may be outside the county)."""
    enrolment = await current_enrolment(case.child_id)
    if enrolment is None or enrolment.status is EnrolmentStatus.TRANSFERRED_OUT:
        return NO_ENROLMENT_CHANGE
    enrolment.status = EnrolmentStatus.TRANSFERRED_OUT
    enrolment.ended_on = day
    enrolment.version += 1
    await enrolment.save(update_fields=["status", "ended_on", "version", "updated_at"])
    return await _record(case, enrolment, K.TRANSFER_OUT, day, counterpart=to_school, reason=reason)


async def record_suspension(case: Case, day: date, reason: str) -> EnrolmentStep:
    """休学 for an approved 缓学/免学 of a child on the roll (or counted as dropped out)."""
    enrolment = await current_enrolment(case.child_id)
    if enrolment is None or enrolment.status not in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.DROPPED_OUT,
    ):
        return NO_ENROLMENT_CHANGE
    enrolment.status = EnrolmentStatus.SUSPENDED
    enrolment.version += 1
    await enrolment.save(update_fields=["status", "version", "updated_at"])
    return await _record(case, enrolment, K.SUSPEND, day, reason=reason)
