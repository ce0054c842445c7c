"""The daily check (考勤预警): which children crossed an absence rule on a day, and the
suspected-dropout case each one gets.

The rules are the county's (:func:`core.hookspecs.baoxue_absence_rules`, with core's default):
those without a key period always, those of a key period on its days only
(:func:`core.attendance.calendar.rules_in_force`). Each rule is one SQL aggregation over
``attendance_mark`` for the whole county (``GROUP BY child_id HAVING COUNT(*) >= days``), never a
loop over children; the children caught are then handled together (:func:`check_county`):

* no case, or one that ended without a return (排除, 缓学, 转学): a case is reported with source
  ``ATTENDANCE_RULE``, all of the day's in one batch (:func:`core.cases.services.report_cases`,
  one transaction with their alerts), with an idempotency key per child and day, so a re-run
  returns the same cases;
* a case already open: the alert is linked to it, nothing else changes;
* a case returned, in 保学跟踪 or closed (反弹): that case is reopened
  (:func:`core.cases.services.reopen_case`), its timeline shows the reopening.

Every catch writes an :class:`~core.attendance.models.AttendanceAlert` with the absences as
evidence. An absence counts for one alert at most: the rules count only a child's absences after
the last day of the child's latest alert, so nobody is caught twice by the same absences, and a
child caught once is caught again only by new ones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.access.caller import Caller
from core.attendance.calendar import (
    LOOK_BACK,
    RuleInForce,
    closed_days,
    last_school_days,
    rules_in_force,
)
from core.attendance.models import AttendanceAlert, AttendanceMark, MarkKind
from core.cases import services as case_services
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.china_time import at_local, local_date
from core.enrolment.models import Enrolment
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction
from core.metrics.sql import Params, fetch, is_postgres
from core.plugins import rules_for
from core.rules.county import CountyRules
from core.rules.enums import AbsenceRuleKind

#: The name the check acts under on the case timeline.
ACTOR_NAME = "考勤预警 (系统)"
#: States from which a crossing reopens the case (反弹) rather than opening a new one.
REOPENABLE = frozenset({CaseState.RETURNED, CaseState.MONITORING, CaseState.CLOSED})
#: Who the check acts as.
SYSTEM = Caller.system()


@dataclass(frozen=True)
class Crossing:
    """One child over one rule on the day: the unexplained absences that count."""

    child_id: uuid.UUID
    rule: RuleInForce
    days: tuple[date, ...]


@dataclass
class CheckResult:
    """What one county's check on one day did."""

    jurisdiction_code: str
    day: date
    school_day: bool
    rules: list[RuleInForce] = field(default_factory=list)
    opened: list[AttendanceAlert] = field(default_factory=list)
    reopened: list[AttendanceAlert] = field(default_factory=list)
    already_open: list[AttendanceAlert] = field(default_factory=list)

    @property
    def alerts(self) -> list[AttendanceAlert]:
        return [*self.opened, *self.reopened, *self.already_open]


#: Absences after the child's latest alert (each absence is evidence once).
NOT_COUNTED_YET = (
    "NOT EXISTS (SELECT 1 FROM attendance_alert a "
    "WHERE a.child_id = m.child_id AND a.last_day >= m.day)"
)
#: Children whose suspected-dropout case is being worked on (open, and not back in school).
NO_OPEN_CASE = (
    "NOT EXISTS (SELECT 1 FROM case_file c WHERE c.child_id = m.child_id "
    f"AND c.kind = '{CaseKind.DROPOUT.value}' AND c.open_key IS NOT NULL "
    f"AND c.state NOT IN ('{CaseState.RETURNED.value}', '{CaseState.MONITORING.value}'))"
)


async def _over(
    jurisdiction_id: uuid.UUID,
    days: list[date] | tuple[date, date],
    threshold: int,
    *,
    schools: list[uuid.UUID] | None = None,
    without: list[uuid.UUID] | None = None,
) -> dict[uuid.UUID, int]:
    """Children of the county with at least ``threshold`` unexplained absences not yet counted,
    on ``days`` (a list of days, or a (first, last) range), as ``{child_id: count}``."""
    p = Params(is_postgres())
    where = [
        f"m.jurisdiction_id = {p(jurisdiction_id)}",
        f"m.kind = {p(MarkKind.UNEXPLAINED.value)}",
        NOT_COUNTED_YET,
        NO_OPEN_CASE,
    ]
    if isinstance(days, tuple):
        where.append(f"m.day BETWEEN {p(days[0])} AND {p(days[1])}")
    else:
        where.append(f"m.day IN {p.many(days)}")
    if schools is not None:
        where.append(f"m.school_id IN {p.many(schools)}")
    if without:
        where.append(f"m.school_id NOT IN {p.many(without)}")
    sql = (
        "SELECT m.child_id AS child_id, COUNT(*) AS n FROM attendance_mark m WHERE "
        + " AND ".join(where)
        + f" GROUP BY m.child_id HAVING COUNT(*) >= {p(threshold)}"
    )
    rows = await fetch(sql, p)
    return {uuid.UUID(str(r["child_id"])): int(r["n"]) for r in rows}


async def crossings(jurisdiction_id: uuid.UUID, rules: CountyRules, day: date) -> list[Crossing]:
    """The children who cross a rule in force on ``day``, each once (the strictest rule that
    catches them), with the absences that count."""
    calendar = rules.term_calendar
    in_force = rules_in_force(rules, day)
    if not in_force or not calendar.is_school_day(day):
        return []
    closures = await closed_days(jurisdiction_id, day - LOOK_BACK, day)
    found: dict[uuid.UUID, tuple[RuleInForce, tuple[date, date] | list[date]]] = {}
    for entry in in_force:
        rule = entry.rule
        if rule.kind is AbsenceRuleKind.CONSECUTIVE:
            county_days = [
                d for d in last_school_days(calendar, day, rule.days) if d >= entry.since
            ]
            hits: dict[uuid.UUID, list[date]] = {}
            if len(county_days) == rule.days:
                for child in await _over(
                    jurisdiction_id, county_days, rule.days, without=list(closures)
                ):
                    hits[child] = county_days
            for school_id, shut in closures.items():  # schools with their own closures
                own = [
                    d for d in last_school_days(calendar, day, rule.days, shut) if d >= entry.since
                ]
                if len(own) == rule.days and own[-1] == day:
                    for child in await _over(jurisdiction_id, own, rule.days, schools=[school_id]):
                        hits[child] = own
            for child, window in hits.items():
                found.setdefault(child, (entry, window))
        else:
            first = max(day.replace(day=1), entry.since)
            for child in await _over(jurisdiction_id, (first, day), rule.days):
                found.setdefault(child, (entry, (first, day)))
    if not found:
        return []
    # What counts: absences after the child's latest alert and after the child's latest return
    # to school (复学), so a child back from a case starts afresh. The aggregate above counted a
    # superset; only the few children it found are looked at here.
    since = await _counted_from(list(found))
    evidence: dict[uuid.UUID, list[date]] = {}
    rows = await AttendanceMark.filter(
        child_id__in=list(found),
        kind=MarkKind.UNEXPLAINED,
        day__gte=min(_first(w) for _, w in found.values()),
        day__lte=day,
    ).values_list("child_id", "day")
    for child_id, when in rows:
        entry, window = found[child_id]
        inside = when in window if isinstance(window, list) else window[0] <= when <= window[1]
        if inside and when > since.get(child_id, date.min):
            evidence.setdefault(child_id, []).append(when)
    caught = []
    for child in sorted(found, key=str):
        entry, _ = found[child]
        days = tuple(sorted(evidence.get(child, [])))
        if len(days) >= entry.rule.days:
            caught.append(Crossing(child, entry, days))
    return caught


def _first(window: tuple[date, date] | list[date]) -> date:
    return window[0]


async def _counted_from(children: list[uuid.UUID]) -> dict[uuid.UUID, date]:
    """Per child, the last day whose absences no longer count: the last day of the latest
    alert's evidence, or the day of the latest return to school, whichever is later."""
    latest: dict[uuid.UUID, date] = {}
    for child_id, last in await AttendanceAlert.filter(child_id__in=children).values_list(
        "child_id", "last_day"
    ):
        latest[child_id] = max(last, latest.get(child_id, date.min))
    returns = await CaseEvent.filter(
        case__child_id__in=children, kind=CaseEventKind.RETURN
    ).values_list("case__child_id", "occurred_at")
    for child_id, moment in returns:
        latest[child_id] = max(local_date(moment), latest.get(child_id, date.min))
    return latest


def describe(crossing: Crossing) -> str:
    """The evidence in words, for the case timeline: the rule and the days."""
    days = "、".join(d.isoformat() for d in crossing.days)
    period = f" (重点时段 {crossing.rule.period})" if crossing.rule.period else ""
    return f"考勤预警: {crossing.rule.rule.name}{period}; 无故缺勤 {len(crossing.days)} 天: {days}"


def _alert_values(
    crossing: Crossing, jurisdiction_id: uuid.UUID, day: date, school_id: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "jurisdiction_id": jurisdiction_id,
        "school_id": school_id,
        "child_id": crossing.child_id,
        "day": day,
        "rule_code": crossing.rule.rule.code,
        "rule_name": crossing.rule.rule.name[:128],
        "key_period": crossing.rule.period,
        "first_day": crossing.days[0],
        "last_day": crossing.days[-1],
        "absences": len(crossing.days),
        "evidence": [
            {"day": d.isoformat(), "kind": MarkKind.UNEXPLAINED.value} for d in crossing.days
        ],
    }


async def _school_of(child_id: uuid.UUID) -> uuid.UUID | None:
    enrolment = (
        await Enrolment.filter(child_id=child_id, is_current=True).order_by("-started_on").first()
    )
    return enrolment.school_id if enrolment else None


async def _handle(
    crossing: Crossing, jurisdiction_id: uuid.UUID, day: date, now: datetime, result: CheckResult
) -> None:
    existing = await AttendanceAlert.get_or_none(child_id=crossing.child_id, day=day)
    if existing is not None:  # a re-run of the same day
        result.already_open.append(existing)
        return
    school_id = await _school_of(crossing.child_id)
    values = _alert_values(crossing, jurisdiction_id, day, school_id)
    occurred = min(now, at_local(day, time(18, 0)))
    case = (
        await Case.filter(child_id=crossing.child_id, kind=CaseKind.DROPOUT)
        .order_by("-opened_at")
        .first()
    )
    text = describe(crossing)
    if case is not None and CaseState(case.state) in REOPENABLE:
        created: list[AttendanceAlert] = []

        async def record_alert(c: Case, moment: datetime, actor: Any, payload: Any) -> Any:
            created.append(await AttendanceAlert.create(case_id=c.id, reopened=True, **values))
            return payload

        await case_services.reopen_case(
            case_services.Command(
                caller=SYSTEM,
                case_id=case.id,
                expected_version=case.version,
                now=now,
                # a case changed after the day's evening (a back-dated run) reopens now
                occurred_at=occurred if case.updated_at <= occurred else None,
                actor=case_services.Actor(name=ACTOR_NAME),
            ),
            source=CaseSource.ATTENDANCE_RULE,
            reason_detail=text,
            then=record_alert,
        )
        result.reopened.extend(created)
        return
    if case is not None and case.open_key is not None:
        alert = await AttendanceAlert.create(case_id=case.id, **values)
        result.already_open.append(alert)
        return
    opened, _ = await case_services.report_case(_report(crossing, day, now, school_id))
    try:
        alert = await AttendanceAlert.create(case_id=opened.id, **values)
    except IntegrityError:  # a concurrent run of the same day wrote it first
        alert = await AttendanceAlert.get(child_id=crossing.child_id, day=day)
    result.opened.append(alert)


async def check_county(
    jurisdiction: Jurisdiction, day: date, now: datetime | None = None
) -> CheckResult:
    """Run the county's absence rules for ``day`` and open or reopen the cases they call for.

    The children caught are handled together, in a fixed number of statements: the day's
    alerts already written (a re-run) are found in one query, the alerts of children whose
    case is open are written in one insert, and the new cases with their alerts in one batch
    (:func:`core.cases.services.report_cases`, one transaction). Only a relapse (反弹) goes case
    by case through :func:`core.cases.services.reopen_case` (a workflow step with its version
    check). Should the batch meet a concurrent writer (a case reported meanwhile, a parallel
    run of the same day), it is rolled back and its children are handled one by one.
    """
    now = now or datetime.now(UTC)
    rules = rules_for(jurisdiction.division_code)
    result = CheckResult(
        jurisdiction.division_code,
        day,
        rules.term_calendar.is_school_day(day),
        rules_in_force(rules, day),
    )
    found = await crossings(jurisdiction.id, rules, day)
    if not found:
        return result
    children = [c.child_id for c in found]
    done = {a.child_id: a for a in await AttendanceAlert.filter(child_id__in=children, day=day)}
    latest: dict[uuid.UUID, Case] = {}
    for case in await Case.filter(child_id__in=children, kind=CaseKind.DROPOUT).order_by(
        "opened_at"
    ):
        latest[case.child_id] = case
    schools = await _schools_of(children)
    linked: list[AttendanceAlert] = []
    to_open: list[Crossing] = []
    for crossing in found:
        child = crossing.child_id
        if child in done:  # a re-run of the same day
            result.already_open.append(done[child])
            continue
        case = latest.get(child)
        if case is not None and CaseState(case.state) in REOPENABLE:
            await _handle(crossing, jurisdiction.id, day, now, result)
        elif case is not None and case.open_key is not None:
            values = _alert_values(crossing, jurisdiction.id, day, schools.get(child))
            linked.append(AttendanceAlert(id=uuid.uuid4(), case_id=case.id, **values))
        else:
            to_open.append(crossing)
    if linked:
        try:
            async with in_transaction():
                await AttendanceAlert.bulk_create(linked)
            result.already_open.extend(linked)
        except IntegrityError:  # a concurrent run of the same day wrote some first
            for alert in linked:
                crossing = next(c for c in found if c.child_id == alert.child_id)
                await _handle(crossing, jurisdiction.id, day, now, result)
    if to_open:
        await _open_batch(to_open, jurisdiction.id, day, now, schools, result)
    return result


async def _schools_of(children: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each child's current school (the latest current enrolment), as :func:`_school_of`."""
    out: dict[uuid.UUID, uuid.UUID] = {}
    for child_id, school_id in await (
        Enrolment.filter(child_id__in=children, is_current=True)
        .order_by("started_on")
        .values_list("child_id", "school_id")
    ):
        out[child_id] = school_id
    return out


def _report(
    crossing: Crossing, day: date, now: datetime, school_id: uuid.UUID | None
) -> case_services.ReportInput:
    """The suspected-dropout report for a crossing: what the case and its timeline say."""
    return case_services.ReportInput(
        caller=SYSTEM,
        child_id=crossing.child_id,
        kind=CaseKind.DROPOUT,
        source=CaseSource.ATTENDANCE_RULE,
        now=now,
        reason="UNKNOWN",
        reason_detail=describe(crossing),
        school_id=school_id,
        occurred_at=min(now, at_local(day, time(18, 0))),
        actor=case_services.Actor(name=ACTOR_NAME),
        idempotency_key=f"attendance-rule:{crossing.child_id}:{day.isoformat()}",
    )


async def _open_batch(
    batch: list[Crossing],
    jurisdiction_id: uuid.UUID,
    day: date,
    now: datetime,
    schools: dict[uuid.UUID, uuid.UUID],
    result: CheckResult,
) -> None:
    """The new cases of the day and their alerts, in one transaction."""
    by_child = {c.child_id: c for c in batch}
    alerts: list[AttendanceAlert] = []

    async def write_alerts(cases: list[Case]) -> None:
        for case in cases:
            crossing = by_child[case.child_id]
            values = _alert_values(crossing, jurisdiction_id, day, schools.get(case.child_id))
            alerts.append(AttendanceAlert(id=uuid.uuid4(), case_id=case.id, **values))
        if alerts:
            await AttendanceAlert.bulk_create(alerts)

    try:
        opened = await case_services.report_cases(
            [_report(c, day, now, schools.get(c.child_id)) for c in batch], then=write_alerts
        )
    except (IntegrityError, DomainError) as error:
        if isinstance(error, DomainError) and error.code is not ErrorCode.DUPLICATE:
            raise
        for crossing in batch:  # someone else got there first: one by one
            await _handle(crossing, jurisdiction_id, day, now, result)
        return
    result.opened.extend(alerts)
    for case, again in opened:
        if again:  # a case of an earlier run that stopped before its alert: written now
            await _handle(by_child[case.child_id], jurisdiction_id, day, now, result)


async def check(
    day: date, jurisdiction_code: str | None = None, now: datetime | None = None
) -> list[CheckResult]:
    """The check for every county in the database (or the one named)."""
    query = Jurisdiction.all().order_by("division_code")
    if jurisdiction_code:
        query = query.filter(division_code=jurisdiction_code)
    return [await check_county(j, day, now) for j in await query]


def local_noon(day: date) -> datetime:
    """Noon in China on ``day`` (the moment a simulated day's records are made)."""
    return at_local(day, time(12, 0))
