"""Row-level scope rule by rule (core/access/scope.py), on a small world built by hand, so that
each rule is held to the exact rows it must give and nothing else, fast enough to run under
mutation testing.

The world (荔浦 450381, with a second county 荣昌 500153 and a county no plugin declares):

* 青山镇 with 青山村 and two schools: 中心小学 (class 4, four children) and 民族中学 (class 5,
  one child); 白沙镇 with 白沙村 and 白沙小学 (one child, who lives in 青山村);
* a child enrolled nowhere who lives in 白沙村, and one who lives in 青山村 and is enrolled
  nowhere either;
* cases at escalation levels 0, 1 and 2 and one UNREACHABLE, in each county: 荔浦 and core's
  chain hand cases to the township from level 3 (escalation_level 2), 荣昌's from level 2.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Permission, ScopeKind
from core.access.models import ApiKey, AuditEntry, AuthSession, StaffAccount
from core.access.scope import jurisdiction_ids, list_permissions, restrict, scoped
from core.assistance.models import Assistance
from core.attendance.models import (
    AbsenceFollowUp,
    AttendanceAlert,
    AttendanceMark,
    ClassDay,
    ClassDayRevision,
    FollowUpOutcome,
    MarkKind,
    SchoolClosure,
)
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.models import Case, CaseAttachment, CaseEvent
from core.enrolment.models import (
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentStatus,
)
from core.events.enums import EventKind
from core.events.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.files.models import Attachment
from core.imports.models import (
    ComparisonKind,
    ComparisonResult,
    ComparisonRun,
    ImportJob,
    ImportMode,
    ImportState,
    MatchOutcome,
)
from core.jurisdictions.models import (
    Jurisdiction,
    KeyArea,
    KeyAreaKind,
    SchoolGroup,
    SchoolGroupKind,
    Town,
    Village,
)
from core.officials.models import (
    Duty,
    LeadershipRole,
    Official,
    ResponsibilityAssignment,
    ResponsibilityLine,
    SchoolLeadershipGroup,
    SchoolLeadershipSeat,
)
from core.people.enums import Gender, GuardianRelation, KeyGroup
from core.people.models import Child, ChildKeyGroup, ChildMerge, Guardian, Household
from core.reports.enums import SubmissionState
from core.reports.models import ReportSnapshot, ReportSubmissionEvent
from core.schools.models import School, SchoolClass, SchoolKind
from core.visits.models import (
    HomeVisit,
    PlacementAssessment,
    PlacementRecommendation,
    SchoolPlan,
    SupportPlan,
    SupportPlanKind,
)

P = Permission
EVERYTHING = frozenset(P)
OPENED = datetime(2026, 3, 2, tzinfo=UTC)


@dataclass
class World:
    county: Jurisdiction
    qingshan: Town
    baisha: Town
    central: School
    ethnic: School
    baisha_school: School
    class_4: SchoolClass
    class_5: SchoolClass
    #: children by name
    kids: dict[str, Child] = field(default_factory=dict)
    #: cases by name: "<county>-<level>" and "<county>-unreachable"
    cases: dict[str, Case] = field(default_factory=dict)
    counties: dict[str, Jurisdiction] = field(default_factory=dict)


def caller(world_county: Jurisdiction, kind: ScopeKind, permissions=EVERYTHING, **where) -> Caller:
    return Caller(
        kind=ActorKind.STAFF,
        label="test",
        scope=Scope(kind=kind, jurisdiction_id=world_county.id, **where),
        permissions=frozenset(permissions),
    )


async def _child(county, name: str, household=None, school=None, klass=None, grade=4) -> Child:
    child = await Child.create(
        jurisdiction=county,
        household=household,
        name=name,
        gender=Gender.FEMALE,
        birth_date=date(2016, 3, 1),
    )
    if school is not None:
        await Enrolment.create(
            child=child,
            school=school,
            school_class=klass,
            grade=grade,
            status=EnrolmentStatus.ENROLLED,
            started_on=date(2022, 9, 1),
        )
    return child


async def _case(county, child, level: int, state=CaseState.PERSUADING) -> Case:
    return await Case.create(
        jurisdiction=county,
        child=child,
        kind=CaseKind.DROPOUT,
        state=state,
        source=CaseSource.HOUSEHOLD_SURVEY,
        reason="OTHER",
        escalation_level=level,
        opened_at=OPENED,
    )


async def _small_county(code: str, name: str) -> tuple[Jurisdiction, list[Child], Town]:
    """A county with one town, one school and one class of four children."""
    county = await Jurisdiction.create(division_code=code, name=name)
    town = await Town.create(jurisdiction=county, name=f"{name}镇")
    school = await School.create(
        jurisdiction=county, town=town, code=f"21{code}01", name="小学", kind=SchoolKind.PRIMARY
    )
    klass = await SchoolClass.create(school=school, school_year=2025, grade=4, name="(1)班")
    kids = [await _child(county, f"{name}{i}", school=school, klass=klass) for i in range(4)]
    return county, kids, town


@pytest.fixture
async def world(db) -> World:
    county = await Jurisdiction.create(division_code="450381", name="荔浦市")
    qingshan = await Town.create(jurisdiction=county, name="青山镇")
    baisha = await Town.create(jurisdiction=county, name="白沙镇")
    qingshan_village = await Village.create(town=qingshan, name="青山村")
    baisha_village = await Village.create(town=baisha, name="白沙村")
    central, ethnic, baisha_school = [
        await School.create(jurisdiction=county, town=town, code=code, name=name, kind=kind)
        for town, code, name, kind in (
            (qingshan, "2145038101", "中心小学", SchoolKind.PRIMARY),
            (qingshan, "2145038102", "民族中学", SchoolKind.JUNIOR_MIDDLE),
            (baisha, "2145038103", "白沙小学", SchoolKind.PRIMARY),
        )
    ]
    class_4 = await SchoolClass.create(school=central, school_year=2025, grade=4, name="(1)班")
    class_5 = await SchoolClass.create(school=ethnic, school_year=2025, grade=5, name="(2)班")
    qingshan_home = await Household.create(
        jurisdiction=county, village=qingshan_village, head_name="黄大明"
    )
    baisha_home = await Household.create(
        jurisdiction=county, village=baisha_village, head_name="韦大海"
    )
    for home in (qingshan_home, baisha_home):
        await Guardian.create(household=home, name=home.head_name, relation=GuardianRelation.FATHER)
    w = World(county, qingshan, baisha, central, ethnic, baisha_school, class_4, class_5)
    for i in range(4):
        w.kids[f"c4-{i}"] = await _child(county, f"四班{i}", qingshan_home, central, class_4)
    w.kids["c5"] = await _child(county, "五班", None, ethnic, class_5, grade=5)
    # enrolled in 白沙镇, living in 青山村: both towns reach this child
    w.kids["commuter"] = await _child(county, "走读", qingshan_home, baisha_school, None)
    w.kids["baisha-home"] = await _child(county, "白沙在家", baisha_home)  # enrolled nowhere
    w.kids["no-home"] = await _child(county, "无户")  # no household, no school
    for level in (0, 1, 2):
        w.cases[f"lipu-{level}"] = await _case(county, w.kids[f"c4-{level}"], level)
    w.cases["lipu-unreachable"] = await _case(county, w.kids["commuter"], 0, CaseState.UNREACHABLE)
    w.counties["lipu"] = county
    for key, code, name in (("rongchang", "500153", "荣昌"), ("plain", "430999", "无插件县")):
        other, kids, _ = await _small_county(code, name)
        w.counties[key] = other
        for level in (0, 1, 2):
            w.cases[f"{key}-{level}"] = await _case(other, kids[level], level)
        w.cases[f"{key}-unreachable"] = await _case(other, kids[3], 0, CaseState.UNREACHABLE)
    return w


async def _ids(model, who: Caller) -> set[Any]:
    return set(await scoped(model, who).values_list("id", flat=True))


def _of(*rows) -> set[Any]:
    return {r.id for r in rows}


# -- children by scope -------------------------------------------------------------------------


async def test_a_county_caller_sees_every_child_of_its_county_only(world: World) -> None:
    assert await _ids(Child, caller(world.county, ScopeKind.COUNTY)) == _of(*world.kids.values())


async def test_a_town_reaches_children_enrolled_there_or_living_there(world: World) -> None:
    qingshan = caller(world.county, ScopeKind.TOWN, town_ids=frozenset({world.qingshan.id}))
    k = world.kids
    assert await _ids(Child, qingshan) == _of(
        k["c4-0"], k["c4-1"], k["c4-2"], k["c4-3"], k["c5"], k["commuter"]
    )
    baisha = caller(world.county, ScopeKind.TOWN, town_ids=frozenset({world.baisha.id}))
    assert await _ids(Child, baisha) == _of(k["commuter"], k["baisha-home"])
    both = caller(
        world.county, ScopeKind.TOWN, town_ids=frozenset({world.qingshan.id, world.baisha.id})
    )
    assert await _ids(Child, both) == _of(*world.kids.values()) - _of(k["no-home"])


async def test_a_school_and_a_class_reach_the_children_currently_there(world: World) -> None:
    k = world.kids
    school = caller(world.county, ScopeKind.SCHOOL, school_id=world.central.id)
    assert await _ids(Child, school) == _of(k["c4-0"], k["c4-1"], k["c4-2"], k["c4-3"])
    assert await _ids(Child, caller(world.county, ScopeKind.SCHOOL, school_id=world.ethnic.id)) == (
        _of(k["c5"])
    )
    klass = caller(world.county, ScopeKind.CLASS, class_id=world.class_5.id)
    assert await _ids(Child, klass) == _of(k["c5"])
    # a child who left is no longer the class's
    await Enrolment.filter(child_id=k["c5"].id).update(is_current=False)
    assert await _ids(Child, klass) == set()


async def test_roster_rows_need_read_roster(world: World) -> None:
    no_roster = caller(world.county, ScopeKind.COUNTY, EVERYTHING - {P.READ_ROSTER})
    for model in (Child, Household, Guardian, Enrolment, Assistance):
        assert await _ids(model, no_roster) == set(), model.__name__
    assert await _ids(Household, caller(world.county, ScopeKind.COUNTY)) == set(
        await Household.filter(jurisdiction=world.county).values_list("id", flat=True)
    )


async def test_households_and_guardians_follow_the_children(world: World) -> None:
    baisha = caller(world.county, ScopeKind.TOWN, town_ids=frozenset({world.baisha.id}))
    homes = await _ids(Household, baisha)
    # the commuter's household lives in 青山村 but the child is reached through the school
    assert homes == {world.kids["commuter"].household_id, world.kids["baisha-home"].household_id}
    guardians = await Guardian.filter(household_id__in=list(homes)).values_list("id", flat=True)
    assert await _ids(Guardian, baisha) == set(guardians)
    klass = caller(world.county, ScopeKind.CLASS, class_id=world.class_5.id)
    assert await _ids(Household, klass) == set()  # 五班's child has no household
    county = caller(world.county, ScopeKind.COUNTY)
    assert len(await _ids(Guardian, county)) == 2


async def test_enrolments_follow_the_children(world: World) -> None:
    klass = caller(world.county, ScopeKind.CLASS, class_id=world.class_4.id)
    assert await _ids(Enrolment, klass) == set(
        await Enrolment.filter(school_class=world.class_4).values_list("id", flat=True)
    )


# -- places ------------------------------------------------------------------------------------


async def test_places_by_scope(world: World) -> None:
    town = caller(world.county, ScopeKind.TOWN, town_ids=frozenset({world.baisha.id}))
    assert await _ids(Town, town) == _of(world.baisha)
    assert await _ids(Village, town) == set(
        await Village.filter(town=world.baisha).values_list("id", flat=True)
    )
    assert await _ids(School, town) == _of(world.baisha_school)
    assert await _ids(SchoolClass, town) == set()
    county = caller(world.county, ScopeKind.COUNTY)
    assert await _ids(Town, county) == _of(world.qingshan, world.baisha)
    assert len(await _ids(Village, county)) == 2
    assert await _ids(School, county) == _of(world.central, world.ethnic, world.baisha_school)
    assert await _ids(SchoolClass, county) == _of(world.class_4, world.class_5)
    assert await _ids(Jurisdiction, county) == _of(world.county)
    school = caller(world.county, ScopeKind.SCHOOL, school_id=world.ethnic.id)
    assert await _ids(School, school) == _of(world.ethnic)
    assert await _ids(SchoolClass, school) == _of(world.class_5)
    klass = caller(world.county, ScopeKind.CLASS, class_id=world.class_4.id)
    assert await _ids(School, klass) == _of(world.central)
    assert await _ids(SchoolClass, klass) == _of(world.class_4)


# -- cases -------------------------------------------------------------------------------------


def _cases(world: World, *names: str) -> set[Any]:
    return {world.cases[n].id for n in names}


async def test_read_cases_sees_every_case_in_scope(world: World) -> None:
    county = caller(world.county, ScopeKind.COUNTY, {P.READ_CASES})
    lipu = ("lipu-0", "lipu-1", "lipu-2", "lipu-unreachable")
    assert await _ids(Case, county) == _cases(world, *lipu)
    school = caller(world.county, ScopeKind.SCHOOL, {P.READ_CASES}, school_id=world.central.id)
    assert await _ids(Case, school) == _cases(world, "lipu-0", "lipu-1", "lipu-2")
    assert await _ids(Case, caller(world.county, ScopeKind.COUNTY, {P.READ_ROSTER})) == set()


@pytest.mark.parametrize(
    ("county", "visible"),
    [
        ("lipu", ("lipu-2", "lipu-unreachable")),  # 荔浦: from level 3 (escalation_level 2)
        ("rongchang", ("rongchang-1", "rongchang-2", "rongchang-unreachable")),  # from level 2
        ("plain", ("plain-2", "plain-unreachable")),  # core's chain: from level 3
    ],
)
async def test_escalated_cases_are_those_handed_to_the_township(
    world: World, county: str, visible: tuple[str, ...]
) -> None:
    township = caller(world.counties[county], ScopeKind.COUNTY, {P.READ_ESCALATED_CASES})
    assert await _ids(Case, township) == _cases(world, *visible)
    events = await CaseEvent.filter(case_id__in=list(_cases(world, *visible))).count()
    assert await scoped(CaseEvent, township).count() == events


async def test_a_township_key_sees_its_towns_escalated_cases_only(world: World) -> None:
    baisha = caller(
        world.county, ScopeKind.TOWN, {P.READ_ESCALATED_CASES}, town_ids={world.baisha.id}
    )
    assert await _ids(Case, baisha) == _cases(world, "lipu-unreachable")
    qingshan = caller(
        world.county, ScopeKind.TOWN, {P.READ_ESCALATED_CASES}, town_ids={world.qingshan.id}
    )
    assert await _ids(Case, qingshan) == _cases(world, "lipu-2", "lipu-unreachable")


# -- who sees nothing, who sees everything ------------------------------------------------------


async def test_no_scope_sees_nothing_and_the_system_everything(world: World) -> None:
    nobody = Caller(kind=ActorKind.STAFF, label="x", scope=None, permissions=EVERYTHING)
    system = Caller.system()
    for model in (Child, Case, School, Jurisdiction):
        assert await scoped(model, nobody).count() == 0, model.__name__
        assert await scoped(model, system).count() == await model.all().count(), model.__name__
    assert jurisdiction_ids(nobody) == []
    assert jurisdiction_ids(system) is None
    assert jurisdiction_ids(caller(world.county, ScopeKind.COUNTY)) == [world.county.id]
    ordered = Child.filter(name__startswith="四班").order_by("-name")
    assert [c.name for c in await restrict(ordered, system)] == ["四班3", "四班2", "四班1", "四班0"]
    school = caller(world.county, ScopeKind.SCHOOL, school_id=world.central.id)
    assert [c.name for c in await restrict(ordered.limit(2), school)] == ["四班3", "四班2"]
    assert await restrict(Child.all(), nobody).count() == 0


async def test_accounts_keys_and_the_audit_log_need_their_permissions(world: World) -> None:
    await StaffAccount.create(
        username="a", password_hash="x", role="BUREAU_STAFF", jurisdiction=world.county,
        scope_kind=ScopeKind.COUNTY,
    )  # fmt: skip
    await ApiKey.create(
        prefix="bx_t", key_hash="x", agency="民政局", jurisdiction=world.county,
        permissions=["READ_CASES"], expires_at=OPENED,
    )  # fmt: skip
    await AuditEntry.create(
        occurred_at=OPENED, actor_kind=ActorKind.STAFF, action="LOGIN", jurisdiction=world.county
    )
    admin = caller(world.county, ScopeKind.COUNTY)
    other = caller(world.counties["rongchang"], ScopeKind.COUNTY)
    for model, permission in (
        (StaffAccount, P.MANAGE_ACCOUNTS),
        (ApiKey, P.MANAGE_API_KEYS),
        (AuditEntry, P.READ_AUDIT),
    ):
        assert await scoped(model, admin).count() == 1, model.__name__
        assert await scoped(model, other).count() == 0, model.__name__
        without = caller(world.county, ScopeKind.COUNTY, EVERYTHING - {permission})
        assert await scoped(model, without).count() == 0, model.__name__
        assert list_permissions(model) == (permission,)


def test_list_permissions() -> None:
    assert list_permissions(Child) == (P.READ_ROSTER,)
    assert list_permissions(Case) == (P.READ_CASES, P.READ_ESCALATED_CASES)
    assert list_permissions(CaseEvent) == (P.READ_CASES, P.READ_ESCALATED_CASES)
    assert list_permissions(School) == ()


async def test_a_model_without_a_rule_is_an_error_not_everything(world: World) -> None:
    # sessions are never listed: scope.py has no rule for them, and says so
    with pytest.raises(LookupError, match=r"^no scope rule for AuthSession: add one to"):
        scoped(AuthSession, caller(world.county, ScopeKind.COUNTY))


async def test_a_town_also_reaches_the_households_living_there_without_a_child(
    world: World,
) -> None:
    """A household in the town's villages is the township's even when no child of it is
    reached (the children grew up or moved away); a school reaches only its children's."""
    village = await Village.get(town=world.qingshan)
    empty_here = await Household.create(
        jurisdiction=world.county, village=village, head_name="空户"
    )
    elsewhere = await Village.get(town=world.baisha)
    empty_there = await Household.create(
        jurisdiction=world.county, village=elsewhere, head_name="空户二"
    )
    qingshan = caller(world.county, ScopeKind.TOWN, town_ids=frozenset({world.qingshan.id}))
    homes = await _ids(Household, qingshan)
    assert empty_here.id in homes and empty_there.id not in homes
    assert homes == {empty_here.id, world.kids["c4-0"].household_id}
    school = caller(world.county, ScopeKind.SCHOOL, school_id=world.central.id)
    assert await _ids(Household, school) == {world.kids["c4-0"].household_id}


# -- attachments -------------------------------------------------------------------------------


async def _attach(world: World, county: Jurisdiction, **record) -> Attachment:
    return await Attachment.create(
        jurisdiction=county,
        sha256="0" * 64,
        file_name="a.pdf",
        content_type="application/pdf",
        size_bytes=1,
        uploaded_at=OPENED,
        **record,
    )


async def test_a_file_is_seen_by_whoever_sees_its_case_visit_or_plan(world: World) -> None:
    k = world.kids
    on_case = await _attach(world, world.county, case=world.cases["lipu-0"])
    visit = await HomeVisit.create(child=k["c5"], visited_on=date(2026, 3, 3))
    plan = await SupportPlan.create(
        child=k["c5"], kind=next(iter(SupportPlanKind)), started_on=date(2026, 3, 3)
    )
    on_visit = await _attach(world, world.county, home_visit=visit)
    on_plan = await _attach(world, world.county, support_plan=plan)
    elsewhere = await _attach(world, world.counties["rongchang"], case=world.cases["rongchang-0"])

    county = caller(world.county, ScopeKind.COUNTY)
    assert await _ids(Attachment, county) == _of(on_case, on_visit, on_plan)
    class_4 = caller(world.county, ScopeKind.CLASS, class_id=world.class_4.id)
    assert await _ids(Attachment, class_4) == _of(on_case)
    class_5 = caller(world.county, ScopeKind.CLASS, class_id=world.class_5.id)
    assert await _ids(Attachment, class_5) == _of(on_visit, on_plan)
    # the visit's and the plan's files are roster records: without READ_ROSTER, none of them
    cases_only = caller(world.county, ScopeKind.COUNTY, EVERYTHING - {P.READ_ROSTER})
    assert await _ids(Attachment, cases_only) == _of(on_case)
    other = caller(world.counties["rongchang"], ScopeKind.COUNTY)
    assert await _ids(Attachment, other) == _of(elsewhere)


# -- records that hang off a child, a school or the county -------------------------------------


async def _records_of(child: Child, enrolment: Enrolment, key: str) -> dict[str, Any]:
    """One row of each record the scope table reaches through the child."""
    return {
        "ChildKeyGroup": await ChildKeyGroup.create(child=child, group=next(iter(KeyGroup))),
        "Assistance": await Assistance.create(
            child=child, programme="助学金", amount=500, school_year=2026, granted_on=OPENED.date()
        ),
        "EnrolmentChange": await EnrolmentChange.create(
            enrolment=enrolment,
            child=child,
            kind=next(iter(EnrolmentChangeKind)),
            occurred_on=OPENED.date(),
            status_after=EnrolmentStatus.ENROLLED,
        ),
        "HomeVisit": await HomeVisit.create(child=child, visited_on=OPENED.date()),
        "SupportPlan": await SupportPlan.create(
            child=child, kind=next(iter(SupportPlanKind)), started_on=OPENED.date()
        ),
        "ChildMerge": await ChildMerge.create(
            survivor=child,
            duplicate=await Child.create(
                jurisdiction_id=child.jurisdiction_id,
                name=f"重复{key}",
                gender=Gender.FEMALE,
                birth_date=child.birth_date,
            ),
            merged_at=OPENED,
        ),
        "PlacementAssessment": await PlacementAssessment.create(
            child=child,
            assessed_on=OPENED.date(),
            committee="残疾人教育专家委员会",
            recommendation=next(iter(PlacementRecommendation)),
        ),
        "AbsenceFollowUp": await AbsenceFollowUp.create(
            jurisdiction_id=child.jurisdiction_id,
            school_id=enrolment.school_id,
            child=child,
            day=OPENED.date(),
            caller_name="班主任",
            outcome=FollowUpOutcome.NOT_REACHED,
        ),
        "AttendanceAlert": await AttendanceAlert.create(
            jurisdiction_id=child.jurisdiction_id,
            school_id=enrolment.school_id,
            child=child,
            day=OPENED.date(),
            rule_code="THREE_DAYS",
            rule_name="连续三天无故缺勤",
            first_day=OPENED.date(),
            last_day=OPENED.date(),
            absences=3,
            evidence=[],
        ),
    }


CHILD_RECORDS = {
    "ChildKeyGroup": ChildKeyGroup,
    "Assistance": Assistance,
    "EnrolmentChange": EnrolmentChange,
    "HomeVisit": HomeVisit,
    "SupportPlan": SupportPlan,
    "ChildMerge": ChildMerge,
    "PlacementAssessment": PlacementAssessment,
    "AbsenceFollowUp": AbsenceFollowUp,
    "AttendanceAlert": AttendanceAlert,
}


@pytest.mark.parametrize("name", sorted(CHILD_RECORDS))
async def test_a_child_s_records_follow_the_child_and_need_read_roster(
    world: World, name: str
) -> None:
    model = CHILD_RECORDS[name]
    k = world.kids
    rows = {}
    for key in ("c4-0", "c5"):
        enrolment = await Enrolment.get(child_id=k[key].id)
        rows[key] = (await _records_of(k[key], enrolment, key))[name]
    class_5 = caller(world.county, ScopeKind.CLASS, class_id=world.class_5.id)
    assert await _ids(model, class_5) == _of(rows["c5"])
    school = caller(world.county, ScopeKind.SCHOOL, school_id=world.central.id)
    assert await _ids(model, school) == _of(rows["c4-0"])
    county = caller(world.county, ScopeKind.COUNTY)
    assert await _ids(model, county) == _of(rows["c4-0"], rows["c5"])
    no_roster = caller(world.county, ScopeKind.COUNTY, EVERYTHING - {P.READ_ROSTER})
    assert await _ids(model, no_roster) == set()
    assert await _ids(model, caller(world.counties["rongchang"], ScopeKind.COUNTY)) == set()


async def test_the_county_s_own_places_and_people_are_its_own(world: World) -> None:
    """School groups, key areas and officials belong to a county: every scope of the county
    sees its county's, none of another county's."""
    made: dict[str, dict[str, Any]] = {}
    for key in ("lipu", "rongchang"):
        county = world.counties[key]
        made[key] = {
            "SchoolGroup": await SchoolGroup.create(
                jurisdiction=county, kind=next(iter(SchoolGroupKind)), name=f"{key}学区"
            ),
            "KeyArea": await KeyArea.create(jurisdiction=county, kind=next(iter(KeyAreaKind))),
            "Official": await Official.create(jurisdiction=county, name=f"{key}干部"),
        }
    for model in (SchoolGroup, KeyArea, Official):
        for key in ("lipu", "rongchang"):
            who = caller(world.counties[key], ScopeKind.COUNTY)
            assert await _ids(model, who) == _of(made[key][model.__name__]), (model, key)


async def test_officials_assignments_and_leadership_groups_are_the_county_s_own(
    world: World,
) -> None:
    """An official's 责任分工 and a school's 控辍保学领导小组 (with its seats) belong to the
    county: every caller of the county sees its county's, never another county's."""
    made: dict[str, dict[str, Any]] = {}
    for key in ("lipu", "rongchang"):
        county = world.counties[key]
        official = await Official.create(jurisdiction=county, name=f"{key}校长")
        school = await School.filter(jurisdiction=county).order_by("code").first()
        group = await SchoolLeadershipGroup.create(
            jurisdiction=county, school=school, name=f"{key}控辍保学领导小组"
        )
        made[key] = {
            "ResponsibilityAssignment": await ResponsibilityAssignment.create(
                jurisdiction=county,
                official=official,
                line=ResponsibilityLine.EDUCATION,
                duty=Duty.SCHOOL,
                school=school,
            ),
            "SchoolLeadershipGroup": group,
            "SchoolLeadershipSeat": await SchoolLeadershipSeat.create(
                group=group, official=official, role=LeadershipRole.LEADER
            ),
        }
    for model in (ResponsibilityAssignment, SchoolLeadershipGroup, SchoolLeadershipSeat):
        for key in ("lipu", "rongchang"):
            for who in (
                caller(world.counties[key], ScopeKind.COUNTY),
                caller(world.counties[key], ScopeKind.TOWN, town_ids=frozenset()),
            ):
                assert await _ids(model, who) == _of(made[key][model.__name__]), (model, key)


async def _class_day(school: School, klass: SchoolClass) -> ClassDay:
    day = await ClassDay.create(
        jurisdiction_id=school.jurisdiction_id,
        school=school,
        school_class=klass,
        day=OPENED.date(),
        expected=4,
        present=3,
        absent=1,
        late=0,
        recorded_at=OPENED,
    )
    await ClassDayRevision.create(
        class_day=day,
        version=1,
        expected=4,
        present=4,
        absent=0,
        late=0,
        marks=[],
        recorded_at=OPENED,
        replaced_at=OPENED,
    )
    return day


async def test_attendance_days_closures_and_plans_follow_the_class_and_the_school(
    world: World,
) -> None:
    """A class day (and its revisions) is seen by its class, its school, its town and its
    county, with READ_ROSTER; a mark follows its child; a school's closures and plans follow
    the school, for any caller of it."""
    k = world.kids
    class_4b = await SchoolClass.create(
        school=world.central, school_year=2025, grade=4, name="(2)班"
    )
    rongchang = world.counties["rongchang"]
    rongchang_class = await SchoolClass.get(school__jurisdiction=rongchang)
    rongchang_school = await School.get(jurisdiction=rongchang)
    days = {
        "class-4": await _class_day(world.central, world.class_4),
        "class-4b": await _class_day(world.central, class_4b),
        "class-5": await _class_day(world.ethnic, world.class_5),
        "rongchang": await _class_day(rongchang_school, rongchang_class),
    }
    marks = {
        key: await AttendanceMark.create(
            class_day=days[day],
            jurisdiction=world.county,
            school_id=days[day].school_id,
            child=k[key],
            day=OPENED.date(),
            kind=MarkKind.UNEXPLAINED,
        )
        for key, day in (("c4-0", "class-4"), ("c5", "class-5"))
    }
    schools = {
        "central": world.central,
        "ethnic": world.ethnic,
        "baisha": world.baisha_school,
        "rongchang": rongchang_school,
    }
    closures = {
        key: await SchoolClosure.create(
            jurisdiction_id=school.jurisdiction_id,
            school=school,
            first_day=OPENED.date(),
            last_day=OPENED.date(),
            reason="暴雨停课",
        )
        for key, school in schools.items()
    }
    plans = {
        key: await SchoolPlan.create(school=school, school_year=2025)
        for key, school in schools.items()
    }

    def revisions_of(*names: str) -> set[Any]:
        return {days[n].id for n in names}

    async def revised_days(who: Caller) -> set[Any]:
        return set(await scoped(ClassDayRevision, who).values_list("class_day_id", flat=True))

    lipu = world.county
    class_4 = caller(lipu, ScopeKind.CLASS, class_id=world.class_4.id)
    class_5 = caller(lipu, ScopeKind.CLASS, class_id=world.class_5.id)
    expected = [
        # caller, class days, marks, closures and plans
        (class_4, ["class-4"], ["c4-0"], ["central"]),
        (class_5, ["class-5"], ["c5"], ["ethnic"]),
        (
            caller(lipu, ScopeKind.SCHOOL, school_id=world.central.id),
            ["class-4", "class-4b"],
            ["c4-0"],
            ["central"],
        ),
        (caller(lipu, ScopeKind.TOWN, town_ids=frozenset({world.baisha.id})), [], [], ["baisha"]),
        (
            caller(lipu, ScopeKind.TOWN, town_ids=frozenset({world.qingshan.id})),
            ["class-4", "class-4b", "class-5"],
            ["c4-0", "c5"],
            ["central", "ethnic"],
        ),
        (
            caller(lipu, ScopeKind.COUNTY),
            ["class-4", "class-4b", "class-5"],
            ["c4-0", "c5"],
            ["central", "ethnic", "baisha"],
        ),
        (
            caller(lipu, ScopeKind.COUNTY, EVERYTHING - {P.READ_ROSTER}),
            [],
            [],
            ["central", "ethnic", "baisha"],
        ),
        (caller(rongchang, ScopeKind.COUNTY), ["rongchang"], [], ["rongchang"]),
    ]  # fmt: skip
    for who, seen_days, seen_marks, seen_schools in expected:
        assert (
            await _ids(ClassDay, who),
            await revised_days(who),
            await _ids(AttendanceMark, who),
            await _ids(SchoolClosure, who),
            await _ids(SchoolPlan, who),
        ) == (
            {days[n].id for n in seen_days},
            revisions_of(*seen_days),
            {marks[n].id for n in seen_marks},
            {closures[n].id for n in seen_schools},
            {plans[n].id for n in seen_schools},
        ), who.scope


async def test_a_case_s_attachments_follow_the_case(world: World) -> None:
    attached = {}
    for name in ("lipu-0", "lipu-2", "lipu-unreachable", "rongchang-0"):
        event = await CaseEvent.create(
            case=world.cases[name], kind=next(iter(CaseEventKind)), occurred_at=OPENED
        )
        attached[name] = await CaseAttachment.create(
            event=event, file_name="家访记录.jpg", sha256="0" * 64
        )

    def named(*names: str) -> set[Any]:
        return {attached[n].id for n in names}

    lipu = world.county
    assert await _ids(CaseAttachment, caller(lipu, ScopeKind.COUNTY, {P.READ_CASES})) == named(
        "lipu-0", "lipu-2", "lipu-unreachable"
    )
    school = caller(lipu, ScopeKind.SCHOOL, {P.READ_CASES}, school_id=world.central.id)
    assert await _ids(CaseAttachment, school) == named("lipu-0", "lipu-2")
    township = caller(lipu, ScopeKind.COUNTY, {P.READ_ESCALATED_CASES})
    assert await _ids(CaseAttachment, township) == named("lipu-2", "lipu-unreachable")
    assert await _ids(CaseAttachment, caller(lipu, ScopeKind.COUNTY, {P.READ_ROSTER})) == set()
    rongchang = caller(world.counties["rongchang"], ScopeKind.COUNTY, {P.READ_CASES})
    assert await _ids(CaseAttachment, rongchang) == named("rongchang-0")


async def test_webhooks_their_deliveries_and_attempts_need_manage_webhooks(world: World) -> None:
    made: dict[str, dict[str, Any]] = {}
    for key in ("lipu", "rongchang"):
        county = world.counties[key]
        owner = await StaffAccount.create(
            username=f"{key}-hooks", password_hash="x", role="BUREAU_STAFF", jurisdiction=county,
            scope_kind=ScopeKind.COUNTY,
        )  # fmt: skip
        endpoint = await WebhookEndpoint.create(
            jurisdiction=county,
            owner=owner,
            url="http://127.0.0.1:9/hook",
            secret="s",
            created_at=OPENED,
        )
        event = await OutboxEvent.create(
            kind=EventKind.CASE_OPENED, jurisdiction=county, occurred_at=OPENED,
            recorded_at=OPENED, actor_kind=ActorKind.STAFF, object_type="Case", object_id=key,
            audience_kind=ScopeKind.COUNTY,
        )  # fmt: skip
        delivery = await WebhookDelivery.create(
            endpoint=endpoint,
            event=event,
            recorded_at=OPENED,
            next_attempt_at=OPENED,
            created_at=OPENED,
        )
        made[key] = {
            "WebhookEndpoint": endpoint,
            "WebhookDelivery": delivery,
            "WebhookAttempt": await WebhookAttempt.create(delivery=delivery, attempted_at=OPENED),
        }
    for model in (WebhookEndpoint, WebhookDelivery, WebhookAttempt):
        for key in ("lipu", "rongchang"):
            who = caller(world.counties[key], ScopeKind.COUNTY)
            assert await _ids(model, who) == _of(made[key][model.__name__]), (model, key)
        without = caller(world.county, ScopeKind.COUNTY, EVERYTHING - {P.MANAGE_WEBHOOKS})
        assert await _ids(model, without) == set(), model
        assert list_permissions(model) == (P.MANAGE_WEBHOOKS,)


# -- stored reports and imports ----------------------------------------------------------------


async def _snapshot(county: Jurisdiction, name: str, town=None, school=None) -> ReportSnapshot:
    place_kind = "SCHOOL" if school else "TOWN" if town else "COUNTY"
    return await ReportSnapshot.create(
        jurisdiction=county,
        format_code="term-start-statistics",
        title=name,
        period_kind="TERM_START",
        period_value="2026-autumn",
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 14),
        place_kind=place_kind,
        place_name=name,
        town=town,
        school=school,
        masking="NONE",
        parameters={},
        table={},
        row_count=1,
        checksum="0" * 64,
        generated_by="test",
        generated_at=OPENED,
    )


async def _snapshots(world: World) -> dict[str, ReportSnapshot]:
    """One stored report for the county, each town and each school of 荔浦, and one of 荣昌."""
    made = {
        "county": await _snapshot(world.county, "荔浦市"),
        "qingshan": await _snapshot(world.county, "青山镇", town=world.qingshan),
        "baisha": await _snapshot(world.county, "白沙镇", town=world.baisha),
        # a school's report names its school only (town left empty), as the reports service does
        "central": await _snapshot(world.county, "中心小学", school=world.central),
        "ethnic": await _snapshot(world.county, "民族中学", school=world.ethnic),
        "baisha-school": await _snapshot(world.county, "白沙小学", school=world.baisha_school),
        "rongchang": await _snapshot(world.counties["rongchang"], "荣昌"),
    }
    for snapshot in made.values():
        await ReportSubmissionEvent.create(
            snapshot=snapshot,
            action="SIGN",
            from_state=SubmissionState.DRAFT,
            to_state=SubmissionState.SIGNED,
            actor="test",
            occurred_at=OPENED,
        )
    return made


async def test_stored_reports_by_scope(world: World) -> None:
    """The county's for the county, a town's and its schools' for the town, a school's own for
    the school, none for a class or without READ_REPORTS, never another county's."""
    made = await _snapshots(world)
    lipu = world.county

    def named(*names: str) -> set[Any]:
        return {made[n].id for n in names}

    county_wide = caller(lipu, ScopeKind.COUNTY)
    assert await _ids(ReportSnapshot, county_wide) == named(
        "county", "qingshan", "baisha", "central", "ethnic", "baisha-school"
    )
    qingshan = caller(lipu, ScopeKind.TOWN, town_ids=(world.qingshan.id,))
    assert await _ids(ReportSnapshot, qingshan) == named("qingshan", "central", "ethnic")
    baisha = caller(lipu, ScopeKind.TOWN, town_ids=(world.baisha.id,))
    assert await _ids(ReportSnapshot, baisha) == named("baisha", "baisha-school")
    both = caller(lipu, ScopeKind.TOWN, town_ids=(world.qingshan.id, world.baisha.id))
    assert await _ids(ReportSnapshot, both) == named(
        "qingshan", "baisha", "central", "ethnic", "baisha-school"
    )
    head = caller(lipu, ScopeKind.SCHOOL, school_id=world.central.id)
    assert await _ids(ReportSnapshot, head) == named("central")
    teacher = caller(lipu, ScopeKind.CLASS, school_id=world.central.id, class_id=world.class_4.id)
    assert await _ids(ReportSnapshot, teacher) == set()
    no_reports = caller(lipu, ScopeKind.COUNTY, EVERYTHING - {P.READ_REPORTS})
    assert await _ids(ReportSnapshot, no_reports) == set()
    rongchang = caller(world.counties["rongchang"], ScopeKind.COUNTY)
    assert await _ids(ReportSnapshot, rongchang) == named("rongchang")


async def test_a_report_s_submission_events_follow_the_report(world: World) -> None:
    made = await _snapshots(world)
    lipu = world.county

    async def events_of(who: Caller) -> set[Any]:
        rows = scoped(ReportSubmissionEvent, who).values_list("snapshot_id", flat=True)
        return set(await rows)

    qingshan = caller(lipu, ScopeKind.TOWN, town_ids=(world.qingshan.id,))
    assert await events_of(qingshan) == {made[n].id for n in ("qingshan", "central", "ethnic")}
    head = caller(lipu, ScopeKind.SCHOOL, school_id=world.baisha_school.id)
    assert await events_of(head) == {made["baisha-school"].id}
    teacher = caller(lipu, ScopeKind.CLASS, school_id=world.central.id, class_id=world.class_4.id)
    assert await events_of(teacher) == set()
    no_reports = caller(lipu, ScopeKind.COUNTY, EVERYTHING - {P.READ_REPORTS})
    assert await events_of(no_reports) == set()
    rongchang = caller(world.counties["rongchang"], ScopeKind.COUNTY)
    assert await events_of(rongchang) == {made["rongchang"].id}


def _key_caller(county: Jurisdiction, key_id: Any, permissions: set[Permission]) -> Caller:
    return Caller(
        kind=ActorKind.API_KEY,
        label="县残联",
        scope=Scope(kind=ScopeKind.COUNTY, jurisdiction_id=county.id),
        permissions=frozenset(permissions),
        api_key_id=key_id,
    )


async def _job(county: Jurisdiction, key_id: Any = None) -> ImportJob:
    return await ImportJob.create(
        jurisdiction=county,
        format_code="DISABLED_ROSTER" if key_id else "STUDENT_ROSTER",
        checksum="0" * 64,
        mode=ImportMode.ALL,
        state=ImportState.SUCCEEDED,
        api_key_id=key_id,
        started_at=OPENED,
    )


async def test_import_jobs_comparison_runs_and_results_by_caller(world: World) -> None:
    """The county's register keepers (WRITE_ROSTER, county-wide) see the county's jobs and
    runs; an agency key (SUBMIT_ROSTER) only those of the lists it submitted; a staff account
    with SUBMIT_ROSTER and no key, a town, a school and another county none. A run's per-child
    results also need READ_ROSTER."""
    lipu, rongchang = world.county, world.counties["rongchang"]
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    jobs = {
        "register": await _job(lipu),
        "ours": await _job(lipu, ours),
        "theirs": await _job(lipu, theirs),
        "rongchang": await _job(rongchang),
    }
    runs, results = {}, {}
    for name, job in jobs.items():
        runs[name] = await ComparisonRun.create(
            jurisdiction_id=job.jurisdiction_id,
            kind=ComparisonKind.DISABLED_ROSTER,
            job=job,
            started_at=OPENED,
        )
        results[name] = await ComparisonResult.create(
            run=runs[name], row_number=2, outcome=MatchOutcome.NOT_FOUND
        )

    def of(table: dict[str, Any], *names: str) -> set[Any]:
        return {table[n].id for n in names}

    keeper = caller(lipu, ScopeKind.COUNTY, {P.WRITE_ROSTER, P.READ_ROSTER})
    key = _key_caller(lipu, ours, {P.SUBMIT_ROSTER, P.READ_ROSTER})
    staff_submitter = caller(lipu, ScopeKind.COUNTY, {P.SUBMIT_ROSTER, P.READ_ROSTER})
    key_without_submit = _key_caller(lipu, ours, {P.READ_ROSTER})
    town = caller(lipu, ScopeKind.TOWN, town_ids=(world.qingshan.id,))
    head = caller(lipu, ScopeKind.SCHOOL, school_id=world.central.id)
    other = caller(rongchang, ScopeKind.COUNTY)
    everyone = {"register", "ours", "theirs"}
    expected = {
        "keeper": (keeper, everyone, everyone),
        "key": (key, {"ours"}, {"ours"}),
        "staff_submitter": (staff_submitter, set(), set()),
        "key_without_submit": (key_without_submit, set(), set()),
        "town": (town, set(), set()),
        "head": (head, set(), set()),
        "other": (other, {"rongchang"}, {"rongchang"}),
        "keeper_without_roster": (
            caller(lipu, ScopeKind.COUNTY, {P.WRITE_ROSTER}),
            everyone,
            set(),
        ),
    }
    for label, (who, seen, with_results) in expected.items():
        assert (
            await _ids(ImportJob, who),
            await _ids(ComparisonRun, who),
            await _ids(ComparisonResult, who),
        ) == (of(jobs, *seen), of(runs, *seen), of(results, *with_results)), label


# -- the inbox: events by the office they are addressed to ---------------------------------------


async def test_events_reach_the_office_they_are_addressed_to_or_their_one_recipient(
    world: World,
) -> None:
    """An event addressed to a level (county, town, school, class) reaches that office only,
    not the offices above or below it; one addressed to an account reaches that account only."""
    lipu = world.county
    me, colleague = [
        await StaffAccount.create(
            username=name, password_hash="x", role="BUREAU_STAFF", jurisdiction=lipu,
            scope_kind=ScopeKind.COUNTY,
        )
        for name in ("me", "colleague")
    ]  # fmt: skip
    qingshan, baisha = world.qingshan.id, world.baisha.id
    central, ethnic = world.central.id, world.ethnic.id
    addressed = {
        "county": (lipu, ScopeKind.COUNTY, {}),
        "qingshan": (lipu, ScopeKind.TOWN, {"town_id": qingshan}),
        "baisha": (lipu, ScopeKind.TOWN, {"town_id": baisha}),
        "central": (lipu, ScopeKind.SCHOOL, {"town_id": qingshan, "school_id": central}),
        "ethnic": (lipu, ScopeKind.SCHOOL, {"town_id": qingshan, "school_id": ethnic}),
        "class-4": (
            lipu,
            ScopeKind.CLASS,
            {"town_id": qingshan, "school_id": central, "school_class_id": world.class_4.id},
        ),
        "class-5": (
            lipu,
            ScopeKind.CLASS,
            {"town_id": qingshan, "school_id": ethnic, "school_class_id": world.class_5.id},
        ),
        "to-me": (lipu, ScopeKind.SCHOOL, {"school_id": central, "recipient_account": me}),
        "to-colleague": (lipu, ScopeKind.COUNTY, {"recipient_account": colleague}),
        "rongchang": (world.counties["rongchang"], ScopeKind.COUNTY, {}),
    }
    events = {
        name: await OutboxEvent.create(
            kind=EventKind.CASE_OPENED,
            jurisdiction=county,
            occurred_at=OPENED,
            recorded_at=OPENED,
            actor_kind=ActorKind.STAFF,
            object_type="Case",
            object_id=name,
            audience_kind=kind,
            **where,
        )
        for name, (county, kind, where) in addressed.items()
    }

    def inbox(county: Jurisdiction, kind: ScopeKind, account=None, **where: Any) -> Caller:
        return Caller(
            kind=ActorKind.STAFF,
            label="test",
            scope=Scope(kind=kind, jurisdiction_id=county.id, **where),
            permissions=EVERYTHING,
            account_id=account.id if account else None,
        )

    def named(*names: str) -> set[Any]:
        return {events[n].id for n in names}

    expected = [
        (inbox(lipu, ScopeKind.COUNTY), named("county")),
        (inbox(lipu, ScopeKind.COUNTY, me), named("county", "to-me")),
        (inbox(lipu, ScopeKind.COUNTY, colleague), named("county", "to-colleague")),
        (inbox(lipu, ScopeKind.TOWN, town_ids=(qingshan,)), named("qingshan")),
        (inbox(lipu, ScopeKind.TOWN, town_ids=(qingshan, baisha)), named("qingshan", "baisha")),
        (inbox(lipu, ScopeKind.SCHOOL, school_id=central), named("central")),
        (inbox(lipu, ScopeKind.SCHOOL, me, school_id=ethnic), named("ethnic", "to-me")),
        (
            inbox(lipu, ScopeKind.CLASS, school_id=central, class_id=world.class_4.id),
            named("class-4"),
        ),
        (inbox(world.counties["rongchang"], ScopeKind.COUNTY, me), named("rongchang")),
    ]
    for who, seen in expected:
        assert await _ids(OutboxEvent, who) == seen, who.scope
