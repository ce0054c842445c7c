"""The demo county generator (``baoxue demo``): counts, validity, coverage, determinism,
plugin counties, demo credentials and the command's refusal without ``--reset``."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from tortoise.context import TortoiseContext

from core.cases.enums import TERMINAL_STATES, CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.events import event_details, payload_of
from core.cases.models import Case, CaseEvent
from core.cases.workflow import CaseAction, next_state
from core.demo.calendar import DEMO_TODAY
from core.demo.casework import case_count
from core.demo.generator import generate_demo
from core.demo.organisation import DEFAULT_DEMO_JURISDICTION
from core.demo.reset import delete_jurisdiction
from core.enrolment.models import (
    STATUS_AFTER_CHANGE,
    Enrolment,
    EnrolmentChange,
    EnrolmentStatus,
)
from core.jurisdictions.models import Town
from core.officials.models import Duty, Official, ResponsibilityAssignment
from core.people.enums import KeyGroup, PovertyStatus
from core.people.models import Child, ChildKeyGroup, Guardian, Household
from core.people.resident_id import parse_resident_id
from core.plugins import get_registry
from core.schools.models import School, SchoolClass, SchoolKind
from core.visits.models import HomeVisit, SupportPlan
from tests.conftest import _admin, _server_url

N = 300
SEED = 7


async def _demo(students: int = N, seed: int = SEED, spec=DEFAULT_DEMO_JURISDICTION):
    return await generate_demo(spec, students=students, seed=seed)


async def test_counts_and_organisation(db: TortoiseContext) -> None:
    summary = await _demo()
    assert summary.counts["Child"] == await Child.all().count()
    enrolled = await Enrolment.filter(is_current=True, status=EnrolmentStatus.ENROLLED).count()
    assert enrolled == N
    # seed 7: 457 children for 300 pupils enrolled (under-sixes, 16–18, never enrolled,
    # dropped out …)
    assert await Child.all().count() == 457
    assert await Town.all().count() == len(DEFAULT_DEMO_JURISDICTION.towns)
    kinds = set(await School.all().values_list("kind", flat=True))
    assert kinds == set(SchoolKind)
    assert await School.filter(kind=SchoolKind.SPECIAL).count() == 1
    codes = await School.all().values_list("code", flat=True)
    assert all(len(c) == 10 and c.isdigit() and c.startswith("369901") for c in codes)
    grades = set(await SchoolClass.filter(school_year=2026).values_list("grade", flat=True))
    assert grades == set(range(1, 10))
    assert not await SchoolClass.filter(head_teacher_id__isnull=True).exists()
    heads = await Official.filter(head_of_classes__id__isnull=False).values_list("phone", flat=True)
    assert heads and all(len(p) == 11 for p in heads)
    titles = set(await Official.all().values_list("title", flat=True))
    assert {"局长", "基教股股长", "学籍管理员"} <= titles
    duties = set(await ResponsibilityAssignment.all().values_list("duty", flat=True))
    assert {Duty.SCHOOL, Duty.GRADE, Duty.CLASS, Duty.CHILD, Duty.TOWN} <= duties
    # 一人一档 of the education line: every class has its 班主任包班.
    assert await ResponsibilityAssignment.filter(duty=Duty.CLASS).count() == (
        await SchoolClass.all().count()
    )


async def test_resident_ids_valid_and_matching(db: TortoiseContext) -> None:
    await _demo()
    rows = await Child.all().values("id_number", "student_number", "gender", "birth_date")
    numbers = [r["id_number"] for r in rows]
    assert len(set(numbers)) == len(numbers)
    for row in rows:
        parsed = parse_resident_id(row["id_number"], today=DEMO_TODAY)
        assert parsed.division_code == "369901"
        assert parsed.birth_date == row["birth_date"]
        assert parsed.gender == row["gender"]
        if row["student_number"] is not None:
            assert row["student_number"] == "G" + row["id_number"]
        age = (DEMO_TODAY - row["birth_date"]).days / 365.25
        assert 0 <= age < 19
    for number in await Guardian.filter(id_number__isnull=False).values_list(
        "id_number", flat=True
    ):
        parse_resident_id(number, today=DEMO_TODAY)
    enrolled_children = await Enrolment.filter(is_current=True).values_list("child_id", flat=True)
    assert not await Child.filter(id__in=enrolled_children, student_number__isnull=True).exists()


async def test_every_key_group_state_kind_and_source(db: TortoiseContext) -> None:
    await _demo()
    assert set(await ChildKeyGroup.all().values_list("group", flat=True)) == set(KeyGroup)
    assert set(await Case.all().values_list("state", flat=True)) == set(CaseState)
    assert set(await Case.all().values_list("kind", flat=True)) == set(CaseKind)
    assert set(await Case.all().values_list("source", flat=True)) == set(CaseSource)
    statuses = set(await Household.all().values_list("poverty_status", flat=True))
    assert statuses == set(PovertyStatus)
    # Key groups mirror the household.
    lifted = await ChildKeyGroup.filter(group=KeyGroup.POVERTY_LIFTED).values_list(
        "child__household__poverty_status", flat=True
    )
    assert set(lifted) == {PovertyStatus.LIFTED_OUT}
    low = await ChildKeyGroup.filter(group=KeyGroup.LOW_INCOME).values_list(
        "child__household__is_low_income", flat=True
    )
    assert set(low) == {True}
    disabled = await ChildKeyGroup.filter(group=KeyGroup.DISABLED).values_list(
        "child__disability_category", flat=True
    )
    assert disabled and None not in disabled
    # seed 7, 300 pupils: 48 support plans and 51 home visits outside any case (drawn child
    # by child in the generator's _care: placements for disabled children, then by chance)
    assert await SupportPlan.all().count() == 48
    assert await HomeVisit.filter(case_id__isnull=True).count() == 51


async def test_cases_follow_the_workflow(db: TortoiseContext) -> None:
    await _demo()
    cases = await Case.all()
    # a county this small gets case_count's floor of 66 (300 / 18 rounds to 17)
    assert len(cases) == case_count(N) == 66
    events: dict[object, list[CaseEvent]] = defaultdict(list)
    for event in await CaseEvent.all().order_by("occurred_at"):
        events[event.case_id].append(event)
    overdue = 0
    for case in cases:
        timeline = events[case.id]
        assert timeline[0].kind == CaseEventKind.REPORT
        assert timeline[0].occurred_at == case.opened_at
        assert case.version == len(timeline)
        state = None
        for event in timeline:
            action = CaseAction(event.details["action"])
            assert event.from_state == state
            state = next_state(action, state)
            assert event.to_state == state
            assert event.occurred_at.tzinfo is not None
            assert event.occurred_at.date() <= DEMO_TODAY
        assert state == case.state
        if case.state in TERMINAL_STATES:
            assert case.open_key is None
            assert case.closed_at == timeline[-1].occurred_at
            assert case.next_deadline_at is None
        else:
            assert case.open_key == f"{case.child_id}:{case.kind.value}"
            assert case.closed_at is None
            if case.next_deadline_at is not None:
                overdue += case.next_deadline_at < datetime(2026, 11, 20, tzinfo=UTC)
        for event in timeline:
            # written by the payload builder of its kind, exactly as the services write it
            payload = payload_of(event.kind, event.details)
            note = event.details.get("note", "")
            action = CaseAction(event.details["action"])
            assert event_details(action, payload, note) == event.details
            if event.kind == CaseEventKind.RETURN_NOTICE:
                assert {"number", "issuedOn", "deadline", "deadlineAt"} <= set(event.details)
            if event.kind == CaseEventKind.ESCALATION:
                assert {"fromLevel", "toLevel", "toWhom"} <= set(event.details)
            if event.kind == CaseEventKind.PERSUASION:
                assert {"method", "participants", "outcome"} <= set(event.details)
    assert overdue == 21  # seed 7: 21 of the open cases are past their deadline on DEMO_TODAY
    # Dropouts confirmed and being persuaded are off the roll.
    for case in [c for c in cases if c.kind == CaseKind.DROPOUT]:
        if case.state in (CaseState.CONFIRMED, CaseState.PERSUADING, CaseState.UNREACHABLE):
            enrolment = await Enrolment.get(child_id=case.child_id, is_current=True)
            assert enrolment.status == EnrolmentStatus.DROPPED_OUT


async def test_enrolment_history_agrees_with_status(db: TortoiseContext) -> None:
    await _demo()
    changes: dict[object, list[EnrolmentChange]] = defaultdict(list)
    for change in await EnrolmentChange.all().order_by("occurred_on"):
        changes[change.enrolment_id].append(change)
    enrolments = await Enrolment.all()
    statuses = {e.status for e in enrolments}
    assert {
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.SUSPENDED,
        EnrolmentStatus.DROPPED_OUT,
        EnrolmentStatus.TRANSFERRED_OUT,
        EnrolmentStatus.GRADUATED,
    } <= statuses
    for enrolment in enrolments:
        history = changes[enrolment.id]
        assert history, enrolment.id
        assert history[0].kind in ("ENROL", "TRANSFER_IN")
        assert history[0].occurred_on == enrolment.started_on
        for change in history:
            assert change.status_after == STATUS_AFTER_CHANGE[change.kind]
        assert history[-1].status_after == enrolment.status
        if enrolment.status == EnrolmentStatus.TRANSFERRED_OUT:
            assert enrolment.ended_on == history[-1].occurred_on
    assert await Enrolment.filter(is_current=True).count() == len({e.child_id for e in enrolments})


async def test_same_seed_same_data_other_seed_other_data(db: TortoiseContext) -> None:
    async def snapshot() -> tuple:
        children = await Child.all().order_by("id").values_list("id", "id_number", "name")
        cases = await Case.all().order_by("id").values_list("id", "state", "child_id")
        schools = await School.all().order_by("id").values_list("id", "code", "name")
        return children, cases, schools

    summary = await _demo(students=200, seed=11)
    first = await snapshot()
    # every row the generator wrote, attendance included, and nothing else (8,723 at seed 11,
    # 200 pupils)
    assert await delete_jurisdiction("369901") == sum(summary.counts.values()) == 8723
    assert not await Child.all().exists()
    await _demo(students=200, seed=11)
    assert await snapshot() == first
    await delete_jurisdiction("369901")
    await _demo(students=200, seed=12)
    other = await snapshot()
    assert other[0] != first[0]
    assert {r[0] for r in other[0]}.isdisjoint({r[0] for r in first[0]})


async def test_plugin_county_lipu(db: TortoiseContext) -> None:
    spec = get_registry().jurisdiction("450381")
    assert spec is not None
    await _demo(students=200, spec=spec)
    towns = set(
        await Town.filter(jurisdiction__division_code="450381").values_list("name", flat=True)
    )
    assert towns == {t.name for t in spec.towns}
    assert len(towns) == 13
    names = set(await School.all().values_list("name", flat=True))
    assert {"民中", "滨江小学", "云惠学校", "特校"} <= names
    assert all(c.startswith("450381") for c in await School.all().values_list("code", flat=True))
    chief = await Official.get(name="吴朝春")
    assert "局长" in chief.title
    assert await ResponsibilityAssignment.filter(official=chief, duty=Duty.OVERALL).exists()
    zhang = await Official.get(name="张辉")
    town_rows = await ResponsibilityAssignment.filter(official=zhang, duty=Duty.TOWN).values_list(
        "town__name", flat=True
    )
    assert town_rows == ["青山镇"]
    ids = await Child.all().values_list("id_number", flat=True)
    assert all(n.startswith("450381") for n in ids)
    ethnicities = set(await Child.all().values_list("ethnicity", flat=True))
    assert {"壮族", "瑶族"} & ethnicities
    # 附件: 青山镇（含特校）（张辉） — the special school is in 青山镇, under 张辉.
    special = await School.get(kind=SchoolKind.SPECIAL).prefetch_related("town")
    assert (special.name, special.town.name) == ("特校", "青山镇")
    covered = await ResponsibilityAssignment.filter(
        school_id=special.id, duty=Duty.SCHOOL, official__name="张辉"
    ).exists()
    assert covered
    assert (await Official.get(name="吴朝春")).organisation == "荔浦市教育局"


async def test_plugin_county_tiedong_builds_its_zhongxue_only(db: TortoiseContext) -> None:
    # The plan is for the district's 中学 (its title): its scope is grades 7–9.
    spec = get_registry().jurisdiction("210302")
    assert get_registry().for_jurisdiction("210302").scope.grades == (7, 8, 9)
    await _demo(students=200, spec=spec)
    kinds = set(await School.all().values_list("kind", flat=True))
    assert kinds == {SchoolKind.JUNIOR_MIDDLE, SchoolKind.SPECIAL}
    assert set(await SchoolClass.all().values_list("grade", flat=True)) == {7, 8, 9}
    grades = set(await Enrolment.filter(is_current=True).values_list("grade", flat=True))
    assert grades <= {7, 8, 9}
    enrolled = await Enrolment.filter(is_current=True, status=EnrolmentStatus.ENROLLED).count()
    assert enrolled == 200
    youngest = max(await Child.all().values_list("birth_date", flat=True))
    assert (DEMO_TODAY - youngest).days / 365.25 > 10  # no under-sixes, no primary pupils
    ethnicities = set(await Child.all().values_list("ethnicity", flat=True))
    assert ethnicities <= {"汉族", "满族", "回族", "朝鲜族"}


async def test_plugin_county_rongchang_bureau_is_the_education_commission(
    db: TortoiseContext,
) -> None:
    spec = get_registry().jurisdiction("500153")
    await _demo(students=200, spec=spec)
    bureau = await Official.filter(title="学籍管理员").values_list("organisation", flat=True)
    assert set(bureau) == {"重庆市荣昌区教育委员会"}


# -- the command -----------------------------------------------------------------------------


@pytest.fixture
def scratch_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of the run's kind for the command: a SQLite file, or a scratch PostgreSQL
    database (Tortoise caches INSERT statements per connection name, process-wide, so one
    process should not mix the two). The working directory is the temporary one, where
    ``demo-credentials.txt`` goes for PostgreSQL."""
    monkeypatch.chdir(tmp_path)
    server = _server_url()
    if server is None:
        yield f"sqlite://{tmp_path / 'demo.db'}"
        return
    name = f"baoxue_demo_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _cli(*args: str):
    from core.cli import main

    return CliRunner().invoke(main, ["demo", *args], catch_exceptions=False)


def test_demo_command_refuses_without_reset_and_reloads_with_it(
    scratch_url: str, tmp_path: Path
) -> None:
    first = _cli("--students", "200", "--database-url", scratch_url)
    assert first.exit_code == 0, first.output
    # without --jurisdiction: the README's demo county, from the plugin that declares it
    assert "荔浦市 (450381)" in first.output
    # not on a terminal: progress as plain lines, the last one at 100 %
    assert "applying / 正在应用 baoxue.0001_initial" in first.output
    assert "生成 荔浦市 / generating: " in first.output and "(100%)" in first.output
    assert "demo-admin" in first.output
    assert "baoxue-demo-2026" in first.output
    credentials = tmp_path / "demo-credentials.txt"
    assert credentials.exists()
    again = _cli("--students", "200", "--database-url", scratch_url)
    assert again.exit_code == 1
    assert "--reset" in again.output
    empty = _cli("--students", "200", "--if-empty", "--database-url", scratch_url)
    assert empty.exit_code == 0
    assert "demo-admin" in empty.output  # the stored credentials, shown again
    reset = _cli("--students", "200", "--reset", "--database-url", scratch_url)
    assert reset.exit_code == 0, reset.output
    unknown = _cli("--jurisdiction", "999999", "--database-url", scratch_url)
    assert unknown.exit_code == 1
    assert "450381" in unknown.output


async def test_demo_accounts_can_log_in(db: TortoiseContext) -> None:
    from core.access.accounts import login
    from core.access.enums import Role
    from core.access.models import ApiKey, StaffAccount
    from core.demo.credentials import DEMO_PASSWORD, create_demo_credentials

    await _demo(students=200)
    credentials = await create_demo_credentials("369901", now=datetime.now(UTC))
    roles = {a.role for a in credentials.accounts}
    assert roles == set(Role)
    for account in credentials.accounts:
        result = await login(account.username, DEMO_PASSWORD, now=datetime.now(UTC))
        assert result.token
    assert await StaffAccount.all().count() == len(Role)
    key = await ApiKey.get(agency="演示公安局")
    assert sorted(key.permissions) == ["READ_CASES", "VERIFY_ENROLMENT"]
    assert credentials.api_key.startswith("bx_")
