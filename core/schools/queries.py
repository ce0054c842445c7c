"""Read queries over schools and classes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from core.schools.models import School, SchoolClass, SchoolKind


@dataclass(frozen=True)
class SchoolFilter:
    """Conditions on the schools list; all must hold. Tuples mean "any of"."""

    jurisdiction_code: str | None = None
    town_id: uuid.UUID | None = None
    village_id: uuid.UUID | None = None
    school_group_id: uuid.UUID | None = None
    kinds: tuple[SchoolKind, ...] = ()
    code: str | None = None
    name_contains: str | None = None


def schools_queryset(flt: SchoolFilter) -> QuerySet[School]:
    """Schools matching ``flt``, by name then id."""
    qs = School.all()
    if flt.jurisdiction_code:
        qs = qs.filter(jurisdiction__division_code=flt.jurisdiction_code)
    if flt.town_id:
        qs = qs.filter(town_id=flt.town_id)
    if flt.village_id:
        qs = qs.filter(village_id=flt.village_id)
    if flt.school_group_id:
        qs = qs.filter(groups__id=flt.school_group_id)
    if flt.kinds:
        qs = qs.filter(kind__in=[k.value for k in flt.kinds])
    if flt.code:
        qs = qs.filter(code=flt.code.strip())
    if flt.name_contains:
        qs = qs.filter(name__contains=flt.name_contains)
    return qs.order_by("name", "id")


def classes_of_school(
    school_id: uuid.UUID, school_year: int | None = None
) -> QuerySet[SchoolClass]:
    """A school's classes (optionally of one school year), by grade and name."""
    qs = SchoolClass.filter(school_id=school_id)
    if school_year is not None:
        qs = qs.filter(school_year=school_year)
    return qs.order_by("grade", "name", "id")
