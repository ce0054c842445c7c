"""Deleting one county's data (``baoxue demo --reset``), in one transaction.

Rows go child tables first, so it works whatever the foreign keys say (``Enrolment.school`` is
``RESTRICT``): timelines, enrolment history, care records, cases, enrolments, children,
households, classes, officials, schools, the organisation, then the county's accounts and API
keys. Audit entries stay (the log is append-only); their references to the deleted accounts,
keys and county are cleared, as their ``SET NULL`` foreign keys would.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from core.access.models import ApiKey, AuditEntry, AuthSession, StaffAccount
from core.assistance.models import Assistance
from core.attendance.models import (
    AbsenceFollowUp,
    AttendanceAlert,
    AttendanceMark,
    ClassDay,
    ClassDayRevision,
    SchoolClosure,
)
from core.cases.models import Case, CaseAttachment, CaseEvent
from core.enrolment.models import Enrolment, EnrolmentChange
from core.jurisdictions.models import Jurisdiction, KeyArea, SchoolGroup, Town, Village
from core.officials.models import Official, ResponsibilityAssignment
from core.people.models import Child, ChildKeyGroup, Guardian, Household
from core.schools.models import School, SchoolClass
from core.visits.models import HomeVisit, SupportPlan


def _ids(queryset: Any) -> Subquery:
    return Subquery(queryset.values("id"))


async def delete_jurisdiction(division_code: str) -> int:
    """Delete the county ``division_code`` and everything in it; return the rows deleted
    (0 when there is no such county)."""
    jurisdiction = await Jurisdiction.get_or_none(division_code=division_code)
    if jurisdiction is None:
        return 0
    jid = jurisdiction.id
    children = _ids(Child.filter(jurisdiction_id=jid))
    cases = _ids(Case.filter(jurisdiction_id=jid))
    accounts = _ids(StaffAccount.filter(jurisdiction_id=jid))
    keys = _ids(ApiKey.filter(jurisdiction_id=jid))
    deleted = 0
    async with in_transaction():
        await AuditEntry.filter(account_id__in=accounts).update(account_id=None)
        await AuditEntry.filter(api_key_id__in=keys).update(api_key_id=None)
        await AuditEntry.filter(jurisdiction_id=jid).update(jurisdiction_id=None)
        await ResponsibilityAssignment.filter(jurisdiction_id=jid).update(reports_to_id=None)
        steps = [
            AuthSession.filter(account_id__in=accounts),
            StaffAccount.filter(jurisdiction_id=jid),
            ApiKey.filter(jurisdiction_id=jid),
            AttendanceAlert.filter(jurisdiction_id=jid),
            AbsenceFollowUp.filter(jurisdiction_id=jid),
            AttendanceMark.filter(jurisdiction_id=jid),
            ClassDayRevision.filter(class_day_id__in=_ids(ClassDay.filter(jurisdiction_id=jid))),
            ClassDay.filter(jurisdiction_id=jid),
            SchoolClosure.filter(jurisdiction_id=jid),
            CaseAttachment.filter(event_id__in=_ids(CaseEvent.filter(case_id__in=cases))),
            CaseEvent.filter(case_id__in=cases),
            EnrolmentChange.filter(child_id__in=children),
            HomeVisit.filter(child_id__in=children),
            SupportPlan.filter(child_id__in=children),
            Assistance.filter(child_id__in=children),
            ResponsibilityAssignment.filter(jurisdiction_id=jid),
            Case.filter(jurisdiction_id=jid),
            Enrolment.filter(child_id__in=children),
            ChildKeyGroup.filter(child_id__in=children),
            Child.filter(jurisdiction_id=jid),
            Guardian.filter(household_id__in=_ids(Household.filter(jurisdiction_id=jid))),
            Household.filter(jurisdiction_id=jid),
        ]
        for queryset in steps:
            # counted first: on SQLite a delete's count includes the rows the database's
            # triggers wrote (an enrolment deleted: its child's ever_enrolled, 0015_town_key)
            deleted += await queryset.count()
            await queryset.delete()
        # Classes point at officials (班主任) and officials at schools: clear, then delete.
        schools = _ids(School.filter(jurisdiction_id=jid))
        await SchoolClass.filter(school_id__in=schools).update(head_teacher_id=None)
        for group in await SchoolGroup.filter(jurisdiction_id=jid):
            await group.schools.clear()
        for queryset in (
            SchoolGroup.filter(jurisdiction_id=jid),
            SchoolClass.filter(school_id__in=schools),
            Official.filter(jurisdiction_id=jid),
            School.filter(jurisdiction_id=jid),
            # 重点地区 name towns and villages: deleted (and counted) before them, not left to
            # the database's cascade, which PostgreSQL does not count and SQLite may not do
            KeyArea.filter(jurisdiction_id=jid),
            Village.filter(town_id__in=_ids(Town.filter(jurisdiction_id=jid))),
            Town.filter(jurisdiction_id=jid),
            Jurisdiction.filter(id=jid),
        ):
            deleted += await queryset.delete()
    return deleted
