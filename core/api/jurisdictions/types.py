"""GraphQL types of jurisdictions, towns and villages."""

from __future__ import annotations

from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.api import registry  # noqa: F401  (registers enums)
from core.api.context import Info
from core.api.node import ModelNode
from core.jurisdictions import models
from core.jurisdictions.models import SchoolGroupKind, TownKind, VillageKind

SchoolsType = Annotated["School", strawberry.lazy("core.api.schools.types")]


@strawberry.type(name="Jurisdiction", description="县级行政区 (区/县/县级市), 教育局的管辖范围")
class Jurisdiction(ModelNode):
    model: ClassVar = models.Jurisdiction
    id: relay.NodeID[str]
    division_code: str = strawberry.field(description="行政区划代码 (6位)")
    name: str = strawberry.field(description="名称")
    city: str = strawberry.field(description="所属地级市")
    province: str = strawberry.field(description="所属省级行政区")

    @strawberry.field(description="乡镇/街道")
    async def towns(self, info: Info) -> list[Town]:
        return await info.context.loaders.many(models.Town, "jurisdiction_id").load(self.id)


@strawberry.type(name="Town", description="乡镇/街道")
class Town(ModelNode):
    model: ClassVar = models.Town
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    kind: TownKind = strawberry.field(description="类别")

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> Jurisdiction:
        return await info.context.loaders.by_id(models.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="村/社区")
    async def villages(self, info: Info) -> list[Village]:
        return await info.context.loaders.many(models.Village, "town_id").load(self.id)


@strawberry.type(name="Village", description="村/社区")
class Village(ModelNode):
    model: ClassVar = models.Village
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    kind: VillageKind = strawberry.field(description="类别")

    @strawberry.field(description="所属乡镇/街道")
    async def town(self, info: Info) -> Town:
        return await info.context.loaders.by_id(models.Town).load(self.town_id)


@strawberry.type(name="SchoolGroup", description="学区或督导责任区")
class SchoolGroup(ModelNode):
    model: ClassVar = models.SchoolGroup
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    kind: SchoolGroupKind = strawberry.field(description="类别")
