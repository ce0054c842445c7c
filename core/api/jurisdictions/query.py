"""Queries of jurisdictions."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.filters import division_code
from core.api.jurisdictions.types import Jurisdiction
from core.api.permissions import restrict
from core.jurisdictions import models


@strawberry.type
class JurisdictionQuery:
    @strawberry.field(description="本系统服务的全部县级行政区 (按行政区划代码排序)")
    async def jurisdictions(self, info: Info) -> list[Jurisdiction]:
        return info.context.loaders.prime(await restrict(info, models.Jurisdiction.all()))

    @strawberry.field(description="按行政区划代码查找县级行政区, 不存在时为 null")
    async def jurisdiction(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="行政区划代码 (6位)")],
    ) -> Jurisdiction | None:
        row = await restrict(info, models.Jurisdiction.all()).get_or_none(
            division_code=division_code(code, "code")
        )
        return info.context.loaders.prime([row])[0] if row else None
