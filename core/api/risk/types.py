"""``Child.risk``: a child's level, the rule set's version and the rules that fired.

The assessments of every child on a page are computed together (one DataLoader batch, one
statement per county), so a page of 100 children costs what a page of 5 does.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import strawberry

from core.api.context import Info
from core.api.enums import Comparison, RiskLevel, RiskSignal
from core.china_time import local_date
from core.jurisdictions.models import Jurisdiction
from core.risk import evaluation
from core.risk.services import assess


@strawberry.type(name="RiskReason", description="命中的一条风险规则及其数值")
class RiskReason:
    code: str = strawberry.field(description="规则代码, 如 UNEXPLAINED_ABSENCES")
    signal: RiskSignal = strawberry.field(description="所衡量的指标")
    label: str = strawberry.field(description="中文说明, 如 本学期无故缺勤 4 天 ≥ 3 天")
    name: str = strawberry.field(description="指标名称, 如 本学期无故缺勤")
    value: Decimal = strawberry.field(description="本儿童的数值 (出勤率为百分数)")
    comparison: Comparison = strawberry.field(description="比较方式")
    threshold: Decimal = strawberry.field(description="规则的阈值")
    unit: str = strawberry.field(description="单位, 如 天、%、类")
    weight: int = strawberry.field(description="计入的分值")

    @classmethod
    def of(cls, reason: evaluation.Reason) -> RiskReason:
        return cls(
            code=reason.code,
            signal=reason.signal,
            label=reason.label,
            name=reason.name,
            value=Decimal(evaluation.format_number(reason.value)),
            comparison=reason.comparison,
            threshold=reason.threshold,
            unit=reason.signal.unit,
            weight=reason.weight,
        )


@strawberry.type(
    name="ChildRisk", description="辍学风险: 等级、分值、所依据的规则集版本与命中的规则"
)
class ChildRisk:
    level: RiskLevel = strawberry.field(description="风险等级")
    score: int = strawberry.field(description="分值: 命中规则的分值之和")
    rule_set_version: str = strawberry.field(description="所依据的规则集版本")
    reasons: list[RiskReason] = strawberry.field(description="命中的规则 (未命中的不列出)")
    assessed_on: strawberry.Private[Any]

    @strawberry.field(description="评估日期 (北京时间的今天; 出勤按本学期至今统计)")
    def as_of(self) -> str:
        return self.assessed_on.isoformat()


async def child_risk(info: Info, child: Any) -> ChildRisk:
    """The risk of ``child`` (a Child row), batched with the other children of the request."""
    county = await info.context.loaders.by_id(Jurisdiction).load(child.jurisdiction_id)
    today = local_date(info.context.now())

    async def load(keys: Sequence[str]) -> list[evaluation.Assessment | None]:
        pairs = [tuple(k.split("|")) for k in keys]
        found = await assess(((child_id, code) for child_id, code in pairs), today)
        return [found.get(child_id) for child_id, _ in pairs]

    code = county.division_code if county is not None else ""
    loader = info.context.loaders.custom("risk", load)
    assessment = await loader.load(f"{child.id}|{code}")
    assert assessment is not None
    return ChildRisk(
        level=assessment.level,
        score=assessment.score,
        rule_set_version=assessment.version,
        reasons=[RiskReason.of(r) for r in assessment.reasons],
        assessed_on=today,
    )
