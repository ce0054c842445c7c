"""GraphQL types of jurisdictions, towns, villages and school groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from core.api.context import Info
from core.api.enums import KeyAreaKind, SchoolGroupKind, TownKind, VillageKind
from core.api.node import ModelNode
from core.api.rules.types import CountyRules, county_rules
from core.jurisdictions import models
from core.plugins import rules_for
from core.schools import models as smodels

SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]


@strawberry.type(name="KeyArea", description="重点地区: 乡镇或村被列为哪类重点地区, 及其依据")
class KeyArea:
    kind: KeyAreaKind = strawberry.field(description="重点地区类别")
    source: str = strawberry.field(description="依据 (文件条款; 文件未列出时为 演示数据)")

    @strawberry.field(description="类别的中文名称, 如 农村、边远、民族")
    def label(self) -> str:
        return KeyAreaKind(self.kind).label


KeyAreaKinds = Annotated[
    list[KeyAreaKind] | None,
    strawberry.argument(description="只列属于这些重点地区类别之一的乡镇/街道"),
]


async def _town_key_areas(info: Info, town_ids: Sequence[Any]) -> list[list[Any]]:
    """Each town's own 重点地区 marks (its villages' are the villages')."""
    rows = await info.context.loaders.many(models.KeyArea, "town_id").load_many(list(town_ids))
    return [list(r) for r in rows]


@strawberry.type(name="Jurisdiction", description="县级行政区 (区/县/县级市), 教育局的管辖范围")
class Jurisdiction(ModelNode):
    model: ClassVar = models.Jurisdiction
    id: relay.NodeID[str]
    division_code: str = strawberry.field(description="行政区划代码 (6位)")
    name: str = strawberry.field(description="名称")
    city: str = strawberry.field(description="所属地级市")
    province: str = strawberry.field(description="所属省级行政区")

    @strawberry.field(description="乡镇/街道 (按名称排序); keyAreas 给出时只列属于其一的")
    async def towns(self, info: Info, key_areas: KeyAreaKinds = None) -> list[Town]:
        towns = await info.context.loaders.many(models.Town, "jurisdiction_id").load(self.id)
        if not key_areas:
            return towns
        marks = await _town_key_areas(info, [t.id for t in towns])
        wanted = {KeyAreaKind(k) for k in key_areas}
        return [t for t, m in zip(towns, marks, strict=True) if wanted & {a.kind for a in m}]

    @strawberry.field(description="学区与督导责任区")
    async def school_groups(self, info: Info) -> list[SchoolGroup]:
        return await info.context.loaders.many(models.SchoolGroup, "jurisdiction_id").load(self.id)

    @strawberry.field(description="全部学校 (按校名排序); 需要筛选或分页时用顶层 schools")
    async def schools(self, info: Info) -> list[SchoolType]:
        return await info.context.loaders.many(smodels.School, "jurisdiction_id").load(self.id)

    @strawberry.field(
        description="本县的控辍保学规则 (县级插件按文件提供, 未规定处适用核心默认值): "
        "领导小组、责任分工、目标、劝返链条、时限、重点时段、报表格式等"
    )
    def rules(self) -> CountyRules:
        return county_rules(rules_for(self.division_code))


@strawberry.type(name="Town", description="乡镇/街道")
class Town(ModelNode):
    model: ClassVar = models.Town
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    kind: TownKind = strawberry.field(description="类别")
    code: str = strawberry.field(description="乡级区划代码 (可为空字符串)")

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> Jurisdiction:
        return await info.context.loaders.by_id(models.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="村/社区 (按名称排序)")
    async def villages(self, info: Info) -> list[Village]:
        return await info.context.loaders.many(models.Village, "town_id").load(self.id)

    @strawberry.field(description="本乡镇/街道的学校 (按校名排序)")
    async def schools(self, info: Info) -> list[SchoolType]:
        return await info.context.loaders.many(smodels.School, "town_id").load(self.id)

    @strawberry.field(description="本乡镇/街道被列为的重点地区 (农村、边远、贫困、民族等)")
    async def key_areas(self, info: Info) -> list[KeyArea]:
        return await info.context.loaders.many(models.KeyArea, "town_id").load(self.id)


@strawberry.type(name="Village", description="村/社区")
class Village(ModelNode):
    model: ClassVar = models.Village
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    kind: VillageKind = strawberry.field(description="类别")

    @strawberry.field(description="所属乡镇/街道")
    async def town(self, info: Info) -> Town:
        return await info.context.loaders.by_id(models.Town).load(self.town_id)

    @strawberry.field(description="本村/社区的学校 (含教学点)")
    async def schools(self, info: Info) -> list[SchoolType]:
        return await info.context.loaders.many(smodels.School, "village_id").load(self.id)

    @strawberry.field(
        description="本村/社区被列为的重点地区 (不含所在乡镇的; 乡镇的见 town.keyAreas)"
    )
    async def key_areas(self, info: Info) -> list[KeyArea]:
        return await info.context.loaders.many(models.KeyArea, "village_id").load(self.id)


async def _schools_of_groups(info: Info, group_ids: Sequence[Any]) -> list[list[Any]]:
    rows = await models.SchoolGroup.filter(id__in=[str(g) for g in group_ids]).values(
        "id", "schools__id"
    )
    members: dict[str, list[Any]] = {}
    for row in rows:
        if row["schools__id"] is not None:
            members.setdefault(str(row["id"]), []).append(row["schools__id"])
    every = [s for ids in members.values() for s in ids]
    schools = await info.context.loaders.by_id(smodels.School).load_many(every)
    by_id = {str(s.id): s for s in schools if s is not None}
    result = []
    for group_id in group_ids:
        found = [by_id[str(s)] for s in members.get(str(group_id), []) if str(s) in by_id]
        result.append(sorted(found, key=lambda s: (s.name, str(s.id))))
    return result


@strawberry.type(name="SchoolGroup", description="学区或督导责任区")
class SchoolGroup(ModelNode):
    model: ClassVar = models.SchoolGroup
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    kind: SchoolGroupKind = strawberry.field(description="类别")
    demo_only: bool = strawberry.field(
        description="是否为演示数据: 文件有此类分组, 但未列出其范围 (组内学校为插件所设)"
    )

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> Jurisdiction:
        return await info.context.loaders.by_id(models.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="组内学校 (按校名排序)")
    async def schools(self, info: Info) -> list[SchoolType]:
        loader = info.context.loaders.custom(
            "school_group.schools", lambda keys: _schools_of_groups(info, keys)
        )
        return await loader.load(self.id)
