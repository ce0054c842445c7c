"""The SQL that measures each risk rule for every child at once, and the score and level built
from it: correlated subqueries on the ``child`` row, so a list of children is filtered, ordered
and counted by its risk inside the database (never a Python loop over the children).

Each rule gives the columns its value is computed from (:func:`rule_columns`, one or two
subqueries) and the condition under which it fires (:func:`rule_condition`); the score is the
sum of the weights of the conditions that hold (:func:`score_sql`). Values in the statement
are numbers from the validated rule set, core's own vocabulary, and dates written by Python:
no user input is formatted in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.cases.enums import CaseKind, CaseState
from core.people.models import Child
from core.reports.periods import parse_period
from core.rules.enums import Comparison, PeriodKind, RiskSignal
from core.rules.specs import RiskRule, RiskRuleSet, TermCalendar

if TYPE_CHECKING:
    from core.rules.county import CountyRules

#: The outer row every subquery is correlated with.
CHILD = f'"{Child._meta.db_table}"'

#: Cases that say a child was out of school once and came back (曾辍学后复学).
_PAST_KINDS = (CaseKind.DROPOUT.value, CaseKind.NEVER_ENROLLED.value)
_PAST_STATES = (CaseState.RETURNED.value, CaseState.MONITORING.value, CaseState.CLOSED.value)


def term_of(day: date, calendar: TermCalendar | None = None) -> tuple[date, date]:
    """The first and last day of the term ``day`` counts in: the county calendar's term
    (in a holiday, the last term before it), else the reports' TERM period (autumn: 9-01 to
    the end of February; spring: 3-01 to 8-31)."""
    if calendar is not None:
        began = [t for t in calendar.terms if t.first_day <= day]
        if began:
            term = max(began, key=lambda t: t.first_day)
            return term.first_day, term.last_day
    if day.month >= 9:
        value = f"{day.year}-autumn"
    elif day.month <= 2:
        value = f"{day.year - 1}-autumn"
    else:
        value = f"{day.year}-spring"
    period = parse_period(PeriodKind.TERM, value)
    return period.start, period.end


@dataclass(frozen=True)
class Frame:
    """What the measurement is about: the day, the first day of its term and the database's
    dialect."""

    as_of: date
    term_start: date
    postgres: bool

    @classmethod
    def of(cls, rules: CountyRules, as_of: date, postgres: bool) -> Frame:
        return cls(as_of, term_of(as_of, rules.term_calendar)[0], postgres)

    @property
    def school_year(self) -> int:
        return self.as_of.year if self.as_of.month >= 9 else self.as_of.year - 1

    def day(self, value: date) -> str:
        """A date literal (the text SQLite stores, a date PostgreSQL compares with)."""
        text = f"'{value.isoformat()}'"
        return f"DATE {text}" if self.postgres else text

    def year(self, column: str) -> str:
        if self.postgres:
            return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
        return f"CAST(strftime('%Y', {column}) AS INTEGER)"

    def month(self, column: str) -> str:
        if self.postgres:
            return f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)"
        return f"CAST(strftime('%m', {column}) AS INTEGER)"

    def school_year_of(self, column: str) -> str:
        """The school year a date column falls in (2026 for 2026-09-01 … 2027-08-31)."""
        return f"({self.year(column)} - CASE WHEN {self.month(column)} < 9 THEN 1 ELSE 0 END)"


def _quote(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _number(value: Decimal | int) -> str:
    return format(Decimal(value), "f")


# -- one rule ----------------------------------------------------------------------------------


def rule_columns(rule: RiskRule, frame: Frame) -> dict[str, str]:
    """The columns (name → SQL) a rule's value is computed from, named after the rule."""
    key = rule.code.lower()
    signal = rule.signal
    if signal is RiskSignal.KEY_GROUPS:
        groups = _quote(tuple(g.value for g in rule.key_groups))
        return {
            key: "(SELECT COUNT(*) FROM child_key_group g "
            f'WHERE g.child_id = {CHILD}."id" AND g.ended_on IS NULL AND g."group" IN {groups})'
        }
    if signal is RiskSignal.PAST_CASES:
        return {
            key: "(SELECT COUNT(*) FROM case_file k "
            f'WHERE k.child_id = {CHILD}."id" AND k.kind IN {_quote(_PAST_KINDS)} '
            f"AND k.state IN {_quote(_PAST_STATES)})"
        }
    if signal is RiskSignal.REPEATED_GRADES:
        # Distinct (school year, grade) pairs less distinct grades: a grade held in two school
        # years is one repeat; a transfer inside a school year is none.
        year = frame.school_year_of("e.started_on")
        return {
            key: f"(SELECT COUNT(DISTINCT {year} * 10 + e.grade) - COUNT(DISTINCT e.grade) "
            f'FROM enrolment e WHERE e.child_id = {CHILD}."id")'
        }
    if signal is RiskSignal.AGE_OVER_GRADE:
        # The autumn the child's cohort entered grade 1 (six by 31 August of that year).
        birth = f"{CHILD}.birth_date"
        entry = f"({frame.year(birth)} + 6 + CASE WHEN {frame.month(birth)} >= 9 THEN 1 ELSE 0 END)"
        return {
            key: f"(SELECT {frame.school_year} - {entry} + 1 - e.grade FROM enrolment e "
            f"WHERE e.child_id = {CHILD}.\"id\" AND e.is_current AND e.status = 'ENROLLED' "
            "LIMIT 1)"
        }
    from core.risk.attendance import attendance_columns

    return attendance_columns(rule, frame, key)


def rule_value(rule: RiskRule, row: Mapping[str, Any]) -> Decimal | None:
    """A rule's value from the columns :func:`rule_columns` gave (None: nothing to measure)."""
    key = rule.code.lower()
    if rule.signal is RiskSignal.ATTENDANCE_RATE:
        recorded = int(row.get(f"{key}_recorded") or 0)
        if recorded == 0:
            return None
        return Decimal(int(row.get(f"{key}_present") or 0) * 100) / Decimal(recorded)
    value = row.get(key)
    return None if value is None else Decimal(int(value))


def rule_condition(rule: RiskRule, frame: Frame) -> str:
    """SQL that holds when the rule fires for the outer child."""
    op = ">=" if rule.comparison is Comparison.AT_LEAST else "<="
    columns = rule_columns(rule, frame)
    threshold = _number(rule.threshold)
    if rule.signal is RiskSignal.ATTENDANCE_RATE:
        key = rule.code.lower()
        present, recorded = columns[f"{key}_present"], columns[f"{key}_recorded"]
        # present / recorded (in %) compared without division: present * 100 op t * recorded.
        return f"({recorded} > 0 AND {present} * 100 {op} {threshold} * {recorded})"
    (column,) = columns.values()
    return f"({column} {op} {threshold})"


# -- the whole set -----------------------------------------------------------------------------


def score_sql(rules: RiskRuleSet, frame: Frame) -> str:
    """The child's score: the weights of the rules that fire, added up."""
    parts = [
        f"CASE WHEN {rule_condition(rule, frame)} THEN {rule.weight} ELSE 0 END"
        for rule in rules.rules
    ]
    return "(" + " + ".join(parts) + ")"


def all_columns(rules: RiskRuleSet, frame: Frame) -> dict[str, str]:
    """Every column the rules' values are computed from (for one page's explanations)."""
    columns: dict[str, str] = {}
    for rule in rules.rules:
        columns.update(rule_columns(rule, frame))
    return columns


def visit_cutoff(rules: RiskRuleSet, as_of: date) -> date:
    """The first day that counts as recent for a home visit (the last ``visit_days`` days)."""
    return as_of - timedelta(days=rules.visit_days - 1)
