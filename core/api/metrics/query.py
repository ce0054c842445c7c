"""``metrics``, ``indicators``, ``targetEvaluations``, ``accounting`` and ``countyDashboard``."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.enums import Breakdown, IndicatorCode, MetricPlaceKind
from core.api.filters import division_code
from core.api.ids import parse_global_id
from core.api.metrics.types import (
    Accounting,
    CaseCount,
    CountyDashboard,
    IndicatorDefinition,
    MetricPlace,
    Metrics,
    OfficeOverdue,
    TargetEvaluation,
    metric_values,
)
from core.jurisdictions.models import KeyAreaKind, Town
from core.metrics import indicators as ind
from core.metrics import service
from core.metrics.dashboard import county_dashboard
from core.metrics.place import PlaceKind as DomainPlaceKind
from core.metrics.sql import Frame
from core.people.enums import KeyGroup
from core.rules.enums import SchoolStage

_ID_TYPES = {
    DomainPlaceKind.TOWN: "Town",
    DomainPlaceKind.SCHOOL: "School",
    DomainPlaceKind.SCHOOL_DISTRICT: "SchoolGroup",
    DomainPlaceKind.SUPERVISION_ZONE: "SchoolGroup",
}


@strawberry.input(description="统计范围: 不填为整个县; 否则为一个乡镇/街道、学区、督导责任区或学校")
class PlaceInput:
    kind: MetricPlaceKind = strawberry.field(description="类别")
    id: strawberry.ID | None = strawberry.field(
        default=None, description="乡镇 (Town)、学校分组 (SchoolGroup) 或学校 (School) 的全局 ID"
    )


JurisdictionCode = Annotated[
    str | None,
    strawberry.argument(description="县级行政区划代码 (6位); 工作范围只有一个县时可省略"),
]
PlaceArg = Annotated[PlaceInput | None, strawberry.argument(description="统计范围 (默认整个县)")]
AsOf = Annotated[
    datetime.date | None,
    strawberry.argument(description="统计日期 (默认今天): 按当日为止的学籍异动与个案时间线"),
]


async def _frame(
    info: Info, jurisdiction_code: str | None, place: PlaceInput | None, as_of: datetime.date | None
) -> Frame:
    kind = DomainPlaceKind(place.kind.value) if place else DomainPlaceKind.COUNTY
    place_id = None
    if place is not None and kind is not DomainPlaceKind.COUNTY:
        place_id = parse_global_id(place.id, _ID_TYPES[kind], "place.id")
    resolved = await service.resolve_place(
        info.context.caller,
        jurisdiction_code=division_code(jurisdiction_code, "jurisdictionCode"),
        kind=kind,
        place_id=place_id,
    )
    return service.frame_for(resolved, as_of, info.context.now())


async def _buckets(frame: Frame, breakdown: ind.Breakdown) -> dict[str, tuple[str, str]]:
    from core.api.ids import encode_global_id

    if breakdown is ind.Breakdown.STAGE:
        return {s.value: (s.value, s.label) for s in SchoolStage}
    if breakdown is ind.Breakdown.KEY_GROUP:
        return {g.value: (g.value, g.label) for g in KeyGroup}
    if breakdown is ind.Breakdown.KEY_AREA:
        return {k.value: (k.value, k.label) for k in KeyAreaKind}
    if breakdown is ind.Breakdown.TOWN:
        towns = await Town.filter(jurisdiction_id=frame.place.jurisdiction_id).values("id", "name")
        return {str(t["id"]): (encode_global_id("Town", t["id"]), t["name"]) for t in towns}
    return {}


@strawberry.type
class MetricsQuery:
    @strawberry.field(description="指标定义: 每个指标的分子、分母与公式 (见 docs/metrics.md)")
    def indicators(self) -> list[IndicatorDefinition]:
        return [IndicatorDefinition.of(i) for i in ind.INDICATORS]

    @strawberry.field(
        description="某范围某日的指标 (需「查看目标与报表」权限), 可按学段、乡镇、重点群体或"
        "重点地区分组; 全部由 SQL 汇总"
    )
    async def metrics(
        self,
        info: Info,
        jurisdiction_code: JurisdictionCode = None,
        place: PlaceArg = None,
        as_of: AsOf = None,
        breakdown: Annotated[
            Breakdown, strawberry.argument(description="分组方式 (默认不分组)")
        ] = Breakdown.NONE,
        indicators: Annotated[
            list[IndicatorCode] | None, strawberry.argument(description="只算这些指标 (默认全部)")
        ] = None,
    ) -> Metrics:
        frame = await _frame(info, jurisdiction_code, place, as_of)
        wanted = tuple(ind.indicator(c.value) for c in indicators) if indicators else ind.INDICATORS
        split = ind.Breakdown(breakdown.value)
        values = await service.metrics(frame, indicators=wanted, breakdown=split)
        return Metrics(
            place=MetricPlace.of(frame.place),
            as_of=frame.as_of,
            breakdown=breakdown,
            values=metric_values(values, await _buckets(frame, split)),
        )

    @strawberry.field(
        description="本县目标的考核结果: 达成/有风险/未达成, 差距人数及构成差距的儿童"
    )
    async def target_evaluations(
        self,
        info: Info,
        jurisdiction_code: JurisdictionCode = None,
        place: PlaceArg = None,
        as_of: AsOf = None,
    ) -> list[TargetEvaluation]:
        frame = await _frame(info, jurisdiction_code, place, as_of)
        return [TargetEvaluation(_data=e, _frame=frame) for e in await service.targets(frame)]

    @strawberry.field(
        description="底数清台账: 某范围某日学户册中每名适龄儿童少年所处的状态, 各状态之和等于学户册"
    )
    async def accounting(
        self,
        info: Info,
        jurisdiction_code: JurisdictionCode = None,
        place: PlaceArg = None,
        as_of: AsOf = None,
    ) -> Accounting:
        frame = await _frame(info, jurisdiction_code, place, as_of)
        return Accounting.of(await service.accounting(frame), frame)

    @strawberry.field(
        description="县级工作看板 (一次请求): 目标及差距、底数不清人数、各状态人数、"
        "个案按状态与层级、逾期个案按责任部门"
    )
    async def county_dashboard(
        self,
        info: Info,
        jurisdiction_code: JurisdictionCode = None,
        place: PlaceArg = None,
        as_of: AsOf = None,
    ) -> CountyDashboard:
        frame = await _frame(info, jurisdiction_code, place, as_of)
        board = await county_dashboard(info.context.caller, frame, info.context.now())
        accounting = Accounting.of(board.board.accounting, frame)
        return CountyDashboard(
            place=MetricPlace.of(frame.place),
            as_of=frame.as_of,
            targets=[TargetEvaluation(_data=e, _frame=frame) for e in board.board.targets],
            unaccounted=accounting.unaccounted,
            accounting=accounting,
            cases_by_state=[
                CaseCount(key=c.key, label=c.label, cases=c.cases) for c in board.cases_by_state
            ],
            cases_by_level=[
                CaseCount(key=c.key, label=c.label, cases=c.cases) for c in board.cases_by_level
            ],
            overdue_by_office=[
                OfficeOverdue(office=o.office, cases=o.cases, most_days_overdue=o.most_days_overdue)
                for o in board.overdue_by_office
            ],
            _jurisdiction_id=frame.place.jurisdiction_id,
        )
