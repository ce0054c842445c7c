"""What the registry tests share: tokens of the demo accounts, a village in the township
official's town, a pupil of the head teacher's class, and valid ID numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from core.access.models import StaffAccount
from core.enrolment.models import Enrolment
from core.jurisdictions.models import Village
from core.people.models import Child
from core.people.resident_id import make_resident_id
from core.schools.models import SchoolClass
from tests.access.conftest import Counties, gql, login, username
from tests.security.helpers import gid

__all__ = ["gid", "gql"]


async def token(
    http: httpx.AsyncClient, counties: Counties, role: str, county: str = "lipu"
) -> str:
    creds = getattr(counties, county)
    return await login(http, username(creds, role), creds.password)


async def account(counties: Counties, role: str, county: str = "lipu") -> StaffAccount:
    return await StaffAccount.get(username=username(getattr(counties, county), role))


async def township_village(counties: Counties) -> Village:
    """A village of the 荔浦 township official's town."""
    official = await account(counties, "TOWNSHIP_OFFICIAL")
    return await Village.filter(town_id=official.town_id).order_by("name").first()


async def class_pupils(counties: Counties, *, attending: bool = True) -> list[Child]:
    """The children currently in the 荔浦 head teacher's class (attending it: 在读 only)."""
    teacher = await account(counties, "HEAD_TEACHER")
    query = Enrolment.filter(school_class_id=teacher.school_class_id, is_current=True)
    if attending:
        query = query.filter(status="ENROLLED")
    ids = await query.values_list("child_id", flat=True)
    pupils = list(await Child.filter(id__in=ids).order_by("id"))
    if attending:  # the small demo's class may have few pupils in school: seat a few more
        school_class = await SchoolClass.get(id=teacher.school_class_id)
        i = 0
        while len(pupils) < 6:
            i += 1
            born = date(2026 - 6 - school_class.grade, 3, 1 + i)
            if await Child.filter(birth_date=born, name__startswith="班内学生").exists():
                continue  # seated by an earlier call (and no longer attending)
            child = await Child.create(
                jurisdiction_id=teacher.jurisdiction_id,
                name=f"班内学生{i}",
                gender="MALE" if i % 2 else "FEMALE",
                birth_date=born,
                id_number=resident_id(born, 900 + i),
            )
            await Enrolment.create(
                child=child,
                school_id=school_class.school_id,
                school_class=school_class,
                grade=school_class.grade,
                status="ENROLLED",
                started_on=date(2025, 9, 1),
            )
            pupils.append(child)
    return pupils


async def outside_class(counties: Counties) -> Child:
    """A 荔浦 child not in the head teacher's class."""
    inside = {c.id for c in await class_pupils(counties)}
    for child in await Child.filter(jurisdiction__division_code="450381").order_by("id"):
        if child.id not in inside:
            return child
    raise AssertionError("no child outside the class")


def resident_id(born: date, sequence: int, division: str = "450381") -> str:
    """A valid ID number; the sequence's parity gives the gender (odd: male)."""
    return make_resident_id(division, born, sequence)


def errors_of(body: dict[str, Any], field: str) -> list[tuple[str, str | None]]:
    assert "errors" not in body, body
    return [(e["code"], e["field"]) for e in body["data"][field]["errors"]]
