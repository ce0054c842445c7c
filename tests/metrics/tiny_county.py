"""A county of thirteen children whose every figure is computed by hand in the tests.

As of 2026-11-20 (school year 2026; grade g is born 1 Sep (2026−g−6) … 31 Aug (2026−g−5)):

====  =========  ================================================  ======================
child grade age   history                                           state on 2026-11-20
====  =========  ================================================  ======================
A     9          入学 2018-09-01                                     IN_SCHOOL_REGULAR
B     9          入学 2018-09-01, 辍学 2026-10-01 (no case)          CONFIRMED_OUT
C     9          入学 2018-09-01, 转出 2025-03-01 to 外县一中          STUDYING_ELSEWHERE
D     9          转入 2024-09-01                                     IN_SCHOOL_REGULAR
E     9          入学 2018-09-01, 死亡 2025-05-01                      DECEASED
F     3          入学 2024-09-01; case reported 10-10, verifying     CONFIRMED_OUT
                 10-12, confirmed 11-15 (reason ILLNESS)
G     5          no roll; whole family away, address known          MOVED_AWAY
H     2          nothing                                            UNACCOUNTED
I     4          入学 2023-09-01, 休学 2026-09-20                     EXEMPTED_OR_DEFERRED
J     under six  —                                                  (not in the registry)
K     born 2008  入学 2017, 毕业 2026-07-01                           (not in the registry)
L     6          入学 2021-09-01, 随班就读, 困难 + 资助 + 家访          IN_SCHOOL_INCLUSIVE
M     7          入学 2020-09-01, 脱贫户 + 困难, no assistance          IN_SCHOOL_REGULAR
====  =========  ================================================  ======================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.assistance.models import Assistance
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.china_time import at_local
from core.enrolment.models import (
    STATUS_AFTER_CHANGE,
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentMode,
)
from core.jurisdictions.models import Jurisdiction, Town, Village
from core.people.enums import Gender, KeyGroup, MigrationStatus
from core.people.models import Child, ChildKeyGroup, Household
from core.schools.models import School, SchoolKind
from core.visits.models import HomeVisit

K = EnrolmentChangeKind
AS_OF = date(2026, 11, 20)


@dataclass
class TinyCounty:
    county: Jurisdiction
    town: Town
    other_town: Town
    school: School
    other_school: School
    children: dict[str, Child] = field(default_factory=dict)


async def _child(t: TinyCounty, key: str, born: date, household: Household | None = None) -> Child:
    child = await Child.create(
        jurisdiction=t.county,
        household=household,
        name=f"学生{key}",
        gender=Gender.MALE,
        birth_date=born,
    )
    t.children[key] = child
    return child


async def _roll(
    child: Child,
    school: School,
    grade: int,
    changes: list[tuple[EnrolmentChangeKind, date, str]],
    mode: EnrolmentMode = EnrolmentMode.REGULAR,
) -> Enrolment:
    enrolment = await Enrolment.create(
        child=child,
        school=school,
        grade=grade,
        status=STATUS_AFTER_CHANGE[changes[-1][0]],
        mode=mode,
        started_on=changes[0][1],
    )
    for kind, day, counterpart in changes:
        await EnrolmentChange.create(
            enrolment=enrolment,
            child=child,
            kind=kind,
            occurred_on=day,
            status_after=STATUS_AFTER_CHANGE[kind],
            counterpart_school=counterpart,
        )
    return enrolment


def _at(day: date) -> datetime:
    return at_local(day, datetime.min.time().replace(hour=10))


async def build(code: str = "369901") -> TinyCounty:
    county = await Jurisdiction.create(division_code=code, name="示范县")
    town = await Town.create(jurisdiction=county, name="东镇")
    other_town = await Town.create(jurisdiction=county, name="西镇")
    village = await Village.create(town=town, name="东村")
    far = await Village.create(town=other_town, name="西村")
    school = await School.create(
        jurisdiction=county,
        town=town,
        code="3699010001",
        name="东镇学校",
        kind=SchoolKind.NINE_YEAR,
    )
    other_school = await School.create(
        jurisdiction=county,
        town=other_town,
        code="3699010002",
        name="西镇学校",
        kind=SchoolKind.NINE_YEAR,
    )
    t = TinyCounty(county, town, other_town, school, other_school)
    home = await Household.create(jurisdiction=county, village=village, head_name="户主")
    away = await Household.create(
        jurisdiction=county,
        village=far,
        head_name="外出户",
        migration_status=MigrationStatus.WHOLE_FAMILY_AWAY,
        current_address="广东省东莞市长安镇",
    )
    g9 = date(2012, 1, 1)
    a = await _child(t, "A", g9, home)
    await _roll(a, school, 9, [(K.ENROL, date(2018, 9, 1), "")])
    b = await _child(t, "B", g9, home)
    await _roll(
        b, school, 9, [(K.ENROL, date(2018, 9, 1), ""), (K.DROP_OUT, date(2026, 10, 1), "")]
    )
    c = await _child(t, "C", g9, home)
    await _roll(
        c,
        school,
        8,
        [(K.ENROL, date(2018, 9, 1), ""), (K.TRANSFER_OUT, date(2025, 3, 1), "外县一中")],
    )
    d = await _child(t, "D", g9, home)
    await _roll(d, other_school, 9, [(K.TRANSFER_IN, date(2024, 9, 1), "外县二中")])
    e = await _child(t, "E", g9, home)
    await _roll(e, school, 8, [(K.ENROL, date(2018, 9, 1), ""), (K.DEATH, date(2025, 5, 1), "")])
    f = await _child(t, "F", date(2017, 3, 1), home)
    await _roll(f, school, 3, [(K.ENROL, date(2024, 9, 1), "")])
    case = await Case.create(
        jurisdiction=county,
        child=f,
        school=school,
        kind=CaseKind.DROPOUT,
        state=CaseState.CONFIRMED,
        source=CaseSource.HEAD_TEACHER_REPORT,
        reason="ILLNESS",
        opened_at=_at(date(2026, 10, 10)),
    )
    for kind, before, after, day in (
        (CaseEventKind.REPORT, None, CaseState.REPORTED, date(2026, 10, 10)),
        (CaseEventKind.VERIFICATION, CaseState.REPORTED, CaseState.VERIFYING, date(2026, 10, 12)),
        (CaseEventKind.CONFIRMATION, CaseState.VERIFYING, CaseState.CONFIRMED, date(2026, 11, 15)),
    ):
        await CaseEvent.create(
            case=case, kind=kind, from_state=before, to_state=after, occurred_at=_at(day)
        )
    await _child(t, "G", date(2015, 3, 1), away)
    await _child(t, "H", date(2018, 3, 1), home)
    i = await _child(t, "I", date(2016, 3, 1), home)
    await _roll(i, school, 4, [(K.ENROL, date(2023, 9, 1), ""), (K.SUSPEND, date(2026, 9, 20), "")])
    await _child(t, "J", date(2021, 3, 1), home)
    k = await _child(t, "K", date(2008, 3, 1), home)
    await _roll(k, school, 9, [(K.ENROL, date(2014, 9, 1), ""), (K.GRADUATE, date(2023, 7, 1), "")])
    l_ = await _child(t, "L", date(2014, 3, 1), home)
    await _roll(l_, school, 6, [(K.ENROL, date(2021, 9, 1), "")], EnrolmentMode.INCLUSIVE)
    await ChildKeyGroup.create(child=l_, group=KeyGroup.FINANCIAL_HARDSHIP)
    await Assistance.create(
        child=l_,
        programme="TWO_EXEMPTIONS_ONE_SUBSIDY",
        amount=Decimal("500"),
        school_year=2026,
        granted_on=date(2026, 10, 1),
    )
    await HomeVisit.create(child=l_, visited_on=date(2026, 10, 5))
    m = await _child(t, "M", date(2013, 3, 1), home)
    await _roll(m, other_school, 7, [(K.ENROL, date(2020, 9, 1), "")])
    await ChildKeyGroup.create(child=m, group=KeyGroup.POVERTY_LIFTED)
    await ChildKeyGroup.create(child=m, group=KeyGroup.FINANCIAL_HARDSHIP)
    return t


def names(rows: list[Any]) -> list[str]:
    return sorted(r.name.removeprefix("学生") for r in rows)
