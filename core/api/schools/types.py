"""GraphQL types of schools and classes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from core.api.context import Info
from core.api.enums import SchoolKind
from core.api.node import ModelNode
from core.enrolment.models import Enrolment as EnrolmentModel
from core.jurisdictions import models as jmodels
from core.officials.models import Official as OfficialModel
from core.officials.models import SchoolLeadershipGroup as SchoolLeadershipGroupModel
from core.people.models import Child as ChildModel
from core.schools import models
from core.visits.models import SchoolPlan as SchoolPlanModel

TownType = Annotated["Town", strawberry.lazy("core.api.jurisdictions.types")]
VillageType = Annotated["Village", strawberry.lazy("core.api.jurisdictions.types")]
JurisdictionType = Annotated["Jurisdiction", strawberry.lazy("core.api.jurisdictions.types")]
SchoolGroupType = Annotated["SchoolGroup", strawberry.lazy("core.api.jurisdictions.types")]
OfficialType = Annotated["Official", strawberry.lazy("core.api.officials.types")]
SchoolLeadershipGroupType = Annotated[
    "SchoolLeadershipGroup", strawberry.lazy("core.api.officials.types")
]
ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]
SchoolPlanType = Annotated["SchoolPlan", strawberry.lazy("core.api.visits.types")]
EnrolmentType = Annotated["Enrolment", strawberry.lazy("core.api.enrolment.types")]


async def _groups_of_schools(info: Info, school_ids: Sequence[Any]) -> list[list[Any]]:
    rows = await models.School.filter(id__in=[str(s) for s in school_ids]).values(
        "id", "groups__id"
    )
    links: dict[str, list[Any]] = {}
    for row in rows:
        if row["groups__id"] is not None:
            links.setdefault(str(row["id"]), []).append(row["groups__id"])
    every = [g for ids in links.values() for g in ids]
    groups = await info.context.loaders.by_id(jmodels.SchoolGroup).load_many(every)
    by_id = {str(g.id): g for g in groups if g is not None}
    return [
        sorted(
            (by_id[str(g)] for g in links.get(str(school_id), []) if str(g) in by_id),
            key=lambda g: (g.kind, g.name),
        )
        for school_id in school_ids
    ]


@strawberry.type(name="School", description="学校")
class School(ModelNode):
    model: ClassVar = models.School
    id: relay.NodeID[str]
    code: str = strawberry.field(description="学校标识码 (10位)")
    name: str = strawberry.field(description="校名")
    kind: SchoolKind = strawberry.field(description="学校类别")
    address: str = strawberry.field(description="地址")

    @strawberry.field(description="一校一案 (按学年, 新的在前)")
    async def plans(self, info: Info) -> list[SchoolPlanType]:
        return await info.context.loaders.many(SchoolPlanModel, "school_id").load(self.id)

    principal_name: str = strawberry.field(description="校长姓名")

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> JurisdictionType:
        return await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="所在乡镇/街道")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Town).load(self.town_id)

    @strawberry.field(description="所在村/社区")
    async def village(self, info: Info) -> VillageType | None:
        if self.village_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Village).load(self.village_id)

    @strawberry.field(description="所属学区/督导责任区")
    async def groups(self, info: Info) -> list[SchoolGroupType]:
        loader = info.context.loaders.custom(
            "school.groups", lambda keys: _groups_of_schools(info, keys)
        )
        return await loader.load(self.id)

    @strawberry.field(description="班级 (按年级、班名排序)")
    async def classes(
        self,
        info: Info,
        school_year: Annotated[
            int | None, strawberry.argument(description="只取此学年 (起始年份) 的班级")
        ] = None,
    ) -> list[SchoolClass]:
        rows = await info.context.loaders.many(models.SchoolClass, "school_id").load(self.id)
        if school_year is not None:
            rows = [r for r in rows if r.school_year == school_year]
        return sorted(rows, key=lambda r: (r.grade, r.name, str(r.id)))

    @strawberry.field(description="本校教职工 (按姓名排序)")
    async def staff(self, info: Info) -> list[OfficialType]:
        return await info.context.loaders.many(OfficialModel, "school_id").load(self.id)

    @strawberry.field(
        description="本校控辍保学工作领导小组 (校长任组长; 县级文件未要求各校设立时为空)"
    )
    async def leadership_group(self, info: Info) -> SchoolLeadershipGroupType | None:
        rows = await info.context.loaders.many(SchoolLeadershipGroupModel, "school_id").load(
            self.id
        )
        return rows[0] if rows else None


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

    @strawberry.field(description="本班当前学籍 (含休学等非在读状态)")
    async def enrolments(self, info: Info) -> list[EnrolmentType]:
        return await info.context.loaders.many(
            EnrolmentModel, "school_class_id", is_current=True
        ).load(self.id)

    @strawberry.field(description="本班学生: 当前学籍在本班的儿童 (按姓名排序)")
    async def children(self, info: Info) -> list[ChildType]:
        enrolments = await info.context.loaders.many(
            EnrolmentModel, "school_class_id", is_current=True
        ).load(self.id)
        children = await info.context.loaders.by_id(ChildModel).load_many(
            [e.child_id for e in enrolments]
        )
        return sorted((c for c in children if c is not None), key=lambda c: (c.name, str(c.id)))
