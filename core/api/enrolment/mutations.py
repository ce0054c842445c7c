"""Mutations of 学籍: the 学籍异动 a school records directly (:mod:`core.enrolment.services`)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from core.api.context import Info
from core.api.enrolment.types import Enrolment, EnrolmentChange
from core.api.enums import EnrolmentChangeKind, EnrolmentMode
from core.api.ids import parse_global_id
from core.api.people.mutations import RegistryError, refused, write_of
from core.api.people.types import Child
from core.enrolment import services
from core.people import models as pmodels


@strawberry.input(
    description="登记学籍异动: 入学、转入、转出、休学、复学、毕业、死亡、变更就读方式"
)
class RecordEnrolmentChangeInput:
    child_id: strawberry.ID = strawberry.field(description="儿童 ID")
    kind: EnrolmentChangeKind = strawberry.field(description="异动类别")
    occurred_on: datetime.date = strawberry.field(
        description="异动日期 (不能早于上一次异动, 不能晚于今天)"
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="当前学籍读取到的版本号 (对已有学籍的异动必填; 不符时返回 CONFLICT)",
    )
    school_class_id: strawberry.ID | None = strawberry.field(
        default=None, description="入学/转入: 编入的班级"
    )
    grade: int | None = strawberry.field(
        default=None, description="入学/转入: 年级 (1–9, 默认为班级的年级)"
    )
    counterpart_school: str | None = strawberry.field(
        default=None, description="转入: 转出学校; 转出: 转入学校 (可在县外)"
    )
    reason: str | None = strawberry.field(default=None, description="原因 (休学必填)")
    approving_document: str | None = strawberry.field(
        default=None, description="批准文件 (休学、复学必填: 审批表编号等)"
    )
    mode: EnrolmentMode | None = strawberry.field(
        default=None,
        description="就读方式: 入学/转入时默认普通; 变更就读方式时必填 (随班就读、送教上门、"
        "特殊教育学校等), 自异动日期起",
    )


@strawberry.type(description="学籍异动的结果")
class EnrolmentChangePayload:
    enrolment: Enrolment | None = strawberry.field(description="异动后的学籍")
    change: EnrolmentChange | None = strawberry.field(description="新增的异动记录")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")

    @strawberry.field(description="儿童")
    async def child(self, info: Info) -> Child | None:
        if self.enrolment is None:
            return None
        return await info.context.loaders.by_id(pmodels.Child).load(self.enrolment.child_id)


@strawberry.type
class EnrolmentMutation:
    @strawberry.mutation(
        description="登记学籍异动 (只增不改); 不可能的异动返回 INVALID_TRANSITION 及允许的异动"
    )
    async def record_enrolment_change(
        self, info: Info, input: RecordEnrolmentChangeInput
    ) -> EnrolmentChangePayload:
        write = write_of(info, *services.permissions_for(input.kind))

        async def call() -> Any:
            return await services.record_change(
                services.ChangeRequest(
                    write=write,
                    child_id=parse_global_id(input.child_id, "Child", "childId"),
                    kind=input.kind,
                    occurred_on=input.occurred_on,
                    expected_version=input.expected_version,
                    school_class_id=parse_global_id(
                        input.school_class_id, "SchoolClass", "schoolClassId"
                    ),
                    grade=input.grade,
                    counterpart_school=input.counterpart_school or "",
                    reason=input.reason or "",
                    approving_document=input.approving_document or "",
                    mode=input.mode,
                )
            )

        result, errors = await refused(call)
        if result is None:
            return EnrolmentChangePayload(enrolment=None, change=None, errors=errors)
        enrolment, change = result
        loaders = info.context.loaders
        loaders.by_id(type(enrolment)).prime(str(enrolment.pk), enrolment, force=True)
        return EnrolmentChangePayload(enrolment=enrolment, change=change, errors=[])


__all__ = ["EnrolmentChangePayload", "EnrolmentMutation"]
