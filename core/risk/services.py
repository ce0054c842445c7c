"""What the API asks of the risk rules: the children at risk in the caller's scope (a queryset
filtered, ordered and counted by the database), the children at high risk nobody is following
up (no open case, no home visit in the rules' ``visit_days``), and the explanation of each
child's level, computed for a page of children in one statement per county.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.access.models import StaffAccount
from core.access.scope import scoped
from core.cases.enums import TERMINAL_STATES
from core.cases.models import Case
from core.enrolment.models import Enrolment
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction
from core.metrics.sql import is_postgres
from core.officials.models import Duty, ResponsibilityAssignment
from core.people.models import Child
from core.plugins import rules_for
from core.querysets import ids_of
from core.risk.evaluation import Assessment, evaluate, min_score
from core.risk.joins import SignalJoins
from core.risk.signals import (
    Frame,
    all_columns,
    rule_value,
    score_sql,
    signal_tables,
    visit_cutoff,
)
from core.rules.enums import RiskLevel
from core.rules.specs import RiskRuleSet
from core.visits.models import HomeVisit

#: The annotation that holds a child's score in a risk list.
SCORE = "risk_score"


@dataclass(frozen=True)
class RiskFilter:
    """Conditions on the list of children at risk; all that are given must hold.

    ``levels``: any of them (default WATCH and HIGH). School, class and grade are those of the
    child's current enrolment; ``town_id`` the town of the current school. ``responsible_id``
    is an official who 包人 the child (双线四包: 科任教师包人); ``responsible_to_me`` the
    caller's own official. ``visited_recently``: a home visit in the last ``visit_days``.
    """

    levels: tuple[RiskLevel, ...] = (RiskLevel.WATCH, RiskLevel.HIGH)
    jurisdiction_code: str | None = None
    school_id: uuid.UUID | None = None
    school_class_id: uuid.UUID | None = None
    town_id: uuid.UUID | None = None
    grades: tuple[int, ...] = ()
    responsible_id: uuid.UUID | None = None
    responsible_to_me: bool = False
    has_open_case: bool | None = None
    visited_recently: bool | None = None


#: The list of point 4: HIGH, no open case, no home visit in the rules' days.
UNATTENDED = RiskFilter(levels=(RiskLevel.HIGH,), has_open_case=False, visited_recently=False)


async def county_for(caller: Caller, code: str | None) -> Jurisdiction:
    """The county a list is about: the caller's own (a code, if given, must be it); for a
    caller who reaches every county (the CLI), the one ``code`` names."""
    scope = caller.scope
    found = None
    if scope is not None and scope.jurisdiction_id is not None:
        found = await Jurisdiction.get_or_none(id=scope.jurisdiction_id)
        if found is not None and code and code != found.division_code:
            found = None
    elif code:
        found = await Jurisdiction.get_or_none(division_code=code)
    elif scope is not None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "请指定行政区划代码 (jurisdictionCode)",
            "name the county (jurisdictionCode)",
            field="jurisdictionCode",
        )
    if found is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"行政区 {code} 不存在或不在您的工作范围内",
            f"no county {code} within your scope",
            field="jurisdictionCode",
        )
    return found


def rule_set(division_code: str) -> RiskRuleSet:
    return rules_for(division_code).risk_rules


def _level_condition(rules: RiskRuleSet, levels: Iterable[RiskLevel]) -> Q:
    """The score ranges of ``levels``, as a condition on the score annotation."""
    bounds = {
        RiskLevel.NONE: (None, rules.watch_at),
        RiskLevel.WATCH: (rules.watch_at, rules.high_at),
        RiskLevel.HIGH: (rules.high_at, None),
    }
    condition = Q(pk__in=[])
    for level in set(levels):
        low, high = bounds[level]
        part = Q()
        if low is not None:
            part &= Q(**{f"{SCORE}__gte": low})
        if high is not None:
            part &= Q(**{f"{SCORE}__lt": high})
        condition |= part
    return condition


async def _my_official(caller: Caller) -> uuid.UUID:
    account = None
    if caller.account_id is not None:
        account = await StaffAccount.get_or_none(id=caller.account_id)
    if account is None or account.official_id is None:
        raise DomainError(
            ErrorCode.INVALID,
            "您的账号未关联教职工/干部, 无法列出由您包人的学生",
            "your account is not linked to an official, so no children are yours to list",
            field="responsibleToMe",
        )
    return account.official_id


def _narrow(caller: Caller, flt: RiskFilter) -> bool:
    """Whether the list is about part of a county (a town, school, class, grade or one
    official's children): its signals are then measured for those children only."""
    scope = caller.scope
    by_scope = scope is not None and bool(scope.town_ids or scope.school_id or scope.class_id)
    by_filter = (flt.school_id, flt.school_class_id, flt.town_id, flt.grades, flt.responsible_id)
    return by_scope or any(by_filter) or flt.responsible_to_me


async def children_at_risk(
    caller: Caller, flt: RiskFilter, today: date
) -> tuple[QuerySet[Child], RiskRuleSet]:
    """Children of the caller's scope matching ``flt``, highest score first (then name, id),
    and the rule set that scored them. Everything is decided in the statement: the signals
    are measured for the children of the scope and ``flt`` only, once each."""
    require_permission(caller, Permission.READ_ROSTER)
    county = await county_for(caller, flt.jurisdiction_code)
    county_rules = rules_for(county.division_code)
    rules = county_rules.risk_rules
    frame = Frame.of(county_rules, today, is_postgres())
    qs = scoped(Child, caller).filter(jurisdiction_id=county.id, merged_into_id__isnull=True)
    enrolments: dict[str, Any] = {}
    if flt.school_id:
        enrolments["school_id"] = flt.school_id
    if flt.school_class_id:
        enrolments["school_class_id"] = flt.school_class_id
    if flt.town_id:
        enrolments["school__town_id"] = flt.town_id
    if flt.grades:
        enrolments["grade__in"] = list(flt.grades)
    if enrolments:
        current = Enrolment.filter(is_current=True, **enrolments)
        qs = qs.filter(id__in=ids_of(current, "child_id"))
    responsible = [flt.responsible_id] if flt.responsible_id else []
    if flt.responsible_to_me:
        responsible.append(await _my_official(caller))
    for official_id in responsible:
        assigned = ResponsibilityAssignment.filter(duty=Duty.CHILD, official_id=official_id)
        qs = qs.filter(id__in=ids_of(assigned, "child_id"))
    if flt.has_open_case is not None:
        open_cases = ids_of(
            Case.filter(state__not_in=[s.value for s in TERMINAL_STATES]), "child_id"
        )
        qs = qs.filter(id__in=open_cases) if flt.has_open_case else qs.filter(id__not_in=open_cases)
    if flt.visited_recently is not None:
        visited = ids_of(
            HomeVisit.filter(visited_on__gte=visit_cutoff(rules, today), visited_on__lte=today),
            "child_id",
        )
        qs = qs.filter(id__in=visited) if flt.visited_recently else qs.filter(id__not_in=visited)
    qs = qs.filter(
        SignalJoins(signal_tables(rules, frame), scope=qs if _narrow(caller, flt) else None)
    )
    qs = qs.annotate(**{SCORE: RawSQL(score_sql(rules, frame))})
    if set(flt.levels) != set(RiskLevel):
        qs = qs.filter(_level_condition(rules, flt.levels))
    return qs.order_by(f"-{SCORE}", "name", "id"), rules


async def assess(children: Iterable[tuple[uuid.UUID, str]], today: date) -> dict[str, Assessment]:
    """The assessment of each ``(child id, division code)``: one statement per county, the
    values measured by the same SQL as the lists, the level decided by
    :func:`core.risk.evaluation.evaluate`."""
    by_county: dict[str, list[uuid.UUID]] = defaultdict(list)
    for child_id, code in children:
        by_county[code].append(child_id)
    out: dict[str, Assessment] = {}
    for code, ids in by_county.items():
        county_rules = rules_for(code)
        rules = county_rules.risk_rules
        frame = Frame.of(county_rules, today, is_postgres())
        columns = all_columns(rules, frame)
        page = Child.filter(id__in=ids)
        rows = (
            await page.filter(SignalJoins(signal_tables(rules, frame), scope=page))
            .annotate(**{name: RawSQL(sql) for name, sql in columns.items()})
            .values("id", *columns)
        )
        for row in rows:
            values = {rule.code: rule_value(rule, row) for rule in rules.rules}
            out[str(row["id"])] = evaluate(rules, values)
    return out


__all__ = [
    "UNATTENDED",
    "RiskFilter",
    "assess",
    "children_at_risk",
    "county_for",
    "min_score",
    "rule_set",
]
