"""Reckoning with people's particulars: ages on a day, and the shape of ID and student numbers.

The lists built on them (children and households, across enrolments and cases) are in
:mod:`core.child_lists`.
"""

from __future__ import annotations

import datetime
import re

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_STUDENT_NUMBER = re.compile(r"^[A-Z]\d{17}[\dX]$")


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Age in whole years on ``day``."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def birth_dates_for_ages(
    min_age: int | None, max_age: int | None, today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """The birth-date range (inclusive) of children whose age today is in [min_age, max_age]."""
    latest = _years_before(today, min_age) if min_age is not None else None
    earliest = (
        _years_before(today, max_age + 1) + datetime.timedelta(days=1)
        if max_age is not None
        else None
    )
    return earliest, latest


def normalise_id_number(text: str) -> str:
    return text.strip().upper()


def looks_like_resident_id(text: str) -> bool:
    return bool(_RESIDENT_ID.match(normalise_id_number(text)))


def looks_like_student_number(text: str) -> bool:
    return bool(_STUDENT_NUMBER.match(normalise_id_number(text)))
