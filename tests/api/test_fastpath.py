"""The fast path (core.api.fastpath) answers exactly as normal execution does.

Every documented query that lists children (README.md, docs/*.md), the benchmark's queries
(bench/__main__.py), the statement-count tests' queries, and variants that exercise aliases,
every covered field, masking, cursors, typed errors and what the fast path leaves to normal
execution, are sent by several callers (a county administrator, a head teacher, a township
official, a partner agency's key without READ_PERSONAL_DETAILS, one without READ_CASES) to
the same application twice: once with the fast path and once without. The JSON answers, the
unmasked-read audit entries and the SQL statement counts must be the same; for the documents
it covers, the fast path must be the one that answered.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from strawberry.relay import to_base64

import core.api.fastpath as fastpath
from bench.__main__ import CHILD_FILE, PAGE_OF_50, TOWN_CASES
from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, AuditAction, Permission, Role, ScopeKind
from core.access.models import AuditEntry
from core.api.fastpath.plan import PlanCache, make_plan
from core.api.schema import build_schema
from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction, Town
from core.people.enums import GuardianRelation
from core.people.models import Child, Guardian, Household
from core.schools.models import School, SchoolClass
from core.settings import load_settings
from tests.api.statements import count_statements
from tests.api.test_statement_count import NESTED_QUERY, _hundred_children, _staff
from tests.api.test_statement_count_lists import TOWN_CASES as LIST_TOWN_CASES
from tests.api.test_statement_count_registry import QUERY as REGISTRY_QUERY

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)

#: Documents the fast path answers itself (the others go to normal execution).
COVERED_PAGE = """
query Covered($first: Int, $after: String, $last: Int) {
  list: children(filter: {jurisdictionCode: "430527", hasOpenCase: true},
                 orderBy: {field: NAME, direction: DESC}, first: $first, after: $after,
                 last: $last) {
    total: totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      kid: node {
        id name gender birthDate age ethnicity version idNumber studentNumber
        household {
          id headName registeredAddress currentAddress povertyStatus isLowIncome
          migrationStatus version
          guardians { id name relation phone idNumber worksAway isPrimary version }
        }
        currentEnrolment {
          id grade status mode startedOn endedOn isCurrent version
          school { id name } schoolClass { id name }
        }
        openCases { id kind state escalationLevel openedAt closedAt nextDeadlineAt isOverdue
                    version }
      }
    }
  }
}
"""
NO_PERSONAL = """
query Plain { children(first: 30) { edges { node { name age openCases { state } } } } }
"""
NO_COUNT = """
query NoCount { children(first: 7) { pageInfo { hasNextPage } edges { node { id } } } }
"""
#: Documents that must go to normal execution (and still answer the same).
NOT_COVERED = {
    "fragment": "query { children(first: 3) { edges { node { ...F } } } } "
    "fragment F on Child { name }",
    "inline fragment": "query { children(first: 3) { edges { node { ... on Child { name } } } } }",
    "directive": "query($x: Boolean!) { children(first: 3) { edges { node { name "
    "household @include(if: $x) { currentAddress } } } } }",
    "typename": "query { children(first: 3) { edges { node { __typename name } } } }",
    "unknown field": "query { children(first: 3) { edges { node { name keyGroups } } } }",
    "two roots": "query { a: children(first: 2) { totalCount } b: children(first: 3) "
    "{ totalCount } }",
}
#: Documents the fast path plans but whose answer is an error: normal execution reports it.
ERRORS = {
    "page too large": "query { children(first: 101) { edges { node { name } } } }",
    "bad cursor": 'query { children(first: 3, after: "nonsense") { edges { node { name } } } }',
    "bad filter": 'query { children(filter: {jurisdictionCode: "12"}, first: 3) '
    "{ edges { node { name } } } }",
    "masked search": 'query { children(filter: {idNumber: "430527201501010011"}, first: 3) '
    "{ edges { node { name } } } }",
    "wrong variable": "query($n: Int) { children(first: $n) { totalCount } }",
}


def documented_queries() -> dict[str, str]:
    """Every ``graphql`` block of README.md and docs/*.md that reads the children list."""
    found = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        blocks = re.findall(r"```graphql\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        for i, block in enumerate(blocks):
            if re.search(r"\bchildren\s*\(", block) and not block.lstrip().startswith(
                ("mutation", "subscription")
            ):
                found[f"{path.name}#{i}"] = block
    return found


def all_queries() -> dict[str, str]:
    return {
        **documented_queries(),
        "bench page50": PAGE_OF_50,
        "bench file": CHILD_FILE,
        "bench town": TOWN_CASES,
        "statement count nested": NESTED_QUERY,
        "statement count registry": REGISTRY_QUERY,
        "statement count town": LIST_TOWN_CASES % "totalCount",
        "covered page": COVERED_PAGE,
        "no personal": NO_PERSONAL,
        "no count": NO_COUNT,
        **{f"not covered: {k}": v for k, v in NOT_COVERED.items()},
        **{f"error: {k}": v for k, v in ERRORS.items()},
    }


async def _data() -> tuple[Any, School]:
    """The statement-count tests' 100 children; each household's father made its primary
    guardian, so that the guardians' order (primary first, then name: both are 监护人<i>) is
    decided and not left to the database (PostgreSQL may return ties in either order)."""
    county, school = await _hundred_children()
    await Guardian.filter(relation=GuardianRelation.FATHER).update(is_primary=True)
    return county, school


async def _callers(county: Any, school: School) -> dict[str, Caller]:
    town = await Town.get(jurisdiction_id=county.id)
    klass = await SchoolClass.filter(school_id=school.id).first()
    assert klass is not None
    county_scope = Scope(kind=ScopeKind.COUNTY, jurisdiction_id=county.id)
    return {
        "county admin": _staff(Role.COUNTY_ADMIN, county_scope),
        "head teacher": _staff(
            Role.HEAD_TEACHER,
            Scope(
                kind=ScopeKind.CLASS,
                jurisdiction_id=county.id,
                school_id=school.id,
                class_id=klass.id,
            ),
        ),
        "township official": _staff(
            Role.TOWNSHIP_OFFICIAL,
            Scope(kind=ScopeKind.TOWN, jurisdiction_id=county.id, town_ids=frozenset({town.id})),
        ),
        "agency key": Caller(
            kind=ActorKind.API_KEY,
            label="民政局",
            scope=county_scope,
            permissions=frozenset({Permission.READ_ROSTER, Permission.READ_CASES}),
        ),
        "agency key, roster only": Caller(
            kind=ActorKind.API_KEY,
            label="公安局",
            scope=county_scope,
            permissions=frozenset({Permission.READ_ROSTER}),
        ),
    }


def _variables(query: str, school: School) -> dict[str, Any]:
    known = {
        "code": "430527",
        "first": 10,
        "school": to_base64("School", str(school.id)),
        "n": "ten",  # the wrong type, for "wrong variable"
    }
    declared = set(re.findall(r"\$(\w+)\s*:", query))
    return {k: v for k, v in known.items() if k in declared}


async def _ask(caller: Caller, fast: bool, query: str, variables: dict[str, Any]) -> Any:
    """The answer, the audit entry of unmasked reads it wrote (details) and its statements."""
    from core.server import create_app

    settings = load_settings().model_copy(update={"fast_path": fast})
    app = create_app(settings, manage_database=False, default_caller=caller, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    reads = AuditEntry.filter(action=AuditAction.PERSONAL_DATA_READ)
    # the entries this request writes, by id: every entry bears the same moment (the test's
    # clock), so an order by time would leave PostgreSQL free to put an older one last
    before = set(await reads.values_list("id", flat=True))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        with count_statements() as statements:
            response = await http.post("/graphql", json={"query": query, "variables": variables})
    entries = await AuditEntry.filter(action=AuditAction.PERSONAL_DATA_READ).exclude(
        id__in=list(before)
    )
    written = sorted((e.details for e in entries), key=repr)
    return response.status_code, response.json(), written, len(statements)


def _canonical(value: Any) -> Any:
    """``value`` with every list sorted (for comparing answers whose order is not decided)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return sorted((_canonical(v) for v in value), key=repr)
    return value


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The root keys of the answers the fast path gave itself."""
    seen: list[str] = []
    original = fastpath.answer

    async def spy(schema: Any, plan: Any, context: Any, variables: Any) -> Any:
        data = await original(schema, plan, context, variables)
        seen.append(plan.root_key)
        return data

    monkeypatch.setattr(fastpath, "answer", spy)
    return seen


async def test_fast_path_answers_as_normal_execution(db, answered) -> None:
    county, school = await _data()
    callers = await _callers(county, school)
    assert len(documented_queries()) >= 2  # README's first look, docs/api.md's screens
    schema = build_schema()._schema  # for make_plan: what the fast path would plan
    mismatches = []
    for caller_name, caller in callers.items():
        for name, query in all_queries().items():
            variables = _variables(query, school)
            del answered[:]
            fast = await _ask(caller, True, query, variables)
            used = bool(answered)
            normal = await _ask(caller, False, query, variables)
            assert not answered or used, "the fast path ran with the fast path off"
            planned_here = make_plan(schema, parse(query), None) is not None
            same = fast[:3] == normal[:3] or (
                # both answered by normal execution, whose order of ties (cases with the same
                # deadline) PostgreSQL leaves open: the same rows, in any order
                not planned_here and _canonical(fast[:3]) == _canonical(normal[:3])
            )
            if not same:
                mismatches.append((caller_name, name, fast, normal))
                continue
            # never more statements than normal execution
            assert fast[3] <= normal[3], (caller_name, name, fast[3], normal[3])
            planned = name.startswith("error") or name in (
                "bench page50",
                "covered page",
                "no personal",
                "no count",
            )
            refused = "errors" in normal[1]
            if planned and not refused:
                assert used, f"{caller_name}: {name} was not answered by the fast path"
            if refused or not planned:
                assert not used, f"{caller_name}: {name} should go to normal execution"
    assert not mismatches, mismatches[0]


async def test_masking_and_audit_as_normal_execution(db, answered) -> None:
    """The head teacher sees personal details (and is audited); the agency key sees masks
    (and is not): the same with and without the fast path."""
    county, school = await _data()
    callers = await _callers(county, school)
    variables = {"first": 20}
    status, body, audit, _ = await _ask(callers["head teacher"], True, COVERED_PAGE, variables)
    assert answered and status == 200 and "errors" not in body
    kids = [e["kid"] for e in body["data"]["list"]["edges"]]
    assert kids and all(k["household"]["guardians"][0]["name"].startswith("监护人") for k in kids)
    assert "*" not in kids[0]["household"]["guardians"][0]["name"]
    assert len(audit) == 1 and audit[0]["count"] > 0
    assert any(o.startswith("Guardian:") for o in audit[0]["objects"])
    del answered[:]
    status, body, audit, _ = await _ask(callers["agency key"], True, COVERED_PAGE, variables)
    assert answered and "errors" not in body
    kids = [e["kid"] for e in body["data"]["list"]["edges"]]
    assert kids and all("*" in k["household"]["guardians"][0]["name"] for k in kids)
    assert audit == []


async def test_statements_do_not_grow_with_the_page(db, answered) -> None:
    """The fast path's statements are a property of the document's shape: 5 or 100 rows."""
    county, school = await _data()
    admin = (await _callers(county, school))["county admin"]
    counts = []
    for first in (5, 100):
        _, body, _, statements = await _ask(admin, True, COVERED_PAGE, {"first": first})
        assert len(body["data"]["list"]["edges"]) == first
        counts.append(statements)
    assert answered == ["list", "list"]
    if Child._meta.db.capabilities.dialect == "postgres":
        # page with households, total, guardians, current enrolments with schools and
        # classes, open cases, the audit INSERT
        assert counts == [6, 6], counts
    else:
        # page, total, households, guardians, current enrolments, schools, classes, open
        # cases, the audit INSERT
        assert counts == [9, 9], counts


def test_plans_are_made_once_per_query_text_and_bounded() -> None:
    schema = build_schema()._schema
    cache = PlanCache(maxsize=2)
    plan = cache.get(schema, PAGE_OF_50, parse(PAGE_OF_50), None)
    assert plan is not None and plan.root_key == "children"
    assert cache.get(schema, PAGE_OF_50, parse("query { me { label } }"), None) is plan
    for text in (NO_COUNT, NO_PERSONAL):
        cache.get(schema, text, parse(text), None)
    assert len(cache) == 2
    for name, text in NOT_COVERED.items():
        assert make_plan(schema, parse(text), None) is None, name
    assert make_plan(schema, parse(CHILD_FILE), None) is None
    assert make_plan(schema, parse(NESTED_QUERY), None) is None  # keyGroups, lastEvent


PAGED = """
query Paged($first: Int, $after: String, $last: Int, $before: String, $order: ChildOrder) {
  children(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name birthDate household { currentAddress } } }
  }
}
"""


@pytest.mark.parametrize(
    "order",
    [
        {"field": "NAME", "direction": "ASC"},
        {"field": "NAME", "direction": "DESC"},
        {"field": "BIRTH_DATE", "direction": "ASC"},  # a date key: built per request
        {"field": "LATEST_CASE_OPENED_AT", "direction": "DESC"},  # NULL keys past the cases
    ],
    ids=lambda o: f"{o['field']} {o['direction']}",
)
async def test_pages_past_cursors_as_normal_execution(db, answered, order) -> None:
    """Forward through the whole list by ``after`` and back by ``before``: every page the same
    as normal execution's, the pages past a cursor sent as statements kept per shape."""
    from core.api.fastpath.statements import STATEMENTS

    STATEMENTS.clear()
    county, school = await _data()
    callers = await _callers(county, school)
    for caller_name in ("county admin", "township official"):
        caller = callers[caller_name]
        pages = 0
        variables: dict[str, Any] = {"order": order, "first": 30}
        while True:
            del answered[:]
            fast = await _ask(caller, True, PAGED, variables)
            assert answered, (caller_name, variables)
            normal = await _ask(caller, False, PAGED, variables)
            assert fast[:3] == normal[:3], (caller_name, variables)
            assert fast[3] <= normal[3]
            connection = fast[1]["data"]["children"]
            pages += 1
            if not connection["pageInfo"]["hasNextPage"]:
                break
            variables = {"order": order, "first": 30, "after": connection["pageInfo"]["endCursor"]}
        assert pages == 4  # 100 children, 30 a page
        before = connection["pageInfo"]["startCursor"]
        while before is not None:
            variables = {"order": order, "last": 30, "before": before}
            fast = await _ask(caller, True, PAGED, variables)
            normal = await _ask(caller, False, PAGED, variables)
            assert fast[:3] == normal[:3], (caller_name, variables)
            info = fast[1]["data"]["children"]["pageInfo"]
            before = info["startCursor"] if info["hasPreviousPage"] else None
    shapes = [key for key in STATEMENTS._cache if key[0][0] == "page" and key[0][2]]
    if order["field"] == "NAME":
        assert shapes  # the pages past a cursor came from statements kept per shape


async def test_relations_out_of_scope_as_normal_execution(db, answered) -> None:
    """A household or a school the caller may not see (another county's) is refused by
    normal execution; the fast path, also where it reads them in their parent's statement (a
    join on PostgreSQL), finds them missing too and steps aside, so the answer is the same
    (but for the request id its masked error quotes)."""
    county, school = await _data()
    callers = await _callers(county, school)
    other = await Jurisdiction.create(division_code="431121", name="祁阳市", province="湖南")
    away = await School.create(
        jurisdiction=other, code="2431121001", name="祁阳一小", kind=school.kind
    )
    klass = await SchoolClass.create(school=away, school_year=2026, grade=3, name="(2)班")
    children = await Child.all().order_by("-name").limit(2)
    await Household.filter(id=children[0].household_id).update(jurisdiction_id=other.id)
    await Enrolment.filter(child_id=children[1].id, is_current=True).update(
        school_id=away.id, school_class_id=klass.id
    )
    del answered[:]
    fast = await _ask(callers["county admin"], True, COVERED_PAGE, {"first": 10})
    normal = await _ask(callers["county admin"], False, COVERED_PAGE, {"first": 10})
    assert not answered
    assert "errors" in normal[1]
    assert _without_request_ids(fast[:3]) == _without_request_ids(normal[:3])


def _without_request_ids(value: Any) -> Any:
    return re.sub(r"\b[0-9a-f]{32}\b", "<request id>", repr(value))


async def test_the_root_queryset_is_built_once_per_shape(db, answered, monkeypatch) -> None:
    """The root field's checks run on every request, but its queryset (and the keyset of its
    order) is built by Tortoise only for the first request of a shape: pages of other sizes
    and later pages of the same filter, order and caller reuse it."""
    from core import child_lists
    from core.api.fastpath.statements import STATEMENTS

    STATEMENTS.clear()
    county, school = await _data()
    admin = (await _callers(county, school))["county admin"]
    built: list[Any] = []
    original = child_lists.children_queryset

    def counted(*args: Any) -> Any:
        built.append(args)
        return original(*args)

    monkeypatch.setattr(child_lists, "children_queryset", counted)
    after = None
    for first in (5, 7, 5):
        variables = {"first": first, "after": after}
        fast = await _ask(admin, True, COVERED_PAGE, variables)
        assert fast[0] == 200 and "errors" not in fast[1]
        after = fast[1]["data"]["list"]["pageInfo"]["endCursor"]
    assert answered == ["list", "list", "list"]
    assert len(built) == 1
    # the checks still run first: a bad filter goes to normal execution, which refuses it
    del answered[:]
    refused = await _ask(admin, True, ERRORS["bad filter"], {})
    assert "errors" in refused[1] and not answered
