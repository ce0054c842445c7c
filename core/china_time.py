"""China time: the calendar every date in Baoxue is reckoned in.

Dates users write (a visit on 3 March, a deadline of 10 March) are days in China; moments are
stored as aware UTC datetimes. China has kept UTC+8 all year since 1991, so a fixed offset is
exact for every date a case can have.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

#: China Standard Time.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The calendar date in China at ``moment``."""
    return moment.astimezone(CHINA_TZ).date()


def at_local(day: date, clock: time) -> datetime:
    """``clock`` o'clock in China on ``day``, as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=CHINA_TZ).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in China (midnight that ends it), in UTC: when a date-only
    deadline runs out."""
    return at_local(day + timedelta(days=1), time(0))
