"""A small county for API tests and for the examples in docs/api.md.

Row ids are fixed (uuid5 of a name), so the global ids written in docs/api.md name rows that
exist here. Times are relative to the moment the county is built, so "overdue" and ages hold
whenever the suite runs.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from core.assistance.models import Assistance
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.china_time import CHINA_TZ
from core.enrolment.models import (
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentStatus,
)
from core.jurisdictions.models import (
    Jurisdiction,
    SchoolGroup,
    SchoolGroupKind,
    Town,
    Village,
    VillageKind,
)
from core.officials.models import Duty, Official, ResponsibilityAssignment, ResponsibilityLine
from core.people.enums import Gender, GuardianRelation, KeyGroup, MigrationStatus, PovertyStatus
from core.people.models import Child, ChildKeyGroup, Guardian, Household
from core.people.resident_id import make_resident_id
from core.schools.models import School, SchoolClass, SchoolKind
from core.visits.models import HomeVisit, HomeVisitKind, SupportPlan, SupportPlanKind

NAMESPACE = uuid.UUID("6d1c6f4e-3f7a-4b7e-9a55-8a0c2b1f0b11")
DIVISION = "450381"


def row_id(name: str) -> uuid.UUID:
    """The fixed id of the fixture row called ``name``."""
    return uuid.uuid5(NAMESPACE, name)


def global_id(type_name: str, name: str) -> str:
    """The global id (as the API shows it) of the fixture row ``name`` of ``type_name``."""
    return base64.b64encode(f"{type_name}:{row_id(name)}".encode()).decode()


def born(age: int, days_after_birthday: int = 40) -> date:
    """A birth date giving ``age`` full years today (China time)."""
    today = datetime.now(CHINA_TZ).date()
    try:
        anniversary = today.replace(year=today.year - age)
    except ValueError:
        anniversary = today.replace(year=today.year - age, day=28)
    return anniversary - timedelta(days=days_after_birthday)


@dataclass
class County:
    now: datetime
    children: dict[str, Child] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)


async def build_county() -> County:
    """荔浦市 in miniature: two towns, two schools, seven children, five cases."""
    now = datetime.now(UTC)
    county = County(now=now)
    j = await Jurisdiction.create(
        id=row_id("荔浦市"), division_code=DIVISION, name="荔浦市", city="桂林市", province="广西"
    )
    licheng = await Town.create(id=row_id("荔城镇"), jurisdiction=j, name="荔城镇")
    xiuren = await Town.create(id=row_id("修仁镇"), jurisdiction=j, name="修仁镇")
    chengdong = await Village.create(
        id=row_id("城东社区"), town=licheng, name="城东社区", kind=VillageKind.COMMUNITY
    )
    xincun = await Village.create(id=row_id("新村"), town=licheng, name="新村")
    xiuren_cun = await Village.create(id=row_id("修仁村"), town=xiuren, name="修仁村")

    binjiang = await School.create(
        id=row_id("滨江小学"),
        jurisdiction=j,
        town=licheng,
        village=chengdong,
        code="2145038101",
        name="滨江小学",
        kind=SchoolKind.PRIMARY,
        principal_name="陆校长",
    )
    erzhong = await School.create(
        id=row_id("荔浦市第二中学"),
        jurisdiction=j,
        town=xiuren,
        code="2145038102",
        name="荔浦市第二中学",
        kind=SchoolKind.JUNIOR_MIDDLE,
    )
    district = await SchoolGroup.create(
        id=row_id("荔城学区"), jurisdiction=j, kind=SchoolGroupKind.SCHOOL_DISTRICT, name="荔城学区"
    )
    await district.schools.add(binjiang)

    qin = await Official.create(
        id=row_id("覃老师"),
        jurisdiction=j,
        name="覃丽",
        title="班主任",
        organisation="滨江小学",
        school=binjiang,
    )
    li = await Official.create(
        id=row_id("李老师"), jurisdiction=j, name="李强", title="班主任", school=erzhong
    )
    cadre = await Official.create(
        id=row_id("修仁镇干部"), jurisdiction=j, name="蒙志", title="副镇长", town=xiuren
    )
    year = now.year if now.month >= 9 else now.year - 1
    c41 = await SchoolClass.create(
        id=row_id("四(1)班"),
        school=binjiang,
        school_year=year,
        grade=4,
        name="(1)班",
        head_teacher=qin,
    )
    c51 = await SchoolClass.create(
        id=row_id("五(1)班"), school=binjiang, school_year=year, grade=5, name="(1)班"
    )
    c71 = await SchoolClass.create(
        id=row_id("七(1)班"),
        school=erzhong,
        school_year=year,
        grade=7,
        name="(1)班",
        head_teacher=li,
    )

    huang = await Household.create(
        id=row_id("黄家"),
        jurisdiction=j,
        village=chengdong,
        head_name="黄大明",
        registered_address="荔城镇城东社区 12 号",
        current_address="广东省东莞市",
        poverty_status=PovertyStatus.LIFTED_OUT,
        migration_status=MigrationStatus.WORKING_AWAY,
    )
    await Guardian.create(
        household=huang,
        name="黄大明",
        relation=GuardianRelation.FATHER,
        phone="13800000001",
        works_away=True,
    )
    await Guardian.create(
        household=huang,
        name="黄奶奶",
        relation=GuardianRelation.GRANDMOTHER,
        phone="13800000002",
        is_primary=True,
    )
    wei = await Household.create(
        id=row_id("韦家"), jurisdiction=j, village=xincun, head_name="韦国", is_low_income=True
    )
    await Guardian.create(
        household=wei, name="韦国", relation=GuardianRelation.FATHER, is_primary=True
    )
    mo = await Household.create(
        id=row_id("莫家"),
        jurisdiction=j,
        village=xiuren_cun,
        head_name="莫山",
        poverty_status=PovertyStatus.MONITORED_EDGE,
    )
    await Guardian.create(household=mo, name="莫山", relation=GuardianRelation.FATHER)

    async def child(
        name: str, gender: Gender, age: int, household: Household, sequence: int, **kw: object
    ) -> Child:
        birth = born(age)
        row = await Child.create(
            id=row_id(name),
            jurisdiction=j,
            household=household,
            name=name,
            gender=gender,
            birth_date=birth,
            id_number=make_resident_id(DIVISION, birth, sequence),
            **kw,
        )
        county.children[name] = row
        return row

    xiaomei = await child("黄小梅", Gender.FEMALE, 9, huang, 2, student_number=None)
    xiaojun = await child("黄小军", Gender.MALE, 9, huang, 3)
    weiyi = await child("韦一", Gender.FEMALE, 10, wei, 4)
    moer = await child("莫二", Gender.MALE, 13, mo, 5)
    mengsan = await child(
        "蒙三", Gender.FEMALE, 7, mo, 6, disability_category="INTELLECTUAL", disability_grade=2
    )
    luosi = await child("罗四", Gender.MALE, 12, wei, 7)
    await child("潘五", Gender.MALE, 17, mo, 9)
    xiaomei.student_number = f"G{xiaomei.id_number}"
    await xiaomei.save()

    for kid, group in [
        (xiaomei, KeyGroup.LEFT_BEHIND),
        (xiaomei, KeyGroup.POVERTY_LIFTED),
        (xiaojun, KeyGroup.LEFT_BEHIND),
        (weiyi, KeyGroup.LOW_INCOME),
        (moer, KeyGroup.MONITORED),
        (mengsan, KeyGroup.DISABLED),
    ]:
        await ChildKeyGroup.create(child=kid, group=group)

    term = date(now.year if now.month >= 9 else now.year - 1, 9, 1)

    async def enrol(
        kid: Child, school: School, klass: SchoolClass, grade: int, status: EnrolmentStatus
    ) -> Enrolment:
        enrolment = await Enrolment.create(
            child=kid,
            school=school,
            school_class=klass,
            grade=grade,
            status=status,
            started_on=term,
        )
        await EnrolmentChange.create(
            enrolment=enrolment,
            child=kid,
            kind=EnrolmentChangeKind.ENROL,
            occurred_on=term,
            status_after=EnrolmentStatus.ENROLLED,
            school_class=klass,
        )
        return enrolment

    await enrol(xiaomei, binjiang, c41, 4, EnrolmentStatus.ENROLLED)
    await enrol(xiaojun, binjiang, c41, 4, EnrolmentStatus.ENROLLED)
    weiyi_enrolment = await enrol(weiyi, binjiang, c51, 5, EnrolmentStatus.SUSPENDED)
    await EnrolmentChange.create(
        enrolment=weiyi_enrolment,
        child=weiyi,
        kind=EnrolmentChangeKind.SUSPEND,
        occurred_on=term + timedelta(days=30),
        status_after=EnrolmentStatus.SUSPENDED,
        reason="病休",
    )
    await enrol(moer, erzhong, c71, 7, EnrolmentStatus.DROPPED_OUT)
    await enrol(luosi, erzhong, c71, 7, EnrolmentStatus.ENROLLED)

    async def case(
        name: str,
        kid: Child,
        kind: CaseKind,
        state: CaseState,
        opened_days_ago: int,
        deadline_in_days: int | None,
        school: School | None,
        *,
        level: int = 0,
        reason: str = "UNKNOWN",
        source: CaseSource = CaseSource.HEAD_TEACHER_REPORT,
        events: tuple[CaseEventKind, ...] = (CaseEventKind.REPORT,),
    ) -> Case:
        opened = now - timedelta(days=opened_days_ago)
        row = await Case.create(
            id=row_id(name),
            jurisdiction=j,
            child=kid,
            school=school,
            kind=kind,
            state=state,
            source=source,
            reason=reason,
            escalation_level=level,
            opened_at=opened,
            closed_at=now - timedelta(days=1) if state is CaseState.CLOSED else None,
            next_deadline_at=(
                now + timedelta(days=deadline_in_days) if deadline_in_days is not None else None
            ),
            open_key=None if state is CaseState.CLOSED else f"{kid.id}:{kind.value}",
        )
        for i, event_kind in enumerate(events):
            await CaseEvent.create(
                case=row,
                kind=event_kind,
                occurred_at=opened + timedelta(days=i),
                actor_name="覃丽",
                to_state=CaseState.REPORTED if i == 0 else None,
            )
        county.cases[name] = row
        return row

    xiaomei_case = await case(
        "黄小梅的个案",
        xiaomei,
        CaseKind.AT_RISK,
        CaseState.PERSUADING,
        30,
        -10,
        binjiang,
        reason="LEARNING_DIFFICULTY",
        events=(CaseEventKind.REPORT, CaseEventKind.HOME_VISIT, CaseEventKind.PERSUASION),
    )
    await case(
        "韦一的个案",
        weiyi,
        CaseKind.DROPOUT,
        CaseState.CONFIRMED,
        20,
        5,
        binjiang,
        reason="ILLNESS",
        events=(CaseEventKind.REPORT, CaseEventKind.CONFIRMATION),
    )
    await case(
        "莫二的个案",
        moer,
        CaseKind.DROPOUT,
        CaseState.PERSUADING,
        40,
        -3,
        erzhong,
        level=1,
        reason="WORK",
        events=(CaseEventKind.REPORT, CaseEventKind.RETURN_NOTICE, CaseEventKind.ESCALATION),
    )
    await case(
        "蒙三的个案",
        mengsan,
        CaseKind.NEVER_ENROLLED,
        CaseState.REPORTED,
        5,
        None,
        None,
        reason="DISABILITY",
        source=CaseSource.ROSTER_COMPARISON,
    )
    await case(
        "罗四的个案",
        luosi,
        CaseKind.AT_RISK,
        CaseState.CLOSED,
        90,
        None,
        erzhong,
        events=(CaseEventKind.REPORT, CaseEventKind.RETURN, CaseEventKind.CLOSURE),
    )

    await Assistance.create(
        child=xiaomei,
        programme="NUTRITION",
        amount=Decimal("800.00"),
        school_year=year,
        granted_on=term,
        funder="中央财政",
    )
    await HomeVisit.create(
        child=xiaomei,
        case=xiaomei_case,
        visitor=qin,
        visitor_name="覃丽",
        kind=HomeVisitKind.HOME_VISIT,
        visited_on=(now - timedelta(days=29)).date(),
        findings="祖母照看, 厌学情绪明显",
        follow_up_needed=True,
    )
    await SupportPlan.create(
        child=xiaomei,
        kind=SupportPlanKind.PAIRING,
        mentor=qin,
        plan="每周两次课后辅导",
        started_on=term,
    )
    town_line = await ResponsibilityAssignment.create(
        jurisdiction=j,
        official=cadre,
        line=ResponsibilityLine.GOVERNMENT,
        duty=Duty.TOWN,
        town=xiuren,
    )
    await ResponsibilityAssignment.create(
        jurisdiction=j,
        official=qin,
        line=ResponsibilityLine.EDUCATION,
        duty=Duty.CHILD,
        child=xiaomei,
        reports_to=town_line,
    )
    await ResponsibilityAssignment.create(
        jurisdiction=j,
        official=qin,
        line=ResponsibilityLine.EDUCATION,
        duty=Duty.CLASS,
        school=binjiang,
        school_class=c41,
        grade=4,
    )
    return county
