"""The attendance signals of the risk rules, from the registers (core.attendance): unexplained
absences this term, and the attendance rate this term.

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
    from core.risk.signals import Frame

_MARKS = AttendanceMark._meta.db_table
_DAYS = ClassDay._meta.db_table


def _absences(frame: Frame, child: str, kinds: tuple[MarkKind, ...]) -> str:
    listed = ", ".join(f"'{k.value}'" for k in kinds)
    return (
        f'(SELECT COUNT(*) FROM {_MARKS} m WHERE m.child_id = {child}."id" '
        f"AND m.kind IN ({listed}) "
        f"AND m.day >= {frame.day(frame.term_start)} AND m.day <= {frame.day(frame.as_of)})"
    )


def _recorded(frame: Frame, child: str) -> str:
    return (
        f"(SELECT COUNT(*) FROM {_DAYS} d "
        "JOIN enrolment e ON e.school_class_id = d.school_class_id "
        f'WHERE e.child_id = {child}."id" AND e.is_current AND d.day >= e.started_on '
        f"AND d.day >= {frame.day(frame.term_start)} AND d.day <= {frame.day(frame.as_of)})"
    )


def attendance_columns(rule: RiskRule, frame: Frame, key: str) -> dict[str, str]:
    """The columns of an attendance rule's value (see :func:`core.risk.signals.rule_columns`)."""
    from core.risk.signals import CHILD

    if rule.signal is RiskSignal.UNEXPLAINED_ABSENCES:
        return {key: _absences(frame, CHILD, (MarkKind.UNEXPLAINED,))}
    if rule.signal is RiskSignal.ATTENDANCE_RATE:
        recorded = _recorded(frame, CHILD)
        absent = _absences(frame, CHILD, ABSENCE_KINDS)
        present = f"(CASE WHEN {recorded} > {absent} THEN {recorded} - {absent} ELSE 0 END)"
        return {f"{key}_present": present, f"{key}_recorded": recorded}
    raise ValueError(f"no SQL for risk signal {rule.signal}")  # pragma: no cover
