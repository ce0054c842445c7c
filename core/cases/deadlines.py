"""Deadlines of open cases: which clock a case is on, when it runs out, who answers for it.

A case carries one ``next_deadline_at``. The services set it whenever a clock starts:

=================  ======================  ============================================
state              clock                   starts at
=================  ======================  ============================================
REPORTED           REPORT_MARKING          the report
VERIFYING          VERIFICATION            the start of verification
CONFIRMED,         ESCALATION_STEP         confirmation, each escalation, a relapse,
PERSUADING,                                resumed contact, being handed on as unreachable
UNREACHABLE        (RETURN_NOTICE_RESPONSE the notice's own deadline, once one is issued)
RETURNED,          FOLLOW_UP_WINDOW        the return to school (销号 is allowed after it)
MONITORING
=================  ======================  ============================================

A level that names a deadline (``EscalationLevel.deadline``: the township's TOWNSHIP_ACTION)
runs on it instead of ESCALATION_STEP, at the top of the chain too, so a case handed to the
township is overdue like any other.

Contacts and follow-ups never move a deadline: talking to a family does not buy a level more
time. A case is *overdue* when its deadline has passed; *escalation is due* when it is overdue
in a state from which it can go up the chain and it is not at the top already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import restrict
from core.cases import queries
from core.cases.enums import CaseEventKind, CaseState
from core.cases.events import ReturnNotice
from core.cases.models import Case, CaseEvent
from core.cases.policy import CaseRules, rules_for
from core.cases.workflow import TRANSITIONS, CaseAction
from core.jurisdictions.models import Jurisdiction
from core.rules.enums import DeadlineKind

S = CaseState

#: States whose clock is the escalation chain's.
CHAIN_STATES = frozenset({S.CONFIRMED, S.PERSUADING, S.UNREACHABLE})
#: States from which an overdue case should go up the chain.
ESCALATABLE_STATES = frozenset(TRANSITIONS[CaseAction.ESCALATE])


@dataclass(frozen=True)
class Due:
    """A case's current clock."""

    at: datetime | None
    kind: DeadlineKind | None
    office: str
    notify: tuple[str, ...] = ()


def _plus(start: datetime, days: int | None) -> datetime | None:
    return None if days is None else start + timedelta(days=days)


def clock_for(
    state: CaseState,
    *,
    rules: CaseRules,
    level: int,
    since: datetime,
    notice_deadline: datetime | None = None,
) -> Due:
    """The clock a case in ``state`` is on when it starts at ``since``.

    ``notice_deadline`` is the deadline of an outstanding 劝返复学通知书; it replaces the
    level's own time.
    """
    if state is S.REPORTED:
        clock = rules.clock(DeadlineKind.REPORT_MARKING)
        return Due(_plus(since, clock.days), clock.kind, clock.office, clock.notify)
    if state is S.VERIFYING:
        clock = rules.clock(DeadlineKind.VERIFICATION)
        return Due(_plus(since, clock.days), clock.kind, clock.office, clock.notify)
    if state in CHAIN_STATES:
        current = rules.level(level)
        if notice_deadline is not None and state is not S.UNREACHABLE:
            clock = rules.clock(DeadlineKind.RETURN_NOTICE_RESPONSE)
            return Due(notice_deadline, clock.kind, current.office, clock.notify)
        if current.deadline is not None:  # the township's clock, at the top of a chain too
            clock = rules.clock(current.deadline)
            return Due(
                _plus(since, clock.days), clock.kind, current.office, clock.notify + current.notify
            )
        above = rules.level(level + 1) if level < rules.top_level else None
        notify = (above.office,) if above else ()
        return Due(
            _plus(since, rules.level_days(level)),
            DeadlineKind.ESCALATION_STEP,
            current.office,
            notify + current.notify,
        )
    if state in (S.RETURNED, S.MONITORING):
        clock = rules.clock(DeadlineKind.FOLLOW_UP_WINDOW)
        return Due(_plus(since, clock.days), clock.kind, rules.monitoring_office, clock.notify)
    return Due(None, None, "")


def describe(
    state: CaseState, *, rules: CaseRules, level: int, deadline: datetime | None, on_notice: bool
) -> Due:
    """The clock behind a stored ``next_deadline_at`` (for listings and the CLI)."""
    anchor = datetime.min.replace(tzinfo=UTC)
    due = clock_for(
        state, rules=rules, level=level, since=anchor, notice_deadline=anchor if on_notice else None
    )
    return Due(deadline, due.kind if deadline else None, due.office, due.notify)


async def escalation_due_q(now: datetime, due: bool = True) -> Q:
    """Overdue cases that can and should go up the chain (not at the top level already);
    with ``due=False``, every other case.

    The top of the chain depends on the jurisdiction, so the condition is one clause per
    jurisdiction (a deployment holds a handful).
    """
    per_jurisdiction = Q(id__isnull=True)  # matches nothing; OR-ed with the real clauses
    for jid, code in await Jurisdiction.all().values_list("id", "division_code"):
        top = rules_for(code).top_level
        per_jurisdiction |= Q(jurisdiction_id=jid, escalation_level__lt=top)
    escalatable = Q(state__in=[s.value for s in ESCALATABLE_STATES])
    condition = queries.overdue_q(now) & escalatable & per_jurisdiction
    # Spelt out for the complement so that a NULL deadline counts as "not due".
    return condition if due else Q(next_deadline_at__isnull=True) | ~condition


# -- what is due: the listing behind ``baoxue deadlines`` -----------------------------------


@dataclass(frozen=True)
class DueCase:
    """One open case whose deadline has passed or is near, with who answers for it."""

    case_id: str
    jurisdiction_code: str
    jurisdiction_name: str
    child_name: str
    school_name: str
    state: CaseState
    level: int
    level_name: str
    clock: DeadlineKind | None
    office: str
    notify: tuple[str, ...]
    deadline: datetime
    overdue: bool
    #: Whole days past the deadline (0 when not yet overdue).
    days_overdue: int
    escalation_due: bool


async def _on_notice(case_ids: list) -> dict[str, datetime]:
    """``{case id: deadline}`` of the latest 劝返复学通知书 of each case."""
    latest: dict[str, datetime] = {}
    events = (
        await CaseEvent.filter(case_id__in=case_ids, kind=CaseEventKind.RETURN_NOTICE)
        .order_by("occurred_at", "recorded_at")
        .values("case_id", "details")
    )
    for row in events:
        notice = ReturnNotice.from_details(row["details"] or {})
        latest[str(row["case_id"])] = notice.deadline_at
    return latest


async def due_cases(
    caller: Caller,
    now: datetime,
    *,
    within: timedelta = timedelta(0),
    jurisdiction_code: str | None = None,
) -> list[DueCase]:
    """Open cases ``caller`` may read whose deadline is before ``now + within``, most overdue
    first."""
    require_permission(caller, Permission.READ_CASES, Permission.READ_ESCALATED_CASES)
    query = Case.filter(next_deadline_at__isnull=False, next_deadline_at__lt=now + within).exclude(
        state__in=[s.value for s in S if not s.is_open]
    )
    if jurisdiction_code:
        query = query.filter(jurisdiction__division_code=jurisdiction_code)
    rows = (
        await restrict(query, caller)
        .order_by("next_deadline_at", "id")
        .values(
            "id",
            "state",
            "escalation_level",
            "next_deadline_at",
            "jurisdiction__division_code",
            "jurisdiction__name",
            "child__name",
            "school__name",
        )
    )
    notices = await _on_notice([r["id"] for r in rows]) if rows else {}
    result = []
    for row in rows:
        code = row["jurisdiction__division_code"]
        rules = rules_for(code)
        state = CaseState(row["state"])
        level = row["escalation_level"]
        deadline = row["next_deadline_at"]
        on_notice = notices.get(str(row["id"])) == deadline
        due = describe(state, rules=rules, level=level, deadline=deadline, on_notice=on_notice)
        overdue = deadline < now
        result.append(
            DueCase(
                case_id=str(row["id"]),
                jurisdiction_code=code,
                jurisdiction_name=row["jurisdiction__name"],
                child_name=row["child__name"],
                school_name=row["school__name"] or "",
                state=state,
                level=level,
                level_name=rules.level(level).name,
                clock=due.kind,
                office=due.office,
                notify=due.notify,
                deadline=deadline,
                overdue=overdue,
                days_overdue=(now - deadline).days if overdue else 0,
                escalation_due=overdue and state in ESCALATABLE_STATES and level < rules.top_level,
            )
        )
    return result


def by_office(items: list[DueCase]) -> dict[tuple[str, str], list[DueCase]]:
    """Items grouped by ``(jurisdiction code, responsible office)``, groups in order of their
    most overdue case."""
    groups: dict[tuple[str, str], list[DueCase]] = {}
    for item in items:
        groups.setdefault((item.jurisdiction_code, item.office), []).append(item)
    return groups
