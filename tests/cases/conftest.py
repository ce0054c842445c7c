"""Fixtures of the case workflow tests: a small county, a clock the tests move, and a client
whose server reads that clock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from strawberry import relay
from tortoise.context import TortoiseContext

from core.access.caller import Caller
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction, Town
from core.officials.models import Official
from core.people.enums import Gender
from core.people.models import Child, Household
from core.people.resident_id import make_resident_id
from core.schools.models import School, SchoolClass, SchoolKind
from tests.conftest import graphql

#: A Monday morning in term time, in UTC.
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    """A clock that only moves when a test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class County:
    jurisdiction: Jurisdiction
    school: School
    other_school: School
    class_4: SchoolClass
    class_5: SchoolClass
    teacher: Official
    children: list[Child]

    def gid(self, type_name: str, row: Any) -> str:
        return str(relay.GlobalID(type_name, str(row.pk if hasattr(row, "pk") else row)))


async def make_county(code: str = "450381", name: str = "荔浦市", children: int = 4) -> County:
    county = await Jurisdiction.create(division_code=code, name=name, city="桂林市")
    town = await Town.create(jurisdiction=county, name="青山镇")
    school = await School.create(
        jurisdiction=county,
        town=town,
        code=f"21{code}01",
        name="青山镇中心小学",
        kind=SchoolKind.PRIMARY,
    )
    other = await School.create(
        jurisdiction=county,
        town=town,
        code=f"21{code}02",
        name="青山镇民族中学",
        kind=SchoolKind.JUNIOR_MIDDLE,
    )
    teacher = await Official.create(
        jurisdiction=county, name="张老师", title="班主任", school=school
    )
    class_4 = await SchoolClass.create(
        school=school, school_year=2025, grade=4, name="(1)班", head_teacher=teacher
    )
    class_5 = await SchoolClass.create(school=other, school_year=2025, grade=5, name="(2)班")
    home = await Household.create(jurisdiction=county, head_name="黄大明")
    kids = []
    for i in range(children):
        born = date(2016, 3, 1 + i)
        child = await Child.create(
            jurisdiction=county,
            household=home,
            name=f"黄小{'梅军兰强'[i % 4]}{i}",
            gender=Gender.FEMALE if i % 2 == 0 else Gender.MALE,
            birth_date=born,
            id_number=make_resident_id(code, born, 2 * i + 2),
        )
        await Enrolment.create(
            child=child,
            school=school,
            school_class=class_4,
            grade=4,
            status=EnrolmentStatus.ENROLLED,
            started_on=date(2022, 9, 1),
        )
        kids.append(child)
    return County(county, school, other, class_4, class_5, teacher, kids)


@pytest.fixture
async def county(db: TortoiseContext) -> County:
    return await make_county()


@pytest.fixture
async def api(db: TortoiseContext, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process HTTP client of an application that reads ``clock``."""
    from core.server import create_app

    app = create_app(manage_database=False, clock=clock, default_caller=Caller.system())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


CASE_FIELDS = """
    id state version escalationLevel nextDeadlineAt isOverdue allowedActions
    events { kind fromState toState details actorName attachments { fileName sha256 } }
"""

ERROR_FIELDS = "code field message allowedActions currentState currentVersion existingCase"


class Workflow:
    """Calls the workflow mutations over HTTP and keeps each case's latest version."""

    def __init__(self, http: httpx.AsyncClient, county: County) -> None:
        self.http = http
        self.county = county
        self.versions: dict[str, int] = {}
        #: The case as the last successful mutation returned it.
        self.last: dict[str, Any] = {}

    async def report(self, child: Child, **fields: Any) -> dict[str, Any]:
        data = {
            "childId": self.county.gid("Child", child),
            "kind": "DROPOUT",
            "source": "HEAD_TEACHER_REPORT",
            "reason": "LEARNING_DIFFICULTY",
            "actorId": self.county.gid("Official", self.county.teacher),
            **fields,
        }
        body = await graphql(
            self.http,
            f"""mutation($input: ReportCaseInput!) {{ reportCase(input: $input) {{
                replayed case {{ {CASE_FIELDS} }} errors {{ {ERROR_FIELDS} }} }} }}""",
            {"input": data},
        )
        assert "errors" not in body, body
        payload = body["data"]["reportCase"]
        if payload["case"] and not payload["errors"]:
            self.versions[payload["case"]["id"]] = payload["case"]["version"]
            self.last = payload["case"]
        return payload

    async def do(
        self, mutation: str, case_id: str, version: int | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Run ``mutation`` on a case with the version last seen (or ``version``)."""
        input_type = mutation[0].upper() + mutation[1:] + "Input"
        data = {
            "caseId": case_id,
            "expectedVersion": self.versions.get(case_id, 1) if version is None else version,
            **fields,
        }
        body = await graphql(
            self.http,
            f"""mutation($input: {input_type}!) {{ {mutation}(input: $input) {{
                case {{ {CASE_FIELDS} }} errors {{ {ERROR_FIELDS} }} }} }}""",
            {"input": data},
        )
        assert "errors" not in body, body
        payload = body["data"][mutation]
        if payload["case"] and not payload["errors"]:
            self.versions[case_id] = payload["case"]["version"]
            self.last = payload["case"]
        return payload

    async def ok(self, mutation: str, case_id: str, **fields: Any) -> dict[str, Any]:
        payload = await self.do(mutation, case_id, **fields)
        assert payload["errors"] == [], payload["errors"]
        return payload["case"]

    async def refused(self, mutation: str, case_id: str, **fields: Any) -> dict[str, Any]:
        payload = await self.do(mutation, case_id, **fields)
        assert len(payload["errors"]) == 1, payload
        return payload["errors"][0]


@pytest.fixture
def workflow(api: httpx.AsyncClient, county: County) -> Workflow:
    return Workflow(api, county)


def sha(n: int = 0) -> str:
    return uuid.UUID(int=n).hex * 2
