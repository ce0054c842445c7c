"""GraphQL types of schools and classes."""

from __future__ import annotations

from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.api import registry  # noqa: F401
from core.api.context import Info
from core.api.node import ModelNode
from core.jurisdictions import models as jmodels
from core.officials.models import Official as OfficialModel
from core.schools import models
from core.schools.models import SchoolKind

TownType = Annotated["Town", strawberry.lazy("core.api.jurisdictions.types")]
JurisdictionType = Annotated["Jurisdiction", strawberry.lazy("core.api.jurisdictions.types")]
OfficialType = Annotated["Official", strawberry.lazy("core.api.officials.types")]


@strawberry.type(name="School", description="学校")
class School(ModelNode):
    model: ClassVar = models.School
    id: relay.NodeID[str]
    code: str = strawberry.field(description="学校标识码 (10位)")
    name: str = strawberry.field(description="校名")
    kind: SchoolKind = strawberry.field(description="学校类别")
    address: str = strawberry.field(description="地址")

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> JurisdictionType:
        return await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="所在乡镇/街道")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Town).load(self.town_id)

    @strawberry.field(description="班级 (按年级、班名排序)")
    async def classes(self, info: Info) -> list[SchoolClass]:
        return await info.context.loaders.many(models.SchoolClass, "school_id").load(self.id)


@strawberry.type(name="SchoolClass", description="班级")
class SchoolClass(ModelNode):
    model: ClassVar = models.SchoolClass
    id: relay.NodeID[str]
    grade: int = strawberry.field(description="年级 (1–9)")
    name: str = strawberry.field(description="班级名称")
    school_year: int = strawberry.field(description="学年起始年份")

    @strawberry.field(description="所属学校")
    async def school(self, info: Info) -> School:
        return await info.context.loaders.by_id(models.School).load(self.school_id)

    @strawberry.field(description="班主任")
    async def head_teacher(self, info: Info) -> OfficialType | None:
        if self.head_teacher_id is None:
            return None
        return await info.context.loaders.by_id(OfficialModel).load(self.head_teacher_id)
