"""GraphQL types of cases (一人一档) and their timeline."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import registry  # noqa: F401
from core.api.context import Info
from core.api.node import ModelNode
from core.cases import models
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.people import models as pmodels
from core.schools import models as smodels

ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]
SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]


@strawberry.type(name="Case", description="控辍保学个案 (一人一档)")
class Case(ModelNode):
    model: ClassVar = models.Case
    id: relay.NodeID[str]
    kind: CaseKind = strawberry.field(description="个案类别")
    state: CaseState = strawberry.field(description="状态")
    source: CaseSource = strawberry.field(description="来源")
    reason: str = strawberry.field(description="辍学原因代码")
    reason_detail: str = strawberry.field(description="原因说明")
    escalation_level: int = strawberry.field(description="当前责任层级 (0 为第一级)")
    opened_at: datetime.datetime = strawberry.field(description="立案时间")
    closed_at: datetime.datetime | None = strawberry.field(description="结案时间")
    next_deadline_at: datetime.datetime | None = strawberry.field(description="下一时限")
    version: int = strawberry.field(description="版本号 (修改时须提供, 防止并发覆盖)")

    @strawberry.field(description="儿童")
    async def child(self, info: Info) -> ChildType:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="学籍校")
    async def school(self, info: Info) -> SchoolType | None:
        if self.school_id is None:
            return None
        return await info.context.loaders.by_id(smodels.School).load(self.school_id)

    @strawberry.field(description="时间线 (按发生时间先后)")
    async def events(self, info: Info) -> list[CaseEvent]:
        return await info.context.loaders.many(models.CaseEvent, "case_id").load(self.id)


@strawberry.type(name="CaseEvent", description="个案时间线中的一条记录 (写入后不可修改)")
class CaseEvent(ModelNode):
    model: ClassVar = models.CaseEvent
    id: relay.NodeID[str]
    kind: CaseEventKind = strawberry.field(description="事件类别")
    from_state: CaseState | None = strawberry.field(description="变更前状态")
    to_state: CaseState | None = strawberry.field(description="变更后状态")
    occurred_at: datetime.datetime = strawberry.field(description="发生时间")
    recorded_at: datetime.datetime = strawberry.field(description="记录时间")
    actor_name: str = strawberry.field(description="经办人")
    details: JSON = strawberry.field(description="详情 (随事件类别而定)")
