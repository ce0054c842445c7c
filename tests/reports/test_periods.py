"""Report periods: what each kind accepts, the days it covers, and the errors it gives."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import DomainError, ErrorCode
from core.reports.periods import check_period_for, counted_since, parse_period
from core.rules.enums import PeriodKind as K


@pytest.mark.parametrize(
    ("kind", "value", "code", "start", "end"),
    [
        (K.DAILY, "2026-09-14", "2026-09-14", date(2026, 9, 14), date(2026, 9, 14)),
        (K.WEEKLY, "2026-W38", "2026-W38", date(2026, 9, 14), date(2026, 9, 20)),
        (K.WEEKLY, "2026-09-17", "2026-W38", date(2026, 9, 14), date(2026, 9, 20)),
        (K.WEEKLY, "2026-w01", "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        (K.MONTHLY, "2026-02", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (K.BIMONTHLY, "2026-11", "2026-11", date(2026, 11, 1), date(2026, 12, 31)),
        (K.TERM_START, "2026-autumn", "2026-autumn", date(2026, 9, 1), date(2026, 9, 14)),
        (K.TERM_START, "2027-02-24", "2027-02-24", date(2027, 2, 24), date(2027, 3, 9)),
        (K.TERM, "2026-autumn", "2026-autumn", date(2026, 9, 1), date(2027, 2, 28)),
        (K.TERM, "2027-Spring", "2027-spring", date(2027, 3, 1), date(2027, 8, 31)),
        (K.SCHOOL_YEAR, "2026", "2026", date(2026, 9, 1), date(2027, 8, 31)),
        (K.ON_DEMAND, "2026-11-20", "2026-11-20", date(2026, 11, 20), date(2026, 11, 20)),
    ],
)
def test_periods(kind, value, code, start, end) -> None:
    period = parse_period(kind, value)
    assert (period.value, period.start, period.end) == (code, start, end)
    assert period.label
    assert period.as_of(date(2026, 9, 16)) == min(end, date(2026, 9, 16))


@pytest.mark.parametrize(
    ("kind", "value", "needle"),
    [
        (K.DAILY, "2026-02-30", "2026-09-01"),
        (K.MONTHLY, "2026-9", "2026-09"),
        (K.BIMONTHLY, "2026-10", "2026-09"),
        (K.TERM, "autumn", "2026-autumn"),
        (K.TERM_START, "2026-summer", "2027-spring"),
        (K.WEEKLY, "2026-W54", "不存在"),
        (K.SCHOOL_YEAR, "2026-2027", "2026"),
    ],
)
def test_bad_values_say_what_is_expected(kind, value, needle) -> None:
    with pytest.raises(DomainError) as raised:
        parse_period(kind, value)
    assert raised.value.code is ErrorCode.INVALID and raised.value.field == "period"
    assert needle in raised.value.message


def test_empty_value_and_wrong_kind_and_future() -> None:
    with pytest.raises(DomainError) as raised:
        parse_period(K.MONTHLY, " ")
    assert raised.value.code is ErrorCode.REQUIRED
    month = parse_period(K.MONTHLY, "2026-09")
    with pytest.raises(DomainError) as raised:
        check_period_for(month, (K.TERM_START,), date(2026, 11, 1))
    assert raised.value.field == "periodKind" and "开学报表" in raised.value.message
    with pytest.raises(DomainError) as raised:
        check_period_for(month, (K.MONTHLY,), date(2026, 8, 31))
    assert "尚未开始" in raised.value.message
    check_period_for(parse_period(K.ON_DEMAND, "2026-09-03"), (K.TERM_START,), date(2026, 9, 3))


@pytest.mark.parametrize(
    ("kind", "value", "since"),
    [
        (K.DAILY, "2026-11-20", date(2026, 9, 1)),  # the autumn term's first day
        (K.MONTHLY, "2027-02", date(2026, 9, 1)),  # autumn runs to the end of February
        (K.BIMONTHLY, "2027-03", date(2027, 3, 1)),  # spring
        (K.WEEKLY, "2026-09-02", date(2026, 8, 31)),  # a week across 9-01: its own start
        (K.ON_DEMAND, "2027-06-30", date(2027, 3, 1)),
        (K.TERM_START, "2026-09-07", date(2026, 9, 7)),  # its own start
        (K.TERM, "2027-spring", date(2027, 3, 1)),
        (K.SCHOOL_YEAR, "2026", date(2026, 9, 1)),
    ],
)
def test_the_return_counts_run_from_the_start_of_term(kind, value, since) -> None:
    assert counted_since(parse_period(kind, value)) == since
