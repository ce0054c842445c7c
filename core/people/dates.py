"""Dates in a child's life: what a record about a child may be dated.

Nothing about a child happens before they were born or after today: a report, a home visit,
a grant dated 1900-01-01 (or next year) is a typing error, refused with the field named. "Today"
is China's, with a day's grace for a device whose clock or time zone is off.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.errors import DomainError, ErrorCode


def check_day_in_life(
    day: date, *, born: date, today: date, field: str, what: tuple[str, str]
) -> date:
    """``day`` if it lies between the child's birth and today; ``INVALID`` on ``field``
    otherwise. ``what`` names the date in Chinese and English (``("家访日期", "visitedOn")``)."""
    zh, en = what
    if day < born:
        raise DomainError(
            ErrorCode.INVALID,
            f"{zh}不能早于儿童的出生日期 ({born.isoformat()})",
            f"{en} cannot precede the child's birth ({born.isoformat()})",
            field=field,
        )
    if day > today + timedelta(days=1):
        raise DomainError(
            ErrorCode.INVALID, f"{zh}不能晚于今天", f"{en} cannot lie in the future", field=field
        )
    return day
