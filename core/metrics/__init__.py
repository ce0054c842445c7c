"""指标、目标与底数清: the figures a county answers for, computed by SQL aggregation.

* :mod:`core.metrics.indicators` — one definition per indicator (numerator, denominator,
  Chinese name, formula text) and :func:`~core.metrics.indicators.evaluate`;
* :mod:`core.metrics.accounting` — the 底数清 accounting states every child is in exactly one of;
* :mod:`core.metrics.targets` — each plugin target met / at risk / missed, with the gap in
  children;
* :mod:`core.metrics.place` — the place, the day, the county's school age;
* :mod:`core.metrics.sql` — the per-child facts as of a day, from the histories;
* :mod:`core.metrics.service` — the same for a caller (permission and scope checked).

A report takes its figures from here::

    from core.metrics import Frame, Place, SchoolAge, evaluate, indicator, IndicatorCode
    frame = Frame(place, as_of, SchoolAge.for_county(rules, as_of))
    [rate] = await evaluate(frame, [indicator(IndicatorCode.CONSOLIDATION_RATE)])
    rate.numerator, rate.denominator, rate.value   # 1234, 1260, Decimal("97.94")

The formulas are written out in ``docs/metrics.md``.
"""

from core.metrics.accounting import Accounting, AccountingState, StateCount
from core.metrics.indicators import (
    INDICATORS,
    Breakdown,
    Indicator,
    IndicatorCode,
    Options,
    Request,
    Value,
    evaluate,
    evaluate_requests,
    indicator,
)
from core.metrics.place import Place, PlaceKind, SchoolAge, school_year_of
from core.metrics.sql import Frame
from core.metrics.targets import TargetEvaluation, TargetStatus, evaluate_targets

__all__ = [
    "INDICATORS",
    "Accounting",
    "AccountingState",
    "Breakdown",
    "Frame",
    "Indicator",
    "IndicatorCode",
    "Options",
    "Place",
    "PlaceKind",
    "Request",
    "SchoolAge",
    "StateCount",
    "TargetEvaluation",
    "TargetStatus",
    "Value",
    "evaluate",
    "evaluate_requests",
    "evaluate_targets",
    "indicator",
    "school_year_of",
]
