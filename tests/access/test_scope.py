"""Row-level scope: a 荔浦 caller reaches no 荣昌 child by any path; a head teacher sees only
their class; personal details are masked without the permission and audited with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from strawberry import relay

from core.access.api_keys import AGENCY_PERMISSIONS, create_key
from core.access.models import AuditEntry, StaffAccount
from core.cases.models import Case
from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction
from core.people.models import Child, Guardian, Household
from core.schools.models import School
from tests.access.conftest import LIPU, RONGCHANG, code_of, gql, login, username


def gid(type_name: str, row_id: object) -> str:
    return str(relay.GlobalID(type_name, str(row_id)))


async def _lipu_key_with_everything() -> str:
    now = datetime.now(UTC)
    issued = await create_key(
        agency="荔浦市公安局",
        jurisdiction_code=LIPU,
        permissions=sorted(AGENCY_PERMISSIONS),
        expires_at=now + timedelta(days=30),
        now=now,
    )
    return issued.secret


async def test_a_lipu_key_cannot_see_one_rongchang_child_by_any_path(http, counties) -> None:
    key = await _lipu_key_with_everything()
    rongchang = await Jurisdiction.get(division_code=RONGCHANG)
    lipu = await Jurisdiction.get(division_code=LIPU)
    child = await Child.filter(jurisdiction=rongchang, id_number__not_isnull=True).first()
    case = await Case.filter(jurisdiction=rongchang).first()
    school = await School.filter(jurisdiction=rongchang).first()
    enrolment = await Enrolment.filter(child__jurisdiction=rongchang).first()
    guardian = await Guardian.filter(household__jurisdiction=rongchang).first()
    lipu_children = await Child.filter(jurisdiction=lipu).count()
    lipu_cases = await Case.filter(jurisdiction=lipu).count()

    lists = await gql(
        http,
        """query($idn: String!, $code: String!) {
             children(first: 100) { totalCount edges { node { id } } }
             everyChild: children(filter: {jurisdictionCode: "500153"}) { totalCount }
             byId: children(filter: {idNumber: $idn}) { totalCount }
             bySearch: children(filter: {search: $idn}) { totalCount }
             households { totalCount }
             cases { totalCount }
             caseStatistics { total }
             overdueCases { totalCount }
             jurisdictions { divisionCode }
             rc: jurisdiction(code: "500153") { name }
             school(code: $code) { name }
             verifyEnrolment(idNumber: $idn) { found status } }""",
        {"idn": child.id_number, "code": school.code},
        key=key,
    )
    assert "errors" not in lists, lists
    data = lists["data"]
    assert data["children"]["totalCount"] == lipu_children
    seen = {e["node"]["id"] for e in data["children"]["edges"]}
    assert gid("Child", child.id) not in seen
    assert data["everyChild"]["totalCount"] == 0
    assert data["byId"]["totalCount"] == 0
    assert data["bySearch"]["totalCount"] == 0
    assert data["cases"]["totalCount"] == lipu_cases
    assert data["caseStatistics"]["total"] == lipu_cases
    assert data["jurisdictions"] == [{"divisionCode": LIPU}]
    assert data["rc"] is None
    assert data["school"] is None
    assert data["verifyEnrolment"] == {"found": False, "status": None}

    ids = [
        gid("Child", child.id),
        gid("Case", case.id),
        gid("School", school.id),
        gid("Enrolment", enrolment.id),
        gid("Guardian", guardian.id),
        gid("Household", child.household_id),
        gid("Jurisdiction", rongchang.id),
    ]
    nodes = await gql(
        http, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, key=key
    )
    assert nodes["data"]["nodes"] == [None] * len(ids)
    one = await gql(http, "query($id: ID!) { node(id: $id) { id } }", {"id": ids[0]}, key=key)
    assert one["data"]["node"] is None
    # nothing about the other county leaks into any message
    text = str(lists) + str(nodes) + str(one)
    assert child.name not in text and "荣昌" not in text


async def test_a_lipu_administrator_cannot_write_to_a_rongchang_case(http, counties) -> None:
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    rongchang = await Jurisdiction.get(division_code=RONGCHANG)
    case = await Case.filter(jurisdiction=rongchang, state="PERSUADING").first()
    child = await Child.filter(jurisdiction=rongchang).first()
    body = await gql(
        http,
        """mutation($c: ID!, $v: Int!, $child: ID!) {
          escalateCase(input: {caseId: $c, expectedVersion: $v}) { case { id } errors { code } }
          reportCase(input: {childId: $child, kind: DROPOUT, source: OTHER}) {
            case { id } errors { code field } } }""",
        {"c": gid("Case", case.id), "v": case.version, "child": gid("Child", child.id)},
        token=token,
    )
    assert body["data"]["escalateCase"] == {"case": None, "errors": [{"code": "NOT_FOUND"}]}
    report = body["data"]["reportCase"]
    assert report["case"] is None and report["errors"][0]["code"] == "NOT_FOUND"
    unchanged = await Case.get(id=case.id)
    assert unchanged.version == case.version and unchanged.escalation_level == case.escalation_level


async def test_a_head_teacher_sees_only_their_class(http, counties) -> None:
    name = username(counties.lipu, "HEAD_TEACHER")
    account = await StaffAccount.get(username=name)
    in_class = set(
        str(c)
        for c in await Enrolment.filter(
            school_class_id=account.school_class_id, is_current=True
        ).values_list("child_id", flat=True)
    )
    token = await login(http, name, counties.lipu.password)
    body = await gql(
        http,
        """{ children(first: 100) { totalCount edges { node { id
              currentEnrolment { schoolClass { id } }
              household { children { id } } } } }
             schools { totalCount } }""",
        token=token,
    )
    assert "errors" not in body, body
    page = body["data"]["children"]
    # 荔浦 at seed 11, 120 pupils: the demo 班主任's class has 3 children
    assert page["totalCount"] == len(in_class) == 3
    class_gid = gid("SchoolClass", account.school_class_id)
    for edge in page["edges"]:
        node = edge["node"]
        assert node["currentEnrolment"]["schoolClass"]["id"] == class_gid
        # siblings in other classes are not reachable through the household either
        for sibling in node["household"]["children"]:
            assert relay.GlobalID.from_id(sibling["id"]).node_id in in_class
    assert body["data"]["schools"]["totalCount"] == 1

    outsider = (
        await Child.filter(jurisdiction__division_code=LIPU).exclude(id__in=list(in_class)).first()
    )
    node = await gql(
        http,
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": gid("Child", outsider.id)},
        token=token,
    )
    assert node["data"]["node"] is None


async def test_personal_details_are_masked_without_the_permission(http, counties) -> None:
    query = """{ children(first: 50, filter: {hasOpenCase: true}) { edges { node { id idNumber
        household { id currentAddress guardians { id name phone } } } } } }"""
    teacher = await login(http, username(counties.lipu, "SUBJECT_TEACHER"), counties.lipu.password)
    masked = await gql(http, query, token=teacher)
    assert "errors" not in masked, masked
    edges = masked["data"]["children"]["edges"]
    assert edges
    phones = [g["phone"] for e in edges for g in e["node"]["household"]["guardians"]]
    assert any(phones), "the fixture must give some guardians a phone"
    for edge in edges:
        node = edge["node"]
        if node["idNumber"]:
            assert node["idNumber"].startswith(LIPU) and "********" in node["idNumber"]
        for guardian in node["household"]["guardians"]:
            assert "*" in guardian["name"]
            assert guardian["phone"] == "" or "****" in guardian["phone"]
        # the address keeps its first six characters (county and town) and hides the rest
        home = await Household.get(id=relay.GlobalID.from_id(node["household"]["id"]).node_id)
        assert node["household"]["currentAddress"] == home.current_address[:6] + "***"
    # ID-number search would undo the masking, so it needs the permission too
    child = await Child.filter(jurisdiction__division_code=LIPU, id_number__not_isnull=True).first()
    search = await gql(
        http,
        "query($n: String!) { children(filter: {idNumber: $n}) { totalCount } }",
        {"n": child.id_number},
        token=teacher,
    )
    assert code_of(search) == "FORBIDDEN"
    assert "READ_PERSONAL_DETAILS" in search["errors"][0]["message"]
    assert await AuditEntry.filter(action="PERSONAL_DATA_READ").count() == 0

    registrar = await login(http, username(counties.lipu, "REGISTRAR"), counties.lipu.password)
    clear = await gql(http, query, token=registrar)
    shown = [e["node"]["idNumber"] for e in clear["data"]["children"]["edges"]]
    assert any(n and "*" not in n and len(n) == 18 for n in shown)
    entry = await AuditEntry.get(action="PERSONAL_DATA_READ")
    assert entry.actor_label == username(counties.lipu, "REGISTRAR")
    # one read per row shown unmasked: each child's ID number, each household's address and
    # each guardian's name and phone (a household of two children is read once)
    rows = set()
    for edge in clear["data"]["children"]["edges"]:
        child, household = edge["node"], edge["node"]["household"]
        rows |= {("Child", child["id"])} if child["idNumber"] else set()
        rows |= {("Household", household["id"])} if household["currentAddress"] else set()
        rows |= {("Guardian", g["id"]) for g in household["guardians"] if g["name"] or g["phone"]}
    assert entry.details["count"] == len(rows)
    assert entry.client_address == "203.0.113.7"


async def test_a_missing_permission_is_forbidden_naming_it(http, counties) -> None:
    body = await gql(http, "{ children { totalCount } }", key=counties.lipu.api_key)
    assert code_of(body) == "FORBIDDEN"
    assert "READ_ROSTER" in body["errors"][0]["message"]
    audit = await gql(http, "{ auditLog { totalCount } }", key=counties.lipu.api_key)
    assert code_of(audit) == "FORBIDDEN" and "READ_AUDIT" in audit["errors"][0]["message"]


async def test_a_child_s_school_elsewhere_is_named_to_whoever_sees_the_child(
    http, counties
) -> None:
    """A township official sees the children living in the town; one who went to school in
    another town (a past 学籍 there) still has that school named on the record, not an
    internal error: which school a visible child attends is part of the child's record."""
    from datetime import date

    from core.access.models import StaffAccount as Account
    from core.enrolment.models import EnrolmentStatus
    from core.jurisdictions.models import Village

    name = username(counties.lipu, "TOWNSHIP_OFFICIAL")
    account = await Account.get(username=name)
    lipu = await Jurisdiction.get(division_code=LIPU)
    villages = await Village.filter(town_id=account.town_id).values_list("id", flat=True)
    child = await Child.filter(jurisdiction=lipu, household__village_id__in=list(villages)).first()
    elsewhere = await School.filter(jurisdiction=lipu).exclude(town_id=account.town_id).first()
    await Enrolment.create(
        child=child,
        school=elsewhere,
        grade=1,
        status=EnrolmentStatus.TRANSFERRED_OUT,
        started_on=date(2019, 9, 1),
        ended_on=date(2020, 7, 1),
        is_current=False,
    )
    token = await login(http, name, counties.lipu.password)
    body = await gql(
        http,
        """query($id: ID!) { node(id: $id) { ... on Child {
             enrolments { school { name } } } }
           schools { edges { node { name } } } }""",
        {"id": gid("Child", child.id)},
        token=token,
    )
    assert "errors" not in body, body
    named = [e["school"]["name"] for e in body["data"]["node"]["enrolments"]]
    assert elsewhere.name in named
    # the school list itself stays the town's
    assert elsewhere.name not in {e["node"]["name"] for e in body["data"]["schools"]["edges"]}


async def test_a_case_s_school_elsewhere_is_named_to_the_township_official(http, counties) -> None:
    """Like a 学籍: the school a visible case names (the child's school, in another town) and
    the school an official of the county works at are named, not null, for a township official
    (:func:`core.access.scope.named_by_record`), while the school list stays the town's."""
    from core.access.models import StaffAccount as Account
    from core.cases.enums import CaseKind, CaseSource, CaseState
    from core.jurisdictions.models import Village
    from core.officials.models import Official

    name = username(counties.lipu, "TOWNSHIP_OFFICIAL")
    account = await Account.get(username=name)
    lipu = await Jurisdiction.get(division_code=LIPU)
    villages = await Village.filter(town_id=account.town_id).values_list("id", flat=True)
    child = await Child.filter(jurisdiction=lipu, household__village_id__in=list(villages)).first()
    elsewhere = await School.filter(jurisdiction=lipu).exclude(town_id=account.town_id).first()
    assert child is not None and elsewhere is not None
    case = await Case.create(
        jurisdiction=lipu,
        child=child,
        school=elsewhere,
        kind=CaseKind.AT_RISK,
        state=CaseState.PERSUADING,
        source=CaseSource.HEAD_TEACHER_REPORT,
        opened_at=datetime.now(UTC) - timedelta(days=3),
    )
    teacher = await Official.create(jurisdiction=lipu, name="覃老师", school=elsewhere)
    token = await login(http, name, counties.lipu.password)
    body = await gql(
        http,
        """query($case: ID!, $official: ID!) {
             case: node(id: $case) { ... on Case { school { name } } }
             official: node(id: $official) { ... on Official { school { name } } }
             schools(first: 100) { edges { node { name } } } }""",
        {"case": gid("Case", case.id), "official": gid("Official", teacher.id)},
        token=token,
    )
    assert "errors" not in body, body
    assert body["data"]["case"] == {"school": {"name": elsewhere.name}}
    assert body["data"]["official"] == {"school": {"name": elsewhere.name}}
    assert elsewhere.name not in {e["node"]["name"] for e in body["data"]["schools"]["edges"]}
