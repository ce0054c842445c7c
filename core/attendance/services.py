"""Recording attendance: a class's day in one call, the same-day follow-up of an unexplained
absence, and a school's own closures. Each is one transaction that writes everything or nothing.

Who may: a caller holding ``RECORD_ATTENDANCE`` (班主任, 校长, 教育局), for the classes and
children in their scope (:mod:`core.access.scope`): a head teacher's account reaches its own
class only, so another class is ``NOT_FOUND`` as everywhere else. The system caller (command
line, imports run by the operator) reaches every class.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_write
from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import Permission, ScopeKind
from core.access.models import StaffAccount
from core.attendance.calendar import is_school_day_at
from core.attendance.models import (
    AbsenceFollowUp,
    AttendanceMark,
    ClassDay,
    ClassDayRevision,
    FollowUpOutcome,
    MarkKind,
    SchoolClosure,
)
from core.china_time import local_date
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction
from core.officials.models import Official
from core.people.models import Child
from core.plugins import rules_for
from core.rules.county import CountyRules
from core.schools.models import School, SchoolClass

#: Longest closure a school records in one go.
MAX_CLOSURE_DAYS = 62


@dataclass(frozen=True)
class MarkInput:
    """One child not simply present: absent with a reason, or late."""

    child_id: uuid.UUID
    kind: MarkKind
    note: str = ""


@dataclass(frozen=True)
class RecordedDay:
    class_day: ClassDay
    marks: list[AttendanceMark]
    #: The version this call replaced (a same-day correction), or None for a first record.
    replaced_version: int | None


def _invalid(zh: str, en: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID, zh, en, field=field)


async def county_rules(jurisdiction_id: uuid.UUID) -> CountyRules:
    code = await Jurisdiction.filter(id=jurisdiction_id).values_list("division_code", flat=True)
    return rules_for(code[0] if code else None)


async def author_of(caller: Caller) -> tuple[uuid.UUID | None, str]:
    """The staff account acting (None for the system or an API key) and its name."""
    if caller.account_id is None:
        return None, caller.label[:64]
    account = await StaffAccount.get_or_none(id=caller.account_id)
    if account is None:
        return None, caller.label[:64]
    return account.id, (account.display_name or account.username)[:64]


async def check_school_day(
    rules: CountyRules, jurisdiction_id: uuid.UUID, school_id: uuid.UUID, day: date, today: date
) -> None:
    """``INVALID`` on ``date`` unless ``day`` is a school day of the school, not in the future."""
    if day > today:
        raise _invalid(f"考勤日期 {day} 晚于今天 ({today})", f"date {day} is in the future", "date")
    if not await is_school_day_at(rules.term_calendar, jurisdiction_id, school_id, day):
        raise _invalid(
            f"{day} 不是本校的上学日 (校历中的节假日、周末、假期或学校停课)",
            f"{day} is not a school day of this school (holiday, weekend or closure)",
            "date",
        )


def _checked_marks(marks: Sequence[MarkInput], pupils: set[uuid.UUID]) -> list[MarkInput]:
    seen: set[uuid.UUID] = set()
    for i, mark in enumerate(marks):
        where = f"marks.{i}.childId"
        if mark.child_id in seen:
            raise _invalid("同一学生在名单中出现两次", "a child is listed twice", where)
        if mark.child_id not in pupils:
            raise _invalid(
                "该学生不是本班在读学生", "the child is not enrolled in this class", where
            )
        if len(mark.note) > 255:
            raise _invalid(
                "说明不能超过 255 个字符", "note is over 255 characters", f"marks.{i}.note"
            )
        seen.add(mark.child_id)
    return list(marks)


def _snapshot(marks: Sequence[AttendanceMark]) -> list[dict[str, str]]:
    return [
        {"childId": str(m.child_id), "kind": MarkKind(m.kind).value, "note": m.note} for m in marks
    ]


async def record_class_attendance(
    caller: Caller,
    *,
    class_id: uuid.UUID,
    day: date,
    marks: Sequence[MarkInput],
    now: datetime,
    expected_version: int | None = None,
    audit: WriteAudit | None = None,
) -> RecordedDay:
    """Record a class's day: every pupil enrolled in the class is present except ``marks``.

    A second call for the same class and day replaces it (a correction), but only on that day
    itself; the version it replaces is kept in :class:`ClassDayRevision`. ``expected_version``,
    when given, must be the current version (``CONFLICT`` otherwise).
    """
    caller = require_permission(caller, Permission.RECORD_ATTENDANCE)
    school_class = await find_in_scope(SchoolClass, caller, class_id, "classId", ("班级", "class"))
    school = await School.get(id=school_class.school_id)
    rules = await county_rules(school.jurisdiction_id)
    today = local_date(now)
    await check_school_day(rules, school.jurisdiction_id, school.id, day, today)
    pupils = set(
        await Enrolment.filter(
            school_class_id=school_class.id, is_current=True, status=EnrolmentStatus.ENROLLED
        ).values_list("child_id", flat=True)
    )
    checked = _checked_marks(marks, pupils)
    author_id, author_name = await author_of(caller)

    try:
        async with in_transaction():
            class_day, replaced = await write_class_day(
                school,
                school_class.id,
                day,
                checked,
                len(pupils),
                author=(author_id, author_name),
                now=now,
                expected_version=expected_version,
            )
            await record_write(audit)
    except IntegrityError:
        # Another request recorded the same class and day (or the same child) first.
        raise _conflict(expected_version or 0, None) from None
    saved = await AttendanceMark.filter(class_day_id=class_day.id).order_by("id")
    return RecordedDay(class_day, list(saved), replaced)


async def write_class_day(
    school: School,
    class_id: uuid.UUID,
    day: date,
    marks: Sequence[MarkInput],
    expected: int,
    *,
    author: tuple[uuid.UUID | None, str],
    now: datetime,
    expected_version: int | None = None,
) -> tuple[ClassDay, int | None]:
    """Write a class's day from checked ``marks`` (inside the caller's transaction): a first
    record, or a same-day correction that keeps the replaced version as a
    :class:`ClassDayRevision`. The day and the marks must have been checked
    (:func:`check_school_day`, the class's pupils); ``expected`` is the class's pupil count.
    Returns the day and the version replaced (None for a first record). Used by
    :func:`record_class_attendance` and the attendance import (one author)."""
    author_id, author_name = author
    today = local_date(now)
    absent = sum(1 for m in marks if m.kind.is_absence)
    counts = {
        "expected": expected,
        "present": expected - absent,
        "absent": absent,
        "late": len(marks) - absent,
    }
    existing = await ClassDay.get_or_none(school_class_id=class_id, day=day)
    replaced: int | None = None
    if existing is None:
        if expected_version not in (None, 0):
            raise _conflict(expected_version, None)
        class_day = await ClassDay.create(
            jurisdiction_id=school.jurisdiction_id,
            school_id=school.id,
            school_class_id=class_id,
            day=day,
            version=1,
            recorded_by_id=author_id,
            recorded_by_name=author_name,
            recorded_at=now,
            **counts,
        )
    else:
        if day != today:
            raise _invalid(
                f"{day} 的考勤已登记, 只能在当天更正",
                f"attendance for {day} is recorded and can only be corrected that day",
                "date",
            )
        if expected_version is not None and expected_version != existing.version:
            raise _conflict(expected_version, existing.version)
        old_marks = await AttendanceMark.filter(class_day_id=existing.id).order_by("id")
        await ClassDayRevision.create(
            class_day_id=existing.id,
            version=existing.version,
            expected=existing.expected,
            present=existing.present,
            absent=existing.absent,
            late=existing.late,
            marks=_snapshot(old_marks),
            recorded_by_id=existing.recorded_by_id,
            recorded_by_name=existing.recorded_by_name,
            recorded_at=existing.recorded_at,
            replaced_at=now,
        )
        await AttendanceMark.filter(class_day_id=existing.id).delete()
        changed = await ClassDay.filter(id=existing.id, version=existing.version).update(
            version=existing.version + 1,
            recorded_by_id=author_id,
            recorded_by_name=author_name,
            recorded_at=now,
            **counts,
        )
        if changed != 1:
            raise _conflict(existing.version, None)
        replaced = existing.version
        class_day = await ClassDay.get(id=existing.id)
    rows = [
        AttendanceMark(
            class_day_id=class_day.id,
            jurisdiction_id=school.jurisdiction_id,
            school_id=school.id,
            child_id=m.child_id,
            day=day,
            kind=m.kind,
            note=m.note.strip(),
        )
        for m in marks
    ]
    if rows:
        await AttendanceMark.bulk_create(rows)
    return class_day, replaced


def _conflict(expected: int, current: int | None) -> DomainError:
    return DomainError(
        ErrorCode.CONFLICT,
        "当日考勤已被他人登记或更正, 请刷新后重试",
        "the day's attendance was recorded or corrected by someone else: reload and retry",
        field="expectedVersion",
        current_version=current,
    )


async def record_absence_follow_up(
    caller: Caller,
    *,
    child_id: uuid.UUID,
    day: date,
    caller_name: str,
    outcome: FollowUpOutcome,
    now: datetime,
    caller_official_id: uuid.UUID | None = None,
    contacted: str = "",
    note: str = "",
    audit: WriteAudit | None = None,
) -> AbsenceFollowUp:
    """缺勤当日跟踪: who called the guardian of a child absent without explanation that day,
    whom they reached and what came of it. Only on the day of the absence."""
    caller = require_permission(caller, Permission.RECORD_ATTENDANCE)
    child = await find_in_scope(Child, caller, child_id, "childId", ("儿童", "child"))
    today = local_date(now)
    if day != today:
        raise _invalid(
            f"缺勤跟踪须在缺勤当天登记 (今天是 {today})",
            f"the follow-up of an absence is recorded on the day itself (today is {today})",
            "date",
        )
    mark = await AttendanceMark.get_or_none(child_id=child.id, day=day)
    if mark is None or mark.kind != MarkKind.UNEXPLAINED:
        raise _invalid(
            "该学生当天没有无故缺勤记录", "the child has no unexplained absence that day", "date"
        )
    official_id = None
    name = caller_name.strip()
    if caller_official_id is not None:
        official = await find_in_scope(
            Official,
            caller,
            caller_official_id,
            "callerOfficialId",
            ("联系人", "official"),
            jurisdiction_id=child.jurisdiction_id,
        )
        official_id = official.id
        name = name or official.name
    if not name:
        raise DomainError(
            ErrorCode.REQUIRED,
            "请填写联系人 (谁联系的监护人)",
            "callerName is required",
            field="callerName",
        )
    for value, limit, field in (
        (name, 64, "callerName"),
        (contacted, 64, "contacted"),
        (note, 500, "note"),
    ):
        if len(value.strip()) > limit:
            raise _invalid(
                f"{field} 不能超过 {limit} 个字符", f"{field} is over {limit} characters", field
            )
    author_id, _ = await author_of(caller)
    async with in_transaction():
        follow_up = await AbsenceFollowUp.create(
            jurisdiction_id=child.jurisdiction_id,
            school_id=mark.school_id,
            child_id=child.id,
            day=day,
            caller_name=name,
            caller_official_id=official_id,
            contacted=contacted.strip(),
            outcome=outcome,
            note=note.strip(),
            recorded_by_id=author_id,
        )
        await record_write(audit)
    return follow_up


async def add_school_closure(
    caller: Caller,
    *,
    school_id: uuid.UUID,
    first_day: date,
    last_day: date,
    reason: str,
    now: datetime,
    audit: WriteAudit | None = None,
) -> SchoolClosure:
    """学校停课: days the school holds no classes, besides the county calendar's holidays. A
    class account cannot close its school; days already recorded cannot be closed."""
    caller = require_permission(caller, Permission.RECORD_ATTENDANCE)
    if caller.scope is not None and caller.scope.kind is ScopeKind.CLASS:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "班级账号不能登记学校停课, 请由学校或教育局登记",
            "a class account cannot close the school",
        )
    school = await find_in_scope(School, caller, school_id, "schoolId", ("学校", "school"))
    text = reason.strip()
    if not text:
        raise DomainError(
            ErrorCode.REQUIRED, "请填写停课原因", "reason is required", field="reason"
        )
    if len(text) > 255:
        raise _invalid("停课原因不能超过 255 个字符", "reason is over 255 characters", "reason")
    if last_day < first_day:
        raise _invalid("停课结束日期早于开始日期", "lastDay is before firstDay", "lastDay")
    if (last_day - first_day).days + 1 > MAX_CLOSURE_DAYS:
        raise _invalid(
            f"一次停课不能超过 {MAX_CLOSURE_DAYS} 天",
            f"a closure is at most {MAX_CLOSURE_DAYS} days",
            "lastDay",
        )
    if first_day > local_date(now) + timedelta(days=366):
        raise _invalid("停课日期过远", "firstDay is more than a year ahead", "firstDay")
    recorded = await ClassDay.filter(
        school_id=school.id, day__gte=first_day, day__lte=last_day
    ).exists()
    if recorded:
        raise _invalid(
            "停课期间已有班级登记了考勤",
            "attendance is already recorded on a day of the closure",
            "firstDay",
        )
    author_id, _ = await author_of(caller)
    async with in_transaction():
        closure = await SchoolClosure.create(
            jurisdiction_id=school.jurisdiction_id,
            school_id=school.id,
            first_day=first_day,
            last_day=last_day,
            reason=text,
            created_by_id=author_id,
        )
        await record_write(audit)
    return closure
