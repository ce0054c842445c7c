"""GraphQL types of enrolments (学籍) and their changes (学籍异动)."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.api.context import Info
from core.api.enums import EnrolmentChangeKind, EnrolmentMode, EnrolmentStatus
from core.api.node import ModelNode
from core.cases import models as cmodels
from core.enrolment import models
from core.people import models as pmodels
from core.schools import models as smodels

SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]
SchoolClassType = Annotated["SchoolClass", strawberry.lazy("core.api.schools.types")]
ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]
CaseType = Annotated["Case", strawberry.lazy("core.api.cases.types")]


@strawberry.type(name="Enrolment", description="学籍")
class Enrolment(ModelNode):
    model: ClassVar = models.Enrolment
    id: relay.NodeID[str]
    grade: int = strawberry.field(description="年级 (1–9)")
    status: EnrolmentStatus = strawberry.field(description="学籍状态")
    mode: EnrolmentMode = strawberry.field(description="就读方式")
    started_on: datetime.date = strawberry.field(description="开始日期")
    ended_on: datetime.date | None = strawberry.field(description="结束日期")
    is_current: bool = strawberry.field(description="是否当前学籍")
    mode_since: datetime.date | None = strawberry.field(description="现就读方式的开始日期")
    version: int = strawberry.field(description="版本号: 办理异动时作为 expectedVersion 提交")
    updated_at: datetime.datetime = strawberry.field(description="最近更新时间")

    @strawberry.field(description="儿童")
    async def child(self, info: Info) -> ChildType:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="学籍校")
    async def school(self, info: Info) -> SchoolType:
        return await info.context.loaders.named_school(smodels.School).load(self.school_id)

    @strawberry.field(description="班级")
    async def school_class(self, info: Info) -> SchoolClassType | None:
        if self.school_class_id is None:
            return None
        return await info.context.loaders.named_school(smodels.SchoolClass).load(
            self.school_class_id
        )

    @strawberry.field(description="学籍异动记录 (按时间先后)")
    async def changes(self, info: Info) -> list[EnrolmentChange]:
        return await info.context.loaders.many(models.EnrolmentChange, "enrolment_id").load(self.id)


@strawberry.type(name="EnrolmentChange", description="学籍异动")
class EnrolmentChange(ModelNode):
    model: ClassVar = models.EnrolmentChange
    id: relay.NodeID[str]
    kind: EnrolmentChangeKind = strawberry.field(description="异动类别")
    occurred_on: datetime.date = strawberry.field(description="异动日期")
    status_after: EnrolmentStatus = strawberry.field(description="异动后的学籍状态")
    counterpart_school: str = strawberry.field(description="转入来源/转出去向学校")
    reason: str = strawberry.field(description="原因")
    approving_document: str = strawberry.field(description="批准文件 (休学、复学)")
    mode_after: EnrolmentMode | None = strawberry.field(description="异动后的就读方式")
    recorded_at: datetime.datetime = strawberry.field(description="记录时间")

    @strawberry.field(description="所属学籍")
    async def enrolment(self, info: Info) -> Enrolment:
        return await info.context.loaders.by_id(models.Enrolment).load(self.enrolment_id)

    @strawberry.field(description="儿童")
    async def child(self, info: Info) -> ChildType:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="异动后的班级")
    async def school_class(self, info: Info) -> SchoolClassType | None:
        if self.school_class_id is None:
            return None
        return await info.context.loaders.named_school(smodels.SchoolClass).load(
            self.school_class_id
        )

    @strawberry.field(description="相关的控辍保学个案 (如因劝返复学而复学)")
    async def case(self, info: Info) -> CaseType | None:
        if self.case_id is None:
            return None
        return await info.context.loaders.by_id(cmodels.Case).load(self.case_id)
