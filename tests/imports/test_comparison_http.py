"""Comparisons (比对) over GraphQL: the county runs the register against enrolment, twice opening
nothing new, and reads each run's per-child results (match reason, child, case) with statements
that do not grow with the page; the disabled persons' federation's key submits its roster, which
records each child's disability, runs its comparison again on the same file, and sees the counts
of its own runs only — never the county's children, never another county."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from core.access.api_keys import create_key
from core.access.enums import Permission
from core.cases.enums import CaseSource
from core.cases.models import Case
from core.people.enums import DisabilityCategory, Gender, KeyGroup
from core.people.models import Child, ChildKeyGroup
from core.people.resident_id import make_resident_id
from tests.access.conftest import code_of, gql, login, username
from tests.api.statements import count_statements
from tests.imports.conftest import LIPU, RONGCHANG, Clock, Counties, Roster
from tests.imports.files import write_csv
from tests.imports.test_import_http import finished, no_import_left_running, started, upload

__all__ = ["no_import_left_running"]  # the fixture, used here too

pytestmark = pytest.mark.asyncio

RUN = """mutation($input: RunComparisonInput!) { runComparison(input: $input) {
  comparisonRun { id kind counts outcomes { outcome count } importJob { id formatCode } }
  errors { code field message } } }"""

RUNS = """query($filter: ComparisonRunFilterInput) { comparisonRuns(first: 10, filter: $filter) {
  totalCount edges { node { id kind counts importJob { formatCode } } } } }"""

RESULTS = """query($id: ID!, $first: Int) { node(id: $id) { ... on ComparisonRun {
  kind results(first: $first, filter: {outcomes: [CASE_OPENED, HAS_CASE]}) { totalCount
    edges { node { id rowNumber outcome matchReason child { id name } case { id source } } } }
} } }"""


async def _unenrolled(roster: Roster, sequence: int, name: str = "未入学测试") -> Child:
    born = date(2016, 5, 4)
    number = make_resident_id(LIPU, born, sequence)
    return await Child.create(
        jurisdiction=roster.jurisdiction,
        name=name,
        gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE,
        birth_date=born,
        id_number=number,
    )


async def _key(code: str, *permissions: Permission) -> str:
    now = datetime.now(UTC)
    issued = await create_key(
        agency="县残联",
        jurisdiction_code=code,
        permissions=list(permissions) or [Permission.SUBMIT_ROSTER],
        expires_at=now + timedelta(days=30),
        now=now,
    )
    return issued.secret


async def test_the_county_compares_register_and_enrolment_and_reads_the_results(
    roster: Roster, counties: Counties, http: httpx.AsyncClient, clock: Clock
) -> None:
    missing = [await _unenrolled(roster, 900 + i, f"未入学{i}") for i in range(3)]
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    body = await gql(http, RUN, {"input": {"kind": "REGISTRY_ENROLMENT"}}, token=token)
    payload = body["data"]["runComparison"]
    assert payload["errors"] == [], payload
    first = payload["comparisonRun"]
    opened = first["counts"]["CASE_OPENED"]
    assert opened >= 3 and first["importJob"] is None
    assert {"outcome": "CASE_OPENED", "count": opened} in first["outcomes"]
    for child in missing:
        case = await Case.get(child=child)
        assert case.source is CaseSource.ROSTER_COMPARISON

    clock.moment += timedelta(minutes=5)
    again = (await gql(http, RUN, {"input": {"kind": "REGISTRY_ENROLMENT"}}, token=token))["data"]
    second = again["runComparison"]["comparisonRun"]
    assert "CASE_OPENED" not in second["counts"]
    assert second["counts"]["HAS_CASE"] >= opened
    assert await Case.filter(child_id__in=[c.id for c in missing]).count() == 3

    runs = await gql(http, RUNS, {"filter": {"kinds": ["REGISTRY_ENROLMENT"]}}, token=token)
    page = runs["data"]["comparisonRuns"]
    assert page["totalCount"] == 2
    assert [e["node"]["id"] for e in page["edges"]] == [second["id"], first["id"]]
    later = {"started": {"gte": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}}
    none = await gql(http, RUNS, {"filter": later}, token=token)
    assert none["data"]["comparisonRuns"]["totalCount"] == 0
    other_kind = await gql(http, RUNS, {"filter": {"kinds": ["DISABLED_ROSTER"]}}, token=token)
    assert other_kind["data"]["comparisonRuns"]["totalCount"] == 0

    # per-child results, each with its child and its case
    results = (await gql(http, RESULTS, {"id": first["id"], "first": 50}, token=token))["data"]
    page = results["node"]["results"]
    assert page["totalCount"] == opened + first["counts"].get("HAS_CASE", 0)
    by_name = {e["node"]["child"]["name"]: e["node"] for e in page["edges"]}
    for child in missing:
        node = by_name[child.name]
        assert node["outcome"] == "CASE_OPENED" and node["case"]["source"] == "ROSTER_COMPARISON"

    # statements per request do not grow with the page
    with count_statements() as few:
        await gql(http, RESULTS, {"id": first["id"], "first": 1}, token=token)
    with count_statements() as many:
        await gql(http, RESULTS, {"id": first["id"], "first": 3}, token=token)
    assert len(many) == len(few), (few, many)

    # a head teacher may not; another county sees none of it
    teacher = await login(http, username(counties.lipu, "HEAD_TEACHER"), counties.lipu.password)
    body = await gql(http, RUN, {"input": {"kind": "REGISTRY_ENROLMENT"}}, token=teacher)
    assert code_of(body) == "FORBIDDEN"
    other = await login(
        http, username(counties.rongchang, "COUNTY_ADMIN"), counties.rongchang.password
    )
    assert (await gql(http, RUNS, {}, token=other))["data"]["comparisonRuns"]["totalCount"] == 0
    assert (await gql(http, RESULTS, {"id": first["id"]}, token=other))["data"]["node"] is None
    body = await gql(
        http, RUN, {"input": {"kind": "REGISTRY_ENROLMENT", "jurisdictionCode": LIPU}}, token=other
    )
    assert [e["code"] for e in body["data"]["runComparison"]["errors"]] == ["NOT_FOUND"]


async def test_the_disabled_roster_records_disability_and_the_agency_sees_counts_only(
    roster: Roster, counties: Counties, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    child = await _unenrolled(roster, 931, "残疾测试")
    key = await _key(LIPU)
    headers = ["姓名", "性别", "出生日期", "身份证件号", "残疾类别", "残疾等级", "残疾证号"]
    row = [
        child.name,
        child.gender.label,
        child.birth_date.isoformat(),
        child.id_number,
        "肢体残疾",
        "二级",
        "45038120160504X",
    ]
    stranger = make_resident_id(LIPU, date(2014, 2, 2), 777)
    rows = [row, ["查无此人", "女" if int(stranger[16]) % 2 == 0 else "男", "2014-02-02",
                  stranger, "视力残疾", "一级", ""]]  # fmt: skip
    data = write_csv(tmp_path / "残联名册.csv", headers, rows, "gbk").read_bytes()
    job_id = await started(await upload(http, "DISABLED_ROSTER", "残联名册.csv", data, key=key))
    job = await finished(http, job_id, key=key)
    assert job["state"] == "SUCCEEDED" and job["counts"]["listed"] == 2
    (run,) = job["comparisonRuns"]
    assert run["counts"] == {"CASE_OPENED": 1, "NOT_FOUND": 1, "disabilityRecorded": 1}

    recorded = await Child.get(id=child.id)
    assert recorded.disability_category is DisabilityCategory.PHYSICAL
    assert recorded.disability_grade == 2 and recorded.version == child.version + 1
    group = await ChildKeyGroup.get(child_id=child.id, group=KeyGroup.DISABLED)
    assert group.ended_on is None and "残联" in group.source
    assert (await Case.get(child_id=child.id)).source is CaseSource.ROSTER_COMPARISON

    # the agency: its runs and their counts, never the children
    mine = (await gql(http, RUNS, {}, key=key))["data"]["comparisonRuns"]
    assert mine["totalCount"] == 1 and mine["edges"][0]["node"]["kind"] == "DISABLED_ROSTER"
    body = await gql(http, RESULTS, {"id": run["id"]}, key=key)
    assert code_of(body) == "FORBIDDEN"
    assert (await gql(http, RUN, {"input": {"kind": "REGISTRY_ENROLMENT"}}, key=key))["errors"][0][
        "extensions"
    ]["code"] == "FORBIDDEN"

    # the same list compared again (the file kept by its checksum): nothing new
    body = await gql(
        http, RUN, {"input": {"kind": "DISABLED_ROSTER", "importJob": job_id}}, key=key
    )
    payload = body["data"]["runComparison"]
    assert payload["errors"] == [], payload
    assert payload["comparisonRun"]["counts"] == {"HAS_CASE": 1, "NOT_FOUND": 1}
    assert payload["comparisonRun"]["importJob"]["formatCode"] == "DISABLED_ROSTER"
    assert (await Child.get(id=child.id)).version == child.version + 1
    assert await Case.filter(child_id=child.id).count() == 1
    # the wrong kind for that job
    body = await gql(
        http, RUN, {"input": {"kind": "PLATFORM_SUSPECTED", "importJob": job_id}}, key=key
    )
    assert [e["code"] for e in body["data"]["runComparison"]["errors"]] == ["INVALID"]

    # the county sees the run and its children
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    results = (await gql(http, RESULTS, {"id": run["id"]}, token=token))["data"]["node"]
    (edge,) = results["results"]["edges"]
    assert edge["node"]["child"]["name"] == child.name
    assert edge["node"]["rowNumber"] == 2
    assert edge["node"]["matchReason"] == "身份证件号一致"

    # another county's key: not its job, not its runs
    other = await _key(RONGCHANG)
    body = await gql(
        http, RUN, {"input": {"kind": "DISABLED_ROSTER", "importJob": job_id}}, key=other
    )
    assert [e["code"] for e in body["data"]["runComparison"]["errors"]] == ["NOT_FOUND"]
    assert (await gql(http, RUNS, {}, key=other))["data"]["comparisonRuns"]["totalCount"] == 0
