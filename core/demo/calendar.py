"""The demo's fixed clock and its deterministic helpers: ids, random streams, moments.

Everything the generator writes is dated relative to :data:`DEMO_TODAY` (a Friday in the
autumn term of school year 2026), so the same seed gives the same data whatever day it runs.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from core.china_time import at_local

#: "Today" in the demo data.
DEMO_TODAY = date(2026, 11, 20)
#: The current school year (2026 means 2026—2027).
SCHOOL_YEAR = 2026
#: The first day of the current school year.
TERM_START = date(SCHOOL_YEAR, 9, 1)


def stream(seed: int, division_code: str, name: str) -> random.Random:
    """An independent random stream for one part of one county's data.

    Seeding with a string is stable across processes and Python versions, so each part of the
    data depends only on the seed, the county and the part's name.
    """
    return random.Random(f"baoxue-demo/{seed}/{division_code}/{name}")


def new_id(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng`` (deterministic, unlike ``uuid.uuid4``)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def moment(day: date, rng: random.Random, *, start_hour: int = 8, end_hour: int = 18) -> datetime:
    """A time during working hours (China Standard Time) on ``day``, as an aware UTC datetime."""
    minutes = rng.randrange(start_hour * 60, end_hour * 60)
    return at_local(day, time(minutes // 60, minutes % 60))


def random_day(rng: random.Random, first: date, last: date) -> date:
    """A day in ``[first, last]``."""
    span = (last - first).days
    return first + timedelta(days=rng.randint(0, max(0, span)))


def school_year_start(year: int) -> date:
    return date(year, 9, 1)


def grade_birth_range(grade: int, school_year: int = SCHOOL_YEAR) -> tuple[date, date]:
    """Birth dates of children in ``grade`` in ``school_year`` at the usual age (6 on
    31 August of the year they start grade 1)."""
    first_year = school_year - grade + 1  # the autumn they entered grade 1
    return date(first_year - 7, 9, 1), date(first_year - 6, 8, 31)
