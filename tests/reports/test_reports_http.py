"""Reports over HTTP as real callers: a school head's own school only, the sign-off walked from
draft to accepted (and returned with a reason), snapshots that do not change when the data
does, checksums, downloads, the published variant masked, periods refused clearly."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from strawberry import relay
from tortoise.context import TortoiseContext

from core.access.accounts import create_account
from core.access.api_keys import create_key
from core.access.enums import Permission, Role
from core.cases.models import Case
from core.demo.generator import generate_demo
from core.people.models import Child
from core.plugins import get_registry
from core.reports.models import ReportSnapshot
from core.reports.services import canonical_checksum
from core.schools.models import School
from tests.conftest import graphql

SUINING, LIPU = "430527", "450381"
PASSWORD = "report-tests-password"
#: The demo's "today" (core.demo.calendar.DEMO_TODAY), 10:00 China time.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

SNAPSHOT = """
    id formatCode title placeKind placeName rowCount checksum checksumValid state stateReason
    version allowedActions needsSignature masking generatedBy
    period { kind value start end } asOf parameters
    downloads { xlsx csv }
    submissionEvents { action fromState toState actor role reason }
    table { title subtitle columns { key header kind } headerGroups { label first span }
            rows(limit: 5000) totals signOff submitTo clause masking }
"""
GENERATE = (
    "mutation($input: GenerateReportInput!) { generateReport(input: $input) { report { "
    + SNAPSHOT
    + " } errors { code field message } } }"
)


def _act(name: str) -> str:
    return (
        "mutation($input: ReportSubmissionInput!) { "
        + name
        + "(input: $input) { report { "
        + SNAPSHOT
        + " } errors { code field message } } }"
    )


@pytest.fixture
async def http(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    from core.server import create_app

    app = create_app(manage_database=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _county(code: str, students: int = 150) -> dict[str, Any]:
    spec = {s.division_code: s for s in get_registry().jurisdictions()}[code]
    await generate_demo(spec, students=students, seed=5)
    schools = await School.filter(jurisdiction__division_code=code).order_by("code")
    staffed = [s for s in schools if await s.enrolments.filter(is_current=True).exists()]
    first, second = staffed[0], staffed[1]
    users = {}
    for name, role, place in (
        ("bureau", Role.BUREAU_STAFF, {}),
        ("head", Role.SCHOOL_HEAD, {"school_code": first.code}),
        ("other-head", Role.SCHOOL_HEAD, {"school_code": second.code}),
    ):
        account = await create_account(
            username=f"{name}-{code}",
            password=PASSWORD,
            role=role,
            jurisdiction_code=code,
            **place,
        )
        users[name] = account.username
    return {"users": users, "school": first, "other": second}


async def _sign_in(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    body = await graphql(
        http,
        """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
            token errors { code message } } }""",
        {"u": username, "p": PASSWORD},
    )
    assert body["data"]["login"]["errors"] == [], body
    return {"Authorization": f"Bearer {body['data']['login']['token']}"}


async def _generate(http, headers, **input: Any) -> dict[str, Any]:
    body = await graphql(http, GENERATE, {"input": input}, headers)
    assert "errors" not in body, body
    return body["data"]["generateReport"]


def _gid(type_name: str, row: Any) -> str:
    return str(relay.GlobalID(type_name, str(row.pk)))


async def test_school_head_sees_and_signs_for_their_school_only(http) -> None:
    county = await _county(SUINING)
    head = await _sign_in(http, county["users"]["head"])
    made = await _generate(http, head, formatCode="term-start-statistics", period="2026-autumn")
    assert made["errors"] == []
    report = made["report"]
    # no place named: the head's own school, one row and the 合计
    assert report["placeKind"] == "SCHOOL" and report["placeName"] == county["school"].name
    table = report["table"]
    assert [r[1] for r in table["rows"]] == [county["school"].name]
    assert table["totals"][0] == "合计"
    assert table["headerGroups"] == [
        {"label": "未按时到校原因", "first": 6, "span": 3},
        {"label": "未按时到校学生去向", "first": 9, "span": 2},
    ]
    assert table["signOff"] == ["单位主要负责同志 (审核、签字、盖章)："]
    assert table["submitTo"] == ["县教育局教育股"]
    assert "二、(二)2" in table["clause"]
    assert report["period"] == {
        "kind": "TERM_START",
        "value": "2026-autumn",
        "start": "2026-09-01",
        "end": "2026-09-14",
    }
    # the whole county, or another school, is out of reach
    body = await graphql(
        http,
        GENERATE,
        {"input": {"formatCode": "term-start-statistics", "period": "2026-autumn",
                   "placeKind": "COUNTY"}},
        head,
    )  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = await _generate(
        http,
        head,
        formatCode="term-start-statistics",
        period="2026-autumn",
        placeKind="SCHOOL",
        placeId=_gid("School", county["other"]),
    )
    assert other["report"] is None and other["errors"][0]["code"] == "NOT_FOUND"
    # the other school's head can neither see nor download it
    rival = await _sign_in(http, county["users"]["other-head"])
    body = await graphql(
        http, "query($id: ID!) { node(id: $id) { id } }", {"id": report["id"]}, rival
    )
    assert body["data"]["node"] is None
    row_id = report["downloads"]["xlsx"].split("/")[-1].split(".")[0]
    assert (await http.get(f"/reports/{row_id}.xlsx", headers=rival)).status_code == 404
    assert (await http.get(f"/reports/{row_id}.xlsx")).status_code == 401
    listed = await graphql(http, "{ reportSnapshots { totalCount } }", headers=rival)
    assert listed["data"]["reportSnapshots"]["totalCount"] == 0


LISTED = "{ reportSnapshots(first: 100) { totalCount edges { node { id placeKind } } } }"


async def _report_key(code: str, towns: list[str] | None = None) -> dict[str, str]:
    now = datetime.now(UTC)
    issued = await create_key(
        agency="县统计局",
        jurisdiction_code=code,
        permissions=[Permission.READ_REPORTS],
        expires_at=now + timedelta(days=30),
        now=now,
        town_names=towns,
    )
    return {"X-API-Key": issued.secret}


async def test_stored_reports_are_listed_by_the_callers_scope(http) -> None:
    """The bureau and a county-wide key see every report of the county; a town's key its
    town's and its schools'; a head their school's; a township official their town's and its
    schools', as the town's key; another county's bureau and key see none."""
    county = await _county(SUINING)
    school = county["school"]
    # a school with pupils in another town
    far = await (
        School.filter(jurisdiction_id=school.jurisdiction_id, enrolments__is_current=True)
        .exclude(town_id=school.town_id)
        .order_by("code")
        .first()
    )
    near_town, far_town = await school.town, await far.town
    for name, role, place in (
        ("far-head", Role.SCHOOL_HEAD, {"school_code": far.code}),
        ("township", Role.TOWNSHIP_OFFICIAL, {"town_name": near_town.name}),
    ):
        await create_account(
            username=f"{name}-{SUINING}",
            password=PASSWORD,
            role=role,
            jurisdiction_code=SUINING,
            **place,
        )
    bureau = await _sign_in(http, county["users"]["bureau"])
    head = await _sign_in(http, county["users"]["head"])
    far_head = await _sign_in(http, f"far-head-{SUINING}")
    township = await _sign_in(http, f"township-{SUINING}")

    async def make(headers, **place: Any) -> str:
        made = await _generate(
            http, headers, formatCode="term-start-statistics", period="2026-autumn", **place
        )
        assert made["errors"] == [], made
        return made["report"]["id"]

    reports = {
        "county": await make(bureau, placeKind="COUNTY"),
        "near-town": await make(bureau, placeKind="TOWN", placeId=_gid("Town", near_town)),
        "far-town": await make(bureau, placeKind="TOWN", placeId=_gid("Town", far_town)),
        "school": await make(head),
        "far-school": await make(far_head),
    }
    lipu = await _county(LIPU)
    lipu_bureau = await _sign_in(http, lipu["users"]["bureau"])

    async def listed(headers) -> set[str]:
        body = await graphql(http, LISTED, headers=headers)
        assert "errors" not in body, body
        connection = body["data"]["reportSnapshots"]
        ids = [e["node"]["id"] for e in connection["edges"]]
        assert connection["totalCount"] == len(ids)
        return set(ids)

    def named(*names: str) -> set[str]:
        return {reports[n] for n in names}

    everything = set(reports.values())
    assert await listed(bureau) == everything
    assert await listed(await _report_key(SUINING)) == everything
    near_key = await _report_key(SUINING, [near_town.name])
    assert await listed(near_key) == named("near-town", "school")
    assert await listed(await _report_key(SUINING, [far_town.name])) == named(
        "far-town", "far-school"
    )
    assert await listed(head) == named("school")
    assert await listed(far_head) == named("far-school")
    assert await listed(lipu_bureau) == set()
    assert await listed(await _report_key(LIPU)) == set()
    assert await listed(township) == named("near-town", "school")
    # node(id:) agrees with the lists: the near town's key cannot open the far town's report
    node = "query($id: ID!) { node(id: $id) { id } }"
    opened = await graphql(http, node, {"id": reports["far-school"]}, near_key)
    assert opened["data"]["node"] is None
    opened = await graphql(http, node, {"id": reports["school"]}, near_key)
    assert opened["data"]["node"] == {"id": reports["school"]}


async def test_sign_off_walked_from_draft_to_accepted_and_returned_with_a_reason(http) -> None:
    county = await _county(SUINING)
    head = await _sign_in(http, county["users"]["head"])
    bureau = await _sign_in(http, county["users"]["bureau"])

    async def act(name: str, headers, report_id: str, **extra: Any) -> dict[str, Any]:
        body = await graphql(http, _act(name), {"input": {"id": report_id, **extra}}, headers)
        assert "errors" not in body, body
        return body["data"][name]

    first = (await _generate(http, head, formatCode="term-start-statistics", period="2026-autumn"))[
        "report"
    ]
    assert first["state"] == "DRAFT" and first["needsSignature"] is True
    assert first["allowedActions"] == ["SIGN"]
    # it does not count as submitted before the head has signed it
    early = await act("submitReport", head, first["id"])
    assert early["errors"][0]["code"] == "INVALID_TRANSITION"
    assert "签署" in early["errors"][0]["message"]
    # the bureau may not sign for the school, the school may not accept its own report
    refused = await graphql(http, _act("acceptReport"), {"input": {"id": first["id"]}}, head)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    signed = await act("signReport", head, first["id"], expectedVersion=1)
    assert signed["errors"] == [] and signed["report"]["state"] == "SIGNED"
    stale = await act("submitReport", head, first["id"], expectedVersion=1)
    assert stale["errors"][0]["code"] == "CONFLICT"
    submitted = await act("submitReport", head, first["id"])
    assert submitted["report"]["state"] == "SUBMITTED"
    no_reason = await act("returnReport", bureau, first["id"])
    assert no_reason["errors"][0] == {
        "code": "REQUIRED",
        "field": "reason",
        "message": "退回须写明原因",
    }
    returned = await act("returnReport", bureau, first["id"], reason="实到人数与花名册不符, 请核对")
    report = returned["report"]
    assert report["state"] == "RETURNED" and report["stateReason"] == "实到人数与花名册不符, 请核对"
    assert report["allowedActions"] == []
    assert [(e["action"], e["toState"]) for e in report["submissionEvents"]] == [
        ("SIGN", "SIGNED"),
        ("SUBMIT", "SUBMITTED"),
        ("RETURN", "RETURNED"),
    ]
    assert report["submissionEvents"][0]["role"] == "单位主要负责同志"
    assert report["submissionEvents"][2]["reason"] == "实到人数与花名册不符, 请核对"

    # the corrected report: a new snapshot, walked through to accepted
    second = (
        await _generate(http, head, formatCode="term-start-statistics", period="2026-autumn")
    )["report"]
    assert second["id"] != first["id"]
    await act("signReport", head, second["id"])
    await act("submitReport", head, second["id"])
    accepted = await act("acceptReport", bureau, second["id"])
    assert accepted["errors"] == [] and accepted["report"]["state"] == "ACCEPTED"
    listed = await graphql(
        http,
        """{ reportSnapshots(filter: {states: [SUBMITTED, ACCEPTED]}) {
            totalCount edges { node { id state placeName } } } }""",
        headers=bureau,
    )
    assert [e["node"]["id"] for e in listed["data"]["reportSnapshots"]["edges"]] == [second["id"]]


LATEST = """query($place: PlaceInput, $first: Int! = 10) {
  countyDashboard(asOf: "2026-11-20", place: $place) {
    latestReports(first: $first) { id state placeName formatCode } } }"""


async def test_dashboard_lists_the_latest_reports_handed_in_within_the_callers_scope(http) -> None:
    county = await _county(SUINING)
    head = await _sign_in(http, county["users"]["head"])
    rival = await _sign_in(http, county["users"]["other-head"])
    bureau = await _sign_in(http, county["users"]["bureau"])

    async def act(name: str, headers, report_id: str, **extra: Any) -> None:
        body = await graphql(http, _act(name), {"input": {"id": report_id, **extra}}, headers)
        assert "errors" not in body and body["data"][name]["errors"] == [], body

    async def latest(headers, place=None, first=10) -> list[tuple[str, str]]:
        body = await graphql(http, LATEST, {"place": place, "first": first}, headers)
        assert "errors" not in body, body
        return [(r["id"], r["state"]) for r in body["data"]["countyDashboard"]["latestReports"]]

    async def make(headers) -> str:
        made = await _generate(
            http, headers, formatCode="term-start-statistics", period="2026-autumn"
        )
        return made["report"]["id"]

    draft = await make(head)
    assert await latest(bureau) == []  # a draft is not handed in
    ours, theirs = await make(head), await make(rival)
    for report, headers in ((ours, head), (theirs, rival)):
        await act("signReport", headers, report)
        await act("submitReport", headers, report)
    await act("acceptReport", bureau, ours)
    # the requests may share a clock tick: make the order of the two hand-ins explicit
    their_time = (
        await ReportSnapshot.get(id=relay.GlobalID.from_id(theirs).node_id)
    ).state_changed_at
    await ReportSnapshot.filter(id=relay.GlobalID.from_id(ours).node_id).update(
        state_changed_at=their_time + timedelta(minutes=1)
    )
    # the bureau: both, the latest moved first (the acceptance came after both submissions)
    assert await latest(bureau) == [(ours, "ACCEPTED"), (theirs, "SUBMITTED")]
    assert await latest(bureau, first=1) == [(ours, "ACCEPTED")]
    # each head: their own school's only, never the draft
    own = {"kind": "SCHOOL", "id": _gid("School", county["school"])}
    assert await latest(head, own) == [(ours, "ACCEPTED")]
    other = {"kind": "SCHOOL", "id": _gid("School", county["other"])}
    assert await latest(rival, other) == [(theirs, "SUBMITTED")]
    assert draft not in {r for r, _ in await latest(bureau, first=50)}
    body = await graphql(http, LATEST, {"first": 0}, bureau)
    assert body["errors"][0]["extensions"]["code"] == "INVALID"


async def test_snapshot_unchanged_after_the_data_changes_and_checksum_holds(http) -> None:
    county = await _county(LIPU)
    bureau = await _sign_in(http, county["users"]["bureau"])
    before = (
        await _generate(
            http, bureau, formatCode="dropout-roster", period="2026-11-20", periodKind="ON_DEMAND"
        )
    )["report"]
    assert before["rowCount"] > 0 and before["checksumValid"] is True
    headers = [c["header"] for c in before["table"]["columns"]]
    assert {"辍学原因", "去向"} <= set(headers)
    name_at = headers.index("姓名")
    # a child on the roster is renamed
    listed = {row[name_at] for row in before["table"]["rows"]}
    child = await Child.filter(jurisdiction__division_code=LIPU, name__in=sorted(listed)).first()
    old_name = child.name
    child.name = "改名测试"
    await child.save()
    again = await graphql(
        http, "query($id: ID!) { node(id: $id) { ... on ReportSnapshot { " + SNAPSHOT + " } } }",
        {"id": before["id"]}, bureau,
    )  # fmt: skip
    kept = again["data"]["node"]
    assert kept["table"] == before["table"] and kept["checksum"] == before["checksum"]
    assert old_name in {row[name_at] for row in kept["table"]["rows"]}
    assert "改名测试" not in {row[name_at] for row in kept["table"]["rows"]}
    fresh = (
        await _generate(
            http, bureau, formatCode="dropout-roster", period="2026-11-20", periodKind="ON_DEMAND"
        )
    )["report"]
    assert "改名测试" in {row[name_at] for row in fresh["table"]["rows"]}
    # the checksum is the SHA-256 of the stored parameters and table, and tampering shows
    stored = await ReportSnapshot.get(id=relay.GlobalID.from_id(before["id"]).node_id)
    assert canonical_checksum(stored.parameters, stored.table) == before["checksum"]
    stored.table["rows"][0][name_at] = "篡改"
    await stored.save()
    tampered = await graphql(
        http, "query($id: ID!) { node(id: $id) { ... on ReportSnapshot { checksumValid } } }",
        {"id": before["id"]}, bureau,
    )  # fmt: skip
    assert tampered["data"]["node"]["checksumValid"] is False


async def test_downloads_are_the_stored_table(http) -> None:
    county = await _county(LIPU)
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = (
        await _generate(
            http, bureau, formatCode="daily-weekly-monthly", period="2026-10", periodKind="MONTHLY"
        )
    )["report"]
    response = await http.get(report["downloads"]["csv"], headers=bureau)
    assert response.status_code == 200
    assert response.headers["x-report-checksum"] == report["checksum"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    table = report["table"]
    assert lines[0] == [c["header"] for c in table["columns"]]
    assert lines[1:-1] == table["rows"] and lines[-1] == table["totals"]
    xlsx = await http.get(report["downloads"]["xlsx"], headers=bureau)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == table["title"]
    assert sheet.freeze_panes == "A5"  # title, subtitle, two header rows (返校情况, 未及时返校)


async def test_public_variant_masks_names_and_id_numbers(http) -> None:
    county = await _county(LIPU)
    bureau = await _sign_in(http, county["users"]["bureau"])
    full = (
        await _generate(
            http, bureau, formatCode="dropout-roster", period="2026-11-20", periodKind="ON_DEMAND"
        )
    )["report"]
    public = (
        await _generate(
            http,
            bureau,
            formatCode="dropout-roster",
            period="2026-11-20",
            periodKind="ON_DEMAND",
            public=True,
        )
    )["report"]
    assert full["masking"] == "NONE" and public["masking"] == "PUBLIC"
    headers = [c["header"] for c in public["table"]["columns"]]
    name, id_number = headers.index("姓名"), headers.index("身份证号")
    for shown, plain in zip(public["table"]["rows"], full["table"]["rows"], strict=True):
        real = plain[name]
        expected = real[0] + "*" * (len(real) - 2) + real[-1] if len(real) > 2 else real[0] + "*"
        assert shown[name] == expected
        if plain[id_number]:
            assert re.fullmatch(r"\d{6}\*{12}", shown[id_number]), shown[id_number]
    # 荔浦 五.(五): the list of 脱贫户 students is always the published variant
    listed = (
        await _generate(http, bureau, formatCode="poverty-lifted-public-list", period="2026-autumn")
    )["report"]
    assert listed["masking"] == "PUBLIC" and listed["rowCount"] > 0
    assert all("*" in row[2] for row in listed["table"]["rows"])


async def test_ledgers_carry_provenance_state_and_whereabouts(http) -> None:
    county = await _county(LIPU)
    bureau = await _sign_in(http, county["users"]["bureau"])
    for code, states in (
        ("suspected-dropouts", {"疑似 (已上报)", "核实中"}),
        ("confirmed-dropouts", {"已确认辍学/未入学", "劝返中", "联系不上 (移交乡镇/村)"}),
    ):
        report = (await _generate(http, bureau, formatCode=code, period="2026-11-20"))["report"]
        headers = [c["header"] for c in report["table"]["columns"]]
        rows = report["table"]["rows"]
        assert rows, code
        assert {r[headers.index("状态")] for r in rows} <= states
        sources = {r[headers.index(next(h for h in headers if h.startswith("来源")))] for r in rows}
        assert sources and "" not in sources
    confirmed = await Case.filter(
        jurisdiction__division_code=LIPU,
        kind__in=["DROPOUT", "NEVER_ENROLLED"],
        state__in=["CONFIRMED", "PERSUADING", "UNREACHABLE"],
    ).count()
    roster = await _generate(http, bureau, formatCode="dropout-roster", period="2026-11-20")
    assert roster["report"]["rowCount"] == confirmed
    headers = [c["header"] for c in roster["report"]["table"]["columns"]]
    assert any(r[headers.index("去向")] for r in roster["report"]["table"]["rows"])


@pytest.mark.parametrize(
    ("period", "kind", "field", "needle"),
    [
        ("2026-13", "MONTHLY", "period", "2026-09"),
        ("2026-W60", "WEEKLY", "period", "不存在"),
        ("2026-09", "SCHOOL_YEAR", "periodKind", "报送周期"),
        ("2027-03", "MONTHLY", "period", "尚未开始"),
    ],
)
async def test_bad_periods_are_refused_clearly(http, period, kind, field, needle) -> None:
    county = await _county(LIPU, students=40)
    bureau = await _sign_in(http, county["users"]["bureau"])
    made = await _generate(
        http, bureau, formatCode="dropout-roster", period=period, periodKind=kind
    )
    assert made["report"] is None
    error = made["errors"][0]
    assert error["code"] == "INVALID" and error["field"] == field
    assert needle in error["message"]


async def test_callers_without_report_permission_are_refused(http) -> None:
    county = await _county(LIPU, students=40)
    account = await create_account(
        username="teacher-x",
        password=PASSWORD,
        role=Role.SUBJECT_TEACHER,
        jurisdiction_code=LIPU,
        school_code=county["school"].code,
    )
    teacher = await _sign_in(http, account.username)
    body = await graphql(
        http, GENERATE, {"input": {"formatCode": "dropout-roster", "period": "2026-11-20"}}, teacher
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await graphql(
        http, GENERATE, {"input": {"formatCode": "dropout-roster", "period": "2026-11-20"}}
    )
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_school_ledgers_of_children_for_a_school_head(http) -> None:
    county = await _county(SUINING)
    head = await _sign_in(http, county["users"]["head"])
    register = await _generate(http, head, formatCode="household-register", period="2026")
    rows = register["report"]["table"]["rows"]
    headers = [c["header"] for c in register["report"]["table"]["columns"]]
    assert rows and {r[headers.index("就读学校")] for r in rows} == {county["school"].name}
    moved = await _generate(http, head, formatCode="registry-tracking", period="2026-autumn")
    assert moved["errors"] == []


async def test_summary_rates_are_the_metric_definitions(http) -> None:
    from core.jurisdictions.models import Jurisdiction
    from core.metrics.indicators import Breakdown, IndicatorCode, evaluate, indicator
    from core.metrics.place import Place, SchoolAge
    from core.metrics.sql import Frame
    from core.plugins import rules_for

    county = await _county("500153")
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = (await _generate(http, bureau, formatCode="bimonthly-return", period="2026-09"))[
        "report"
    ]
    table = report["table"]
    headers = [c["header"] for c in table["columns"]]
    rongchang = await Jurisdiction.get(division_code="500153")
    as_of = datetime.fromisoformat(report["asOf"]).date()
    frame = Frame(
        Place.county(rongchang.id, "500153", rongchang.name),
        as_of,
        SchoolAge.for_county(rules_for("500153"), as_of),
    )
    rates = [indicator(IndicatorCode.ENROLMENT_RATE), indicator(IndicatorCode.CONSOLIDATION_RATE)]
    whole = await evaluate(frame, rates)
    assert table["totals"][headers.index("入学率")] == f"{whole[0].value}%"
    assert table["totals"][headers.index("巩固率")] == f"{whole[1].value}%"
    assert table["totals"][headers.index("适龄儿童少年数")] == str(whole[0].denominator)
    by_town = await evaluate(frame, rates[:1], breakdown=Breakdown.TOWN)
    towns = {str(t.id): t.name for t in await rongchang.towns.all()}
    expected = {towns[v.bucket]: f"{v.value}%" for v in by_town if v.value is not None}
    shown = {r[headers.index("镇街")]: r[headers.index("入学率")] for r in table["rows"]}
    assert expected and all(shown[name] == rate for name, rate in expected.items())
