"""Targets evaluated: each county target as met / at risk / missed, with its value, its
threshold and the gap in children (巩固率 96.80%, 目标 ≥ 97.3%: 差 41 人).

All of a county's targets are computed in one statement (:func:`evaluate_targets`), from the
same indicator definitions the metrics use (:mod:`core.metrics.indicators`); a target's
``excluding_reasons`` (荔浦: 身体原因) are applied and the children they except are counted
beside it. The children who make up a gap are those :func:`shortfall_sql` selects.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.cases.enums import CaseReason
from core.labelled_enum import LabelledEnum
from core.metrics.indicators import (
    Indicator,
    IndicatorCode,
    Options,
    Request,
    Value,
    evaluate_requests,
    indicator,
    population_sql,
)
from core.metrics.sql import Frame, Params
from core.rules.enums import Comparison, TargetPeriod
from core.rules.specs import Target


class TargetStatus(LabelledEnum):
    """目标达成情况."""

    MET = "MET", "已达成"
    AT_RISK = "AT_RISK", "有风险"
    MISSED = "MISSED", "未达成"


@dataclass(frozen=True)
class TargetEvaluation:
    target: Target
    indicator: Indicator
    value: Value
    status: TargetStatus
    #: Children short of the target: the fewest who must change state to meet it.
    gap: int
    #: Children of the population under verification (疑似) who could still count against it.
    pending: int
    #: The last day of the target's period (None: ONGOING, judged at every point in time).
    period_end: date | None
    #: The Chinese names of the target's ``excluding_reasons`` (身体原因 (疾病)), in its order.
    excepted_labels: tuple[str, ...] = ()

    @property
    def options(self) -> Options:
        return Options(excluding_reasons=self.target.excluding_reasons)

    @property
    def summary(self) -> str:
        """e.g. ``巩固率 96.80%, 目标 ≥ 97.3%: 差 41 人``."""
        t = self.target
        shown = "—" if self.value.value is None else f"{self.value.value}{t.metric.unit}"
        text = f"{self.target.label}: 实际 {shown}"
        if self.gap:
            text += f", 差 {self.gap} 人"
        if self.value.excepted:
            why = "、".join(self.excepted_labels) or "目标所列原因"
            text += f" (另有 {self.value.excepted} 人因{why}除外)"
        return f"{text} — {self.status.label}"


def period_end(target: Target, frame: Frame) -> date | None:
    if target.period is TargetPeriod.ONGOING:
        return None
    if target.period is TargetPeriod.CALENDAR_YEAR:
        return date(target.year or frame.as_of.year, 12, 31)
    year = frame.school_year if target.year is None else target.year - 1
    return date(year + 1, 8, 31)


def gap_in_children(target: Target, value: Value) -> int:
    """The fewest children who, changing state, would make ``value`` meet ``target``."""
    t = target.threshold
    n = value.numerator
    if value.denominator is None:  # a count
        if target.comparison is Comparison.AT_LEAST:
            return max(0, math.ceil(t - n))
        if target.comparison is Comparison.AT_MOST:
            return max(0, math.ceil(n - t))
        return abs(n - int(t))
    d = value.denominator
    if d == 0:
        return 0
    # Each child brought back moves from the denominator's rest into the numerator; each
    # child removed from a "lower is better" numerator leaves the denominator as it is.
    if target.comparison is Comparison.AT_LEAST:
        return max(0, math.ceil((t * d - 100 * n) / Decimal(100)))
    if target.comparison is Comparison.AT_MOST:
        return max(0, math.ceil(n - t * d / Decimal(100)))
    exact = t * d / Decimal(100)
    return math.ceil(abs(n - exact))


def _status(target: Target, value: Value, gap: int, pending: int, frame: Frame) -> TargetStatus:
    end = period_end(target, frame)
    if value.exact is None:
        return TargetStatus.MET  # nobody to count: nothing falls short
    if not target.is_met(value.exact):
        running = end is not None and frame.as_of <= end
        return TargetStatus.AT_RISK if running else TargetStatus.MISSED
    ind = indicator(target.metric)
    if pending and not ind.higher_is_better:
        worse = Value(ind, value.numerator + pending, value.denominator)
        if worse.exact is not None and not target.is_met(worse.exact):
            return TargetStatus.AT_RISK
    return TargetStatus.MET


async def evaluate_targets(
    frame: Frame,
    targets: tuple[Target, ...],
    *,
    with_states: bool = False,
    extra: Sequence[Request] = (),
    reasons: Mapping[str, str] | None = None,
) -> tuple[list[TargetEvaluation], dict[str, int]]:
    """Every target in one statement (and, with ``with_states``, the accounting counts; the
    values of ``extra`` requests go to :data:`EXTRA`'s place: see :func:`evaluate_all`)."""
    evaluations, states, _ = await evaluate_all(
        frame, targets, with_states=with_states, extra=extra, reasons=reasons
    )
    return evaluations, states


async def evaluate_all(
    frame: Frame,
    targets: tuple[Target, ...],
    *,
    with_states: bool = False,
    extra: Sequence[Request] = (),
    reasons: Mapping[str, str] | None = None,
) -> tuple[list[TargetEvaluation], dict[str, int], list[Value]]:
    """Targets, accounting counts and the values of ``extra`` requests, in one statement;
    ``reasons``: the county's case reasons by code (:meth:`CountyRules.case_reasons`; core's
    when None), which name a target's exceptions."""
    if reasons is None:
        reasons = CaseReason.choices()
    suspected = indicator(IndicatorCode.SUSPECTED_COUNT)
    requests: list[Request] = []
    for target in targets:
        options = Options(excluding_reasons=target.excluding_reasons)
        requests.append(Request(indicator(target.metric), target.population, options))
        requests.append(Request(suspected, target.population))
    values, states = await evaluate_requests(frame, [*requests, *extra], with_states=with_states)
    extra_values = values[len(requests) :]
    result = []
    for i, target in enumerate(targets):
        value, pending = values[2 * i], values[2 * i + 1].numerator
        gap = gap_in_children(target, value) if value.exact is not None else 0
        if value.exact is not None and target.is_met(value.exact):
            gap = 0
        result.append(
            TargetEvaluation(
                target=target,
                indicator=value.indicator,
                value=value,
                status=_status(target, value, gap, pending, frame),
                gap=gap,
                pending=pending,
                period_end=period_end(target, frame),
                excepted_labels=tuple(reasons.get(r, r) for r in target.excluding_reasons),
            )
        )
    return result, states, extra_values


def shortfall_sql(target: Target, p: Params) -> str:
    """The condition on ``facts f`` selecting the children who make up the target's gap."""
    ind = indicator(target.metric)
    options = Options(excluding_reasons=target.excluding_reasons)
    return f"{population_sql(target.population)} AND {ind.shortfall(options, p)}"
