"""GraphQL type of officials (干部/教师)."""

from __future__ import annotations

from typing import ClassVar

import strawberry
from strawberry import relay

from core.api.node import ModelNode
from core.officials import models


@strawberry.type(name="Official", description="干部/教师: 可被指定为责任人的人员")
class Official(ModelNode):
    model: ClassVar = models.Official
    id: relay.NodeID[str]
    name: str = strawberry.field(description="姓名")
    title: str = strawberry.field(description="职务")
    organisation: str = strawberry.field(description="单位")
    office: str = strawberry.field(description="股室/部门")
