"""The SQL that measures each risk rule for every child of a scope at once, and the score and
level built from it, so a list of children is filtered, ordered and counted by its risk inside
the database (never a Python loop over the children, never a subquery per child).

Each signal is one grouped query over its table (the term's attendance marks, the class
registers, the key-group memberships, the cases, the enrolments), restricted to the children
of the scope and computed once per statement (:class:`SignalTable`); the list's statement joins
them to the ``child`` row on the child's id (:mod:`core.risk.joins`). Each rule's value is a
column over those tables (:func:`rule_columns`), it fires under :func:`rule_condition`, and the
score is the sum of the weights of the conditions that hold (:func:`score_sql`). Values in the
statement are numbers from the validated rule set, core's own vocabulary, and dates written by
Python: no user input is formatted in; the scope's own conditions stay parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.cases.enums import CaseKind, CaseState
from core.people.models import Child
from core.reports.periods import term_of
from core.rules.enums import Comparison, RiskSignal
from core.rules.specs import RiskRule, RiskRuleSet

if TYPE_CHECKING:
    from core.rules.county import CountyRules

#: The outer row the signal tables are joined to.
CHILD = f'"{Child._meta.db_table}"'

#: Cases that say a child was out of school once and came back (曾辍学后复学).
_PAST_KINDS = (CaseKind.DROPOUT.value, CaseKind.NEVER_ENROLLED.value)
_PAST_STATES = (CaseState.RETURNED.value, CaseState.MONITORING.value, CaseState.CLOSED.value)


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


#: Where a signal table's SQL names the scope: the ids of the children it is measured for.
SCOPE = "__risk_scope__"


@dataclass(frozen=True)
class SignalTable:
    """One grouped query of a signal: a row per child of the scope who has anything to count
    (``child_id`` and the value columns), named ``alias`` in the statement; ``sql`` holds
    :data:`SCOPE` where the scope's child ids go."""

    alias: str
    sql: str


_KEY_GROUPS = "risk_key_groups"
_PAST_CASES = "risk_past_cases"
_REPEATS = "risk_repeats"
_GRADE = "risk_grade"


def _key_groups_table(rules: RiskRuleSet) -> SignalTable:
    counts = ", ".join(
        f'SUM(CASE WHEN g."group" IN {_quote(tuple(k.value for k in rule.key_groups))} '
        f"THEN 1 ELSE 0 END) AS {rule.code.lower()}"
        for rule in rules.rules
        if rule.signal is RiskSignal.KEY_GROUPS
    )
    return SignalTable(
        _KEY_GROUPS,
        f"SELECT g.child_id AS child_id, {counts} FROM child_key_group g "
        f"WHERE g.ended_on IS NULL AND g.child_id IN ({SCOPE}) GROUP BY g.child_id",
    )


def _past_cases_table() -> SignalTable:
    return SignalTable(
        _PAST_CASES,
        "SELECT k.child_id AS child_id, COUNT(*) AS cases FROM case_file k "
        f"WHERE k.kind IN {_quote(_PAST_KINDS)} AND k.state IN {_quote(_PAST_STATES)} "
        f"AND k.child_id IN ({SCOPE}) GROUP BY k.child_id",
    )


def _repeats_table(frame: Frame) -> SignalTable:
    # Distinct (school year, grade) pairs less distinct grades: a grade held in two school
    # years is one repeat; a transfer inside a school year is none.
    year = frame.school_year_of("e.started_on")
    return SignalTable(
        _REPEATS,
        f"SELECT e.child_id AS child_id, COUNT(DISTINCT {year} * 10 + e.grade) "
        "- COUNT(DISTINCT e.grade) AS repeats FROM enrolment e "
        # A child with one enrolment has no repeat: only children with more are grouped.
        "WHERE e.child_id IN (SELECT x.child_id FROM enrolment x GROUP BY x.child_id "
        f"HAVING COUNT(*) > 1) AND e.child_id IN ({SCOPE}) GROUP BY e.child_id",
    )


def _grade_table() -> SignalTable:
    # A child has one current enrolment (the enrolment services keep it so); were there two
    # in school, the higher grade would count.
    return SignalTable(
        _GRADE,
        "SELECT e.child_id AS child_id, MAX(e.grade) AS grade FROM enrolment e "
        "WHERE e.is_current AND e.status = 'ENROLLED' "
        f"AND e.child_id IN ({SCOPE}) GROUP BY e.child_id",
    )


def signal_tables(rules: RiskRuleSet, frame: Frame) -> list[SignalTable]:
    """The grouped queries the rules' values are read from, each once (a table serves every
    rule of its signal)."""
    from core.risk.attendance import attendance_tables

    tables: dict[str, SignalTable] = {}
    for rule in rules.rules:
        signal = rule.signal
        if signal is RiskSignal.KEY_GROUPS:
            found = [_key_groups_table(rules)]
        elif signal is RiskSignal.PAST_CASES:
            found = [_past_cases_table()]
        elif signal is RiskSignal.REPEATED_GRADES:
            found = [_repeats_table(frame)]
        elif signal is RiskSignal.AGE_OVER_GRADE:
            found = [_grade_table()]
        else:
            found = attendance_tables(rule, frame, SCOPE)
        for table in found:
            tables.setdefault(table.alias, table)
    return list(tables.values())


# -- one rule ----------------------------------------------------------------------------------


def rule_columns(rule: RiskRule, frame: Frame) -> dict[str, str]:
    """The columns (name → SQL over the outer child row and the :func:`signal_tables`) a
    rule's value is computed from, named after the rule. A count is 0 for a child without a
    row in its table; the age over grade is NULL for a child not in school."""
    key = rule.code.lower()
    signal = rule.signal
    if signal is RiskSignal.KEY_GROUPS:
        return {key: f'COALESCE("{_KEY_GROUPS}".{key}, 0)'}
    if signal is RiskSignal.PAST_CASES:
        return {key: f'COALESCE("{_PAST_CASES}".cases, 0)'}
    if signal is RiskSignal.REPEATED_GRADES:
        return {key: f'COALESCE("{_REPEATS}".repeats, 0)'}
    if signal is RiskSignal.AGE_OVER_GRADE:
        # The autumn the child's cohort entered grade 1 (six by 31 August of that year).
        birth = f"{CHILD}.birth_date"
        entry = f"({frame.year(birth)} + 6 + CASE WHEN {frame.month(birth)} >= 9 THEN 1 ELSE 0 END)"
        return {key: f'({frame.school_year} - {entry} + 1 - "{_GRADE}".grade)'}
    from core.risk.attendance import attendance_columns

    return attendance_columns(rule, key)


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
