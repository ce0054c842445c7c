"""Read queries over home visits (家访, 师访万家, 大家访): the list a county or school screens.

Filters are plain data; the GraphQL layer checks and converts its inputs into them. The order
is total (newest visit first, then id) so that offset cursors are stable. Every condition is a
clause of the one statement (joins or unsorted sub-selects), never a query per row.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from core.enrolment.models import Enrolment
from core.people.enums import KeyGroup
from core.people.models import ChildKeyGroup
from core.querysets import ids_of
from core.visits.models import HomeVisit, HomeVisitKind


@dataclass(frozen=True)
class HomeVisitFilter:
    """Conditions on the home-visits list; all must hold. Tuples mean "any of".

    Town and village are those of the child's household; school is the child's current one.
    """

    jurisdiction_code: str | None = None
    town_id: uuid.UUID | None = None
    village_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    child_id: uuid.UUID | None = None
    visitor_id: uuid.UUID | None = None
    kinds: tuple[HomeVisitKind, ...] = ()
    #: The visited child belongs to any of these 重点群体 (师访万家's groups).
    key_groups: tuple[KeyGroup, ...] = ()
    visited_from: datetime.date | None = None
    visited_to: datetime.date | None = None
    follow_up_needed: bool | None = None
    #: True: made for a case (劝返); False: outside any case.
    for_case: bool | None = None


def home_visits_queryset(
    flt: HomeVisitFilter, base: QuerySet[HomeVisit] | None = None
) -> QuerySet[HomeVisit]:
    """Home visits matching ``flt`` (within ``base``), newest first, then by id."""
    qs = base if base is not None else HomeVisit.all()
    if flt.jurisdiction_code:
        qs = qs.filter(child__jurisdiction__division_code=flt.jurisdiction_code)
    if flt.town_id:
        qs = qs.filter(child__household__village__town_id=flt.town_id)
    if flt.village_id:
        qs = qs.filter(child__household__village_id=flt.village_id)
    if flt.school_id:
        enrolled = Enrolment.filter(is_current=True, school_id=flt.school_id)
        qs = qs.filter(child_id__in=ids_of(enrolled, "child_id"))
    for column in ("child_id", "visitor_id"):
        value = getattr(flt, column)
        if value is not None:
            qs = qs.filter(**{column: value})
    if flt.kinds:
        qs = qs.filter(kind__in=[k.value for k in flt.kinds])
    if flt.key_groups:
        groups = ChildKeyGroup.filter(
            group__in=[g.value for g in flt.key_groups], ended_on__isnull=True
        )
        qs = qs.filter(child_id__in=ids_of(groups, "child_id"))
    if flt.visited_from:
        qs = qs.filter(visited_on__gte=flt.visited_from)
    if flt.visited_to:
        qs = qs.filter(visited_on__lte=flt.visited_to)
    if flt.follow_up_needed is not None:
        qs = qs.filter(follow_up_needed=flt.follow_up_needed)
    if flt.for_case is not None:
        qs = qs.filter(case_id__isnull=not flt.for_case)
    return qs.order_by("-visited_on", "id")
