"""The autumn 入学通知书: one notice for each child of the two entry cohorts of a school year,
the first grade of 小学 and of 初中 (向小学、初中起始年级适龄儿童少年发放入学通知书).

A child belongs to the grade-1 cohort of school year ``Y`` when born from 1 September ``Y − 7``
to 31 August ``Y − 6`` (six by 31 August), to the grade-7 cohort six years older. The school
named is the child's latest enrolment's (the 初中 the primary school sends its leavers to is not
in the data, so a grade-7 notice of a child without one leaves the school as a line to fill).
"""

from __future__ import annotations

import uuid
from datetime import date

from core.access.caller import Caller
from core.access.scope import scoped
from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction
from core.notices.docx import render_notices
from core.notices.values import chinese_date, grade_name
from core.people.enums import Gender
from core.people.models import Child, Guardian
from core.plugins import rules_for
from core.rules.enums import NoticeKind
from core.schools.models import School


def cohort(school_year: int, grade: int) -> tuple[date, date]:
    """Birth dates of the children of ``grade``'s age in ``school_year``."""
    first = school_year - grade + 1
    return date(first - 7, 9, 1), date(first - 6, 8, 31)


async def admission_notices(
    caller: Caller,
    county: Jurisdiction,
    school_year: int,
    *,
    issued_on: date,
    school_id: uuid.UUID | None = None,
) -> tuple[bytes, int]:
    """The notices of the county's (or one school's) two entry cohorts in one DOCX, and how
    many there are."""
    template = rules_for(county.division_code).notice_template(NoticeKind.ADMISSION_NOTICE)
    notices = []
    for grade in (1, 7):
        born_from, born_to = cohort(school_year, grade)
        children = await (
            scoped(Child, caller)
            .filter(jurisdiction_id=county.id, birth_date__gte=born_from, birth_date__lte=born_to)
            .order_by("name", "id")
            .values("id", "name", "gender", "birth_date", "household_id")
        )
        ids = [c["id"] for c in children]
        schools: dict[uuid.UUID, str] = {}
        for e in (
            await Enrolment.filter(child_id__in=ids)
            .order_by("started_on")
            .values("child_id", "school_id", "school__name")
        ):
            if school_id is None or e["school_id"] == school_id:
                schools[e["child_id"]] = e["school__name"]
        guardians: dict[uuid.UUID, str] = {}
        households = [c["household_id"] for c in children if c["household_id"]]
        for g in (
            await Guardian.filter(household_id__in=households)
            .order_by("is_primary", "-name")
            .values("household_id", "name")
        ):
            guardians[g["household_id"]] = g["name"]  # the primary guardian comes last
        for c in children:
            if school_id is not None and c["id"] not in schools:
                continue
            notices.append(
                {
                    "county": county.name,
                    "school": schools.get(c["id"], ""),
                    "child_name": c["name"],
                    "child_gender": Gender(c["gender"]).label,
                    "birth_date": chinese_date(c["birth_date"]),
                    "grade": grade_name(grade),
                    "guardian_name": guardians.get(c["household_id"], ""),
                    "issued_on": chinese_date(issued_on),
                    "deadline": chinese_date(date(school_year, 9, 1)),
                    "school_year": f"{school_year}—{school_year + 1}",
                }
            )
    return render_notices(template, notices), len(notices)


async def school_named(caller: Caller, county: Jurisdiction, code: str) -> School | None:
    return await scoped(School, caller).filter(jurisdiction_id=county.id, code=code).first()
