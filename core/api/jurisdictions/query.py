"""Queries of jurisdictions."""

from __future__ import annotations

import strawberry

from core.api.jurisdictions.types import Jurisdiction
from core.jurisdictions import models


@strawberry.type
class JurisdictionQuery:
    @strawberry.field(description="本系统服务的全部县级行政区")
    async def jurisdictions(self) -> list[Jurisdiction]:
        return await models.Jurisdiction.all()

    @strawberry.field(description="按行政区划代码查找县级行政区")
    async def jurisdiction(self, code: str) -> Jurisdiction | None:
        return await models.Jurisdiction.get_or_none(division_code=code.strip())
