"""Mutations of attendance: a class's day in one call, the follow-up call, a school closure."""

from __future__ import annotations

import datetime

import strawberry

from core.api.attendance.types import AbsenceFollowUp, ClassAttendanceDay, SchoolClosure
from core.api.context import Info
from core.api.enums import FollowUpOutcome, MarkKind, Permission
from core.api.errors import FieldError, field_error, in_payload
from core.api.permissions import require
from core.attendance import models, services
from core.errors import DomainError, ErrorCode
from core.global_ids import parse_global_id

#: Most children one day's list may name (a class is far smaller).
MAX_MARKS = 200


@strawberry.input(description="一名未正常出勤的学生: 缺勤 (病假、事假、无故) 或迟到")
class AttendanceMarkInput:
    child_id: strawberry.ID = strawberry.field(description="学生 (Child 的 ID)")
    kind: MarkKind = strawberry.field(description="考勤情况")
    note: str | None = strawberry.field(default=None, description="说明 (如 发烧, 家长已请假)")


@strawberry.input(description="登记一个班某个上学日的考勤: 名单之外的本班在读学生均为出勤")
class RecordClassAttendanceInput:
    class_id: strawberry.ID = strawberry.field(description="班级 (SchoolClass 的 ID)")
    day: datetime.date = strawberry.field(name="date", description="考勤日期 (不能晚于今天)")
    marks: list[AttendanceMarkInput] = strawberry.field(
        description="缺勤或迟到的学生 (全班出勤时为空列表)"
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="当日更正时读取到的版本号; 与当前版本不符时返回 CONFLICT 且不做任何修改",
    )


@strawberry.type(description="登记班级考勤的结果")
class RecordClassAttendancePayload:
    class_day: ClassAttendanceDay | None = strawberry.field(description="登记后的班级考勤日")
    replaced_version: int | None = strawberry.field(
        default=None, description="本次更正所替换的版本号 (首次登记时为空; 旧版本见 revisions)"
    )
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.input(description="登记无故缺勤学生的当日跟踪: 谁联系了监护人, 结果如何")
class RecordAbsenceFollowUpInput:
    child_id: strawberry.ID = strawberry.field(description="学生 (Child 的 ID)")
    day: datetime.date = strawberry.field(name="date", description="缺勤日期 (须为今天)")
    outcome: FollowUpOutcome = strawberry.field(description="跟踪结果")
    caller_name: str | None = strawberry.field(
        default=None, description="联系人姓名 (给出 callerOfficialId 时可省略)"
    )
    caller_official_id: strawberry.ID | None = strawberry.field(
        default=None, description="联系人 (Official 的 ID)"
    )
    contacted: str | None = strawberry.field(
        default=None, description="联系到的监护人及关系, 如 父亲黄大明"
    )
    note: str | None = strawberry.field(default=None, description="情况说明")


@strawberry.type(description="登记缺勤跟踪的结果")
class RecordAbsenceFollowUpPayload:
    follow_up: AbsenceFollowUp | None = strawberry.field(description="跟踪记录")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.input(description="登记学校停课 (校历之外不上课的日子)")
class AddSchoolClosureInput:
    school_id: strawberry.ID = strawberry.field(description="学校 ID")
    first_day: datetime.date = strawberry.field(description="停课第一天")
    last_day: datetime.date = strawberry.field(description="停课最后一天")
    reason: str = strawberry.field(description="停课原因")


@strawberry.type(description="登记学校停课的结果")
class AddSchoolClosurePayload:
    closure: SchoolClosure | None = strawberry.field(description="停课记录")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


def _marks(marks: list[AttendanceMarkInput]) -> list[services.MarkInput]:
    if len(marks) > MAX_MARKS:
        raise DomainError(
            ErrorCode.INVALID,
            f"名单不能超过 {MAX_MARKS} 人",
            f"at most {MAX_MARKS} children",
            field="marks",
        )
    found = []
    for i, mark in enumerate(marks):
        child_id = parse_global_id(mark.child_id, "Child", f"marks.{i}.childId")
        assert child_id is not None
        found.append(services.MarkInput(child_id, models.MarkKind(mark.kind), mark.note or ""))
    return found


@strawberry.type
class AttendanceMutation:
    @strawberry.mutation(
        description="登记班级考勤 (班主任): 一次登记全班一天, 只列缺勤或迟到的学生; "
        "同一天再次登记即为更正, 旧版本保留在 revisions 中, 只能当天更正"
    )
    async def record_class_attendance(
        self, info: Info, input: RecordClassAttendanceInput
    ) -> RecordClassAttendancePayload:
        caller = require(info, Permission.RECORD_ATTENDANCE)
        try:
            class_id = parse_global_id(input.class_id, "SchoolClass", "classId")
            assert class_id is not None
            recorded = await services.record_class_attendance(
                caller,
                class_id=class_id,
                day=input.day,
                marks=_marks(input.marks),
                now=info.context.now(),
                expected_version=input.expected_version,
                audit=info.context.write_audit,
            )
        except DomainError as exc:
            return RecordClassAttendancePayload(
                class_day=None, errors=[field_error(in_payload(exc))]
            )
        info.context.loaders.prime([recorded.class_day])
        return RecordClassAttendancePayload(
            class_day=recorded.class_day,  # type: ignore[arg-type]
            replaced_version=recorded.replaced_version,
            errors=[],
        )

    @strawberry.mutation(description="登记缺勤当日跟踪 (无故缺勤学生, 联系监护人的情况)")
    async def record_absence_follow_up(
        self, info: Info, input: RecordAbsenceFollowUpInput
    ) -> RecordAbsenceFollowUpPayload:
        caller = require(info, Permission.RECORD_ATTENDANCE)
        try:
            child_id = parse_global_id(input.child_id, "Child", "childId")
            assert child_id is not None
            follow_up = await services.record_absence_follow_up(
                caller,
                child_id=child_id,
                day=input.day,
                caller_name=input.caller_name or "",
                caller_official_id=parse_global_id(
                    input.caller_official_id, "Official", "callerOfficialId"
                ),
                contacted=input.contacted or "",
                outcome=models.FollowUpOutcome(input.outcome),
                note=input.note or "",
                now=info.context.now(),
                audit=info.context.write_audit,
            )
        except DomainError as exc:
            return RecordAbsenceFollowUpPayload(
                follow_up=None, errors=[field_error(in_payload(exc))]
            )
        return RecordAbsenceFollowUpPayload(follow_up=follow_up, errors=[])  # type: ignore[arg-type]

    @strawberry.mutation(description="登记学校停课 (学校或教育局; 停课日不登记考勤, 预警规则不计)")
    async def add_school_closure(
        self, info: Info, input: AddSchoolClosureInput
    ) -> AddSchoolClosurePayload:
        caller = require(info, Permission.RECORD_ATTENDANCE)
        try:
            school_id = parse_global_id(input.school_id, "School", "schoolId")
            assert school_id is not None
            closure = await services.add_school_closure(
                caller,
                school_id=school_id,
                first_day=input.first_day,
                last_day=input.last_day,
                reason=input.reason,
                now=info.context.now(),
                audit=info.context.write_audit,
            )
        except DomainError as exc:
            return AddSchoolClosurePayload(closure=None, errors=[field_error(in_payload(exc))])
        return AddSchoolClosurePayload(closure=closure, errors=[])  # type: ignore[arg-type]
