"""Report periods (报送周期): what ``2026-09`` means for a 月报, ``2026-W36`` for a 周报.

:func:`parse_period` turns a kind and the text a user wrote into a :class:`Period`: its first and
last day and a label. The figures of a report are as of the last day (or today, while the
period is still running). What each kind accepts:

==============  ===============================  =============================================
kind            value                            days
==============  ===============================  =============================================
DAILY 日报       ``2026-09-14``                   that day
WEEKLY 周报      ``2026-W38`` or any day in it     Monday to Sunday (ISO week)
MONTHLY 月报     ``2026-09``                      the month
BIMONTHLY 双月报 ``2026-09`` (the first month)     two months: 1–2, 3–4, 5–6, 7–8, 9–10, 11–12
TERM_START 开学  ``2026-autumn``, ``2026-spring``  the first two weeks of term from its first
                 or the day term began             day (9-01, 3-01, or the day given)
TERM 学期        ``2026-autumn``, ``2027-spring``  autumn 9-01 to the end of February, spring
                                                 3-01 to 8-31
SCHOOL_YEAR 学年 ``2026``                         2026-09-01 to 2027-08-31
ON_DEMAND 即时   ``2026-11-20`` (as of a day)      that day
==============  ===============================  =============================================
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from core.errors import DomainError, ErrorCode
from core.rules.enums import PeriodKind

if TYPE_CHECKING:
    from core.rules.specs import TermCalendar

_TERMS = {"autumn": "秋季学期", "spring": "春季学期"}
#: How long a term-start return covers: the first two weeks (开学报表 is compiled then).
TERM_START_DAYS = timedelta(days=14)


@dataclass(frozen=True)
class Period:
    """A report's period: ``start`` to ``end`` (both included), written ``value``."""

    kind: PeriodKind
    value: str
    start: date
    end: date
    label: str

    def as_of(self, today: date) -> date:
        """The day the figures are taken on: the last day, or today while it runs."""
        return min(self.end, today)


def _invalid(zh: str, en: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID, zh, en, field=field)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _invalid(
            f"日期 {text!r} 无效, 应写作 2026-09-01",
            f"{text!r} is not a date; write it as 2026-09-01",
            field,
        ) from None


def _month(text: str, field: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise _invalid(
            f"月份 {text!r} 无效, 应写作 2026-09",
            f"{text!r} is not a month; write it as 2026-09",
            field,
        )
    return int(match[1]), int(match[2])


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _term(text: str, field: str) -> tuple[int, str]:
    match = re.fullmatch(r"(\d{4})-(autumn|spring)", text.strip().lower())
    if not match:
        raise _invalid(
            f"学期 {text!r} 无效, 应写作 2026-autumn (秋季学期) 或 2027-spring (春季学期)",
            f"{text!r} is not a term; write 2026-autumn or 2027-spring",
            field,
        )
    return int(match[1]), match[2]


def parse_period(kind: PeriodKind, value: str, *, field: str = "period") -> Period:
    """The period of ``kind`` written ``value``; ``INVALID`` on ``field`` with an example of
    what the kind accepts, when ``value`` is not one."""
    value = (value or "").strip()
    if not value:
        raise DomainError(
            ErrorCode.REQUIRED, "请填写报表期间", "the report period is required", field=field
        )
    if kind in (PeriodKind.DAILY, PeriodKind.ON_DEMAND):
        day = _day(value, field)
        label = f"{day.isoformat()} ({'日报' if kind is PeriodKind.DAILY else '截至当日'})"
        return Period(kind, day.isoformat(), day, day, label)
    if kind is PeriodKind.WEEKLY:
        match = re.fullmatch(r"(\d{4})-W(\d{1,2})", value.upper())
        if match:
            try:
                monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            except ValueError:
                raise _invalid(
                    f"周 {value!r} 不存在", f"there is no week {value!r}", field
                ) from None
        else:
            day = _day(value, field)
            monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        code = f"{year}-W{week:02d}"
        sunday = monday + timedelta(days=6)
        return Period(kind, code, monday, sunday, f"{year}年第{week}周 ({monday}—{sunday})")
    if kind is PeriodKind.MONTHLY:
        year, month = _month(value, field)
        return Period(
            kind, f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month),
            f"{year}年{month}月",
        )  # fmt: skip
    if kind is PeriodKind.BIMONTHLY:
        year, month = _month(value, field)
        if month % 2 == 0:
            raise _invalid(
                "双月报按 1—2、3—4、5—6、7—8、9—10、11—12 月报送, "
                f"请写起始月 (如 {year}-{month - 1:02d})",
                f"two-month periods start in an odd month; write {year}-{month - 1:02d}",
                field,
            )
        return Period(
            kind, f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month + 1),
            f"{year}年{month}—{month + 1}月",
        )  # fmt: skip
    if kind is PeriodKind.TERM_START:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = _day(value, field)
            code, name = day.isoformat(), f"{day.isoformat()} 开学"
        else:
            year, term = _term(value, field)
            day = date(year, 9, 1) if term == "autumn" else date(year, 3, 1)
            code, name = f"{year}-{term}", f"{year}年{_TERMS[term]}开学"
        last = day + TERM_START_DAYS - timedelta(days=1)
        return Period(kind, code, day, last, f"{name} ({day}—{last})")
    if kind is PeriodKind.TERM:
        year, term = _term(value, field)
        if term == "autumn":
            start, end = date(year, 9, 1), _month_end(year + 1, 2)
        else:
            start, end = date(year, 3, 1), date(year, 8, 31)
        return Period(kind, f"{year}-{term}", start, end, f"{year}年{_TERMS[term]}")
    if kind is PeriodKind.SCHOOL_YEAR:
        if not re.fullmatch(r"\d{4}", value):
            raise _invalid(
                f"学年 {value!r} 无效, 应写起始年份, 如 2026 (2026—2027 学年)",
                f"{value!r} is not a school year; write its first year, e.g. 2026",
                field,
            )
        year = int(value)
        return Period(
            kind, value, date(year, 9, 1), date(year + 1, 8, 31), f"{year}—{year + 1}学年"
        )
    raise _invalid(
        f"未知的报送周期 {kind}", f"unknown period kind {kind}", field
    )  # pragma: no cover


def check_kind_for(kind: PeriodKind, allowed: tuple[PeriodKind, ...]) -> None:
    """A kind a format may be made for: one of its own, or 即时 (as of a day)."""
    if kind is not PeriodKind.ON_DEMAND and kind not in allowed:
        names = "、".join(k.label for k in allowed)
        raise _invalid(
            f"此报表的报送周期为 {names} (或 即时: 截至某日), 不能按 {kind.label} 生成",
            f"this report is made for {', '.join(k.value for k in allowed)} or ON_DEMAND, "
            f"not {kind.value}",
            "periodKind",
        )


def check_period_for(period: Period, allowed: tuple[PeriodKind, ...], today: date) -> None:
    """A period a format may be made for: of one of its kinds, not begun after ``today``."""
    check_kind_for(period.kind, allowed)
    if period.start > today:
        raise _invalid(
            f"报表期间 {period.label} 尚未开始",
            f"the period {period.value} has not begun yet",
            "period",
        )


def term_of(day: date, calendar: TermCalendar | None = None) -> tuple[date, date]:
    """The first and last day of the term ``day`` counts in: the county calendar's term
    (in a holiday, the last term before it), else the reports' TERM period (autumn: 9-01 to
    the end of February; spring: 3-01 to 8-31)."""
    if calendar is not None:
        began = [t for t in calendar.terms if t.first_day <= day]
        if began:
            term = max(began, key=lambda t: t.first_day)
            return term.first_day, term.last_day
    if day.month >= 9:
        value = f"{day.year}-autumn"
    elif day.month <= 2:
        value = f"{day.year - 1}-autumn"
    else:
        value = f"{day.year}-spring"
    period = parse_period(PeriodKind.TERM, value)
    return period.start, period.end


#: Kinds whose period begins where a term (or school year) begins.
_FROM_TERM_START = frozenset({PeriodKind.TERM_START, PeriodKind.TERM, PeriodKind.SCHOOL_YEAR})


def counted_since(period: Period) -> date:
    """The first day a return's 返校 counts (上学期末在籍, 应到, 实到, 未按时到校 and its 其中)
    run from: the period's own start for a 开学、学期 or 学年 return; for a 日报、周报、月报、
    双月报 or a figure as of a day, the start of the term the period ends in (the reports'
    TERM period), as 荔浦 五、(一) asks: "对比上学期学生情况, 摸清未及时返校学生人数". A 日报 of
    11-20 then compares with the roll when term began, not with the day before; a week that
    began before its term (8-31 to 9-06) counts from its own first day."""
    if period.kind in _FROM_TERM_START:
        return period.start
    return min(period.start, term_of(period.end)[0])
