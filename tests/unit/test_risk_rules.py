"""The risk rules on small hand-computed cases: which rules fire, the score, the level, and
the explanation's wording."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.default_rules import CORE_RISK_RULES
from core.reports.periods import term_of
from core.risk.evaluation import evaluate, format_number, level_for
from core.rules.enums import Comparison, RiskLevel


def test_a_quiet_child_scores_nothing() -> None:
    got = evaluate(CORE_RISK_RULES, {"UNEXPLAINED_ABSENCES": 2, "LOW_ATTENDANCE": Decimal(95)})
    assert (got.level, got.score, got.reasons) == (RiskLevel.NONE, 0, ())
    assert got.version == CORE_RISK_RULES.version


def test_thresholds_are_inclusive_and_weights_add_up() -> None:
    # 3 unexplained days (≥ 3: 2 points) and exactly 90 % (≤ 90: 2 points) = 4 = HIGH.
    got = evaluate(CORE_RISK_RULES, {"UNEXPLAINED_ABSENCES": 3, "LOW_ATTENDANCE": Decimal(90)})
    assert [r.code for r in got.reasons] == ["UNEXPLAINED_ABSENCES", "LOW_ATTENDANCE"]
    assert (got.score, got.level) == (4, RiskLevel.HIGH)
    assert [r.label for r in got.reasons] == [
        "本学期无故缺勤 3 天 ≥ 3 天",
        "本学期出勤率 90% ≤ 90%",
    ]


def test_a_key_group_alone_is_below_watch() -> None:
    got = evaluate(CORE_RISK_RULES, {"KEY_GROUP": 2})
    assert (got.score, got.level) == (1, RiskLevel.NONE)
    assert got.reasons[0].label == "属重点群体 2 类 ≥ 1 类"


def test_watch_between_the_two_marks() -> None:
    # key group (1) + repeated grade (1) = 2 = WATCH; + over age by 2 (1) = 3, still WATCH.
    two = evaluate(CORE_RISK_RULES, {"KEY_GROUP": 1, "REPEATED_GRADE": 1, "OVER_AGE": 1})
    assert (two.score, two.level) == (2, RiskLevel.WATCH)
    three = evaluate(CORE_RISK_RULES, {"KEY_GROUP": 1, "REPEATED_GRADE": 1, "OVER_AGE": 2})
    assert (three.score, three.level) == (3, RiskLevel.WATCH)
    assert three.reasons[-1].label == "超出年级正常年龄 2 岁 ≥ 2 岁"


def test_a_rule_without_a_value_does_not_fire() -> None:
    # No attendance recorded: the rate is unknown, not 0 %.
    got = evaluate(CORE_RISK_RULES, {"LOW_ATTENDANCE": None, "PAST_CASE": 1})
    assert [r.code for r in got.reasons] == ["PAST_CASE"]
    assert got.level is RiskLevel.WATCH


def test_a_fractional_rate_is_shown_to_one_decimal() -> None:
    # 18 of 21 days present: 85.714… %.
    rate = Decimal(18 * 100) / Decimal(21)
    got = evaluate(CORE_RISK_RULES, {"LOW_ATTENDANCE": rate})
    assert got.reasons[0].label == "本学期出勤率 85.7% ≤ 90%"
    assert format_number(Decimal("89.96")) == "90.0"


def test_adjusted_rules_carry_a_new_version() -> None:
    strict = CORE_RISK_RULES.adjusted(
        version="county-1", thresholds={"UNEXPLAINED_ABSENCES": 2}, weights={"KEY_GROUP": 2}
    )
    assert strict.rule("UNEXPLAINED_ABSENCES").threshold == 2
    got = evaluate(strict, {"UNEXPLAINED_ABSENCES": 2, "KEY_GROUP": 1})
    assert (got.score, got.level, got.version) == (4, RiskLevel.HIGH, "county-1")
    assert evaluate(CORE_RISK_RULES, {"UNEXPLAINED_ABSENCES": 2, "KEY_GROUP": 1}).score == 1
    with pytest.raises(KeyError):
        CORE_RISK_RULES.adjusted(version="x", thresholds={"NO_SUCH_RULE": 1})


def test_levels_by_score() -> None:
    assert [level_for(CORE_RISK_RULES, s) for s in (0, 1, 2, 3, 4, 9)] == [
        RiskLevel.NONE,
        RiskLevel.NONE,
        RiskLevel.WATCH,
        RiskLevel.WATCH,
        RiskLevel.HIGH,
        RiskLevel.HIGH,
    ]
    assert CORE_RISK_RULES.rule("LOW_ATTENDANCE").comparison is Comparison.AT_MOST


def test_terms() -> None:
    from datetime import date

    assert term_of(date(2026, 10, 8)) == (date(2026, 9, 1), date(2027, 2, 28))
    assert term_of(date(2027, 2, 3)) == (date(2026, 9, 1), date(2027, 2, 28))
    assert term_of(date(2027, 3, 1)) == (date(2027, 3, 1), date(2027, 8, 31))
