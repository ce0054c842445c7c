"""The attendance returns (考勤日报、周报、月报) and the start-of-term arrival count (开学报到):
counts per school over a period, from the class registers and their marks (core.attendance),
summed by the database.

A register (班级考勤日) holds one class's day: 应到 ``expected``, 实到 ``present`` (迟到 included),
``absent`` and ``late``; its marks say who was absent and why. Over a period, per school:

* 考勤登记 (班·日) - the registers; 应出勤人次 / 实出勤人次 / 缺勤人次 / 迟到人次 - their sums;
* 病假 / 事假 / 无故缺勤 人次 - the absence marks of each kind (they add up to 缺勤人次);
* 无故缺勤学生人数 - children with at least one unexplained absence;
* 出勤率 - 实出勤 ÷ 应出勤 (of the rows' sums, for a town or the 合计 row too).

The arrival count (开学报到) reads each class's registers in the period: 应报到 is the 应到 of
the class's first register; a child marked absent on every register of the class is 未到校, for
the reason of the latest mark (病假, 事假, 无故); 已到校 is 应报到 less 未到校.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.attendance.models import ABSENCE_KINDS, AttendanceMark, ClassDay, MarkKind
from core.metrics.sql import Params, fetch, is_postgres

_DAYS = ClassDay._meta.db_table
_MARKS = AttendanceMark._meta.db_table

#: The counts of the registers and their marks over the period (they add up across schools).
REGISTER_COUNTS = (
    "stats.registers",
    "stats.attendance_expected",
    "stats.attendance_present",
    "stats.attendance_absent",
    "stats.attendance_late",
    "stats.absent_sick",
    "stats.absent_personal_leave",
    "stats.absent_unexplained",
    "stats.unexplained_children",
)
#: The counts of the start-of-term arrival (开学报到).
ARRIVAL_COUNTS = (
    "stats.arrival_expected",
    "stats.arrival_arrived",
    "stats.arrival_missing",
    "stats.arrival_missing_sick",
    "stats.arrival_missing_personal_leave",
    "stats.arrival_missing_unexplained",
)
#: The counts every summary row has from the registers.
ATTENDANCE_COUNTS = REGISTER_COUNTS + ARRIVAL_COUNTS
RATE = "stats.attendance_rate"

_BY_KIND = {
    MarkKind.SICK.value: "sick",
    MarkKind.PERSONAL_LEAVE.value: "personal_leave",
    MarkKind.UNEXPLAINED.value: "unexplained",
}


def attendance_rate(present: int, expected: int) -> Decimal | None:
    """实出勤 ÷ 应出勤 in per cent to two places; None with nothing expected."""
    if expected <= 0:
        return None
    rate = Decimal(present * 100) / Decimal(expected)
    return rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def add_rate(row: dict[str, Any]) -> dict[str, Any]:
    row[RATE] = attendance_rate(row["stats.attendance_present"], row["stats.attendance_expected"])
    return row


async def attendance_counts(
    school_ids: list[uuid.UUID],
    start: date,
    as_of: date,
    *,
    registers: bool = True,
    arrivals: bool = True,
    absentees: list[Absentee] | None = None,
) -> dict[str, dict[str, int]]:
    """The counts of :data:`ATTENDANCE_COUNTS` per school (by id as text) over the period:
    those of :data:`REGISTER_COUNTS` when ``registers``, of :data:`ARRIVAL_COUNTS` when
    ``arrivals`` (a report asks for the ones it shows). Two statements for the registers and
    their marks, two for the arrivals (one, given the period's ``absentees`` already found by
    :func:`never_arrived`)."""
    keys = (REGISTER_COUNTS if registers else ()) + (ARRIVAL_COUNTS if arrivals else ())
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    if not school_ids:
        return out
    if registers:
        await _register_counts(out, school_ids, start, as_of)
    if arrivals:
        found = await _arrivals(school_ids, start, as_of, absentees)
        for school_id, arrival in found.items():
            out[school_id].update(arrival)
    return out


async def _register_counts(
    out: dict[str, dict[str, int]], school_ids: list[uuid.UUID], start: date, as_of: date
) -> None:
    p = Params(is_postgres())
    schools = p.many(school_ids)
    period = f"BETWEEN {p(start)} AND {p(as_of)}"
    registers = await fetch(
        "SELECT d.school_id AS school_id, COUNT(*) AS registers, SUM(d.expected) AS expected, "
        "SUM(d.present) AS present, SUM(d.absent) AS absent, SUM(d.late) AS late "
        f"FROM {_DAYS} d WHERE d.school_id IN {schools} AND d.day {period} GROUP BY d.school_id",
        p,
    )
    for r in registers:
        row = out[str(r["school_id"])]
        row["stats.registers"] = int(r["registers"])
        row["stats.attendance_expected"] = int(r["expected"] or 0)
        row["stats.attendance_present"] = int(r["present"] or 0)
        row["stats.attendance_absent"] = int(r["absent"] or 0)
        row["stats.attendance_late"] = int(r["late"] or 0)
    p = Params(is_postgres())
    schools = p.many(school_ids)
    period = f"BETWEEN {p(start)} AND {p(as_of)}"
    kinds = p.many(_BY_KIND)
    marks = await fetch(
        "SELECT m.school_id AS school_id, m.kind AS kind, COUNT(*) AS n, "
        "COUNT(DISTINCT m.child_id) AS children "
        f"FROM {_MARKS} m JOIN {_DAYS} d ON d.id = m.class_day_id "
        f"WHERE m.school_id IN {schools} AND d.day {period} AND m.kind IN {kinds} "
        "GROUP BY m.school_id, m.kind",
        p,
    )
    for r in marks:
        row = out[str(r["school_id"])]
        row[f"stats.absent_{_BY_KIND[r['kind']]}"] = int(r["n"])
        if r["kind"] == MarkKind.UNEXPLAINED.value:
            row["stats.unexplained_children"] = int(r["children"])


async def _arrivals(
    school_ids: list[uuid.UUID], start: date, as_of: date, absentees: list[Absentee] | None
) -> dict[str, dict[str, int]]:
    """开学报到 per school: the 应到 of each class's first register in the period (the classes'
    first days found by one grouped read, then their registers joined), and the children
    absent on every register of their class (with the latest mark's reason)."""
    p = Params(is_postgres())
    schools = p.many(school_ids)
    period = f"BETWEEN {p(start)} AND {p(as_of)}"
    first = await fetch(
        "SELECT d.school_id AS school_id, SUM(d.expected) AS expected "
        f"FROM (SELECT f.school_class_id, MIN(f.day) AS day FROM {_DAYS} f "
        f"WHERE f.school_id IN {schools} AND f.day {period} GROUP BY f.school_class_id) fd "
        f"JOIN {_DAYS} d ON d.school_class_id = fd.school_class_id AND d.day = fd.day "
        "GROUP BY d.school_id",
        p,
    )
    out: dict[str, dict[str, int]] = {}
    for r in first:
        out[str(r["school_id"])] = {
            "stats.arrival_expected": int(r["expected"] or 0),
            "stats.arrival_missing": 0,
            "stats.arrival_missing_sick": 0,
            "stats.arrival_missing_personal_leave": 0,
            "stats.arrival_missing_unexplained": 0,
        }
    if absentees is None:
        absentees = await never_arrived(school_ids, start, as_of)
    for absentee in absentees:
        row = out[absentee.school_id]
        row["stats.arrival_missing"] += 1
        row[f"stats.arrival_missing_{_BY_KIND[absentee.reason]}"] += 1
    for row in out.values():
        row["stats.arrival_arrived"] = row["stats.arrival_expected"] - row["stats.arrival_missing"]
    return out


@dataclass(frozen=True)
class Absentee:
    """A child who has not come since term began (开学未到校): absent on every register of the
    child's class in the period, for the reason of the latest absence."""

    school_id: str
    child_id: str
    reason: str
    absent_days: int

    @property
    def reason_label(self) -> str:
        return MarkKind(self.reason).label


async def never_arrived(school_ids: list[uuid.UUID], start: date, as_of: date) -> list[Absentee]:
    """The children absent on every register of their class in the period. The database finds
    them (a count per class and child against the class's registers); only they are read."""
    if not school_ids:
        return []
    p = Params(is_postgres())
    schools = p.many(school_ids)
    period = f"BETWEEN {p(start)} AND {p(as_of)}"
    absences = p.many(k.value for k in ABSENCE_KINDS)
    rows = await fetch(
        "SELECT d.school_id AS school_id, m.child_id AS child_id, COUNT(*) AS n, "
        "MAX(m.day) AS last_day "
        f"FROM {_MARKS} m JOIN {_DAYS} d ON d.id = m.class_day_id "
        f"WHERE d.school_id IN {schools} AND d.day {period} AND m.kind IN {absences} "
        "GROUP BY d.school_id, d.school_class_id, m.child_id "
        f"HAVING COUNT(*) = (SELECT COUNT(*) FROM {_DAYS} c "
        f"WHERE c.school_class_id = d.school_class_id AND c.day {period})",
        p,
    )
    if not rows:
        return []
    last = {(str(r["child_id"]), str(r["last_day"])[:10]): r for r in rows}
    marks = await AttendanceMark.filter(
        child_id__in=list({child for child, _ in last}), day__gte=start, day__lte=as_of
    ).values("child_id", "day", "kind")
    found = []
    for mark in marks:
        row = last.get((str(mark["child_id"]), mark["day"].isoformat()))
        if row is not None:
            found.append(
                Absentee(
                    school_id=str(row["school_id"]),
                    child_id=str(row["child_id"]),
                    reason=str(getattr(mark["kind"], "value", mark["kind"])),
                    absent_days=int(row["n"]),
                )
            )
    return sorted(found, key=lambda a: (a.school_id, a.child_id))


async def latest_follow_ups(child_ids: list[str], start: date, as_of: date) -> dict[str, str]:
    """The latest same-day follow-up (缺勤跟踪) of each child in the period, as text: the day,
    who called and what came of it."""
    from core.attendance.models import AbsenceFollowUp, FollowUpOutcome

    out: dict[str, str] = {}
    if not child_ids:
        return out
    rows = (
        await AbsenceFollowUp.filter(child_id__in=child_ids, day__gte=start, day__lte=as_of)
        .order_by("day", "recorded_at")
        .values("child_id", "day", "caller_name", "outcome", "note")
    )
    for r in rows:
        outcome = FollowUpOutcome(getattr(r["outcome"], "value", r["outcome"])).label
        text = f"{r['day'].isoformat()} {r['caller_name']}: {outcome}"
        out[str(r["child_id"])] = f"{text} ({r['note']})" if r["note"] else text
    return out


__all__ = [
    "ARRIVAL_COUNTS",
    "ATTENDANCE_COUNTS",
    "RATE",
    "REGISTER_COUNTS",
    "Absentee",
    "add_rate",
    "attendance_counts",
    "attendance_rate",
    "latest_follow_ups",
    "never_arrived",
]
