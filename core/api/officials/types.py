"""GraphQL types of officials (干部/教师) and their responsibility assignments."""

from __future__ import annotations

from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.access.masking import mask_phone
from core.api.context import Info
from core.api.enums import Duty, LeadershipRole, ResponsibilityLine
from core.api.masking import shown
from core.api.node import ModelNode
from core.jurisdictions import models as jmodels
from core.officials import models
from core.people import models as pmodels
from core.schools import models as smodels

JurisdictionType = Annotated["Jurisdiction", strawberry.lazy("core.api.jurisdictions.types")]
TownType = Annotated["Town", strawberry.lazy("core.api.jurisdictions.types")]
VillageType = Annotated["Village", strawberry.lazy("core.api.jurisdictions.types")]
SchoolGroupType = Annotated["SchoolGroup", strawberry.lazy("core.api.jurisdictions.types")]
SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]
SchoolClassType = Annotated["SchoolClass", strawberry.lazy("core.api.schools.types")]
ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]


@strawberry.type(name="Official", description="干部/教师: 可被指定为责任人的人员")
class Official(ModelNode):
    model: ClassVar = models.Official
    id: relay.NodeID[str]
    name: str = strawberry.field(description="姓名")
    title: str = strawberry.field(description="职务")
    organisation: str = strawberry.field(description="单位")
    office: str = strawberry.field(description="股室/部门")

    @strawberry.field(description="工作电话 (无「查看个人敏感信息」权限时打码)")
    def phone(self, info: Info) -> str:
        return shown(info, self, "Official", self.phone, mask_phone)

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> JurisdictionType:
        return await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="任职学校 (学校教职工)")
    async def school(self, info: Info) -> SchoolType | None:
        if self.school_id is None:
            return None
        return await info.context.loaders.named_school(smodels.School).load(self.school_id)

    @strawberry.field(description="所在乡镇/街道 (乡镇干部)")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Town).load(self.town_id)

    @strawberry.field(description="担任班主任的班级 (按年级、班名排序)")
    async def head_of_classes(self, info: Info) -> list[SchoolClassType]:
        rows = await info.context.loaders.many(smodels.SchoolClass, "head_teacher_id").load(self.id)
        return sorted(rows, key=lambda r: (-r.school_year, r.grade, r.name))

    @strawberry.field(description="承担的责任分工")
    async def assignments(self, info: Info) -> list[ResponsibilityAssignment]:
        return await info.context.loaders.many(models.ResponsibilityAssignment, "official_id").load(
            self.id
        )


@strawberry.type(
    name="ResponsibilityAssignment",
    description="责任分工: 某人对某乡镇、学校、年级、班级或儿童负责 (如双线四包)",
)
class ResponsibilityAssignment(ModelNode):
    model: ClassVar = models.ResponsibilityAssignment
    id: relay.NodeID[str]
    line: ResponsibilityLine = strawberry.field(description="责任线")
    duty: Duty = strawberry.field(description="分工")
    grade: int | None = strawberry.field(description="年级 (包年级时)")
    source: str = strawberry.field(description="依据 (文件条款/插件)")

    @strawberry.field(description="责任人")
    async def official(self, info: Info) -> Official:
        return await info.context.loaders.by_id(models.Official).load(self.official_id)

    @strawberry.field(description="负责的乡镇/街道")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Town).load(self.town_id)

    @strawberry.field(description="负责的村/社区 (包村)")
    async def village(self, info: Info) -> VillageType | None:
        if self.village_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Village).load(self.village_id)

    @strawberry.field(description="负责的学区或督导责任区")
    async def school_group(self, info: Info) -> SchoolGroupType | None:
        if self.school_group_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.SchoolGroup).load(self.school_group_id)

    @strawberry.field(description="负责的学校")
    async def school(self, info: Info) -> SchoolType | None:
        if self.school_id is None:
            return None
        return await info.context.loaders.named_school(smodels.School).load(self.school_id)

    @strawberry.field(description="负责的班级")
    async def school_class(self, info: Info) -> SchoolClassType | None:
        if self.school_class_id is None:
            return None
        return await info.context.loaders.named_school(smodels.SchoolClass).load(
            self.school_class_id
        )

    @strawberry.field(description="负责的儿童 (包人)")
    async def child(self, info: Info) -> ChildType | None:
        if self.child_id is None:
            return None
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="上级分工 (向谁负责)")
    async def reports_to(self, info: Info) -> ResponsibilityAssignment | None:
        if self.reports_to_id is None:
            return None
        return await info.context.loaders.by_id(models.ResponsibilityAssignment).load(
            self.reports_to_id
        )

    @strawberry.field(description="下级分工")
    async def subordinates(self, info: Info) -> list[ResponsibilityAssignment]:
        return await info.context.loaders.many(
            models.ResponsibilityAssignment, "reports_to_id"
        ).load(self.id)


@strawberry.type(
    name="SchoolLeadershipSeat",
    description="学校控辍保学工作领导小组中的一席: 谁、任何职务、负责什么",
)
class SchoolLeadershipSeat:
    role: LeadershipRole = strawberry.field(description="小组中的职务 (组长/副组长/成员)")
    duty: str = strawberry.field(description="职责, 如 负总责、具体负责、班主任包班")
    position: int = strawberry.field(description="在名单中的顺序 (从 0 起)")

    @strawberry.field(description="担任此席的人员")
    async def official(self, info: Info) -> Official | None:
        return await info.context.loaders.by_id(models.Official).load(self.official_id)


@strawberry.type(
    name="SchoolLeadershipGroup",
    description="学校控辍保学工作领导小组: 各校自设、由校长担任组长 (县级文件要求时)",
)
class SchoolLeadershipGroup(ModelNode):
    model: ClassVar = models.SchoolLeadershipGroup
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    source: str = strawberry.field(description="依据 (文件条款)")

    @strawberry.field(description="所属学校")
    async def school(self, info: Info) -> SchoolType | None:
        return await info.context.loaders.named_school(smodels.School).load(self.school_id)

    @strawberry.field(description="组成人员 (按名单顺序: 组长、副组长、成员)")
    async def seats(self, info: Info) -> list[SchoolLeadershipSeat]:
        return await _seats(info, self.id)  # type: ignore[return-value]

    @strawberry.field(description="组长 (校长; 无记录时为空)")
    async def leader(self, info: Info) -> Official | None:
        for seat in await _seats(info, self.id):
            if seat.role is LeadershipRole.LEADER:
                return await info.context.loaders.by_id(models.Official).load(seat.official_id)
        return None


async def _seats(info: Info, group_id: object) -> list[models.SchoolLeadershipSeat]:
    rows = await info.context.loaders.many(models.SchoolLeadershipSeat, "group_id").load(group_id)
    return sorted(rows, key=lambda r: (r.position, str(r.id)))
