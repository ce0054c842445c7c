"""Metrics for a caller: permission and scope checked here, then the SQL in this package.

A caller needs ``READ_REPORTS`` (统计报表) for figures. The place must lie inside their scope:
a county scope reaches the county and everything in it; a town scope its towns and their
schools; a school scope its school. Child lists behind a figure (the gap of a target, the
children of an accounting state) additionally need ``READ_ROSTER`` and hold only the children
the caller's scope reaches (:func:`core.access.scope.restrict`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from tortoise.expressions import RawSQL

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission, ScopeKind
from core.access.scope import restrict, scoped
from core.china_time import local_date
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction, SchoolGroup, SchoolGroupKind, Town
from core.metrics.accounting import Accounting, AccountingState, StateCount
from core.metrics.indicators import (
    INDICATORS,
    Breakdown,
    Indicator,
    Request,
    Value,
    evaluate_requests,
)
from core.metrics.place import Place, PlaceKind, SchoolAge
from core.metrics.sql import Frame, Params, facts_sql, is_postgres
from core.metrics.store import fetch_facts
from core.metrics.targets import TargetEvaluation, evaluate_all, evaluate_targets, shortfall_sql
from core.people.models import Child
from core.plugins import rules_for
from core.querysets import bound_sql
from core.schools.models import School

_GROUP_KINDS = {
    PlaceKind.SCHOOL_DISTRICT: SchoolGroupKind.SCHOOL_DISTRICT,
    PlaceKind.SUPERVISION_ZONE: SchoolGroupKind.SUPERVISION_ZONE,
}


def _not_found(field: str) -> DomainError:
    return DomainError(
        ErrorCode.NOT_FOUND,
        "统计范围不存在或不在您的工作范围内",
        "no such place within your scope",
        field=field,
    )


async def _jurisdiction(caller: Caller, code: str | None) -> Jurisdiction:
    query = scoped(Jurisdiction, caller)
    if code:
        query = query.filter(division_code=code)
    rows = await query.limit(2)
    if len(rows) != 1:
        if not code and len(rows) > 1:
            raise DomainError(
                ErrorCode.REQUIRED,
                "请指定县级行政区划代码",
                "name the jurisdiction (its division code)",
                field="jurisdictionCode",
            )
        raise _not_found("jurisdictionCode")
    return rows[0]


async def resolve_place(
    caller: Caller,
    *,
    jurisdiction_code: str | None = None,
    kind: PlaceKind = PlaceKind.COUNTY,
    place_id: uuid.UUID | None = None,
) -> Place:
    """The place a caller asks about, checked against their permission and scope."""
    require_permission(caller, Permission.READ_REPORTS)
    jurisdiction = await _jurisdiction(caller, jurisdiction_code)
    scope = caller.scope
    narrow = scope is not None and scope.jurisdiction_id is not None
    narrow = narrow and scope.kind is not ScopeKind.COUNTY
    if kind is PlaceKind.COUNTY:
        if narrow:
            raise _not_found("place")
        return Place.county(jurisdiction.id, jurisdiction.division_code, jurisdiction.name)
    if place_id is None:
        raise DomainError(
            ErrorCode.REQUIRED, "请指定统计范围的 ID", "name the place (its id)", field="place"
        )
    row: Town | School | SchoolGroup | None
    if kind is PlaceKind.TOWN:
        row = (
            await scoped(Town, caller).filter(id=place_id, jurisdiction_id=jurisdiction.id).first()
        )
        if row is not None and narrow and scope.kind is not ScopeKind.TOWN:
            row = None
    elif kind is PlaceKind.SCHOOL:
        row = (
            await scoped(School, caller)
            .filter(id=place_id, jurisdiction_id=jurisdiction.id)
            .first()
        )
        if row is not None and narrow and scope.kind is ScopeKind.CLASS:
            row = None
    else:
        row = (
            await scoped(SchoolGroup, caller)
            .filter(id=place_id, jurisdiction_id=jurisdiction.id, kind=_GROUP_KINDS[kind])
            .first()
        )
        if narrow:
            row = None
    if row is None:
        raise _not_found("place")
    return Place(kind, row.id, jurisdiction.id, jurisdiction.division_code, row.name)


def frame_for(place: Place, as_of: date | None, now: datetime) -> Frame:
    """The frame of ``place`` on ``as_of`` (default: today in China); not a future day."""
    today = local_date(now)
    day = as_of or today
    if day > today:
        raise DomainError(
            ErrorCode.INVALID,
            f"统计日期 {day} 晚于今天 {today}",
            f"as-of date {day} is after today ({today})",
            field="asOf",
        )
    return Frame(place, day, SchoolAge.for_county(rules_for(place.jurisdiction_code), day))


async def metrics(
    frame: Frame,
    *,
    indicators: tuple[Indicator, ...] = INDICATORS,
    breakdown: Breakdown = Breakdown.NONE,
) -> list[Value]:
    requests = [Request(i) for i in indicators]
    values, _ = await evaluate_requests(frame, requests, breakdown=breakdown)
    return values


@dataclass(frozen=True)
class Dashboard:
    """Every figure of a place on a day, from one statement: the county's targets, the
    accounting and (with ``with_metrics``) every indicator."""

    targets: list[TargetEvaluation]
    accounting: Accounting
    metrics: list[Value]


async def dashboard(frame: Frame, *, with_metrics: bool = False) -> Dashboard:
    rules = rules_for(frame.place.jurisdiction_code)
    extra = [Request(i) for i in INDICATORS] if with_metrics else []
    targets, states, values = await evaluate_all(
        frame, rules.targets, with_states=True, extra=extra, reasons=rules.case_reasons()
    )
    return Dashboard(targets=targets, accounting=_accounting(frame, states), metrics=values)


async def accounting(frame: Frame) -> Accounting:
    _, states = await evaluate_requests(frame, [], with_states=True)
    return _accounting(frame, states)


async def targets(frame: Frame) -> list[TargetEvaluation]:
    rules = rules_for(frame.place.jurisdiction_code)
    result, _ = await evaluate_targets(frame, rules.targets, reasons=rules.case_reasons())
    return result


def _accounting(frame: Frame, states: dict[str, int]) -> Accounting:
    counts = tuple(StateCount(s, states.get(s.value, 0)) for s in AccountingState)
    return Accounting(
        place=frame.place,
        as_of=frame.as_of,
        registry=sum(c.children for c in counts),
        states=counts,
    )


# -- the children behind a figure ----------------------------------------------------------

ChildCondition = Callable[[Params], str]


def state_condition(states: tuple[AccountingState, ...]) -> ChildCondition:
    return lambda p: f"f.state IN {p.many(s.value for s in states)}"


def target_condition(evaluation: TargetEvaluation) -> ChildCondition:
    return lambda p: shortfall_sql(evaluation.target, p)


@dataclass(frozen=True)
class ChildList:
    """The children of a place on a day who meet a condition, as the caller may see them."""

    caller: Caller
    frame: Frame
    condition: ChildCondition
    #: The count, once a statement has given it (:meth:`page` counts as it pages): a
    #: connection's page and its ``totalCount`` are then one statement over ``facts``, not two.
    _total: list[int] = field(default_factory=list, compare=False, repr=False)

    def _sql(self, p: Params, select: str) -> str:
        sql = facts_sql(self.frame, p) + f"SELECT {select} FROM facts f WHERE {self.condition(p)}"
        visible = self._visible_sql(p)
        if visible is not None:
            sql += f" AND f.child_id IN ({visible})"
        return sql

    def _visible_sql(self, p: Params) -> str | None:
        """The ids of the children the caller's scope reaches, as a sub-select whose values are
        bound through ``p`` (the scope rule is :mod:`core.access.scope`'s, not a copy)."""
        scope = self.caller.scope
        if scope is not None and scope.jurisdiction_id is None:
            return None  # the system caller
        # Annotated, the sub-select has no default ordering (core.querysets.ids_of): with it,
        # PostgreSQL sorted the county's children by name for every list (3 of a target's gap
        # page's 7.6 s at 1,000,000 pupils).
        query = (
            restrict(Child.filter(jurisdiction_id=self.frame.place.jurisdiction_id), self.caller)
            .annotate(_unordered=RawSQL("1"))
            .values_list("id", flat=True)
        )
        return bound_sql(query, p, postgres=p.postgres)

    async def count(self) -> int:
        if not self._total:
            p = Params(is_postgres())
            rows = await fetch_facts(self._sql(p, "COUNT(*) AS n"), p)
            self._total.append(int(rows[0]["n"]) if rows else 0)
        return self._total[0]

    async def page(self, offset: int, limit: int | None) -> list[uuid.UUID]:
        """Child ids in name order, ``limit`` of them from ``offset`` (and the count of all,
        kept for :meth:`count`, when the page is not past the end)."""
        p = Params(is_postgres())
        sql = self._sql(p, "f.child_id, COUNT(*) OVER () AS total")
        sql += " ORDER BY f.name, f.child_id"
        sql += f" LIMIT {p(10**9 if limit is None else limit)} OFFSET {p(offset)}"
        rows = await fetch_facts(sql, p)
        if rows and not self._total:
            self._total.append(int(rows[0]["total"]))
        elif not rows and offset == 0 and not self._total:
            self._total.append(0)
        return [
            r["child_id"] if isinstance(r["child_id"], uuid.UUID) else uuid.UUID(r["child_id"])
            for r in rows
        ]


def child_list(caller: Caller, frame: Frame, condition: ChildCondition) -> ChildList:
    require_permission(caller, Permission.READ_ROSTER)
    return ChildList(caller, frame, condition)
