"""School days (上学日): the county's term calendar (a hook) less a school's own closures, and
the days each key period covers, which decide the absence rules in force on a day."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from core.attendance.models import SchoolClosure
from core.rules.county import CountyRules
from core.rules.enums import PeriodAnchor, TermSeason
from core.rules.specs import AbsenceRule, KeyPeriod, SchoolTerm, TermCalendar

#: How far back a consecutive rule may look for its school days (a long holiday included).
LOOK_BACK = timedelta(days=120)


def key_period_window(period: KeyPeriod, term: SchoolTerm) -> tuple[date, date] | None:
    """The days of ``term`` that ``period`` covers (both ends included), or None.

    A period anchored at the start of term (or of the autumn or spring term) runs ``days``
    calendar days from the term's first day, or the whole term when ``days`` is None; a
    holiday period has no school days.
    """
    anchor = period.anchor
    if anchor is PeriodAnchor.AUTUMN_TERM_START and term.season is not TermSeason.AUTUMN:
        return None
    if anchor is PeriodAnchor.SPRING_TERM_START and term.season is not TermSeason.SPRING:
        return None
    if anchor in (PeriodAnchor.WINTER_HOLIDAY, PeriodAnchor.SUMMER_HOLIDAY):
        return None
    if period.days is None:
        return term.first_day, term.last_day
    return term.first_day, min(term.last_day, term.first_day + timedelta(days=period.days - 1))


@dataclass(frozen=True)
class RuleInForce:
    """An absence rule that applies on a day; ``since`` is the first day it counts from (the
    start of its key period, or of the term) and ``period`` the key period's code, if any."""

    rule: AbsenceRule
    since: date
    period: str = ""


def rules_in_force(rules: CountyRules, day: date) -> list[RuleInForce]:
    """The county's absence rules that apply on ``day``, the strictest (fewest days) first:
    every rule without a key period, and those whose key period covers ``day``."""
    term = rules.term_calendar.term_of(day)
    if term is None:
        return []
    periods = {p.code: p for p in rules.key_periods}
    found: list[RuleInForce] = []
    for rule in rules.absence_rules:
        if rule.key_period is None:
            found.append(RuleInForce(rule, term.first_day))
            continue
        window = key_period_window(periods[rule.key_period], term)
        if window is not None and window[0] <= day <= window[1]:
            found.append(RuleInForce(rule, window[0], rule.key_period))
    return sorted(found, key=lambda r: r.rule.days)


def school_days(calendar: TermCalendar, first: date, last: date) -> list[date]:
    """The county's school days from ``first`` to ``last``, in order."""
    days = []
    day = first
    while day <= last:
        if calendar.is_school_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def last_school_days(
    calendar: TermCalendar, day: date, count: int, closed: Iterable[date] = ()
) -> list[date]:
    """The last ``count`` school days up to ``day`` (included) in ``day``'s term, oldest first,
    skipping ``closed`` days; fewer when the term has not had that many."""
    term = calendar.term_of(day)
    if term is None:
        return []
    shut = set(closed)
    days = [d for d in school_days(calendar, term.first_day, day) if d not in shut]
    return days[-count:]


async def closed_days(
    jurisdiction_id: uuid.UUID, first: date, last: date, school_id: uuid.UUID | None = None
) -> dict[uuid.UUID, set[date]]:
    """Each school's closure days between ``first`` and ``last`` (schools with none left out)."""
    query = SchoolClosure.filter(
        jurisdiction_id=jurisdiction_id, first_day__lte=last, last_day__gte=first
    )
    if school_id is not None:
        query = query.filter(school_id=school_id)
    found: dict[uuid.UUID, set[date]] = {}
    for sid, start, end in await query.values_list("school_id", "first_day", "last_day"):
        day = max(start, first)
        while day <= min(end, last):
            found.setdefault(sid, set()).add(day)
            day += timedelta(days=1)
    return found


async def is_school_day_at(
    calendar: TermCalendar, jurisdiction_id: uuid.UUID, school_id: uuid.UUID, day: date
) -> bool:
    """Whether ``school_id`` holds classes on ``day``: a county school day it has not closed."""
    if not calendar.is_school_day(day):
        return False
    closed = await closed_days(jurisdiction_id, day, day, school_id)
    return day not in closed.get(school_id, set())
