"""Queries of attendance: a class's days, a child's record, the rule alerts, school closures."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core.access.authorise import find_in_scope
from core.api.attendance.types import (
    AttendanceAlert,
    AttendanceRecord,
    ClassAttendanceDay,
    SchoolClosure,
)
from core.api.context import Info
from core.api.enums import MarkKind, Permission
from core.api.filters import After, Before, First, Last, invalid
from core.api.pagination import Connection, page_of
from core.api.permissions import require, restrict
from core.attendance import models
from core.global_ids import parse_global_id
from core.people.models import Child
from core.schools.models import School, SchoolClass

#: Longest range of days one query reads.
MAX_RANGE_DAYS = 200


def _range(first: datetime.date, last: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    last = last or first
    if last < first:
        raise invalid("to", "截止日期早于起始日期", "'to' is before 'from'")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise invalid(
            "to", f"日期范围不能超过 {MAX_RANGE_DAYS} 天", f"at most {MAX_RANGE_DAYS} days"
        )
    return first, last


FromDay = Annotated[datetime.date, strawberry.argument(name="from", description="起始日期")]
ToDay = Annotated[
    datetime.date | None,
    strawberry.argument(name="to", description="截止日期 (默认与起始日期相同)"),
]


@strawberry.type
class AttendanceQuery:
    @strawberry.field(description="班级考勤: 某班某日或一段日期内已登记的考勤日 (按日期)")
    async def class_attendance(
        self,
        info: Info,
        class_id: Annotated[strawberry.ID, strawberry.argument(description="班级 ID")],
        from_day: FromDay,
        to_day: ToDay = None,
    ) -> list[ClassAttendanceDay]:
        caller = require(info, Permission.READ_ROSTER)
        first, last = _range(from_day, to_day)
        school_class = await find_in_scope(
            SchoolClass,
            caller,
            parse_global_id(class_id, "SchoolClass", "classId"),
            "classId",
            ("班级", "class"),
        )
        rows = await restrict(
            info,
            models.ClassDay.filter(
                school_class_id=school_class.id, day__gte=first, day__lte=last
            ).order_by("day"),
        )
        return info.context.loaders.prime(rows)  # type: ignore[return-value]

    @strawberry.field(
        description="学生考勤记录 (分页, 新的在前): 缺勤与迟到; 未列出的已登记上学日为出勤"
    )
    async def child_attendance(
        self,
        info: Info,
        child_id: Annotated[strawberry.ID, strawberry.argument(description="学生 (Child 的 ID)")],
        from_day: Annotated[
            datetime.date | None, strawberry.argument(name="from", description="起始日期")
        ] = None,
        to_day: Annotated[
            datetime.date | None, strawberry.argument(name="to", description="截止日期")
        ] = None,
        kinds: Annotated[
            list[MarkKind] | None, strawberry.argument(description="只列这些考勤情况")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AttendanceRecord]:
        caller = require(info, Permission.READ_ROSTER)
        child = await find_in_scope(
            Child,
            caller,
            parse_global_id(child_id, "Child", "childId"),
            "childId",
            ("学生", "child"),
        )
        qs = models.AttendanceMark.filter(child_id=child.id)
        if from_day is not None:
            qs = qs.filter(day__gte=from_day)
        if to_day is not None:
            qs = qs.filter(day__lte=to_day)
        if kinds:
            qs = qs.filter(kind__in=[models.MarkKind(k) for k in kinds])
        return await page_of(
            info, qs.order_by("-day", "id"), first=first, after=after, last=last, before=before
        )

    @strawberry.field(description="考勤预警 (分页, 新的在前): 达到规则而立案或重新打开个案的学生")
    async def attendance_alerts(
        self,
        info: Info,
        school_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="只列本校学生")
        ] = None,
        from_day: Annotated[
            datetime.date | None, strawberry.argument(name="from", description="触发日期起")
        ] = None,
        to_day: Annotated[
            datetime.date | None, strawberry.argument(name="to", description="触发日期止")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AttendanceAlert]:
        qs = models.AttendanceAlert.all()
        if school_id is not None:
            qs = qs.filter(school_id=parse_global_id(school_id, "School", "schoolId"))
        if from_day is not None:
            qs = qs.filter(day__gte=from_day)
        if to_day is not None:
            qs = qs.filter(day__lte=to_day)
        return await page_of(
            info, qs.order_by("-day", "id"), first=first, after=after, last=last, before=before
        )

    @strawberry.field(description="学校停课记录 (按开始日期, 新的在前)")
    async def school_closures(
        self,
        info: Info,
        school_id: Annotated[strawberry.ID, strawberry.argument(description="学校 ID")],
    ) -> list[SchoolClosure]:
        caller = require(info)
        school = await find_in_scope(
            School,
            caller,
            parse_global_id(school_id, "School", "schoolId"),
            "schoolId",
            ("学校", "school"),
        )
        rows = await restrict(info, models.SchoolClosure.filter(school_id=school.id))
        return info.context.loaders.prime(rows)  # type: ignore[return-value]
