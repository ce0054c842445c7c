"""Importing attendance (考勤导入, format ATTENDANCE) as its real callers do: a head teacher
uploads the class's register over GraphQL (GBK CSV, XLSX), the operator runs ``baoxue import``;
bad rows are reported cell by cell and nothing is written, a re-import changes nothing, a
same-day correction is kept as a revision, another class is outside a head teacher's scope."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from core.access.enums import Role
from core.attendance.models import AttendanceMark, ClassDay, ClassDayRevision, SchoolClosure
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.imports import jobs
from core.imports.models import ImportJob
from core.people.enums import Gender
from core.people.models import Child
from core.people.resident_id import make_resident_id
from core.plugins import rules_for
from tests.imports.files import write_csv, write_xlsx

from .conftest import sign_in

HEADERS = ["身份证件号", "姓名", "日期", "状态", "缺勤原因", "备注"]
MONDAY = "2026-03-02"  # the case tests' clock: Monday 2 March 2026, 09:00 in China

START = """mutation($input: StartImportInput!) { startImport(input: $input) {
  importJob { id state } errors { code field message } } }"""
JOB = """query($id: ID!) { node(id: $id) { ... on ImportJob {
  id state message progress { finished }
  counts { rows valid written new updated unchanged refused }
  issues { row column value code reasonZh reasonEn } reportCsvUrl } } }"""


@pytest.fixture(autouse=True)
async def no_import_left_running(db: Any):
    yield
    await jobs.wait_for_imports()


def _row(child: Child, day: str, status: str, reason: str = "", note: str = "") -> list[str]:
    return [child.id_number or "", child.name, day, status, reason, note]


async def _upload(http: httpx.AsyncClient, headers: dict[str, str], name: str, data: bytes, **opt):
    operations = {"query": START, "variables": {"input": {"format": "ATTENDANCE", "file": None}}}
    operations["variables"]["input"].update(opt)
    response = await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (name, data, "application/octet-stream")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload = body["data"]["startImport"]
    assert payload["errors"] == [], payload
    job_id = payload["importJob"]["id"]
    for _ in range(500):
        polled = await http.post(
            "/graphql", json={"query": JOB, "variables": {"id": job_id}}, headers=headers
        )
        node = polled.json()["data"]["node"]
        assert node is not None, polled.json()
        if node["progress"]["finished"]:
            return node
        await asyncio.sleep(0.02)
    raise AssertionError("the import did not finish")


async def test_a_head_teacher_imports_the_class_day_then_corrects_it(
    http, county, tmp_path: Path
) -> None:
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    kids = county.children
    rows = [_row(kids[0], MONDAY, "缺", "旷课", "电话未接"), _row(kids[1], MONDAY, "迟")]
    rows.append(_row(kids[2], MONDAY, "出勤"))
    gbk = write_csv(tmp_path / "考勤.csv", HEADERS, rows, "gbk").read_bytes()

    dry = await _upload(http, teacher, "考勤.csv", gbk, dryRun=True)
    assert dry["state"] == "DRY_RUN" and dry["counts"]["new"] == 1 and dry["issues"] == []
    assert await ClassDay.all().count() == 0

    done = await _upload(http, teacher, "考勤.csv", gbk)
    assert done["state"] == "SUCCEEDED", done
    assert (done["counts"]["new"], done["counts"]["written"]) == (1, 1)
    day = await ClassDay.get()
    assert (day.expected, day.present, day.absent, day.late, day.version) == (4, 3, 1, 1, 1)
    marks = {m.child_id: (m.kind.value, m.note) for m in await AttendanceMark.all()}
    assert marks == {kids[0].id: ("UNEXPLAINED", "电话未接"), kids[1].id: ("LATE", "")}

    again = await _upload(http, teacher, "考勤.csv", gbk)  # the same file: nothing changes
    assert again["state"] == "SUCCEEDED" and again["counts"]["unchanged"] == 1
    assert again["counts"]["written"] == 0
    assert (await ClassDay.get()).version == 1 and await ClassDayRevision.all().count() == 0

    # the same day, as XLSX: child 0 was ill after all - a correction, kept as a revision
    fixed = write_xlsx(tmp_path / "考勤.xlsx", HEADERS, [_row(kids[0], MONDAY, "缺勤", "病假")])
    corrected = await _upload(http, teacher, "考勤.xlsx", fixed.read_bytes())
    assert corrected["state"] == "SUCCEEDED" and corrected["counts"]["updated"] == 1
    day = await ClassDay.get()
    assert (day.version, day.absent, day.late) == (2, 1, 0)
    (revision,) = await ClassDayRevision.all()
    assert revision.version == 1 and {m["kind"] for m in revision.marks} == {"UNEXPLAINED", "LATE"}


async def test_bad_rows_are_reported_and_nothing_is_written(http, county, tmp_path: Path) -> None:
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    kids = county.children
    born = kids[0].birth_date
    stranger = make_resident_id("450381", born, 98)
    # a pupil of the other school's class: outside the head teacher's scope
    outsider = await Child.create(
        jurisdiction=county.jurisdiction,
        name="韦小外",
        gender=Gender.MALE,
        birth_date=born,
        id_number=make_resident_id("450381", born, 97),
    )
    await Enrolment.create(
        child=outsider,
        school=county.other_school,
        school_class=county.class_5,
        grade=5,
        status=EnrolmentStatus.ENROLLED,
        started_on=born.replace(year=2022, month=9, day=1),
    )
    rows = [
        _row(kids[0], MONDAY, "缺勤", "病假"),  # 2: fine
        [stranger, "李不在", MONDAY, "缺勤", "病假", ""],  # 3: unknown child
        _row(kids[1], "2026-03-01", "缺勤", "事假"),  # 4: a Sunday
        _row(kids[1], "2026-03-05", "迟到"),  # 5: in the future
        _row(kids[0], MONDAY, "迟到"),  # 6: same child and day as row 2
        _row(kids[2], MONDAY, "请假了"),  # 7: not a status
        _row(kids[3], MONDAY, "缺勤"),  # 8: an absence without its reason
        [kids[3].id_number, "黄小错", MONDAY, "迟到", "", ""],  # 9: not the child's name
        _row(outsider, MONDAY, "缺勤", "病假"),  # 10: another class
    ]
    data = write_csv(tmp_path / "bad.csv", HEADERS, rows, "gbk").read_bytes()
    done = await _upload(http, teacher, "bad.csv", data)
    assert done["state"] == "REFUSED" and done["counts"]["written"] == 0
    found = {(i["row"], i["column"], i["code"]) for i in done["issues"]}
    assert {
        (3, "身份证件号", "NOT_FOUND"),
        (4, "日期", "INVALID"),
        (5, "日期", "INVALID"),
        (6, "日期", "DUPLICATE"),
        (7, "状态", "INVALID"),
        (8, "缺勤原因", "REQUIRED"),
        (9, "姓名", "INVALID"),
        (10, "身份证件号", "FORBIDDEN"),
    } <= found
    assert all(i["reasonZh"] and i["reasonEn"] for i in done["issues"])
    assert await ClassDay.all().count() == 0 and await AttendanceMark.all().count() == 0
    report = await http.get(done["reportCsvUrl"], headers=teacher)
    assert report.status_code == 200 and report.content.startswith(b"\xef\xbb\xbf")

    # accept the valid rows: class 4's day has refused rows, so it is not written either
    valid = await _upload(http, teacher, "bad.csv", data, mode="VALID")
    assert valid["state"] == "SUCCEEDED" and valid["counts"]["written"] == 0
    assert await ClassDay.all().count() == 0

    # the bureau reaches every class of the county: the outsider's day is written
    bureau = await sign_in(http, county, Role.BUREAU_STAFF)
    one = write_csv(tmp_path / "one.csv", HEADERS, [rows[-1]], "utf-8-sig").read_bytes()
    closure = await SchoolClosure.create(  # but not on a day the outsider's school is closed
        jurisdiction=county.jurisdiction,
        school=county.other_school,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 3),
        reason="暴雨停课",
    )
    closed = await _upload(http, bureau, "one.csv", one)
    assert closed["state"] == "REFUSED"
    assert [(i["column"], i["code"]) for i in closed["issues"]] == [("日期", "INVALID")]
    await closure.delete()
    ok = await _upload(http, bureau, "one.csv", one)
    assert ok["state"] == "SUCCEEDED" and ok["counts"]["new"] == 1
    assert (await ClassDay.get()).school_class_id == county.class_5.id
    assert await ImportJob.all().count() == 4


def _recent_school_days(count: int) -> list[str]:
    calendar = rules_for(None).term_calendar
    today = datetime.now(UTC).date()
    days, day = [], today - timedelta(days=1)
    while len(days) < count and day > today - timedelta(days=60):
        if calendar.is_school_day(day):
            days.append(day.isoformat())
        day -= timedelta(days=1)
    return days


async def test_baoxue_import_attendance_from_the_command_line(
    county, database_url: str, tmp_path: Path
) -> None:
    from core.cli import main

    days = _recent_school_days(2)
    if len(days) < 2:
        pytest.skip("no school days in the last 60 days (between terms)")
    kids = county.children
    rows = [
        _row(kids[0], days[1], "缺", "无故"),
        _row(kids[0], days[0], "缺", "无故"),
        _row(kids[1], days[0], "缺勤", "病假", "发烧"),
    ]
    path = write_csv(tmp_path / "考勤.csv", HEADERS, rows, "gbk")

    def run(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    base = ["--database-url", database_url, "-j", "450381"]
    first = await asyncio.to_thread(run, "import", "ATTENDANCE", str(path), *base)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output[first.output.index("{") :])
    assert summary["state"] == "SUCCEEDED" and summary["counts"]["new"] == 2
    assert await ClassDay.all().count() == 2 and await AttendanceMark.all().count() == 3

    again = await asyncio.to_thread(run, "import", "ATTENDANCE", str(path), *base)
    assert again.exit_code == 0, again.output
    summary = json.loads(again.output[again.output.index("{") :])
    assert summary["counts"]["unchanged"] == 2 and summary["counts"]["new"] == 0

    # a past day recorded differently cannot be changed (only on the day itself)
    changed = write_csv(tmp_path / "改.csv", HEADERS, [_row(kids[0], days[1], "迟到")], "gbk")
    report = tmp_path / "report.xlsx"
    refused = await asyncio.to_thread(
        run, "import", "ATTENDANCE", str(changed), *base, "--report", str(report)
    )
    assert refused.exit_code == 1
    assert report.read_bytes()[:2] == b"PK"
    assert await AttendanceMark.filter(child_id=kids[0].id).count() == 2
