"""Importing attendance (考勤导入): a school's registers kept in Excel/WPS, one row per child and
day, checked row by row and written as class days through the recording service.

A row names the child (学籍号 or 身份证件号, its 姓名 checked), the day (日期) and the status
(出勤 / 缺勤 with a 缺勤原因 / 迟到). Each class and day found in the file becomes one class
day (:func:`core.attendance.services.write_class_day`, the mutation's own writer): the children
the file marks absent or late, everyone else of the class present. A class day already recorded
with the same marks is unchanged (re-importing a file changes nothing); with other marks it is a
correction, kept as a revision, allowed on that day only, as for the mutation.

Refused, with the reason per cell: an unknown child, a child not enrolled (在读) at a school of
this county on that day, a day in the future or not a school day of the school (the term
calendar, weekends, holidays, the school's closures), the same child and day twice, a bad status
or reason, a class outside the caller's scope (a head teacher: their own class; a school head:
their school; the bureau: the county). In ``VALID`` mode a class day with any refused row is not
written at all (writing it would mark that child present); its other rows are refused too.

The absence rules are not run here: ``baoxue attendance check`` runs them (cron).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.attendance.calendar import closed_days
from core.attendance.models import AttendanceMark, ClassDay, MarkKind
from core.attendance.services import MarkInput, author_of, county_rules, write_class_day
from core.bulk import select_in
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.errors import DomainError, ErrorCode
from core.imports.formats import ImportFormat
from core.imports.reading import read_rows
from core.imports.rows import RowIssue, check_row
from core.jurisdictions.models import Jurisdiction
from core.people.models import Child
from core.schools.models import School, SchoolClass

_STATUS_KIND = {"LATE": MarkKind.LATE}


@dataclass
class AttendanceRow:
    row: int
    child_id: uuid.UUID
    class_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    kind: MarkKind | None  # None: present
    note: str


@dataclass
class AttendanceChecked:
    rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    tally: Counter[str] = field(default_factory=Counter)

    def counts(self, written: bool) -> dict[str, int]:
        return {
            "rows": self.rows,
            "new": self.tally["new"],
            "updated": self.tally["updated"],
            "unchanged": self.tally["unchanged"],
            "refused": len({i.row for i in self.issues}),
            "listed": 0,
            "enrolments": 0,
            "transfers": 0,
            "modeChanges": 0,
            "missingFromRoster": 0,
            "marks": self.tally["marks"],
            "written": int(written),
        }


def authorise_attendance_import(caller: Caller) -> Caller:
    """An attendance import needs ``RECORD_ATTENDANCE`` (班主任, 校长, 教育局); which classes it
    reaches is the caller's scope, checked per class."""
    return require_permission(caller, Permission.RECORD_ATTENDANCE)


def _issue(fmt: ImportFormat, row: int, fld: str, value: str, code: ErrorCode, zh: str, en: str):
    column = fmt.column(fld)
    return RowIssue(row, column.header if column else fld, value, code, zh, en)


async def check_and_write_attendance(
    caller: Caller,
    fmt: ImportFormat,
    jurisdiction: Jurisdiction,
    path: Path,
    *,
    now: datetime,
    today: date,
    write: bool,
    stop_on_issue: bool,
    report: Callable[[int], Any],
) -> AttendanceChecked:
    """Check every row of the file, then (``write``) record its class days; the caller holds
    the transaction. ``stop_on_issue``: nothing is written when any row is refused."""
    checked = AttendanceChecked()
    issues = checked.issues
    parsed: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    for number, cells in read_rows(fmt, path):
        checked.rows += 1
        values, row_issues = check_row(fmt, number, cells, today)
        if not row_issues and not values.get("student_number") and not values.get("id_number"):
            row_issues.append(
                _issue(
                    fmt,
                    number,
                    "student_number",
                    "",
                    ErrorCode.REQUIRED,
                    "须填写全国学籍号或身份证件号",
                    "a 学籍号 or an ID number is required",
                )
            )
        if not row_issues:
            status, reason = values["status"], values.get("reason")
            if status == "ABSENT" and reason is None:
                row_issues.append(
                    _issue(
                        fmt,
                        number,
                        "reason",
                        "",
                        ErrorCode.REQUIRED,
                        "缺勤须填写缺勤原因 (病假、事假、无故)",
                        "an absence needs its reason (病假, 事假, 无故)",
                    )
                )
            elif status != "ABSENT" and reason is not None:
                row_issues.append(
                    _issue(
                        fmt,
                        number,
                        "reason",
                        cells.get("reason", ""),
                        ErrorCode.INVALID,
                        "只有缺勤才填写缺勤原因",
                        "a reason is only given for an absence",
                    )
                )
        if row_issues:
            issues.extend(row_issues)
            continue
        parsed.append((number, values, cells))
    await report(checked.rows)

    # -- the children, their enrolment, the days --------------------------------------------
    numbers = [v["student_number"] for _, v, _ in parsed if v.get("student_number")]
    ids = [v["id_number"] for _, v, _ in parsed if v.get("id_number")]
    wanted = ("id", "name", "student_number", "id_number")
    by_number = {
        r["student_number"]: r
        for r in await select_in(
            Child, wanted, "student_number", numbers, jurisdiction_id=jurisdiction.id
        )
    }
    by_id = {
        r["id_number"]: r
        for r in await select_in(Child, wanted, "id_number", ids, jurisdiction_id=jurisdiction.id)
    }
    found_ids = {r["id"] for r in (*by_number.values(), *by_id.values())}
    enrolments = {
        r["child_id"]: r
        for r in await select_in(
            Enrolment,
            ("child_id", "school_id", "school_class_id", "started_on"),
            "child_id",
            found_ids,
            is_current=True,
            status=EnrolmentStatus.ENROLLED,
        )
    }
    schools = {
        s.id: s for s in await School.filter(id__in={e["school_id"] for e in enrolments.values()})
    }
    days = [v["day"] for _, v, _ in parsed]
    closed = await closed_days(jurisdiction.id, min(days), max(days)) if days else {}
    calendar = (await county_rules(jurisdiction.id)).term_calendar
    reachable: dict[uuid.UUID, bool] = {}

    good: list[AttendanceRow] = []
    seen: dict[tuple[uuid.UUID, date], int] = {}
    for number, v, cells in parsed:
        child = None
        key_field = "student_number" if v.get("student_number") else "id_number"
        if v.get("student_number"):
            child = by_number.get(v["student_number"])
        if child is None and v.get("id_number"):
            child = by_id.get(v["id_number"])
            key_field = "id_number"
        if child is None:
            issues.append(
                _issue(
                    fmt,
                    number,
                    key_field,
                    cells.get(key_field, ""),
                    ErrorCode.NOT_FOUND,
                    "本县没有这名学生 (按学籍号、身份证件号查找)",
                    "no child of this county has this 学籍号 or ID number",
                )
            )
            continue
        if "".join(v["name"].split()) != "".join(child["name"].split()):
            issues.append(
                _issue(
                    fmt,
                    number,
                    "name",
                    v["name"],
                    ErrorCode.INVALID,
                    f"姓名与学籍不符 (学籍中为「{child['name']}」)",
                    "the name differs from the register's",
                )
            )
            continue
        day: date = v["day"]
        enrolment = enrolments.get(child["id"])
        if (
            enrolment is None
            or enrolment["school_class_id"] is None
            or enrolment["started_on"] > day
        ):
            issues.append(
                _issue(
                    fmt,
                    number,
                    "day",
                    cells.get("day", ""),
                    ErrorCode.INVALID,
                    f"该生 {day} 不在本县学校的班级在读",
                    f"the child was not enrolled in a class of this county on {day}",
                )
            )
            continue
        school_id = enrolment["school_id"]
        if day > today:
            issues.append(
                _issue(
                    fmt,
                    number,
                    "day",
                    cells.get("day", ""),
                    ErrorCode.INVALID,
                    f"考勤日期 {day} 晚于今天 ({today})",
                    f"date {day} is in the future",
                )
            )
            continue
        if not calendar.is_school_day(day) or day in closed.get(school_id, set()):
            issues.append(
                _issue(
                    fmt,
                    number,
                    "day",
                    cells.get("day", ""),
                    ErrorCode.INVALID,
                    f"{day} 不是本校的上学日 (校历中的节假日、周末、假期或学校停课)",
                    f"{day} is not a school day of this school (holiday, weekend or closure)",
                )
            )
            continue
        class_id = enrolment["school_class_id"]
        if class_id not in reachable:
            try:
                await find_in_scope(SchoolClass, caller, class_id, "classId", ("班级", "class"))
                reachable[class_id] = True
            except DomainError:
                reachable[class_id] = False
        if not reachable[class_id]:
            issues.append(
                _issue(
                    fmt,
                    number,
                    key_field,
                    cells.get(key_field, ""),
                    ErrorCode.FORBIDDEN,
                    "该生的班级不在您的工作范围内, 不能登记其考勤",
                    "the child's class is outside your scope",
                )
            )
            continue
        if (child["id"], day) in seen:
            first = seen[(child["id"], day)]
            issues.append(
                _issue(
                    fmt,
                    number,
                    "day",
                    cells.get("day", ""),
                    ErrorCode.DUPLICATE,
                    f"与第 {first} 行重复 (同一学生同一天)",
                    f"the same child and day as row {first}",
                )
            )
            continue
        seen[(child["id"], day)] = number
        status = v["status"]
        kind = (
            MarkKind(v["reason"]) if status == "ABSENT" else _STATUS_KIND.get(status)
        )  # PRESENT: None
        good.append(
            AttendanceRow(number, child["id"], class_id, school_id, day, kind, v.get("note", ""))
        )

    # -- one class day per class and date ------------------------------------------------------
    groups: dict[tuple[uuid.UUID, date], list[AttendanceRow]] = {}
    for r in good:
        groups.setdefault((r.class_id, r.day), []).append(r)
    refused_rows = {i.row for i in issues}
    # A refused row whose child and day are known blocks its class day (VALID mode).
    blocked = _blocked_groups(parsed, refused_rows, by_number, by_id, enrolments)
    for key in sorted(blocked & set(groups), key=str):
        for r in groups.pop(key):
            issues.append(
                RowIssue(
                    r.row,
                    fmt.column("day").header,  # type: ignore[union-attr]
                    str(r.day),
                    ErrorCode.INVALID,
                    "同班同日有行未通过校验, 该班当日考勤未写入",
                    "another row of the same class and day was refused: the day is not written",
                )
            )

    author = await author_of(caller)
    class_ids = {k[0] for k in groups}
    pupils: dict[uuid.UUID, set[uuid.UUID]] = {}
    for r in await select_in(
        Enrolment,
        ("child_id", "school_class_id"),
        "school_class_id",
        class_ids,
        is_current=True,
        status=EnrolmentStatus.ENROLLED,
    ):
        pupils.setdefault(r["school_class_id"], set()).add(r["child_id"])
    may_write = write and not (stop_on_issue and issues)
    for (class_id, day), rows in sorted(groups.items(), key=lambda kv: (kv[0][1], str(kv[0][0]))):
        marks = [MarkInput(r.child_id, r.kind, r.note.strip()) for r in rows if r.kind]
        existing = await ClassDay.get_or_none(school_class_id=class_id, day=day)
        if existing is not None:
            old = {
                (m.child_id, MarkKind(m.kind), m.note)
                for m in await AttendanceMark.filter(class_day_id=existing.id)
            }
            if old == {(m.child_id, m.kind, m.note) for m in marks}:
                checked.tally["unchanged"] += 1
                continue
            if day != today:
                for r in rows:
                    issues.append(
                        _issue(
                            fmt,
                            r.row,
                            "day",
                            str(day),
                            ErrorCode.INVALID,
                            f"{day} 的考勤已登记且不同, 只能在当天更正",
                            f"attendance for {day} is recorded differently and can only "
                            "be corrected that day",
                        )
                    )
                continue
        checked.tally["updated" if existing is not None else "new"] += 1
        checked.tally["marks"] += len(marks)
        if may_write and not (stop_on_issue and issues):
            school = schools[rows[0].school_id]
            await write_class_day(
                school,
                class_id,
                day,
                marks,
                len(pupils.get(class_id, set())),
                author=author,
                now=now,
            )
    issues.sort(key=lambda i: i.row)
    return checked


def _blocked_groups(
    parsed: list[tuple[int, dict[str, Any], dict[str, str]]],
    refused_rows: set[int],
    by_number: dict[str, dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
    enrolments: dict[uuid.UUID, dict[str, Any]],
) -> set[tuple[uuid.UUID, date]]:
    """The class days that a refused row (of a known, enrolled child) belongs to."""
    blocked: set[tuple[uuid.UUID, date]] = set()
    for number, v, _ in parsed:
        if number not in refused_rows:
            continue
        child = by_number.get(v.get("student_number") or "") or by_id.get(v.get("id_number") or "")
        enrolment = enrolments.get(child["id"]) if child else None
        if enrolment and enrolment["school_class_id"]:
            blocked.add((enrolment["school_class_id"], v["day"]))
    return blocked
