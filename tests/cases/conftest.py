"""Fixtures of the case workflow tests: a small county with its staff, a clock the tests move,
and clients of a server that reads that clock.

Every request is made as a real caller: the county's 教育局 account (county scope) by default,
its 班主任 bound to class 4, or its 乡镇干部 of 青山镇 (the town of both schools), signed in
over HTTP with a bearer token, so that the services' permission and scope checks run on every
write.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from strawberry import relay
from tortoise.context import TortoiseContext

from core.access.accounts import create_account
from core.access.enums import Role
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction, Town
from core.officials.models import Official
from core.people.enums import Gender
from core.people.models import Child, Household
from core.people.resident_id import make_resident_id
from core.schools.models import School, SchoolClass, SchoolKind
from tests.access.conftest import fast_argon2  # noqa: F401 - fixture: cheap password hashes
from tests.conftest import graphql

#: A Monday morning in term time, in UTC.
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
#: The password of every account of the test counties.
PASSWORD = "case-tests-password"


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
    #: Usernames of the county's staff by role (BUREAU_STAFF, HEAD_TEACHER of class 4,
    #: TOWNSHIP_OFFICIAL of 青山镇).
    staff: dict[Role, str]

    def gid(self, type_name: str, row: Any) -> str:
        """The global id the API gives ``row`` (a row or a row id in any UUID spelling)."""
        row_id = uuid.UUID(str(row.pk if hasattr(row, "pk") else row))
        return str(relay.GlobalID(type_name, str(row_id)))


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
    staff = {}
    places: tuple[tuple[Role, dict[str, Any]], ...] = (
        (Role.BUREAU_STAFF, {}),
        (Role.HEAD_TEACHER, {"class_id": class_4.id}),
        (Role.TOWNSHIP_OFFICIAL, {"town_name": town.name}),
    )
    for role, place in places:
        account = await create_account(
            username=f"{role.value.lower()}-{code}",
            password=PASSWORD,
            role=role,
            jurisdiction_code=code,
            **place,
        )
        staff[role] = account.username
    return County(county, school, other, class_4, class_5, teacher, kids, staff)


@pytest.fixture
async def county(db: TortoiseContext) -> County:
    return await make_county()


@pytest.fixture
async def http(db: TortoiseContext, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process HTTP client of an application that reads ``clock``; no caller by default."""
    from core.server import create_app

    app = create_app(manage_database=False, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def sign_in(http: httpx.AsyncClient, county: County, role: Role) -> dict[str, str]:
    """Log in as the county's ``role`` account; the headers that authenticate as it."""
    body = await graphql(
        http,
        """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
            token errors { code message } } }""",
        {"u": county.staff[role], "p": PASSWORD},
    )
    assert body["data"]["login"]["errors"] == [], body
    return {"Authorization": f"Bearer {body['data']['login']['token']}"}


@pytest.fixture
async def api(http: httpx.AsyncClient, county: County) -> httpx.AsyncClient:
    """``http`` signed in as the county's 教育局 account."""
    http.headers.update(await sign_in(http, county, Role.BUREAU_STAFF))
    return http


CASE_FIELDS = """
    id state version escalationLevel nextDeadlineAt isOverdue allowedActions
    events { kind fromState toState details actorName attachments { fileName sha256 } }
"""

ERROR_FIELDS = "code field message allowedActions currentState currentVersion existingCase"


#: Decisions on an application that the county's approving authority takes: the 教育局
#: workflow hands them to the township account (the county's rule in 荔浦).
APPROVALS = frozenset({"approveExemption", "rejectExemption"})


def _expired(body: dict[str, Any]) -> bool:
    errors = body.get("errors") or []
    return bool(errors) and errors[0].get("extensions", {}).get("code") == "UNAUTHENTICATED"


class Workflow:
    """Calls the workflow mutations over HTTP as one of the county's staff (the 教育局 account
    unless told otherwise) and keeps each case's latest version."""

    def __init__(
        self, http: httpx.AsyncClient, county: County, role: Role = Role.BUREAU_STAFF
    ) -> None:
        self.http = http
        self.county = county
        self.role = role
        self.headers: dict[str, str] | None = None
        #: Concurrent calls sign in once, as one client would (and the lock-out counts every
        #: attempt in flight, so six sign-ins at once would lock the account).
        self._signing_in = asyncio.Lock()
        self.versions: dict[str, int] = {}
        #: The case as the last successful mutation returned it.
        self.last: dict[str, Any] = {}
        self._approver: Workflow | None = None

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any operation, as this workflow's caller. It signs in on first use, and again when
        its 8-hour token has run out because the test moved the clock on by days."""
        if self.headers is not None:
            body = await graphql(self.http, query, variables, headers=self.headers)
            if not _expired(body):
                return body
        stale = self.headers
        async with self._signing_in:
            if self.headers is stale:
                self.headers = await sign_in(self.http, self.county, self.role)
        return await graphql(self.http, query, variables, headers=self.headers)

    async def report(self, child: Child, **fields: Any) -> dict[str, Any]:
        data = {
            "childId": self.county.gid("Child", child),
            "kind": "DROPOUT",
            "source": "HEAD_TEACHER_REPORT",
            "reason": "LEARNING_DIFFICULTY",
            "actorId": self.county.gid("Official", self.county.teacher),
            **fields,
        }
        body = await self.query(
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
        caller = self
        if mutation in APPROVALS and self.role is Role.BUREAU_STAFF:
            caller = self.approver()
        body = await caller.query(
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

    def approver(self) -> Workflow:
        """The county's township account (荔浦 四.(一): the township approves 缓学/免学),
        sharing this workflow's view of each case's version."""
        if self._approver is None:
            self._approver = Workflow(self.http, self.county, Role.TOWNSHIP_OFFICIAL)
            self._approver.versions = self.versions
        return self._approver

    async def ok(self, mutation: str, case_id: str, **fields: Any) -> dict[str, Any]:
        payload = await self.do(mutation, case_id, **fields)
        assert payload["errors"] == [], payload["errors"]
        return payload["case"]

    async def refused(self, mutation: str, case_id: str, **fields: Any) -> dict[str, Any]:
        payload = await self.do(mutation, case_id, **fields)
        assert len(payload["errors"]) == 1, payload
        return payload["errors"][0]


@pytest.fixture
def workflow(http: httpx.AsyncClient, county: County) -> Workflow:
    """The workflow as the county's 教育局 account."""
    return Workflow(http, county)


@pytest.fixture
def head_teacher(http: httpx.AsyncClient, county: County) -> Workflow:
    """The workflow as the 班主任 of class 4 (where the county's children are)."""
    return Workflow(http, county, Role.HEAD_TEACHER)


@pytest.fixture
def township(http: httpx.AsyncClient, county: County) -> Workflow:
    """The workflow as the 乡镇干部 of 青山镇 (the town of both the county's schools)."""
    return Workflow(http, county, Role.TOWNSHIP_OFFICIAL)


def sha(n: int = 0) -> str:
    return uuid.UUID(int=n).hex * 2
