"""Read queries over children: what a list screen may ask for, as Tortoise querysets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from core.enrolment.models import Enrolment
from core.people.models import Child


@dataclass(frozen=True)
class ChildFilter:
    """Conditions on the children list. Every field is optional."""

    jurisdiction_code: str | None = None
    school_id: uuid.UUID | None = None
    name_contains: str | None = None


def children_queryset(flt: ChildFilter) -> QuerySet[Child]:
    """Children matching ``flt``, ordered by name then id (a stable order for paging)."""
    qs = Child.all()
    if flt.jurisdiction_code:
        qs = qs.filter(jurisdiction__division_code=flt.jurisdiction_code)
    if flt.school_id:
        qs = qs.filter(
            id__in=Subquery(
                Enrolment.filter(school_id=flt.school_id, is_current=True).values("child_id")
            )
        )
    if flt.name_contains:
        qs = qs.filter(name__contains=flt.name_contains.strip())
    return qs.order_by("name", "id")
