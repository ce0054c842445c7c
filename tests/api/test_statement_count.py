"""No N+1: a nested query issues the same number of SQL statements for 5 children or 100.

The query is the one a school's list screen sends: children → household → guardians, current
school and class, open cases with their last event (and key groups). DataLoaders batch each
level into one statement, so the count is a property of the query's shape:

    1 children page            4 key groups           7 classes by id
    2 totalCount                5 current enrolments   8 open cases
    3 households by id          6 schools by id        9 events of those cases
                                                       10 guardians of the households

The same holds for staff whose row scope applies (a county administrator, a school head): the
scope is a set of conditions inside each statement, and the audit log adds one INSERT.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Role, ScopeKind
from core.access.roles import ROLE_PERMISSIONS
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction, Town, Village
from core.people.enums import Gender, GuardianRelation, KeyGroup
from core.people.models import Child, ChildKeyGroup, Guardian, Household
from core.schools.models import School, SchoolClass, SchoolKind
from tests.api.statements import count_statements
from tests.conftest import graphql

#: The number of statements the nested query below issues, whatever the page size.
EXPECTED_STATEMENTS = 10

NESTED_QUERY = """
query SchoolList($first: Int!) {
  children(filter: {jurisdictionCode: "430527"}, first: $first) {
    totalCount
    edges {
      node {
        id
        name
        keyGroups
        household {
          headName
          guardians { name relation phone }
        }
        currentEnrolment {
          grade
          status
          school { name }
          schoolClass { name }
        }
        openCases {
          state
          isOverdue
          lastEvent { kind occurredAt }
        }
      }
    }
  }
}
"""


async def _hundred_children() -> tuple[Jurisdiction, School]:
    """100 children, each with a household of two guardians, a current enrolment in one of four
    classes, two key groups, an open case with three events and a closed case."""
    now = datetime.now(UTC)
    county = await Jurisdiction.create(division_code="430527", name="绥宁县", province="湖南")
    town = await Town.create(jurisdiction=county, name="长铺镇")
    village = await Village.create(town=town, name="长铺村")
    schools = [
        await School.create(
            jurisdiction=county,
            town=town,
            code=f"243052710{i}",
            name=f"长铺{i}小",
            kind=SchoolKind.PRIMARY,
        )
        for i in range(2)
    ]
    classes = [
        await SchoolClass.create(school=schools[i % 2], school_year=2026, grade=3 + i, name="(1)班")
        for i in range(4)
    ]
    households, guardians, children, enrolments, groups, cases, events = [], [], [], [], [], [], []
    for i in range(100):
        home = Household(id=uuid.uuid4(), jurisdiction=county, village=village, head_name=f"户{i}")
        households.append(home)
        for relation in (GuardianRelation.FATHER, GuardianRelation.MOTHER):
            guardians.append(
                Guardian(
                    id=uuid.uuid4(), household_id=home.id, name=f"监护人{i}", relation=relation
                )
            )
        child = Child(
            id=uuid.uuid4(),
            jurisdiction=county,
            household_id=home.id,
            name=f"学生{i:03d}",
            gender=Gender.MALE if i % 2 else Gender.FEMALE,
            birth_date=date(2016, 1, 1) + timedelta(days=i),
        )
        children.append(child)
        klass = classes[i % 4]
        enrolments.append(
            Enrolment(
                id=uuid.uuid4(),
                child_id=child.id,
                school_id=klass.school_id,
                school_class_id=klass.id,
                grade=klass.grade,
                status=EnrolmentStatus.ENROLLED,
                started_on=date(2026, 9, 1),
            )
        )
        for group in (KeyGroup.LEFT_BEHIND, KeyGroup.LOW_INCOME):
            groups.append(ChildKeyGroup(id=uuid.uuid4(), child_id=child.id, group=group))
        for state in (CaseState.PERSUADING, CaseState.CLOSED):
            case = Case(
                id=uuid.uuid4(),
                jurisdiction=county,
                child_id=child.id,
                school_id=klass.school_id,
                kind=CaseKind.AT_RISK if state is CaseState.PERSUADING else CaseKind.DROPOUT,
                state=state,
                source=CaseSource.HEAD_TEACHER_REPORT,
                opened_at=now - timedelta(days=20),
                next_deadline_at=now - timedelta(days=i % 3),
            )
            cases.append(case)
            for day, kind in enumerate(
                (CaseEventKind.REPORT, CaseEventKind.HOME_VISIT, CaseEventKind.PERSUASION)
            ):
                events.append(
                    CaseEvent(
                        id=uuid.uuid4(),
                        case_id=case.id,
                        kind=kind,
                        occurred_at=now - timedelta(days=20 - day),
                    )
                )
    for model, rows in (
        (Household, households),
        (Guardian, guardians),
        (Child, children),
        (Enrolment, enrolments),
        (ChildKeyGroup, groups),
        (Case, cases),
        (CaseEvent, events),
    ):
        await model.bulk_create(rows, batch_size=500)
    return county, schools[0]


async def _statements_for(client, first: int) -> tuple[int, list[dict]]:
    """Statements one request issues (the caller is given, so no session lookups count)."""
    with count_statements() as statements:
        body = await graphql(client, NESTED_QUERY, {"first": first})
    assert "errors" not in body, body
    return len(statements), body["data"]["children"]["edges"]


async def test_nested_query_costs_the_same_for_5_and_100_children(client) -> None:
    await _hundred_children()

    few, few_edges = await _statements_for(client, 5)
    many, many_edges = await _statements_for(client, 100)

    assert len(few_edges) == 5
    assert len(many_edges) == 100
    every = [e["node"] for e in many_edges]
    assert all(len(c["household"]["guardians"]) == 2 for c in every)
    assert all(c["currentEnrolment"]["school"]["name"].startswith("长铺") for c in every)
    assert all(len(c["openCases"]) == 1 for c in every)
    assert all(c["openCases"][0]["lastEvent"]["kind"] == "PERSUASION" for c in every)
    assert all(c["keyGroups"] == ["LOW_INCOME", "LEFT_BEHIND"] for c in every)

    assert few == many == EXPECTED_STATEMENTS, (few, many)


def _staff(role: Role, scope: Scope) -> Caller:
    return Caller(
        kind=ActorKind.STAFF, label=role.value, scope=scope, permissions=ROLE_PERMISSIONS[role]
    )


async def _scoped_client(caller: Caller) -> AsyncIterator[httpx.AsyncClient]:
    from core.server import create_app

    app = create_app(manage_database=False, default_caller=caller)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.mark.parametrize("role", [Role.COUNTY_ADMIN, Role.SCHOOL_HEAD])
async def test_row_scopes_add_conditions_not_statements(db, role) -> None:
    """Staff see their own rows through the same number of statements: each list and loader
    carries the scope as conditions of its one statement."""
    county, school = await _hundred_children()
    scope = (
        Scope(kind=ScopeKind.COUNTY, jurisdiction_id=county.id)
        if role is Role.COUNTY_ADMIN
        else Scope(kind=ScopeKind.SCHOOL, jurisdiction_id=county.id, school_id=school.id)
    )
    async for client in _scoped_client(_staff(role, scope)):
        few, few_edges = await _statements_for(client, 5)
        many, many_edges = await _statements_for(client, 100)
        assert len(few_edges) == 5
        assert len(many_edges) == (100 if role is Role.COUNTY_ADMIN else 50)
        # the same ten reads, plus the audit log's one INSERT for a staff member's read
        assert few == many == EXPECTED_STATEMENTS + 1, (few, many)
        with count_statements() as statements:
            await graphql(client, NESTED_QUERY, {"first": 100})
        children_page = next(
            s
            for s in statements
            if s.lstrip().upper().startswith("SELECT") and '"child"' in s.split("WHERE")[0]
        )
        # the scope is written into the page query itself, not as a sub-select of every
        # visible child's id (which made SQLite sort the whole county for each page)
        assert 'IN (SELECT "id"' not in children_page, children_page
