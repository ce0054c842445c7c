"""Importing the 学籍 roster: every kind of bad row reported, the same roster in three encodings
and layouts giving one result, re-imports changing nothing, a failed import leaving nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from core.enrolment.models import Enrolment, EnrolmentChange, EnrolmentChangeKind
from core.errors import DomainError
from core.imports import services
from core.imports.models import ImportJob, ImportMode, ImportState
from core.imports.reading import detect_encoding
from core.imports.report import render_issues_csv, render_issues_xlsx
from core.people.enums import KeyGroup
from core.people.models import Child, ChildKeyGroup
from tests.imports.conftest import Roster, build_rows, do_import
from tests.imports.files import write_csv, write_xlsx

pytestmark = pytest.mark.asyncio


def _snapshot(job: ImportJob) -> tuple:
    counts = {k: v for k, v in job.counts.items() if k != "written"}
    return counts, job.issues


async def test_the_same_roster_as_gbk_utf8_bom_and_xlsx_gives_the_same_result(
    roster: Roster, tmp_path: Path
) -> None:
    rows = roster.rows[:10]
    rows[3][2] = "未知"  # a bad value, so the reports are compared too
    gbk = write_csv(tmp_path / "gbk.csv", roster.headers, rows, "gbk")
    bom = write_csv(tmp_path / "bom.csv", roster.headers, rows, "utf-8-sig")
    xlsx = write_xlsx(tmp_path / "roster.xlsx", roster.headers, rows)
    assert detect_encoding(gbk) == "gb18030"
    assert detect_encoding(bom) == "utf-8-sig"
    results = [_snapshot(await do_import(p, dry_run=True)) for p in (gbk, bom, xlsx)]
    assert results[0] == results[1] == results[2]
    counts, issues = results[0]
    assert counts["new"] == 9 and counts["refused"] == 1 and counts["enrolments"] == 9
    assert issues[0]["row"] == 5 and issues[0]["column"] == "性别"
    assert await Child.filter(student_number=rows[0][0]).count() == 0  # a dry run writes nothing


async def test_every_kind_of_bad_row_is_reported_and_all_mode_writes_nothing(
    roster: Roster, tmp_path: Path
) -> None:
    rows = [list(r) for r in roster.rows[:12]]
    rows[0][5] = rows[0][5][:-1] + ("0" if rows[0][5][-1] != "0" else "1")  # checksum
    rows[1][3] = "2015-13-40"  # not a date
    rows[2][2] = "女" if rows[2][2] == "男" else "男"  # gender disagrees with the ID number
    rows[3][3] = "2013-01-01"  # birth date disagrees with the ID number
    rows[4][1] = ""  # name missing
    rows[5][7] = "9999999999"  # unknown school
    rows[6][10] = "(99)班"  # unknown class
    rows[7][9] = "十年级"  # unknown grade
    rows[8][0] = rows[9][0]  # the same 学籍号 as the next row
    rows[10][0] = "学籍号"  # malformed student number
    rows[11][5] = rows[11][5].replace("45", "00", 1)  # no such division
    path = write_csv(tmp_path / "bad.csv", roster.headers, rows, "gbk")
    job = await do_import(path)
    assert job.state is ImportState.REFUSED
    by_row = {(i["row"], i["column"]) for i in job.issues}
    expected = {
        (2, "身份证件号"),
        (3, "出生日期"),
        (4, "身份证件号"),
        (5, "身份证件号"),
        (6, "姓名"),
        (7, "学校标识码"),
        (8, "班级"),
        (9, "年级"),
        (11, "全国学籍号"),
        (12, "全国学籍号"),
        (13, "身份证件号"),
    }
    assert expected <= by_row, by_row
    for issue in job.issues:
        assert issue["reasonZh"] and issue["reasonEn"] and issue["code"]
    assert await Child.filter(student_number__in=[r[0] for r in rows]).count() == 0

    # the report opens in Excel: UTF-8 with BOM, and an XLSX
    data = render_issues_csv(job.issues)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][0] == "行号 Row" and len(table) == len(job.issues) + 1
    from python_calamine import CalamineWorkbook

    out = tmp_path / "report.xlsx"
    out.write_bytes(render_issues_xlsx(job.issues))
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[1][0] == "行号 Row" and len(sheet) == len(job.issues) + 2

    # the valid rows only: the one good row (row 10, whose 学籍号 row 9 took first) enters
    valid = await do_import(path, mode=ImportMode.VALID)
    assert valid.state is ImportState.SUCCEEDED
    assert valid.counts["new"] == 1
    assert await Child.filter(student_number=rows[9][0]).exists()


async def test_re_import_changes_nothing_and_an_update_records_the_enrolment_changes(
    roster: Roster, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "roster.xlsx", roster.headers, roster.rows)
    first = await do_import(path)
    assert first.state is ImportState.SUCCEEDED, first.issues
    assert first.counts["new"] == 40 and first.counts["enrolments"] == 40
    numbers = [r[0] for r in roster.rows]
    children = await Child.filter(student_number__in=numbers).count()
    assert children == 40
    enrolled = await EnrolmentChange.filter(
        child__student_number__in=numbers, kind=EnrolmentChangeKind.ENROL
    ).count()
    assert enrolled == 40
    left_behind = await ChildKeyGroup.filter(
        child__student_number__in=numbers, group=KeyGroup.LEFT_BEHIND, ended_on__isnull=True
    ).count()
    assert left_behind == sum(1 for r in roster.rows if r[14] == "是")

    again = await do_import(path)
    assert again.counts["new"] == 0 and again.counts["updated"] == 0
    assert again.counts["unchanged"] == 40
    assert await EnrolmentChange.filter(child__student_number__in=numbers).count() == 40

    # next roster: one child changed name, one is 送教上门, one left (no longer listed),
    # one no longer 留守
    rows = [list(r) for r in roster.rows]
    rows[0][1] = "王新名"
    rows[1][11] = "送教上门"
    gone = rows.pop(2)
    flag_row = next(r for r in rows[2:] if r[14] == "是")
    flag_row[14] = "否"
    updated = write_csv(tmp_path / "next.csv", roster.headers, rows, "utf-8-sig")
    dry = await do_import(updated, dry_run=True)
    assert dry.counts["updated"] == 3 and dry.counts["modeChanges"] == 1
    # the demo's pupils of the school and the child who left are no longer on the roster
    enrolled_here = await Enrolment.filter(
        school_id=roster.school.id, is_current=True, status="ENROLLED"
    ).count()
    assert dry.counts["missingFromRoster"] == enrolled_here - len(rows)
    gone_id = await Child.get(student_number=gone[0]).values_list("id", flat=True)
    assert any(c.get("childId") == str(gone_id) for c in dry.changes)
    assert (await Child.get(student_number=rows[0][0])).name != "王新名"  # dry run
    done = await do_import(updated)
    assert done.state is ImportState.SUCCEEDED
    assert (await Child.get(student_number=rows[0][0])).name == "王新名"
    mode = await EnrolmentChange.get(
        child__student_number=rows[1][0], kind=EnrolmentChangeKind.CHANGE_MODE
    )
    assert mode.mode_after.value == "HOME_DELIVERED"
    assert not await ChildKeyGroup.filter(
        child__student_number=flag_row[0], group=KeyGroup.LEFT_BEHIND, ended_on__isnull=True
    ).exists()
    # a person records what became of the child who left: the import does not guess
    assert await Enrolment.filter(child__student_number=gone[0], is_current=True).exists()


async def test_a_transfer_between_schools_is_recorded(roster: Roster, tmp_path: Path) -> None:
    from core.schools.models import School, SchoolClass

    path = write_csv(tmp_path / "a.csv", roster.headers, roster.rows[:3], "gbk")
    assert (await do_import(path)).state is ImportState.SUCCEEDED
    other = (
        await School.filter(jurisdiction=roster.jurisdiction, classes__school_year=2026)
        .exclude(id=roster.school.id)
        .distinct()
        .first()
    )
    klass = await SchoolClass.filter(school=other, school_year=2026).first()
    moved = build_rows(other, [klass], 1)[0]
    row = list(roster.rows[0])
    # same child, same birth date; the other school's class (the grade may differ)
    row[7], row[8], row[9], row[10] = moved[7], moved[8], moved[9], moved[10]
    path = write_csv(tmp_path / "b.csv", roster.headers, [row], "gbk")
    job = await do_import(path)
    assert job.counts["transfers"] == 1, job.counts
    kinds = await EnrolmentChange.filter(child__student_number=row[0]).values_list(
        "kind", flat=True
    )
    assert sorted(k.value for k in kinds) == ["ENROL", "TRANSFER_IN", "TRANSFER_OUT"]
    current = await Enrolment.get(child__student_number=row[0], is_current=True)
    assert current.school_id == other.id


async def test_a_failure_before_commit_leaves_nothing_and_the_job_failed(
    roster: Roster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "roster.csv", roster.headers, roster.rows, "utf-8")

    async def boom() -> None:
        assert await Child.filter(student_number=roster.rows[0][0]).exists()  # written so far
        raise RuntimeError("killed")

    monkeypatch.setattr(services, "_before_commit", boom)
    with pytest.raises(RuntimeError):
        await do_import(path)
    assert await Child.filter(student_number__in=[r[0] for r in roster.rows]).count() == 0
    job = await ImportJob.get(format_code="STUDENT_ROSTER")
    assert job.state is ImportState.FAILED and job.running_key is None


async def test_one_import_per_county_and_format_at_a_time(roster: Roster, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    path = write_csv(tmp_path / "roster.csv", roster.headers, roster.rows[:2], "utf-8")
    running = await ImportJob.create(
        jurisdiction=roster.jurisdiction,
        format_code="STUDENT_ROSTER",
        checksum="0" * 64,
        mode=ImportMode.ALL,
        state=ImportState.RUNNING,
        started_at=datetime.now(UTC),
        heartbeat_at=datetime.now(UTC),
        running_key=services.running_key(roster.jurisdiction.id, "STUDENT_ROSTER"),
    )
    with pytest.raises(DomainError) as refused:
        await do_import(path)
    assert refused.value.code.value == "CONFLICT"
    # another format of the same county may run
    other = await do_import(path, "HOUSEHOLD_REGISTER", dry_run=True)
    assert other.state is ImportState.DRY_RUN
    # a job whose process died (no heartbeat) is marked failed and no longer blocks
    await ImportJob.filter(id=running.id).update(
        heartbeat_at=datetime.now(UTC) - timedelta(hours=1)
    )
    assert (await do_import(path)).state is ImportState.SUCCEEDED
    assert (await ImportJob.get(id=running.id)).state is ImportState.FAILED


async def test_chunks_written_before_a_refused_row_are_rolled_back_in_all_or_nothing_mode(
    roster: Roster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH", 10)  # 40 rows: four chunks, the bad row in the last
    rows = [list(r) for r in roster.rows]
    rows[-1][3] = "2099-13-40"  # 出生日期 that is no date
    path = write_csv(tmp_path / "roster.csv", roster.headers, rows, "utf-8")
    numbers = [r[0] for r in rows]

    job = await do_import(path, mode=ImportMode.ALL)
    assert job.state is ImportState.REFUSED and job.counts["written"] == 0
    assert [i["row"] for i in job.issues] == [len(rows) + 1]
    assert await Child.filter(student_number__in=numbers).count() == 0
    assert not await EnrolmentChange.filter(reason__contains=str(job.id)).exists()

    job = await do_import(path, mode=ImportMode.VALID)
    assert job.state is ImportState.SUCCEEDED and job.counts["new"] == len(rows) - 1
    assert await Child.filter(student_number__in=numbers).count() == len(rows) - 1
    assert await EnrolmentChange.filter(reason__contains=str(job.id)).count() == len(rows) - 1
