"""Read queries over officials and their responsibility assignments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from core.officials.models import Duty, Official, ResponsibilityAssignment, ResponsibilityLine


@dataclass(frozen=True)
class OfficialFilter:
    """Conditions on the officials list; all must hold."""

    jurisdiction_code: str | None = None
    school_id: uuid.UUID | None = None
    town_id: uuid.UUID | None = None
    name_contains: str | None = None


def officials_queryset(flt: OfficialFilter) -> QuerySet[Official]:
    """Officials matching ``flt``, by name then id."""
    qs = Official.all()
    if flt.jurisdiction_code:
        qs = qs.filter(jurisdiction__division_code=flt.jurisdiction_code)
    if flt.school_id:
        qs = qs.filter(school_id=flt.school_id)
    if flt.town_id:
        qs = qs.filter(town_id=flt.town_id)
    if flt.name_contains:
        qs = qs.filter(name__contains=flt.name_contains)
    return qs.order_by("name", "id")


@dataclass(frozen=True)
class AssignmentFilter:
    """Conditions on responsibility assignments; all must hold. Tuples mean "any of"."""

    jurisdiction_code: str | None = None
    official_id: uuid.UUID | None = None
    town_id: uuid.UUID | None = None
    village_id: uuid.UUID | None = None
    school_group_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    school_class_id: uuid.UUID | None = None
    child_id: uuid.UUID | None = None
    lines: tuple[ResponsibilityLine, ...] = ()
    duties: tuple[Duty, ...] = ()


def assignments_queryset(flt: AssignmentFilter) -> QuerySet[ResponsibilityAssignment]:
    """Assignments matching ``flt``, by line, duty and id."""
    qs = ResponsibilityAssignment.all()
    if flt.jurisdiction_code:
        qs = qs.filter(jurisdiction__division_code=flt.jurisdiction_code)
    columns = (
        "official_id",
        "town_id",
        "village_id",
        "school_group_id",
        "school_id",
        "school_class_id",
        "child_id",
    )
    for column in columns:
        value = getattr(flt, column)
        if value is not None:
            qs = qs.filter(**{column: value})
    if flt.lines:
        qs = qs.filter(line__in=[v.value for v in flt.lines])
    if flt.duties:
        qs = qs.filter(duty__in=[v.value for v in flt.duties])
    return qs.order_by("line", "duty", "id")
