"""The calendar logic the rules stand on: school days, key-period windows, rules in force."""

from __future__ import annotations

from datetime import date

from core.attendance.calendar import key_period_window, last_school_days, rules_in_force
from core.plugins import rules_for
from core.rules import KeyPeriod, PeriodAnchor

SUINING, DEFAULT = rules_for("430527"), rules_for("450381")


def test_the_core_calendar_knows_weekends_holidays_and_the_gap_between_terms() -> None:
    calendar = DEFAULT.term_calendar
    assert calendar.is_school_day(date(2026, 9, 1))  # Tuesday, first day of term
    assert not calendar.is_school_day(date(2026, 9, 5))  # Saturday
    assert not calendar.is_school_day(date(2026, 10, 5))  # 国庆
    assert not calendar.is_school_day(date(2027, 2, 10))  # winter holiday
    assert calendar.term_of(date(2027, 3, 1)).code == "spring-2026"


def test_last_school_days_skip_weekends_holidays_and_closures() -> None:
    calendar = DEFAULT.term_calendar
    assert last_school_days(calendar, date(2026, 10, 9), 3) == [
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
    ]
    closed = {date(2026, 10, 8)}
    assert last_school_days(calendar, date(2026, 10, 9), 2, closed) == [
        date(2026, 9, 30),
        date(2026, 10, 9),
    ]
    assert last_school_days(calendar, date(2026, 9, 2), 3) == [date(2026, 9, 1), date(2026, 9, 2)]


def test_key_period_windows_follow_their_anchor() -> None:
    autumn = DEFAULT.term_calendar.term_of(date(2026, 9, 1))
    spring = DEFAULT.term_calendar.term_of(date(2027, 3, 1))
    clause = SUINING.key_periods[0].clause

    def period(anchor: PeriodAnchor, days: int | None) -> KeyPeriod:
        return KeyPeriod(code="p", name="p", anchor=anchor, purpose="", clause=clause, days=days)

    month = period(PeriodAnchor.TERM_START, 30)
    assert key_period_window(month, autumn) == (date(2026, 9, 1), date(2026, 9, 30))
    assert key_period_window(period(PeriodAnchor.AUTUMN_TERM_START, 30), spring) is None
    assert key_period_window(period(PeriodAnchor.SUMMER_HOLIDAY, None), autumn) is None
    assert key_period_window(period(PeriodAnchor.SPRING_TERM_START, None), spring) == (
        spring.first_day,
        spring.last_day,
    )


def test_suining_is_stricter_in_its_first_month_only() -> None:
    def codes(rules, day):
        return [(r.rule.code, r.rule.days) for r in rules_in_force(rules, day)]

    assert codes(SUINING, date(2026, 9, 30)) == [
        ("term-start-consecutive", 2),
        ("term-start-monthly", 3),
        ("consecutive-unexplained", 3),
        ("monthly-unexplained", 5),
    ]
    assert codes(SUINING, date(2026, 10, 8)) == codes(DEFAULT, date(2026, 9, 30))
    assert codes(DEFAULT, date(2026, 9, 30)) == [
        ("consecutive-unexplained", 3),
        ("monthly-unexplained", 5),
    ]
    assert rules_in_force(DEFAULT, date(2026, 8, 20)) == []  # summer holiday
