"""Read queries over cases: the lists and counts a dashboard asks for.

A case is *open* while its state is not terminal (:data:`~core.cases.enums.TERMINAL_STATES`),
and *overdue* when it is open and its ``next_deadline_at`` lies before ``now`` (the caller
passes ``now`` so that tests can move the clock). Filters are plain data; the GraphQL layer
builds them from its inputs.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q, RawSQL
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from core.cases.enums import TERMINAL_STATES, CaseKind, CaseSource, CaseState
from core.cases.models import Case
from core.enrolment.models import Enrolment
from core.jurisdictions.models import KeyAreaKind
from core.jurisdictions.queries import in_key_areas
from core.labelled_enum import LabelledEnum
from core.people.enums import KeyGroup
from core.people.models import ChildKeyGroup
from core.querysets import ids_of

_TERMINAL = [s.value for s in TERMINAL_STATES]


def open_q() -> Q:
    """Cases still open."""
    return Q(state__not_in=_TERMINAL)


def overdue_q(now: datetime.datetime) -> Q:
    """Open cases whose next deadline has passed at ``now``."""
    return Q(open_q(), Q(next_deadline_at__lt=now))


def not_overdue_q(now: datetime.datetime) -> Q:
    """The complement of :func:`overdue_q`, spelt out so that a NULL deadline counts."""
    return Q(state__in=_TERMINAL) | Q(next_deadline_at__isnull=True) | Q(next_deadline_at__gte=now)


def is_overdue(case: Case, now: datetime.datetime) -> bool:
    return (
        CaseState(case.state) not in TERMINAL_STATES
        and case.next_deadline_at is not None
        and case.next_deadline_at < now
    )


class CaseOrderField(LabelledEnum):
    """What the cases list can be sorted by."""

    OPENED_AT = "OPENED_AT", "立案时间"
    UPDATED_AT = "UPDATED_AT", "最近更新时间"
    NEXT_DEADLINE_AT = "NEXT_DEADLINE_AT", "下一时限 (升序即最逾期者在前; 无时限者排在最后)"
    ESCALATION_LEVEL = "ESCALATION_LEVEL", "责任层级"
    CHILD_NAME = "CHILD_NAME", "儿童姓名"


@dataclass(frozen=True)
class CaseFilter:
    """Conditions on the cases list; all must hold. Tuples mean "any of".

    Town and village are those of the child's household. Ranges are inclusive.
    """

    jurisdiction_code: str | None = None
    jurisdiction_id: uuid.UUID | None = None
    town_id: uuid.UUID | None = None
    village_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    child_id: uuid.UUID | None = None
    kinds: tuple[CaseKind, ...] = ()
    states: tuple[CaseState, ...] = ()
    sources: tuple[CaseSource, ...] = ()
    reasons: tuple[str, ...] = ()
    is_open: bool | None = None
    overdue: bool | None = None
    escalation_level_min: int | None = None
    escalation_level_max: int | None = None
    opened_from: datetime.datetime | None = None
    opened_to: datetime.datetime | None = None
    closed_from: datetime.datetime | None = None
    closed_to: datetime.datetime | None = None
    deadline_from: datetime.datetime | None = None
    deadline_to: datetime.datetime | None = None
    updated_from: datetime.datetime | None = None
    updated_to: datetime.datetime | None = None
    #: The grade of the child's current enrolment (学籍), any of.
    grades: tuple[int, ...] = ()
    #: 学段: the grades of any of the stages asked for (小学 1–6, 初中 7–9 …); the child's
    #: current grade must be one of them (and one of ``grades`` when both are given).
    stage_grades: tuple[int, ...] = ()
    #: The child belongs to any of these 重点群体.
    key_groups: tuple[KeyGroup, ...] = ()
    #: The child's household lives in a 重点地区 of any of these kinds.
    key_areas: tuple[KeyAreaKind, ...] = ()
    #: Conditions other modules add (e.g. the workflow's "escalation due"), ANDed in.
    extra: tuple[Q, ...] = field(default=())


def filter_cases(
    flt: CaseFilter, now: datetime.datetime, base: QuerySet[Case] | None = None
) -> QuerySet[Case]:
    """Cases matching ``flt`` at ``now`` (no order), within ``base`` (default: every case)."""
    qs = base if base is not None else Case.all()
    if flt.jurisdiction_code:
        qs = qs.filter(jurisdiction__division_code=flt.jurisdiction_code)
    if flt.jurisdiction_id:
        qs = qs.filter(jurisdiction_id=flt.jurisdiction_id)
    if flt.town_id:  # joins case → child → household → village: cheaper than sub-selects
        qs = qs.filter(child__household__village__town_id=flt.town_id)
    if flt.village_id:
        qs = qs.filter(child__household__village_id=flt.village_id)
    if flt.school_id:
        qs = qs.filter(school_id=flt.school_id)
    if flt.child_id:
        qs = qs.filter(child_id=flt.child_id)
    if flt.kinds:
        qs = qs.filter(kind__in=[k.value for k in flt.kinds])
    if flt.states:
        qs = qs.filter(state__in=[s.value for s in flt.states])
    if flt.sources:
        qs = qs.filter(source__in=[s.value for s in flt.sources])
    if flt.reasons:
        qs = qs.filter(reason__in=list(flt.reasons))
    if flt.is_open is not None:
        qs = qs.filter(open_q()) if flt.is_open else qs.filter(state__in=_TERMINAL)
    if flt.overdue is not None:
        qs = qs.filter(overdue_q(now) if flt.overdue else not_overdue_q(now))
    if flt.escalation_level_min is not None:
        qs = qs.filter(escalation_level__gte=flt.escalation_level_min)
    if flt.escalation_level_max is not None:
        qs = qs.filter(escalation_level__lte=flt.escalation_level_max)
    for column, low, high in (
        ("opened_at", flt.opened_from, flt.opened_to),
        ("closed_at", flt.closed_from, flt.closed_to),
        ("next_deadline_at", flt.deadline_from, flt.deadline_to),
        ("updated_at", flt.updated_from, flt.updated_to),
    ):
        if low is not None:
            qs = qs.filter(**{f"{column}__gte": low})
        if high is not None:
            qs = qs.filter(**{f"{column}__lte": high})
    if flt.grades:
        qs = qs.filter(child_id__in=_current_grade(flt.grades))
    if flt.stage_grades:
        qs = qs.filter(child_id__in=_current_grade(flt.stage_grades))
    if flt.key_groups:
        groups = ChildKeyGroup.filter(
            group__in=[g.value for g in flt.key_groups], ended_on__isnull=True
        )
        qs = qs.filter(child_id__in=ids_of(groups, "child_id"))
    if flt.key_areas:
        qs = qs.filter(
            in_key_areas(
                flt.key_areas, "child__household__village_id", "child__household__village__town_id"
            )
        )
    for condition in flt.extra:
        qs = qs.filter(condition)
    return qs


def _current_grade(grades: tuple[int, ...]) -> Any:
    """Children whose current enrolment is in one of ``grades`` (an unsorted sub-select)."""
    return ids_of(Enrolment.filter(is_current=True, grade__in=list(grades)), "child_id")


_CASE_ORDER_COLUMNS: dict[CaseOrderField, str] = {
    CaseOrderField.OPENED_AT: "opened_at",
    CaseOrderField.UPDATED_AT: "updated_at",
    CaseOrderField.ESCALATION_LEVEL: "escalation_level",
    CaseOrderField.CHILD_NAME: "child__name",
}


def order_cases(
    qs: QuerySet[Case],
    field: CaseOrderField = CaseOrderField.OPENED_AT,
    descending: bool = True,
) -> QuerySet[Case]:
    """``qs`` in a total order: ``field``, then opening time (newest first), then id."""
    sign = "-" if descending else ""
    if field is CaseOrderField.NEXT_DEADLINE_AT:
        # Cases without a deadline come last in both directions, on SQLite and PostgreSQL.
        return qs.annotate(
            _no_deadline=RawSQL(
                f'CASE WHEN "{Case._meta.db_table}"."next_deadline_at" IS NULL THEN 1 ELSE 0 END'
            )
        ).order_by("_no_deadline", f"{sign}next_deadline_at", "-opened_at", "id")
    column = _CASE_ORDER_COLUMNS[field]
    tail = ["id"] if field is CaseOrderField.OPENED_AT else ["-opened_at", "id"]
    return qs.order_by(f"{sign}{column}", *tail)


def cases_queryset(
    flt: CaseFilter,
    now: datetime.datetime,
    field: CaseOrderField = CaseOrderField.OPENED_AT,
    descending: bool = True,
    base: QuerySet[Case] | None = None,
) -> QuerySet[Case]:
    """Cases matching ``flt`` in the order asked for (default: newest first)."""
    return order_cases(filter_cases(flt, now, base), field, descending)


def _key(value: Any) -> Any:
    return value if isinstance(value, int) else str(value)


async def count_by(qs: QuerySet[Case], column: str) -> dict[Any, int]:
    """``{value of column: number of cases}`` for the cases in ``qs`` (one statement)."""
    rows = await qs.annotate(n=Count("id")).group_by(column).values(column, "n")
    return {_key(row[column]): int(row["n"]) for row in rows}


async def count_by_state(qs: QuerySet[Case]) -> dict[CaseState, int]:
    """Cases in ``qs`` per state, every state present (zero where none), in declared order."""
    counts = await count_by(qs, "state")
    return {state: counts.get(state.value, 0) for state in CaseState}


async def count_by_kind(qs: QuerySet[Case]) -> dict[CaseKind, int]:
    """Cases in ``qs`` per kind, every kind present (zero where none)."""
    counts = await count_by(qs, "kind")
    return {kind: counts.get(kind.value, 0) for kind in CaseKind}


async def count_by_escalation_level(qs: QuerySet[Case]) -> dict[int, int]:
    """Open cases in ``qs`` per escalation level (levels without cases are left out)."""
    counts = await count_by(qs.filter(open_q()), "escalation_level")
    return dict(sorted(counts.items()))
