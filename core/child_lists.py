"""The children and households lists (the 学户册's screens): what a list may ask for, as querysets.

They reach across people, current enrolments and cases (has an open case, by case state, by
latest case), so they live above those packages rather than inside one of them. Filters are
plain data (ids are UUIDs, values are domain enums); the GraphQL layer checks and converts its
inputs into them. Every queryset has a total order ending in ``id`` so that offset cursors are
stable.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from core.cases.enums import TERMINAL_STATES, CaseState
from core.cases.models import Case
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import KeyAreaKind
from core.jurisdictions.queries import in_key_areas
from core.labelled_enum import LabelledEnum
from core.people.enums import Gender, KeyGroup, MigrationStatus, PovertyStatus
from core.people.models import Child, ChildKeyGroup, Household
from core.people.queries import (
    looks_like_resident_id,
    looks_like_student_number,
    normalise_id_number,
)
from core.querysets import ids_of

_TERMINAL = [s.value for s in TERMINAL_STATES]


class ChildOrderField(LabelledEnum):
    """What the children list can be sorted by."""

    NAME = "NAME", "姓名"
    BIRTH_DATE = "BIRTH_DATE", "出生日期"
    UPDATED_AT = "UPDATED_AT", "最近更新时间"
    LATEST_CASE_OPENED_AT = "LATEST_CASE_OPENED_AT", "最近一次立案时间 (无个案者排在最后)"


@dataclass(frozen=True)
class ChildFilter:
    """Conditions on the children list; all must hold. Every field is optional.

    Tuples mean "any of". Town and village are those of the child's household; school, class,
    grade and enrolment status are those of the child's current enrolment.
    """

    jurisdiction_code: str | None = None
    jurisdiction_id: uuid.UUID | None = None
    town_id: uuid.UUID | None = None
    village_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    school_class_id: uuid.UUID | None = None
    grades: tuple[int, ...] = ()
    enrolment_statuses: tuple[EnrolmentStatus, ...] = ()
    never_enrolled: bool | None = None
    key_groups: tuple[KeyGroup, ...] = ()
    genders: tuple[Gender, ...] = ()
    has_disability: bool | None = None
    birth_date_from: datetime.date | None = None
    birth_date_to: datetime.date | None = None
    has_open_case: bool | None = None
    case_states: tuple[CaseState, ...] = ()
    id_number: str | None = None
    student_number: str | None = None
    name_starts_with: str | None = None
    name_contains: str | None = None
    search: str | None = None
    updated_from: datetime.datetime | None = None
    updated_to: datetime.datetime | None = None
    #: The household's 外出/流动情况 (举家外出 …), any of.
    migration_statuses: tuple[MigrationStatus, ...] = ()
    #: The household lives in a 重点地区 of any of these kinds (its village's or town's).
    key_areas: tuple[KeyAreaKind, ...] = ()


def _current_enrolments(flt: ChildFilter) -> QuerySet[Enrolment] | None:
    conditions: dict[str, object] = {}
    if flt.school_id:
        conditions["school_id"] = flt.school_id
    if flt.school_class_id:
        conditions["school_class_id"] = flt.school_class_id
    if flt.grades:
        conditions["grade__in"] = list(flt.grades)
    if flt.enrolment_statuses:
        conditions["status__in"] = [s.value for s in flt.enrolment_statuses]
    if not conditions:
        return None
    return Enrolment.filter(is_current=True, **conditions)


def _search(qs: QuerySet[Child], text: str) -> QuerySet[Child]:
    """One search box: an ID number or student number matches exactly, anything else is a
    name that contains the text."""
    number = normalise_id_number(text)
    if looks_like_resident_id(number):
        return qs.filter(Q(id_number=number) | Q(student_number=f"G{number}"))
    if looks_like_student_number(number):
        return qs.filter(student_number=number)
    return qs.filter(name__contains=text)


def filter_children(flt: ChildFilter, base: QuerySet[Child] | None = None) -> QuerySet[Child]:
    """Children matching ``flt`` (no order), within ``base`` (default: every child)."""
    qs = base if base is not None else Child.all()
    qs = qs.filter(merged_into_id__isnull=True)  # a merged duplicate lives on in its survivor
    if flt.jurisdiction_code:
        qs = qs.filter(jurisdiction__division_code=flt.jurisdiction_code)
    if flt.jurisdiction_id:
        qs = qs.filter(jurisdiction_id=flt.jurisdiction_id)
    if flt.household_id:
        qs = qs.filter(household_id=flt.household_id)
    if flt.village_id:
        qs = qs.filter(household__village_id=flt.village_id)
    if flt.town_id:  # the stored town of the household's village (migration 0015_town_key)
        qs = qs.filter(town_id=flt.town_id)
    enrolments = _current_enrolments(flt)
    if enrolments is not None:
        qs = qs.filter(id__in=ids_of(enrolments, "child_id"))
    if flt.never_enrolled is not None:
        # The stored ``ever_enrolled`` (kept by the database, migration 0015_town_key), read
        # through ``child (jurisdiction_id, ever_enrolled, birth_date)``: an age range reads
        # only the county's never-enrolled children of that range. Deriving it per statement
        # (an anti-join on every enrolment) probed the enrolments of every child of the range;
        # ``id NOT IN (SELECT child_id FROM enrolment)`` ran for over 6 minutes at 1,000,000
        # pupils (docs/scaling.md).
        qs = qs.filter(ever_enrolled=not flt.never_enrolled)
    if flt.key_groups:  # any of them: one subquery
        groups = [g.value for g in flt.key_groups]
        qs = qs.filter(
            id__in=ids_of(ChildKeyGroup.filter(group__in=groups, ended_on__isnull=True), "child_id")
        )
    if flt.genders:
        qs = qs.filter(gender__in=[g.value for g in flt.genders])
    if flt.has_disability is not None:
        qs = qs.filter(disability_category__isnull=not flt.has_disability)
    if flt.birth_date_from:
        qs = qs.filter(birth_date__gte=flt.birth_date_from)
    if flt.birth_date_to:
        qs = qs.filter(birth_date__lte=flt.birth_date_to)
    if flt.has_open_case is not None:
        open_cases = ids_of(Case.filter(state__not_in=_TERMINAL), "child_id")
        if flt.has_open_case:
            qs = qs.filter(id__in=open_cases)
        else:
            qs = qs.filter(id__not_in=open_cases)
    if flt.case_states:
        states = [s.value for s in flt.case_states]
        qs = qs.filter(id__in=ids_of(Case.filter(state__in=states), "child_id"))
    if flt.id_number:
        qs = qs.filter(id_number=normalise_id_number(flt.id_number))
    if flt.student_number:
        qs = qs.filter(student_number=normalise_id_number(flt.student_number))
    if flt.name_starts_with:
        qs = qs.filter(name__startswith=flt.name_starts_with)
    if flt.name_contains:
        qs = qs.filter(name__contains=flt.name_contains)
    if flt.search:
        qs = _search(qs, flt.search)
    if flt.updated_from:
        qs = qs.filter(updated_at__gte=flt.updated_from)
    if flt.updated_to:
        qs = qs.filter(updated_at__lte=flt.updated_to)
    if flt.migration_statuses:
        qs = qs.filter(household__migration_status__in=[m.value for m in flt.migration_statuses])
    if flt.key_areas:
        qs = qs.filter(
            in_key_areas(flt.key_areas, "household__village_id", "household__village__town_id")
        )
    return qs


_CHILD_ORDER_COLUMNS: dict[ChildOrderField, str] = {
    ChildOrderField.NAME: "name",
    ChildOrderField.BIRTH_DATE: "birth_date",
    ChildOrderField.UPDATED_AT: "updated_at",
}


def order_children(
    qs: QuerySet[Child],
    field: ChildOrderField = ChildOrderField.NAME,
    descending: bool = False,
) -> QuerySet[Child]:
    """``qs`` in a total order: ``field`` (then name, then id)."""
    sign = "-" if descending else ""
    if field is ChildOrderField.LATEST_CASE_OPENED_AT:
        # A correlated subquery rather than a join, so that paging and counting stay simple.
        latest = (
            f"(SELECT MAX(c.opened_at) FROM {Case._meta.db_table} c "
            f'WHERE c.child_id = "{Child._meta.db_table}"."id")'
        )
        return qs.annotate(
            _no_case=RawSQL(f"CASE WHEN {latest} IS NULL THEN 1 ELSE 0 END"),
            _latest_case=RawSQL(latest),
        ).order_by("_no_case", f"{sign}_latest_case", "name", "id")
    column = _CHILD_ORDER_COLUMNS[field]
    tail = ["id"] if field is ChildOrderField.NAME else ["name", "id"]
    return qs.order_by(f"{sign}{column}", *tail)


def children_queryset(
    flt: ChildFilter,
    field: ChildOrderField = ChildOrderField.NAME,
    descending: bool = False,
    base: QuerySet[Child] | None = None,
) -> QuerySet[Child]:
    """Children matching ``flt`` in the order asked for (default: name, then id)."""
    return order_children(filter_children(flt, base), field, descending)


@dataclass(frozen=True)
class HouseholdFilter:
    """Conditions on the households list."""

    jurisdiction_code: str | None = None
    town_id: uuid.UUID | None = None
    village_id: uuid.UUID | None = None
    poverty_statuses: tuple[PovertyStatus, ...] = ()
    is_low_income: bool | None = None
    head_name_contains: str | None = None
    #: 外出/流动情况 (举家外出 …), any of.
    migration_statuses: tuple[MigrationStatus, ...] = ()


def households_queryset(
    flt: HouseholdFilter, base: QuerySet[Household] | None = None
) -> QuerySet[Household]:
    """Households matching ``flt`` (within ``base``), by head's name then id."""
    qs = base if base is not None else Household.all()
    if flt.jurisdiction_code:
        qs = qs.filter(jurisdiction__division_code=flt.jurisdiction_code)
    if flt.village_id:
        qs = qs.filter(village_id=flt.village_id)
    if flt.town_id:
        qs = qs.filter(village__town_id=flt.town_id)
    if flt.poverty_statuses:
        qs = qs.filter(poverty_status__in=[p.value for p in flt.poverty_statuses])
    if flt.is_low_income is not None:
        qs = qs.filter(is_low_income=flt.is_low_income)
    if flt.head_name_contains:
        qs = qs.filter(head_name__contains=flt.head_name_contains)
    if flt.migration_statuses:
        qs = qs.filter(migration_status__in=[m.value for m in flt.migration_statuses])
    return qs.order_by("head_name", "id")
