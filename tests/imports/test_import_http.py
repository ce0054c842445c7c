"""Roster imports through HTTP as a front end drives them: a GraphQL multipart upload starts a
job, the job is polled until it finishes, its row-level report is downloaded as CSV and XLSX.
A county administrator imports; a head teacher may not; another county's agency key finds
nothing; a dry run and a failed run write nothing; the same file twice changes nothing."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.access.api_keys import create_key
from core.access.enums import Permission
from core.enrolment.models import EnrolmentChange
from core.imports import jobs, services
from core.imports.models import ImportJob
from core.people.models import Child
from tests.access.conftest import code_of, gql, login, username
from tests.imports.conftest import LIPU, RONGCHANG, Counties, Roster
from tests.imports.files import write_csv, write_xlsx

pytestmark = pytest.mark.asyncio

START = """mutation($input: StartImportInput!) { startImport(input: $input) {
  importJob { id state formatCode fileName dryRun mode progress { rowsRead finished } }
  errors { code field message } } }"""

JOB = """query($id: ID!) { node(id: $id) { ... on ImportJob {
  id state message checksum rowsRead
  progress { rowsRead finished written }
  counts { rows valid written new updated unchanged refused listed enrolments transfers
           missingFromRoster }
  issues { row column value code reasonZh reasonEn }
  impliedChanges { kind row studentNumber }
  reportCsvUrl reportXlsxUrl
  comparisonRuns { id kind counts outcomes { outcome count } } } } }"""


@pytest.fixture(autouse=True)
async def no_import_left_running(db: Any) -> AsyncIterator[None]:
    """Every background import has finished before the test's database goes away."""
    yield
    await jobs.wait_for_imports()


def _auth(token: str | None = None, key: str | None = None) -> dict[str, str]:
    if key:
        return {"X-API-Key": key}
    return {"Authorization": f"Bearer {token}"} if token else {}


async def upload(
    http: httpx.AsyncClient,
    fmt: str,
    name: str,
    data: bytes,
    *,
    token: str | None = None,
    key: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """POST a GraphQL multipart request (the spec's operations, map and file parts)."""
    operations = {"query": START, "variables": {"input": {"format": fmt, "file": None, **options}}}
    response = await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (name, data, "application/octet-stream")},
        headers=_auth(token, key),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def finished(http: httpx.AsyncClient, job_id: str, **auth: str | None) -> dict[str, Any]:
    """Poll the job as a front end would until it has finished."""
    for _ in range(500):
        body = await gql(http, JOB, {"id": job_id}, **auth)
        assert "errors" not in body, body
        node = body["data"]["node"]
        if node["progress"]["finished"]:
            return node
        await asyncio.sleep(0.02)
    raise AssertionError("the import did not finish")


async def started(body: dict[str, Any]) -> str:
    payload = body["data"]["startImport"]
    assert payload["errors"] == [], payload
    return payload["importJob"]["id"]


async def _agency_key(code: str) -> str:
    now = datetime.now(UTC)
    issued = await create_key(
        agency="县残联",
        jurisdiction_code=code,
        permissions=[Permission.SUBMIT_ROSTER],
        expires_at=now + timedelta(days=30),
        now=now,
    )
    return issued.secret


async def test_a_county_administrator_imports_gbk_then_xlsx_and_downloads_the_report(
    roster: Roster, counties: Counties, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    rows = [list(r) for r in roster.rows[:10]]
    rows[3][2] = "未知"  # row 5: not a gender
    numbers = [r[0] for r in rows]
    gbk = write_csv(tmp_path / "学籍名册.csv", roster.headers, rows, "gbk").read_bytes()

    # a dry run of the GBK file: the report and the counts, nothing written
    body = await upload(http, "STUDENT_ROSTER", "学籍名册.csv", gbk, token=token, dryRun=True)
    assert body["data"]["startImport"]["importJob"]["dryRun"] is True
    dry = await finished(http, await started(body), token=token)
    assert dry["state"] == "DRY_RUN" and dry["progress"]["written"] is False
    assert dry["counts"]["new"] == 9 and dry["counts"]["refused"] == 1
    assert dry["counts"]["valid"] == 9 and dry["counts"]["written"] == 0
    assert dry["counts"]["enrolments"] == 9
    assert [(i["row"], i["column"], i["value"]) for i in dry["issues"]] == [(5, "性别", "未知")]
    kinds = [c["kind"] for c in dry["impliedChanges"]]
    assert kinds.count("ENROL") == 9  # and the school's demo pupils the roster leaves out
    assert kinds.count("MISSING_FROM_ROSTER") == dry["counts"]["missingFromRoster"] > 0
    assert await Child.filter(student_number__in=numbers).count() == 0

    # all-or-nothing refuses the file; the valid rows of the same roster as XLSX go in
    refused = await finished(
        http,
        await started(await upload(http, "STUDENT_ROSTER", "r.csv", gbk, token=token)),
        token=token,
    )
    assert refused["state"] == "REFUSED" and refused["counts"]["written"] == 0
    assert await Child.filter(student_number__in=numbers).count() == 0
    xlsx = write_xlsx(tmp_path / "roster.xlsx", roster.headers, rows).read_bytes()
    body = await upload(http, "STUDENT_ROSTER", "roster.xlsx", xlsx, token=token, mode="VALID")
    done = await finished(http, await started(body), token=token)
    assert done["state"] == "SUCCEEDED", done
    assert done["counts"]["new"] == 9 and done["counts"]["written"] == 9
    assert done["issues"] == dry["issues"]  # the XLSX reads as the GBK CSV did
    assert await Child.filter(student_number__in=numbers).count() == 9
    changes = await EnrolmentChange.filter(child__student_number__in=numbers).count()

    # the same file again changes nothing
    again = await finished(
        http,
        await started(
            await upload(http, "STUDENT_ROSTER", "roster.xlsx", xlsx, token=token, mode="VALID")
        ),
        token=token,
    )
    assert again["state"] == "SUCCEEDED"
    assert (again["counts"]["new"], again["counts"]["updated"]) == (0, 0)
    assert again["counts"]["unchanged"] == 9 and again["checksum"] == done["checksum"]
    assert await EnrolmentChange.filter(child__student_number__in=numbers).count() == changes

    # the row-level report over an authenticated GET: CSV with BOM, XLSX
    response = await http.get(done["reportCsvUrl"], headers=_auth(token))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["行号 Row", "列 Column", "值 Value"]
    assert table[1][:3] == ["5", "性别", "未知"]
    response = await http.get(done["reportXlsxUrl"], headers=_auth(token))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[3]][:3] == [5, "性别", "未知"]
    # nobody else: no credentials, another county's administrator
    assert (await http.get(done["reportCsvUrl"])).status_code == 401
    other = await login(
        http, username(counties.rongchang, "COUNTY_ADMIN"), counties.rongchang.password
    )
    assert (await http.get(done["reportCsvUrl"], headers=_auth(other))).status_code == 404
    body = await gql(http, JOB, {"id": done["id"]}, token=other)
    assert body["data"]["node"] is None


async def test_a_head_teacher_may_not_import(
    roster: Roster, counties: Counties, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    token = await login(http, username(counties.lipu, "HEAD_TEACHER"), counties.lipu.password)
    data = write_csv(tmp_path / "r.csv", roster.headers, roster.rows[:2], "gbk").read_bytes()
    body = await upload(http, "STUDENT_ROSTER", "r.csv", data, token=token)
    assert code_of(body) == "FORBIDDEN"
    assert await ImportJob.all().count() == 0


async def test_bad_uploads_get_typed_errors_and_record_nothing(
    roster: Roster, counties: Counties, make_client: Any, tmp_path: Path
) -> None:
    http = make_client(max_import_bytes=4096)
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    good = write_csv(tmp_path / "r.csv", roster.headers, roster.rows[:2], "gbk").read_bytes()

    async def error(fmt: str, name: str, data: bytes) -> tuple[str, str]:
        payload = (await upload(http, fmt, name, data, token=token))["data"]["startImport"]
        assert payload["importJob"] is None
        (only,) = payload["errors"]
        assert only["message"]
        return only["code"], only["field"]

    assert await error("NO_SUCH_FORMAT", "r.csv", good) == ("NOT_FOUND", "format")
    assert await error("STUDENT_ROSTER", "r.xlsx", b"not a workbook") == ("INVALID", "file")
    assert await error("STUDENT_ROSTER", "r.pdf", b"%PDF-1.4") == ("INVALID", "file")
    assert await error("STUDENT_ROSTER", "r.csv", b"") == ("INVALID", "file")
    assert await error("STUDENT_ROSTER", "r.csv", b"\xff\xfe\x00\x81" * 10) == ("INVALID", "file")
    no_number = write_csv(tmp_path / "n.csv", roster.headers[1:], [], "utf-8").read_bytes()
    assert await error("STUDENT_ROSTER", "n.csv", no_number) == ("REQUIRED", "file")
    large = write_csv(tmp_path / "l.csv", roster.headers, roster.rows, "gbk").read_bytes()
    assert len(large) > 4096
    assert await error("STUDENT_ROSTER", "l.csv", large) == ("TOO_LARGE", "file")
    assert await ImportJob.all().count() == 0


async def test_one_import_per_county_and_format_and_a_failed_run_writes_nothing(
    roster: Roster,
    counties: Counties,
    http: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    data = write_csv(tmp_path / "r.csv", roster.headers, roster.rows[:5], "utf-8").read_bytes()
    numbers = [r[0] for r in roster.rows[:5]]
    release = asyncio.Event()
    reading = asyncio.Event()
    load = services._Context.load

    async def held(self: Any) -> Any:  # the first import waits before its transaction begins
        reading.set()
        await release.wait()
        return await load(self)

    async def killed() -> None:  # and dies after writing them, before the commit
        assert await Child.filter(student_number__in=numbers).count() == 5
        raise RuntimeError("the process died")

    monkeypatch.setattr(services._Context, "load", held)
    monkeypatch.setattr(services, "_before_commit", killed)
    first = await started(await upload(http, "STUDENT_ROSTER", "r.csv", data, token=token))
    await asyncio.wait_for(reading.wait(), 30)
    running = await gql(http, JOB, {"id": first}, token=token)
    assert running["data"]["node"]["state"] == "RUNNING"
    assert running["data"]["node"]["progress"]["finished"] is False
    second = (await upload(http, "STUDENT_ROSTER", "r.csv", data, token=token))["data"]
    assert [(e["code"], e["field"]) for e in second["startImport"]["errors"]] == [
        ("CONFLICT", "format")
    ]
    release.set()
    failed = await finished(http, first, token=token)
    assert failed["state"] == "FAILED" and failed["progress"]["written"] is False
    assert "died" in failed["message"]
    assert await Child.filter(student_number__in=numbers).count() == 0

    monkeypatch.setattr(services._Context, "load", load)
    monkeypatch.setattr(services, "_before_commit", None)
    ok = await finished(
        http,
        await started(await upload(http, "STUDENT_ROSTER", "r.csv", data, token=token)),
        token=token,
    )
    assert ok["state"] == "SUCCEEDED"
    assert await Child.filter(student_number__in=numbers).count() == 5


async def test_another_countys_agency_key_finds_nothing(
    roster: Roster, counties: Counties, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    key = await _agency_key(RONGCHANG)
    headers = ["姓名", "性别", "出生日期", "身份证件号", "残疾类别"]
    row = roster.rows[0]
    data = write_csv(
        tmp_path / "d.csv", headers, [[row[1], row[2], row[3], row[5], "听力残疾"]], "gbk"
    ).read_bytes()
    body = await upload(http, "DISABLED_ROSTER", "d.csv", data, key=key, jurisdictionCode=LIPU)
    errors = body["data"]["startImport"]["errors"]
    assert [e["code"] for e in errors] == ["NOT_FOUND"]
    # nor the register's roster, which only the county's register keepers import
    body = await upload(http, "STUDENT_ROSTER", "d.csv", data, key=key)
    assert code_of(body) == "FORBIDDEN"
    # nor a job of 荔浦
    lipu = await _agency_key(LIPU)
    job = await started(await upload(http, "DISABLED_ROSTER", "d.csv", data, key=lipu))
    await finished(http, job, key=lipu)
    assert (await gql(http, JOB, {"id": job}, key=key))["data"]["node"] is None
    report = await http.get(f"/imports/{job.split(':')[-1]}/report.csv", headers=_auth(key=key))
    assert report.status_code == 404


JOBS = "{ importJobs(first: 100) { totalCount edges { node { id } } } }"


async def test_import_jobs_are_listed_to_the_register_keepers_and_the_submitting_key(
    roster: Roster, counties: Counties, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The county administrator lists every job of the county; an agency key only the lists it
    submitted; a school head and a township official (who may write the roster in their
    place, but keep no county register) and another county's administrator and key none."""
    admin = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    headers = ["姓名", "性别", "出生日期", "身份证件号", "残疾类别"]
    row = roster.rows[0]
    disabled = write_csv(
        tmp_path / "d.csv", headers, [[row[1], row[2], row[3], row[5], "听力残疾"]], "gbk"
    ).read_bytes()
    register = write_csv(tmp_path / "r.csv", roster.headers, roster.rows[:2], "gbk").read_bytes()
    ours, theirs = await _agency_key(LIPU), await _agency_key(LIPU)
    jobs = {
        "register": await started(
            await upload(http, "STUDENT_ROSTER", "r.csv", register, token=admin, dryRun=True)
        ),
        "ours": await started(await upload(http, "DISABLED_ROSTER", "d.csv", disabled, key=ours)),
        "theirs": await started(
            await upload(http, "DISABLED_ROSTER", "d.csv", disabled, key=theirs)
        ),
    }
    await finished(http, jobs["register"], token=admin)
    await finished(http, jobs["ours"], key=ours)
    await finished(http, jobs["theirs"], key=theirs)

    async def listed(**auth: str) -> set[str]:
        body = await gql(http, JOBS, **auth)
        assert "errors" not in body, body
        connection = body["data"]["importJobs"]
        ids = {e["node"]["id"] for e in connection["edges"]}
        assert connection["totalCount"] == len(ids)
        return ids

    async def staff(creds: Any, role: str) -> str:
        return await login(http, username(creds, role), creds.password)

    assert await listed(token=admin) == set(jobs.values())
    assert await listed(key=ours) == {jobs["ours"]}
    assert await listed(key=theirs) == {jobs["theirs"]}
    assert await listed(token=await staff(counties.lipu, "SCHOOL_HEAD")) == set()
    assert await listed(token=await staff(counties.lipu, "TOWNSHIP_OFFICIAL")) == set()
    assert await listed(token=await staff(counties.rongchang, "COUNTY_ADMIN")) == set()
    assert await listed(key=await _agency_key(RONGCHANG)) == set()
