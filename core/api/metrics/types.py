"""GraphQL types of metrics, targets, the 底数清 accounting and the county dashboard."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.enums import (
    AccountingState,
    Breakdown,
    Comparison,
    IndicatorCode,
    Metric,
    MetricPlaceKind,
    Population,
    TargetPeriod,
    TargetStatus,
)
from core.api.filters import After, Before, First, Last
from core.api.ids import encode_global_id
from core.api.metrics.children import child_connection
from core.api.pagination import Connection
from core.api.people.types import Child
from core.api.reports.types import ReportSnapshot
from core.errors import DomainError, ErrorCode
from core.metrics import indicators as ind
from core.metrics import service
from core.metrics.accounting import Accounting as AccountingData
from core.metrics.place import Place
from core.metrics.sql import Frame
from core.metrics.targets import TargetEvaluation as TargetData
from core.reports.services import latest_handed_in

_PLACE_TYPES = {
    MetricPlaceKind.COUNTY: "Jurisdiction",
    MetricPlaceKind.TOWN: "Town",
    MetricPlaceKind.SCHOOL: "School",
    MetricPlaceKind.SCHOOL_DISTRICT: "SchoolGroup",
    MetricPlaceKind.SUPERVISION_ZONE: "SchoolGroup",
}


@strawberry.type(description="统计范围: 县、乡镇/街道、学区、督导责任区或学校")
class MetricPlace:
    kind: MetricPlaceKind = strawberry.field(description="类别")
    name: str = strawberry.field(description="名称")
    jurisdiction_code: str = strawberry.field(description="所属县级行政区划代码")
    id: strawberry.ID = strawberry.field(description="该县、乡镇、学校分组或学校的全局 ID")

    @classmethod
    def of(cls, place: Place) -> MetricPlace:
        return cls(
            kind=place.kind,
            name=place.name,
            jurisdiction_code=place.jurisdiction_code,
            id=strawberry.ID(encode_global_id(_PLACE_TYPES[place.kind], place.id)),
        )


@strawberry.type(description="指标定义 (分子、分母与公式, 见 docs/metrics.md)")
class IndicatorDefinition:
    code: IndicatorCode = strawberry.field(description="指标代码")
    name: str = strawberry.field(description="中文名称")
    numerator: str = strawberry.field(description="分子 (计数时为所计人数)")
    denominator: str | None = strawberry.field(description="分母; 计数指标为空")
    formula: str = strawberry.field(description="公式")
    unit: str = strawberry.field(description="单位: % 或 人")

    @classmethod
    def of(cls, indicator: ind.Indicator) -> IndicatorDefinition:
        return cls(
            code=indicator.code,
            name=indicator.name,
            numerator=indicator.numerator_text,
            denominator=indicator.denominator_text,
            formula=indicator.formula,
            unit="%" if indicator.is_rate else "人",
        )


@strawberry.type(description="一个指标的一个取值 (分组统计时为一组的取值)")
class MetricValue:
    indicator: IndicatorDefinition = strawberry.field(description="指标定义")
    bucket: str | None = strawberry.field(
        description="分组键: 学段代码、乡镇全局 ID、重点群体或重点地区类别代码; 不分组时为空"
    )
    bucket_label: str | None = strawberry.field(description="分组名称")
    numerator: int = strawberry.field(description="分子 (人)")
    denominator: int | None = strawberry.field(description="分母 (人); 计数指标为空")
    value: decimal.Decimal | None = strawberry.field(
        description="取值: 率为百分数 (两位小数), 计数为人数; 分母为 0 时为空"
    )


@strawberry.type(description="某范围某日的指标")
class Metrics:
    place: MetricPlace = strawberry.field(description="统计范围")
    as_of: datetime.date = strawberry.field(description="统计日期 (按当日的学籍异动与个案时间线)")
    breakdown: Breakdown = strawberry.field(description="分组方式")
    values: list[MetricValue] = strawberry.field(description="取值, 按指标再按分组")


def metric_values(
    values: list[ind.Value], buckets: dict[str, tuple[str, str]]
) -> list[MetricValue]:
    """GraphQL values; ``buckets`` maps a SQL bucket to its (key, label) as the API shows it."""
    definitions: dict[ind.IndicatorCode, IndicatorDefinition] = {}
    out = []
    for v in values:
        definition = definitions.setdefault(v.indicator.code, IndicatorDefinition.of(v.indicator))
        key, label = buckets.get(v.bucket, (v.bucket, v.bucket)) if v.bucket else (None, None)
        out.append(
            MetricValue(
                indicator=definition,
                bucket=key,
                bucket_label=label,
                numerator=v.numerator,
                denominator=v.denominator,
                value=v.value,
            )
        )
    return out


@strawberry.type(description="目标考核结果: 达成/有风险/未达成, 实际值、目标值与差距人数")
class TargetEvaluation:
    _data: strawberry.Private[TargetData]
    _frame: strawberry.Private[Frame]

    @strawberry.field(description="指标")
    def metric(self) -> Metric:
        return self._data.target.metric

    @strawberry.field(description="目标, 如 巩固率 ≥ 97.3%")
    def label(self) -> str:
        return self._data.target.label

    @strawberry.field(description="比较方式")
    def comparison(self) -> Comparison:
        return self._data.target.comparison

    @strawberry.field(description="目标值 (率为百分数, 人数为人)")
    def threshold(self) -> decimal.Decimal:
        return self._data.target.threshold

    @strawberry.field(description="统计的儿童范围")
    def population(self) -> Population:
        return self._data.target.population

    @strawberry.field(description="考核周期")
    def period(self) -> TargetPeriod:
        return self._data.target.period

    @strawberry.field(description="考核周期的最后一天; 常态目标为空 (任一时点考核)")
    def period_end(self) -> datetime.date | None:
        return self._data.period_end

    @strawberry.field(description="依据 (文件与条款)")
    def clause(self) -> str:
        return self._data.target.clause.label

    @strawberry.field(description="指标定义")
    def indicator(self) -> IndicatorDefinition:
        return IndicatorDefinition.of(self._data.indicator)

    @strawberry.field(description="实际值 (率为百分数, 两位小数); 无统计对象时为空")
    def value(self) -> decimal.Decimal | None:
        return self._data.value.value

    @strawberry.field(description="分子 (人)")
    def numerator(self) -> int:
        return self._data.value.numerator

    @strawberry.field(description="分母 (人); 计数指标为空")
    def denominator(self) -> int | None:
        return self._data.value.denominator

    @strawberry.field(description="达成情况")
    def status(self) -> TargetStatus:
        return self._data.status

    @strawberry.field(description="差距人数: 至少还需多少名儿童改变状态 (如复学) 才能达成")
    def gap(self) -> int:
        return self._data.gap

    @strawberry.field(description="尚在核实中的疑似人数 (可能计入目标)")
    def pending(self) -> int:
        return self._data.pending

    @strawberry.field(description="目标所列例外原因 (如 身体原因), 按原因代码")
    def excepted_reasons(self) -> list[str]:
        return list(self._data.target.excluding_reasons)

    @strawberry.field(
        description="目标所列例外原因的中文名称 (如 身体原因 (疾病)), 与 exceptedReasons 同序"
    )
    def excepted_reason_labels(self) -> list[str]:
        return list(self._data.excepted_labels)

    @strawberry.field(description="按例外原因不计入目标的人数")
    def excepted(self) -> int:
        return self._data.value.excepted

    @strawberry.field(description="一句话说明, 如 巩固率 ≥ 97.3%: 实际 96.80%, 差 41 人 — 有风险")
    def summary(self) -> str:
        return self._data.summary

    @strawberry.field(
        description="构成差距的儿童 (零辍学目标: 计入的辍学儿童; 率目标: 分母中未计入分子者), "
        "按姓名排序, 仅限您工作范围内的儿童"
    )
    async def children(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Child]:
        listed = service.child_list(
            info.context.caller, self._frame, service.target_condition(self._data)
        )
        return await child_connection(
            info, listed, first=first, after=after, last=last, before=before
        )


@strawberry.type(description="底数清的一种状态及其人数")
class AccountingStateCount:
    _frame: strawberry.Private[Frame]
    state: AccountingState = strawberry.field(description="状态")
    label: str = strawberry.field(description="中文名称")
    count: int = strawberry.field(description="人数")
    in_school_here: bool = strawberry.field(description="是否属于在本县就读")

    @strawberry.field(description="处于此状态的儿童 (按姓名排序, 仅限您工作范围内的儿童)")
    async def children(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Child]:
        from core.metrics.accounting import AccountingState as Domain

        listed = service.child_list(
            info.context.caller, self._frame, service.state_condition((Domain(self.state),))
        )
        return await child_connection(
            info, listed, first=first, after=after, last=last, before=before
        )


@strawberry.type(
    description="底数清台账: 学户册中每名适龄儿童少年恰属一种状态, 各状态人数之和等于学户册人数"
)
class Accounting:
    place: MetricPlace = strawberry.field(description="统计范围")
    as_of: datetime.date = strawberry.field(description="统计日期")
    registry: int = strawberry.field(description="学户册适龄儿童少年人数")
    unaccounted: int = strawberry.field(description="底数不清人数 (应动态清零)")
    states: list[AccountingStateCount] = strawberry.field(description="各状态人数")

    @classmethod
    def of(cls, data: AccountingData, frame: Frame) -> Accounting:
        return cls(
            place=MetricPlace.of(data.place),
            as_of=data.as_of,
            registry=data.registry,
            unaccounted=data.unaccounted,
            states=[
                AccountingStateCount(
                    _frame=frame,
                    state=s.state,
                    label=s.state.label,
                    count=s.children,
                    in_school_here=s.state.in_school_here,
                )
                for s in data.states
            ],
        )


@strawberry.type(description="按键分组的个案数")
class CaseCount:
    key: str = strawberry.field(description="键: 个案状态代码, 或升级层级 (从 0 起)")
    label: str = strawberry.field(description="中文名称")
    cases: int = strawberry.field(description="个案数")


@strawberry.type(description="某责任部门名下的逾期个案")
class OfficeOverdue:
    office: str = strawberry.field(description="应处理的责任部门/岗位")
    cases: int = strawberry.field(description="逾期个案数")
    most_days_overdue: int = strawberry.field(description="最长逾期天数")


@strawberry.type(description="县级工作看板")
class CountyDashboard:
    place: MetricPlace = strawberry.field(description="统计范围")
    as_of: datetime.date = strawberry.field(description="统计日期")
    targets: list[TargetEvaluation] = strawberry.field(description="本县全部目标及差距")
    unaccounted: int = strawberry.field(description="底数不清人数")
    accounting: Accounting = strawberry.field(description="底数清台账")
    cases_by_state: list[CaseCount] = strawberry.field(description="个案数, 按当前状态")
    cases_by_level: list[CaseCount] = strawberry.field(description="未结个案数, 按升级层级")
    overdue_by_office: list[OfficeOverdue] = strawberry.field(
        description="逾期个案, 按责任部门 (最逾期者在前)"
    )
    _jurisdiction_id: strawberry.Private[uuid.UUID]

    @strawberry.field(
        description="最近报送的报表: 已报送或已受理的报表快照 (在您的工作范围内), 最近报送者在前"
    )
    async def latest_reports(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="条数 (1–50, LATEST_REPORTS_MAX)")
        ] = 10,
    ) -> list[ReportSnapshot]:
        if not 1 <= first <= LATEST_REPORTS_MAX:
            raise DomainError(
                ErrorCode.INVALID,
                f"条数须在 1 到 {LATEST_REPORTS_MAX} 之间",
                f"first must be between 1 and {LATEST_REPORTS_MAX}",
                field="first",
            )
        rows = await latest_handed_in(info.context.caller, self._jurisdiction_id, limit=first)
        return rows  # type: ignore[return-value]


#: The most latest reports one dashboard request lists.
LATEST_REPORTS_MAX = 50
