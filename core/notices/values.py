"""The values that fill a notice's blanks, read from the database: the child, the primary
guardian, the school and grade, the county and town, and the notice's own number and dates."""

from __future__ import annotations

import uuid
from datetime import date

from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction
from core.people.enums import Gender
from core.people.models import Child, Guardian
from core.schools.models import School


def chinese_date(day: date | None) -> str:
    """``2026年9月15日``."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def grade_name(grade: int | None) -> str:
    """``七年级`` for 7."""
    return f"{'一二三四五六七八九'[grade - 1]}年级" if grade and 1 <= grade <= 9 else ""


async def child_values(
    child_id: uuid.UUID, *, school_id: uuid.UUID | None = None
) -> dict[str, str]:
    """The blanks about a child: name, gender, birth date, guardian, school, grade, place."""
    child = await Child.get(id=child_id)
    county = await Jurisdiction.get(id=child.jurisdiction_id)
    guardian = None
    if child.household_id is not None:
        guardian = (
            await Guardian.filter(household_id=child.household_id)
            .order_by("-is_primary", "name")
            .first()
        )
    enrolment = (
        await Enrolment.filter(child_id=child.id).order_by("-is_current", "-started_on").first()
    )
    school = None
    if school_id is not None:
        school = await School.get_or_none(id=school_id)
    elif enrolment is not None:
        school = await School.get_or_none(id=enrolment.school_id)
    town = ""
    if school is not None and school.town_id is not None:
        town = (await school.town).name
    return {
        "county": county.name,
        "town": town,
        "school": school.name if school else "",
        "child_name": child.name,
        "child_gender": Gender(child.gender).label,
        "birth_date": chinese_date(child.birth_date),
        "grade": grade_name(enrolment.grade if enrolment else None),
        "guardian_name": guardian.name if guardian else "",
    }
