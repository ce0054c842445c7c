"""Comparisons (比对): the register against enrolment, the platform's suspected list, the
disabled roster and key-group lists — each run twice opening nothing new; a partner agency
submitting its list in its own county only."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Permission, ScopeKind
from core.cases.enums import CaseKind, CaseSource
from core.cases.models import Case
from core.errors import DomainError
from core.imports.comparison import compare_registry_enrolment
from core.imports.models import ComparisonResult, ComparisonRun, ImportState, MatchOutcome
from core.people.enums import Gender, KeyGroup
from core.people.models import Child, ChildKeyGroup
from core.people.resident_id import make_resident_id
from tests.imports.conftest import LIPU, RONGCHANG, Roster, do_import
from tests.imports.files import write_csv, write_xlsx

pytestmark = pytest.mark.asyncio

NOW = datetime.now(UTC)


async def _unenrolled_child(roster: Roster, sequence: int = 901) -> Child:
    born = date(2016, 5, 4)
    number = make_resident_id(LIPU, born, sequence)
    return await Child.create(
        jurisdiction=roster.jurisdiction,
        name="未入学测试",
        gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE,
        birth_date=born,
        id_number=number,
    )


async def test_registry_against_enrolment_opens_each_case_once(roster: Roster) -> None:
    child = await _unenrolled_child(roster)
    before = await Case.filter(source=CaseSource.ROSTER_COMPARISON).count()
    first = await compare_registry_enrolment(Caller.system(), roster.jurisdiction.id, NOW)
    assert first.counts["CASE_OPENED"] >= 1
    case = await Case.get(child=child)
    assert case.kind is CaseKind.NEVER_ENROLLED and case.source is CaseSource.ROSTER_COMPARISON
    result = await ComparisonResult.get(run=first, child=child)
    assert result.case_id == case.id and result.outcome is MatchOutcome.CASE_OPENED
    event = await case.events.all().first()
    assert str(first.id) in json.dumps(event.details, ensure_ascii=False)  # provenance
    opened = await Case.filter(source=CaseSource.ROSTER_COMPARISON).count()
    assert opened - before == first.counts["CASE_OPENED"]

    second = await compare_registry_enrolment(Caller.system(), roster.jurisdiction.id, NOW)
    assert "CASE_OPENED" not in second.counts
    assert second.counts["HAS_CASE"] >= first.counts["CASE_OPENED"]
    assert await Case.filter(source=CaseSource.ROSTER_COMPARISON).count() == opened
    assert second.counts["schoolAge"] == first.counts["schoolAge"]


async def test_platform_list_is_matched_and_opens_national_platform_cases(
    roster: Roster, tmp_path: Path, database_url: str
) -> None:
    roster_file = write_csv(tmp_path / "r.csv", roster.headers, roster.rows[:2], "gbk")
    assert (await do_import(roster_file)).state is ImportState.SUCCEEDED
    enrolled = roster.rows[0]
    missing = await _unenrolled_child(roster, 902)
    headers = ["序号", "姓名", "性别", "出生日期", "身份证件号", "全国学籍号", "户口所在地", "备注"]
    rows = [
        ["1", enrolled[1], enrolled[2], enrolled[3], enrolled[5], enrolled[0], "", ""],
        # no ID number on the list: matched by name and birth date
        [
            "2",
            missing.name,
            missing.gender.label,
            missing.birth_date.isoformat(),
            "",
            "",
            "",
            "疑似",
        ],
        [
            "3",
            "查无此人",
            "男",
            "2015-03-03",
            make_resident_id(LIPU, date(2015, 3, 3), 555),
            "",
            "",
            "",
        ],
    ]
    path = write_xlsx(tmp_path / "platform.xlsx", headers, rows)
    job = await do_import(path, "PLATFORM_SUSPECTED")
    run = await ComparisonRun.get(job=job)
    outcomes = {
        r.row_number: r for r in await ComparisonResult.filter(run=run).order_by("row_number")
    }
    assert outcomes[2].outcome is MatchOutcome.ENROLLED_HERE
    assert outcomes[2].match_reason == "身份证件号一致"
    assert outcomes[3].outcome is MatchOutcome.CASE_OPENED
    assert outcomes[3].match_reason.startswith("姓名与出生日期一致")
    assert outcomes[4].outcome is MatchOutcome.NOT_FOUND
    case = await Case.get(id=outcomes[3].case_id)
    assert case.source is CaseSource.NATIONAL_PLATFORM and case.child_id == missing.id

    # the verification results go back in the platform's layout (CLI --verification)
    from core.imports.comparison import platform_verification_rows

    reply = await platform_verification_rows(run)
    assert reply[0][3] == "核查结果"
    assert [r[3] for r in reply[1:]] == ["本县在读", "未入学/疑似辍学, 已立案", "学户册中未找到"]

    again = await do_import(path, "PLATFORM_SUSPECTED")
    rerun = await ComparisonRun.get(job=again)
    assert rerun.counts.get("CASE_OPENED", 0) == 0 and rerun.counts["HAS_CASE"] == 1
    assert await Case.filter(child=missing).count() == 1

    from core.cli import main

    reply_file = tmp_path / "reply.csv"
    args = ["import", "PLATFORM_SUSPECTED", str(path), "-j", LIPU, "--database-url", database_url]
    result = await asyncio.to_thread(
        CliRunner().invoke, main, [*args, "--verification", str(reply_file)]
    )
    assert result.exit_code == 0, result.output
    text = reply_file.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and "核查结果" in text.decode("utf-8-sig")


async def test_key_group_lists_add_and_expire_flags(roster: Roster, tmp_path: Path) -> None:
    roster_file = write_csv(tmp_path / "r.csv", roster.headers, roster.rows[:3], "utf-8-sig")
    assert (await do_import(roster_file)).state is ImportState.SUCCEEDED
    headers = ["姓名", "性别", "出生日期", "身份证号码", "认定日期"]
    people = [[r[1], r[2], r[3], r[5], "2026-03-01"] for r in roster.rows[:3]]
    first = await do_import(write_csv(tmp_path / "a.csv", headers, people, "gbk"), "MONITORED_LIST")
    run = await ComparisonRun.get(job=first)
    assert run.counts["FLAG_ADDED"] == 3
    flag = await ChildKeyGroup.get(
        child__student_number=roster.rows[0][0], group=KeyGroup.MONITORED
    )
    assert flag.since == date(2026, 3, 1) and "监测户" in flag.source
    second = await do_import(
        write_csv(tmp_path / "b.csv", headers, people[:2], "gbk"), "MONITORED_LIST"
    )
    rerun = await ComparisonRun.get(job=second)
    assert rerun.counts == {"FLAG_EXPIRED": 1, "FLAG_KEPT": 2}
    expired = await ChildKeyGroup.get(
        child__student_number=roster.rows[2][0], group=KeyGroup.MONITORED
    )
    assert expired.ended_on is not None


def _agency(jurisdiction_id, *permissions: Permission) -> Caller:
    return Caller(
        kind=ActorKind.API_KEY,
        label="残联",
        scope=Scope(kind=ScopeKind.COUNTY, jurisdiction_id=jurisdiction_id),
        permissions=frozenset(permissions),
    )


async def test_an_agency_key_submits_its_roster_in_its_own_county_only(
    roster: Roster, tmp_path: Path
) -> None:
    missing = await _unenrolled_child(roster, 903)
    headers = ["姓名", "性别", "出生日期", "身份证件号", "残疾类别", "残疾等级"]
    rows = [
        [
            missing.name,
            missing.gender.label,
            missing.birth_date.isoformat(),
            missing.id_number,
            "肢体残疾",
            "二级",
        ],
    ]
    path = write_csv(tmp_path / "disabled.csv", headers, rows, "gbk")
    agency = _agency(roster.jurisdiction.id, Permission.SUBMIT_ROSTER)
    job = await do_import(path, "DISABLED_ROSTER", caller=agency, jurisdiction=None)
    run = await ComparisonRun.get(job=job)
    assert run.counts == {"CASE_OPENED": 1, "disabilityRecorded": 1}
    assert (await Case.get(child=missing)).source is CaseSource.ROSTER_COMPARISON
    recorded = await Child.get(id=missing.id)
    assert (recorded.disability_category.value, recorded.disability_grade) == ("PHYSICAL", 2)
    # not the 学籍 roster (a register write), not another county's
    with pytest.raises(DomainError) as forbidden:
        await do_import(path, "STUDENT_ROSTER", caller=agency, jurisdiction=None)
    assert forbidden.value.code.value == "FORBIDDEN"
    with pytest.raises(DomainError) as elsewhere:
        await do_import(path, "DISABLED_ROSTER", caller=agency, jurisdiction=RONGCHANG)
    assert elsewhere.value.code.value == "NOT_FOUND"


async def test_cli_imports_with_a_report_and_compares(
    roster: Roster, tmp_path: Path, database_url: str
) -> None:
    from core.cli import main

    rows = [list(r) for r in roster.rows[:5]]
    rows[1][2] = "?"
    path = write_csv(tmp_path / "roster.csv", roster.headers, rows, "gbk")
    report = tmp_path / "report.csv"

    def run(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    base = ["--database-url", database_url, "-j", LIPU]
    refused = await asyncio.to_thread(
        run, "import", "STUDENT_ROSTER", str(path), *base, "--report", str(report)
    )
    assert refused.exit_code == 1
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "性别" in report.read_text(encoding="utf-8-sig")
    valid = await asyncio.to_thread(
        run, "import", "STUDENT_ROSTER", str(path), *base, "--mode", "valid", "--compare"
    )
    assert valid.exit_code == 0, valid.output
    summary = json.loads(valid.output[valid.output.index("{") :])
    assert summary["counts"]["new"] == 4 and summary["state"] == "SUCCEEDED"
    assert "comparison" in summary
    compared = await asyncio.to_thread(run, "compare", *base)
    assert compared.exit_code == 0, compared.output
    assert "CASE_OPENED" not in json.loads(compared.output)["counts"]


async def test_the_household_decides_a_match_without_or_against_the_id_number(
    roster: Roster, tmp_path: Path
) -> None:
    from core.people.models import Guardian, Household

    born = date(2016, 7, 9)
    children = []
    for sequence, head, address, guardian in (
        (911, "王大山", "某县甲镇一村", "王大山"),
        (913, "刘二水", "某县乙镇二村", "陈小梅"),
    ):
        household = await Household.create(
            jurisdiction=roster.jurisdiction, head_name=head, registered_address=address
        )
        await Guardian.create(household=household, name=guardian, relation="MOTHER")
        number = make_resident_id(LIPU, born, sequence)
        children.append(
            await Child.create(
                jurisdiction=roster.jurisdiction,
                household=household,
                name="同名儿童",
                gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE,
                birth_date=born,
                id_number=number,
            )
        )
    lone_number = make_resident_id(LIPU, date(2015, 2, 2), 917)
    lone = await Child.create(
        jurisdiction=roster.jurisdiction,
        household=await Household.create(
            jurisdiction=roster.jurisdiction, head_name="赵一", registered_address="某县丙镇"
        ),
        name="独一儿童",
        gender=Gender.MALE if int(lone_number[16]) % 2 else Gender.FEMALE,
        birth_date=date(2015, 2, 2),
        id_number=lone_number,
    )
    gender = children[1].gender.label
    headers = ["序号", "姓名", "性别", "出生日期", "身份证件号", "户口所在地", "监护人姓名", "备注"]
    other_id = make_resident_id(LIPU, born, 915)
    rows = [
        # no ID number, two children of that name and birth date: the guardian decides
        ["1", "同名儿童", gender, born.isoformat(), "", "", "陈小梅", ""],
        # an ID number the register does not have: the registered address decides
        [
            "2",
            "同名儿童",
            children[0].gender.label,
            born.isoformat(),
            other_id,
            "某县甲镇一村",
            "",
            "",
        ],
        # two children, no household facts: undecided
        ["3", "同名儿童", gender, born.isoformat(), "", "", "", ""],
        # one child, but both the ID number and the household disagree: another child
        [
            "4",
            "独一儿童",
            lone.gender.label,
            "2015-02-02",
            make_resident_id(LIPU, date(2015, 2, 2), 919),
            "外省某村",
            "钱某",
            "",
        ],
    ]
    job = await do_import(write_csv(tmp_path / "p.csv", headers, rows, "gbk"), "PLATFORM_SUSPECTED")
    assert job.state is ImportState.SUCCEEDED, job.issues
    run = await ComparisonRun.get(job=job)
    results = {r.row_number: r for r in await ComparisonResult.filter(run=run)}
    assert results[2].child_id == children[1].id
    assert results[2].match_reason == "姓名、出生日期与户一致 (未填身份证件号)"
    assert results[3].child_id == children[0].id
    assert results[3].match_reason == "姓名、出生日期与户一致 (身份证件号不符)"
    assert results[4].child_id is None and results[4].outcome is MatchOutcome.NOT_FOUND
    assert "2 人" in results[4].match_reason
    assert results[5].child_id is None and results[5].outcome is MatchOutcome.NOT_FOUND


async def test_a_cli_import_keeps_its_file_and_its_comparison_runs_again_from_it(
    roster: Roster, tmp_path: Path, database_url: str
) -> None:
    from core.cli import main
    from core.files.storage import file_store

    child = await _unenrolled_child(roster, 941)
    headers = ["姓名", "性别", "出生日期", "身份证件号", "残疾类别", "残疾等级"]
    row = [child.name, child.gender.label, child.birth_date.isoformat(), child.id_number]
    path = write_csv(tmp_path / "残联名册.csv", headers, [[*row, "肢体残疾", "二级"]], "gbk")

    def run(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    base = ["--database-url", database_url, "-j", LIPU]
    imported = await asyncio.to_thread(run, "import", "DISABLED_ROSTER", str(path), *base)
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.output[imported.output.index("{") :])
    assert summary["comparison"]["counts"]["CASE_OPENED"] == 1
    assert file_store().get(summary["checksum"]) == path.read_bytes()  # kept as uploads are

    path.unlink()  # the comparison is run again from the kept file, not the operator's copy
    again = await asyncio.to_thread(run, "compare", *base, "--job", summary["job"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["counts"] == {"HAS_CASE": 1}
    assert await Case.filter(child=child).count() == 1

    unknown = await asyncio.to_thread(run, "compare", *base, "--job", "not-a-job")
    assert unknown.exit_code == 1 and "no list import job" in unknown.output


def test_the_import_command_refuses_a_report_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    """A clear usage error (exit 2) before anything is read, not a traceback."""
    from core.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text("姓名\n", encoding="utf-8")
    args = ["import", "STUDENT_ROSTER", str(roster), "-j", LIPU, "--report", "x.pdf"]
    result = CliRunner().invoke(main, [*args, "--database-url", f"sqlite://{tmp_path / 'n.db'}"])
    assert result.exit_code == 2, result.output
    assert "--report" in result.output and ".xlsx or .csv" in result.output
