"""The attendance signals of the risk rules, from the registers (core.attendance): unexplained
absences this term, and the attendance rate this term, each measured for every child of the
scope in one grouped query.

A register (班级考勤日) lists only the exceptions, so a child's recorded days this term are the
registers of the child's current class from the later of the term's first day and the day the
child's enrolment began; absent days are the child's absence marks this term (迟到 counts as
present); present days are the difference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.attendance.models import ABSENCE_KINDS, AttendanceMark, ClassDay, MarkKind
from core.rules.enums import RiskSignal
from core.rules.specs import RiskRule

if TYPE_CHECKING:
    from core.risk.signals import Frame, SignalTable

_MARKS = AttendanceMark._meta.db_table
_DAYS = ClassDay._meta.db_table

#: The grouped tables' names in the statement.
MARKS = "risk_marks"
RECORDED = "risk_recorded"


def _kinds(kinds: tuple[MarkKind, ...]) -> str:
    return "(" + ", ".join(f"'{k.value}'" for k in kinds) + ")"


def marks_table(frame: Frame, scope: str) -> SignalTable:
    """Per child, the unexplained absences and all absences this term, from one pass over the
    term's marks."""
    from core.risk.signals import SignalTable

    kinds = tuple(dict.fromkeys((*ABSENCE_KINDS, MarkKind.UNEXPLAINED)))
    sql = (
        "SELECT m.child_id AS child_id, "
        f"SUM(CASE WHEN m.kind IN {_kinds((MarkKind.UNEXPLAINED,))} THEN 1 ELSE 0 END) "
        "AS unexplained, "
        f"SUM(CASE WHEN m.kind IN {_kinds(ABSENCE_KINDS)} THEN 1 ELSE 0 END) AS absent "
        f"FROM {_MARKS} m WHERE m.kind IN {_kinds(kinds)} "
        f"AND m.day >= {frame.day(frame.term_start)} AND m.day <= {frame.day(frame.as_of)} "
        f"AND m.child_id IN ({scope}) GROUP BY m.child_id"
    )
    return SignalTable(MARKS, sql)


def recorded_table(frame: Frame, scope: str) -> SignalTable:
    """Per child, the registers of the child's current class(es) this term since the enrolment
    began. An enrolment that began by the term's first day counts all the class's registers of
    the term (counted once per class); one that began later counts the class's registers from
    its first day (the few such enrolments joined to the registers)."""
    from core.risk.signals import SignalTable

    start, end = frame.day(frame.term_start), frame.day(frame.as_of)
    sql = (
        "SELECT r.child_id AS child_id, SUM(r.days) AS recorded FROM ("
        "SELECT e.child_id AS child_id, n.days AS days FROM enrolment e "
        "JOIN (SELECT d.school_class_id AS school_class_id, COUNT(*) AS days "
        f"FROM {_DAYS} d WHERE d.day >= {start} AND d.day <= {end} "
        "GROUP BY d.school_class_id) n ON n.school_class_id = e.school_class_id "
        f"WHERE e.is_current AND e.started_on <= {start} AND e.child_id IN ({scope}) "
        "UNION ALL "
        "SELECT e.child_id AS child_id, COUNT(*) AS days FROM enrolment e "
        f"JOIN {_DAYS} d ON d.school_class_id = e.school_class_id "
        f"WHERE e.is_current AND e.started_on > {start} AND d.day >= e.started_on "
        f"AND d.day <= {end} AND e.child_id IN ({scope}) GROUP BY e.child_id"
        ") r GROUP BY r.child_id"
    )
    return SignalTable(RECORDED, sql)


def attendance_tables(rule: RiskRule, frame: Frame, scope: str) -> list[SignalTable]:
    """The grouped tables an attendance rule's value is read from."""
    if rule.signal is RiskSignal.UNEXPLAINED_ABSENCES:
        return [marks_table(frame, scope)]
    if rule.signal is RiskSignal.ATTENDANCE_RATE:
        return [marks_table(frame, scope), recorded_table(frame, scope)]
    raise ValueError(f"no SQL for risk signal {rule.signal}")  # pragma: no cover


def attendance_columns(rule: RiskRule, key: str) -> dict[str, str]:
    """The columns of an attendance rule's value (see :func:`core.risk.signals.rule_columns`),
    over the grouped tables (a child without a row has none of these days)."""
    unexplained = f'COALESCE("{MARKS}".unexplained, 0)'
    if rule.signal is RiskSignal.UNEXPLAINED_ABSENCES:
        return {key: unexplained}
    if rule.signal is RiskSignal.ATTENDANCE_RATE:
        recorded = f'COALESCE("{RECORDED}".recorded, 0)'
        absent = f'COALESCE("{MARKS}".absent, 0)'
        present = f"(CASE WHEN {recorded} > {absent} THEN {recorded} - {absent} ELSE 0 END)"
        return {f"{key}_present": present, f"{key}_recorded": recorded}
    raise ValueError(f"no SQL for risk signal {rule.signal}")  # pragma: no cover
