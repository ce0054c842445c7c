"""示例县: a fictional fifth county, the smallest useful plugin (see docs/plugins.md).

Nothing here comes from a real document; the division code 430999 is not a real county's.
It sets one target, a three-level chain and one report, and leaves everything else to core.
"""

from __future__ import annotations

from decimal import Decimal

from core.plugins import hookimpl
from core.rules import (
    Clause,
    Comparison,
    EscalationChain,
    EscalationLevel,
    JurisdictionSpec,
    Metric,
    PeriodKind,
    ReportFormat,
    RowKind,
    Target,
    TownSpec,
    columns,
)

__version__ = "0.1.0"

CODE = "430999"
SOURCE = "示例县教育局《控辍保学工作方案》(虚构, 仅供测试)"


def _c(section: str) -> Clause:
    return Clause(document=SOURCE, section=section)


@hookimpl
def baoxue_jurisdiction():
    return JurisdictionSpec(
        division_code=CODE,
        name="示例县",
        city="示例市",
        province="湖南省",
        towns=(TownSpec(name="东镇"), TownSpec(name="西镇")),
        sources=(SOURCE,),
    )


@hookimpl
def baoxue_targets():
    return [
        Target(
            metric=Metric.CONSOLIDATION_RATE,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal("99.5"),
            clause=_c("二"),
        )
    ]


@hookimpl
def baoxue_escalation_chain():
    return EscalationChain(
        name="三级劝返",
        clause=_c("三"),
        township_level=3,
        levels=(
            EscalationLevel(
                level=1,
                name="班主任",
                responsible="班主任",
                action="劝返",
                days_allowed=3,
                clause=_c("三"),
            ),
            EscalationLevel(
                level=2,
                name="学校",
                responsible="校长",
                action="劝返",
                days_allowed=10,
                clause=_c("三"),
            ),
            EscalationLevel(
                level=3,
                name="乡镇政府",
                responsible="乡镇人民政府",
                action="责令限期改正",
                clause=_c("三"),
            ),
        ),
    )


@hookimpl
def baoxue_report_formats():
    return [
        ReportFormat(
            code="weekly-return",
            title="示例县控辍保学周报",
            period_kinds=(PeriodKind.WEEKLY,),
            row_kind=RowKind.TOWN,
            columns=columns(("town.name", "乡镇"), ("stats.dropouts", "辍学人数")),
            totals=True,
            clause=_c("四"),
        )
    ]
