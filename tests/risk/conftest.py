"""A small county whose children's risk is computed by hand, and clients signed in as its
county staff, the head teacher of class 4 (school A, 东镇) and the township official of 西镇.

On the clock's day (Friday 20 March 2026, spring term) class 4 has ten registers (9–20 March):

* 甲 — 4 unexplained absences: 4 ≥ 3 (2 points), present 6 of 10 = 60 % ≤ 90 (2): HIGH 4;
  no case, no visit: on the unattended list;
* 丙 — 3 unexplained and 1 sick: 3 ≥ 3 (2), 60 % (2): HIGH 4, but visited on 15 March;
* 乙 — 留守 and 监测户 (2 groups ≥ 1: 1 point), grade 4 in 2024 and again in 2025 (1 repeat:
  1): WATCH 2; present every day (100 %);
* 戊 — nothing: NONE;
* 丁 (class 5 of school B, 西镇) — 残疾 (1), a closed dropout case (2), born 2013 in grade 5,
  two years over (1): HIGH 4; 包人 by 王老师; no registers for class 5 (no rate).
"""

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

from core.access.accounts import create_account
from core.access.enums import Role
from core.access.models import StaffAccount
from core.attendance.models import AttendanceMark, ClassDay, MarkKind
from core.cases.enums import CaseKind, CaseSource, CaseState
from core.cases.models import Case
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction, Town
from core.officials.models import Duty, Official, ResponsibilityAssignment, ResponsibilityLine
from core.people.enums import Gender, KeyGroup
from core.people.models import Child, ChildKeyGroup, Household
from core.people.resident_id import make_resident_id
from core.schools.models import School, SchoolClass, SchoolKind
from core.visits.models import HomeVisit
from tests.access.conftest import fast_argon2  # noqa: F401 - fixture: cheap password hashes
from tests.cases.conftest import Clock
from tests.conftest import graphql

CODE = "450381"
PASSWORD = "risk-tests-password"
#: Friday 20 March 2026, 10:00 in China.
NOW = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
SCHOOL_DAYS = [date(2026, 3, 9) + timedelta(days=d) for d in range(12) if d % 7 < 5]


@dataclass
class RiskCounty:
    jurisdiction: Jurisdiction
    school_a: School
    school_b: School
    class_4: SchoolClass
    class_5: SchoolClass
    wang: Official
    children: dict[str, Child]
    staff: dict[str, str]

    def gid(self, type_name: str, row: Any) -> str:
        return str(relay.GlobalID(type_name, str(uuid.UUID(str(row.pk)))))


async def _child(county: Jurisdiction, home: Household, name: str, born: date, seq: int) -> Child:
    return await Child.create(
        jurisdiction=county,
        household=home,
        name=name,
        gender=Gender.MALE if seq % 2 else Gender.FEMALE,
        birth_date=born,
        id_number=make_resident_id(county.division_code, born, seq),
    )


async def make_risk_county(code: str = CODE, name: str = "荔浦市") -> RiskCounty:
    """The county of the risk tests (荔浦 by default; another county's code for its plugin)."""
    j = await Jurisdiction.create(division_code=code, name=name, city="桂林市")
    east = await Town.create(jurisdiction=j, name="东镇")
    west = await Town.create(jurisdiction=j, name="西镇")
    school_a = await School.create(
        jurisdiction=j, town=east, code="2145038101", name="东镇小学", kind=SchoolKind.PRIMARY
    )
    school_b = await School.create(
        jurisdiction=j, town=west, code="2145038102", name="西镇小学", kind=SchoolKind.PRIMARY
    )
    teacher = await Official.create(jurisdiction=j, name="张老师", title="班主任", school=school_a)
    wang = await Official.create(jurisdiction=j, name="王老师", title="科任教师", school=school_b)
    class_4 = await SchoolClass.create(
        school=school_a, school_year=2025, grade=4, name="(1)班", head_teacher=teacher
    )
    class_5 = await SchoolClass.create(school=school_b, school_year=2025, grade=5, name="(1)班")
    home = await Household.create(jurisdiction=j, head_name="户主")
    kids: dict[str, Child] = {}
    for seq, name in enumerate(("甲", "乙", "丙", "戊"), start=1):
        kids[name] = await _child(j, home, f"学生{name}", date(2016, 3, seq), 2 * seq)
        await Enrolment.create(
            child=kids[name],
            school=school_a,
            school_class=class_4,
            grade=4,
            status=EnrolmentStatus.ENROLLED,
            started_on=date(2025, 9, 1),
        )
    kids["丁"] = await _child(j, home, "学生丁", date(2013, 1, 10), 11)
    await Enrolment.create(
        child=kids["丁"],
        school=school_b,
        school_class=class_5,
        grade=5,
        status=EnrolmentStatus.ENROLLED,
        started_on=date(2020, 9, 1),
    )
    # 乙 was in grade 4 last school year too.
    await Enrolment.create(
        child=kids["乙"],
        school=school_a,
        grade=4,
        status=EnrolmentStatus.GRADUATED,
        started_on=date(2024, 9, 1),
        ended_on=date(2025, 7, 10),
        is_current=False,
    )
    for group in (KeyGroup.LEFT_BEHIND, KeyGroup.MONITORED):
        await ChildKeyGroup.create(child=kids["乙"], group=group)
    await ChildKeyGroup.create(child=kids["丁"], group=KeyGroup.DISABLED)
    # An ended membership does not count.
    await ChildKeyGroup.create(child=kids["戊"], group=KeyGroup.ORPHAN, ended_on=date(2025, 1, 1))
    await Case.create(
        jurisdiction=j,
        child=kids["丁"],
        school=school_b,
        kind=CaseKind.DROPOUT,
        state=CaseState.CLOSED,
        source=CaseSource.HEAD_TEACHER_REPORT,
        opened_at=datetime(2024, 10, 1, tzinfo=UTC),
        closed_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    await ResponsibilityAssignment.create(
        jurisdiction=j, official=wang, line=ResponsibilityLine.EDUCATION, duty=Duty.CHILD,
        child=kids["丁"],
    )  # fmt: skip
    await HomeVisit.create(child=kids["丙"], visitor=teacher, visited_on=date(2026, 3, 15))
    # A visit long ago does not count (visit_days 30).
    await HomeVisit.create(child=kids["甲"], visitor=teacher, visited_on=date(2026, 1, 5))
    absences = {
        "甲": [(d, MarkKind.UNEXPLAINED) for d in SCHOOL_DAYS[:4]],
        "丙": [(d, MarkKind.UNEXPLAINED) for d in SCHOOL_DAYS[2:5]]
        + [(SCHOOL_DAYS[6], MarkKind.SICK)],
        "戊": [(SCHOOL_DAYS[1], MarkKind.LATE)],
    }
    for day in SCHOOL_DAYS:
        marks = [(name, kind) for name, rows in absences.items() for d, kind in rows if d == day]
        absent = sum(1 for _, kind in marks if kind.is_absence)
        late = len(marks) - absent
        register = await ClassDay.create(
            jurisdiction=j, school=school_a, school_class=class_4, day=day, expected=4,
            present=4 - absent, absent=absent, late=late, recorded_at=NOW,
        )  # fmt: skip
        for name, kind in marks:
            await AttendanceMark.create(
                class_day=register, jurisdiction=j, school=school_a, child=kids[name], day=day,
                kind=kind,
            )  # fmt: skip
    # An unexplained absence last term is not this term's.
    last_term = await ClassDay.create(
        jurisdiction=j, school=school_a, school_class=class_4, day=date(2026, 1, 12),
        expected=4, present=3, absent=1, late=0, recorded_at=NOW,
    )  # fmt: skip
    await AttendanceMark.create(
        class_day=last_term, jurisdiction=j, school=school_a, child=kids["乙"],
        day=date(2026, 1, 12), kind=MarkKind.UNEXPLAINED,
    )  # fmt: skip
    staff: dict[str, str] = {}
    places: tuple[tuple[str, Role, dict[str, Any]], ...] = (
        ("county", Role.BUREAU_STAFF, {}),
        ("head_teacher", Role.HEAD_TEACHER, {"class_id": class_4.id}),
        ("township", Role.TOWNSHIP_OFFICIAL, {"town_name": "西镇"}),
        ("wang", Role.SUBJECT_TEACHER, {"school_code": school_b.code}),
    )
    for key, role, place in places:
        account = await create_account(
            username=f"risk-{key}", password=PASSWORD, role=role, jurisdiction_code=code, **place
        )
        staff[key] = account.username
    await StaffAccount.filter(username=staff["wang"]).update(official_id=wang.id)
    return RiskCounty(j, school_a, school_b, class_4, class_5, wang, kids, staff)


@pytest.fixture
async def county(db: TortoiseContext) -> RiskCounty:
    return await make_risk_county()


@pytest.fixture
async def http(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    from core.server import create_app

    app = create_app(manage_database=False, clock=Clock(NOW))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def sign_in(http: httpx.AsyncClient, county: RiskCounty, fast_argon2: None):  # noqa: F811
    async def sign_in(key: str) -> dict[str, str]:
        body = await graphql(
            http,
            """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
                token errors { code message } } }""",
            {"u": county.staff[key], "p": PASSWORD},
        )
        assert body["data"]["login"]["errors"] == [], body
        return {"Authorization": f"Bearer {body['data']['login']['token']}"}

    return sign_in
