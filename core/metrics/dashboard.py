"""The county dashboard (县级工作看板): targets with their gaps, the accounting, the cases by
state and by escalation level, and what is overdue by responsible office — each from one
statement, so the whole board is a handful of statements however large the county."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import restrict
from core.cases import policy
from core.cases.deadlines import by_office, due_cases
from core.cases.enums import CaseState
from core.cases.models import Case
from core.metrics.service import Dashboard, dashboard
from core.metrics.sql import Frame


@dataclass(frozen=True)
class CaseCount:
    key: str
    label: str
    cases: int


@dataclass(frozen=True)
class OfficeOverdue:
    """逾期个案 by the office that must act (core.cases.deadlines)."""

    office: str
    cases: int
    most_days_overdue: int


@dataclass(frozen=True)
class CountyDashboard:
    board: Dashboard
    cases_by_state: list[CaseCount]
    cases_by_level: list[CaseCount]
    overdue_by_office: list[OfficeOverdue]


async def county_dashboard(caller: Caller, frame: Frame, now: datetime) -> CountyDashboard:
    """The board of ``frame``'s county for ``caller`` (cases as the caller may see them)."""
    board = await dashboard(frame)
    code = frame.place.jurisdiction_code
    by_state: list[CaseCount] = []
    by_level: list[CaseCount] = []
    offices: list[OfficeOverdue] = []
    if caller.can(Permission.READ_CASES) or caller.can(Permission.READ_ESCALATED_CASES):
        cases = restrict(Case.filter(jurisdiction_id=frame.place.jurisdiction_id), caller)
        rows = await cases.annotate(n=Count("id")).group_by("state").values("state", "n")
        counts = {r["state"]: r["n"] for r in rows}
        by_state = [CaseCount(s.value, s.label, counts.get(s, 0)) for s in CaseState]
        open_states = [s.value for s in CaseState if s.is_open]
        rows = (
            await cases.filter(state__in=open_states)
            .annotate(n=Count("id"))
            .group_by("escalation_level")
            .values("escalation_level", "n")
        )
        rules = policy.rules_for(code)
        levels = {r["escalation_level"]: r["n"] for r in rows}
        by_level = [
            CaseCount(str(level), rules.level(level).name, levels.get(level, 0))
            for level in range(rules.top_level + 1)
        ]
        due = await due_cases(caller, now, jurisdiction_code=code)
        for (_, office), items in by_office([d for d in due if d.overdue]).items():
            offices.append(OfficeOverdue(office, len(items), max(i.days_overdue for i in items)))
    return CountyDashboard(board, by_state, by_level, offices)
