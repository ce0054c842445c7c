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


async def class_pupils(counties: Counties) -> list[Child]:
    """The children currently in the 荔浦 head teacher's class."""
    teacher = await account(counties, "HEAD_TEACHER")
    ids = await Enrolment.filter(
        school_class_id=teacher.school_class_id, is_current=True
    ).values_list("child_id", flat=True)
    return list(await Child.filter(id__in=ids).order_by("id"))


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
