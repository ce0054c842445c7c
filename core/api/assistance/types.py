"""GraphQL type of assistance records (资助)."""

from __future__ import annotations

import datetime
import decimal
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.api.context import Info
from core.api.node import ModelNode
from core.api.permissions import related
from core.assistance import models
from core.assistance.models import AssistanceProgramme
from core.people import models as pmodels

ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]


@strawberry.type(name="Assistance", description="资助记录: 某学年给予一名儿童的一项资助")
class Assistance(ModelNode):
    model: ClassVar = models.Assistance
    id: relay.NodeID[str]
    programme: str = strawberry.field(
        description="资助项目代码 (核心: TWO_EXEMPTIONS_ONE_SUBSIDY, NUTRITION, LIVING_SUBSIDY, "
        "BOARDING_PRIORITY, DONATION, FEE_WAIVER; 插件可增加)"
    )
    amount: decimal.Decimal = strawberry.field(description="金额 (元)")
    school_year: int = strawberry.field(description="学年起始年份")
    granted_on: datetime.date = strawberry.field(description="发放日期")
    funder: str = strawberry.field(description="资金来源/捐助方")
    note: str = strawberry.field(description="备注")
    updated_at: datetime.datetime = strawberry.field(
        description="最近更新时间 (修改时可作 expectedUpdatedAt 提交)"
    )

    @strawberry.field(description="资助项目 (中文)")
    def programme_label(self) -> str:
        try:
            return AssistanceProgramme(self.programme).label
        except ValueError:
            return self.programme

    @strawberry.field(description="受助儿童")
    async def child(self, info: Info) -> ChildType:
        return await related(info, pmodels.Child, self.child_id)
