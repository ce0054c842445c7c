"""A child's risk level from the values of the county's rules: the score is the sum of the
weights of the rules that fire, and the level is where the score reaches (``high_at`` HIGH,
``watch_at`` WATCH). Every fired rule is kept as a :class:`Reason` with its numbers, so a
level always explains itself ("本学期无故缺勤 4 天 ≥ 3 天").

The same thresholds are written into SQL by :mod:`core.risk.signals` for the lists; the values
here come from the same SQL, so a child's level in a list and in its explanation agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.rules.enums import Comparison, RiskLevel, RiskSignal
from core.rules.specs import RiskRule, RiskRuleSet


def format_number(value: Decimal | int) -> str:
    """``4``, ``87.5``: integers without decimals, others to one decimal place."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return str(number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Reason:
    """One rule that fired for a child, with the child's value and the rule's threshold."""

    code: str
    signal: RiskSignal
    name: str
    value: Decimal
    comparison: Comparison
    threshold: Decimal
    weight: int

    @property
    def label(self) -> str:
        """e.g. ``本学期无故缺勤 4 天 ≥ 3 天`` or ``本学期出勤率 85.7% ≤ 90%``."""
        unit = self.signal.unit
        gap = "" if unit == "%" else " "
        value, threshold = format_number(self.value), format_number(self.threshold)
        return f"{self.name} {value}{gap}{unit} {self.comparison.symbol} {threshold}{gap}{unit}"


@dataclass(frozen=True)
class Assessment:
    """A child's risk: the level, the score, the rule set's version and the reasons."""

    level: RiskLevel
    score: int
    version: str
    reasons: tuple[Reason, ...]


def level_for(rules: RiskRuleSet, score: int) -> RiskLevel:
    if score >= rules.high_at:
        return RiskLevel.HIGH
    if score >= rules.watch_at:
        return RiskLevel.WATCH
    return RiskLevel.NONE


def min_score(rules: RiskRuleSet, level: RiskLevel) -> int:
    """The lowest score of ``level`` (NONE: 0)."""
    return {RiskLevel.HIGH: rules.high_at, RiskLevel.WATCH: rules.watch_at}.get(level, 0)


def evaluate(rules: RiskRuleSet, values: Mapping[str, Decimal | int | None]) -> Assessment:
    """The assessment of a child whose value for each rule (by code) is in ``values``; a rule
    without a value (no attendance recorded, not enrolled) does not fire."""
    reasons = []
    for rule in rules.rules:
        value = values.get(rule.code)
        if rule.fires(value):
            assert value is not None
            reasons.append(_reason(rule, Decimal(value)))
    score = sum(r.weight for r in reasons)
    return Assessment(level_for(rules, score), score, rules.version, tuple(reasons))


def _reason(rule: RiskRule, value: Decimal) -> Reason:
    return Reason(
        code=rule.code,
        signal=rule.signal,
        name=rule.name,
        value=value,
        comparison=rule.comparison,
        threshold=rule.threshold,
        weight=rule.weight,
    )
