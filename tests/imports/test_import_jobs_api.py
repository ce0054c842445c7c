"""Import jobs over GraphQL: the county's bureau sees the county's jobs and their row-level
reports; a partner agency's key with SUBMIT_ROSTER sees only the jobs it submitted, with the
comparison's counts and never the county's children."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.access.api_keys import caller_for_key, create_key
from core.access.enums import Permission
from core.imports.models import ImportMode, ImportState
from tests.access.conftest import gql, login, username
from tests.imports.conftest import LIPU, RONGCHANG, Counties, Roster, do_import
from tests.imports.files import write_csv

pytestmark = pytest.mark.asyncio

JOBS = """query { importJobs(first: 10) { totalCount edges { node {
  formatCode state checksum fileName counts { rows new refused listed }
  issues { row column code reasonZh }
  comparisons { kind counts } } } } }"""


async def _key(code: str) -> tuple[str, object]:
    now = datetime.now(UTC)
    issued = await create_key(
        agency="县残联",
        jurisdiction_code=code,
        permissions=[Permission.SUBMIT_ROSTER],
        expires_at=now + timedelta(days=30),
        now=now,
    )
    return issued.secret, caller_for_key(issued.key)


async def test_jobs_seen_by_the_bureau_and_by_the_submitting_agency_only(
    roster: Roster, counties: Counties, http, tmp_path: Path
) -> None:
    rows = [list(r) for r in roster.rows[:3]]
    rows[2][2] = "?"
    roster_job = await do_import(write_csv(tmp_path / "r.csv", roster.headers, rows, "gbk"))
    assert roster_job.state is ImportState.REFUSED

    secret, agency = await _key(LIPU)
    headers = ["姓名", "性别", "出生日期", "身份证件号", "残疾类别"]
    listed = [
        [rows[0][1], rows[0][2], rows[0][3], rows[0][5], "听力残疾"],
        ["某", "男", "x", "", "?"],
    ]
    path = write_csv(tmp_path / "d.csv", headers, listed, "utf-8-sig")
    agency_job = await do_import(
        path, "DISABLED_ROSTER", caller=agency, jurisdiction=None, mode=ImportMode.VALID
    )
    assert agency_job.state is ImportState.SUCCEEDED

    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    seen = (await gql(http, JOBS, token=token))["data"]["importJobs"]
    assert seen["totalCount"] == 2
    by_format = {e["node"]["formatCode"]: e["node"] for e in seen["edges"]}
    assert by_format["STUDENT_ROSTER"]["issues"][0]["row"] == 4
    assert by_format["STUDENT_ROSTER"]["checksum"] == roster_job.checksum

    mine = (await gql(http, JOBS, key=secret))["data"]["importJobs"]
    assert mine["totalCount"] == 1
    (node,) = [e["node"] for e in mine["edges"]]
    assert node["formatCode"] == "DISABLED_ROSTER"
    assert {i["row"] for i in node["issues"]} == {3}  # its own file's rows, nothing else
    # the comparison's summary: the child is enrolled (the roster's first pupil was refused
    # with the file, so the child is not in the register: not found)
    assert node["comparisons"] == [{"kind": "DISABLED_ROSTER", "counts": {"NOT_FOUND": 1}}]

    other_secret, _ = await _key(RONGCHANG)
    elsewhere = (await gql(http, JOBS, key=other_secret))["data"]["importJobs"]
    assert elsewhere["totalCount"] == 0
