"""Plans kept for children and schools: 一生一策 support plans, 一人一案 placements with the
expert committee's assessment, 送教上门 plans and a school's 一校一案.

Every service takes the caller (``WRITE_ROSTER`` or ``WRITE_CASES``; the child, school and
responsible teacher looked up in the caller's scope and county), checks its dates against the
child's life, writes in one transaction with the request's audit entry, and changes an existing
plan only with the ``version`` the client read (compare-and-set, ``CONFLICT`` otherwise).
送教上门 - a plan of that kind or a committee's recommendation of it - is held to the county's
rule (:mod:`core.people.home_delivery`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.access.audit import record_write
from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.china_time import local_date
from core.errors import DomainError, ErrorCode
from core.officials.models import Official
from core.people.approvals import require_approver
from core.people.dates import check_day_in_life
from core.people.home_delivery import check_home_delivery
from core.people.models import Child
from core.people.services import KEEP, Write, compare_and_set, conflict
from core.rules.enums import ApprovalKind
from core.schools.models import School
from core.visits.models import (
    PlacementAssessment,
    PlacementRecommendation,
    SchoolPlan,
    SupportPlan,
    SupportPlanKind,
)

WRITERS = (Permission.WRITE_ROSTER, Permission.WRITE_CASES)
MAX_MEASURES = 50
PLAN = ("帮扶计划", "support plan")


def _measures(items: Sequence[str] | None, field: str, required: bool) -> list[str]:
    measures = [m.strip() for m in items or () if m and m.strip()]
    if required and not measures:
        raise DomainError(
            ErrorCode.REQUIRED, "须填写帮扶措施", "at least one measure is required", field=field
        )
    if len(measures) > MAX_MEASURES or any(len(m) > 500 for m in measures):
        raise DomainError(
            ErrorCode.INVALID,
            f"帮扶措施最多 {MAX_MEASURES} 条, 每条不超过 500 字",
            f"at most {MAX_MEASURES} measures of up to 500 characters each",
            field=field,
        )
    return measures


async def _mentor(caller: Caller, mentor_id: uuid.UUID | None, jurisdiction_id: Any) -> Any:
    if mentor_id is None:
        return None
    official = await find_in_scope(
        Official,
        caller,
        mentor_id,
        "mentorId",
        ("责任教师", "official"),
        jurisdiction_id=jurisdiction_id,
    )
    return official.id


def _in_life(day: date, child: Child, today: date, field: str, what: tuple[str, str]) -> None:
    check_day_in_life(day, born=child.birth_date, today=today, field=field, what=what)


def _review_after(review_on: date | None, started_on: date) -> None:
    if review_on is not None and review_on < started_on:
        raise DomainError(
            ErrorCode.INVALID,
            "评估日期不能早于计划开始日期",
            "reviewOn cannot precede startedOn",
            field="reviewOn",
        )


@dataclass(frozen=True)
class NewSupportPlan:
    write: Write
    child_id: uuid.UUID | None
    kind: SupportPlanKind
    started_on: date
    measures: tuple[str, ...] = ()
    plan: str = ""
    mentor_id: uuid.UUID | None = None
    review_on: date | None = None


async def create_support_plan(data: NewSupportPlan) -> SupportPlan:
    """一生一策 (measures required), 结对帮扶, 一人一案 or 送教上门 plan for one child."""
    caller = require_permission(data.write.caller, *WRITERS)
    today = local_date(data.write.now)
    child = await find_in_scope(Child, caller, data.child_id, "childId", ("儿童", "child"))
    _in_life(data.started_on, child, today, "startedOn", ("计划开始日期", "startedOn"))
    _review_after(data.review_on, data.started_on)
    measures = _measures(
        data.measures, "measures", data.kind is SupportPlanKind.ONE_STUDENT_ONE_POLICY
    )
    if data.kind is SupportPlanKind.HOME_DELIVERED_TEACHING:
        await check_home_delivery(child, data.started_on, "kind")
    if data.kind is SupportPlanKind.PLACEMENT and child.disability_category is None:
        raise DomainError(
            ErrorCode.INVALID,
            "一人一案安置方案只适用于残疾儿童少年 (请先登记残疾类别)",
            "a placement plan is for disabled children (record the disability first)",
            field="kind",
        )
    async with in_transaction():
        plan = await SupportPlan.create(
            child_id=child.id,
            kind=data.kind,
            mentor_id=await _mentor(caller, data.mentor_id, child.jurisdiction_id),
            plan=data.plan.strip(),
            measures=measures,
            started_on=data.started_on,
            review_on=data.review_on,
        )
        await record_write(data.write.audit)
    return plan


async def update_support_plan(
    write: Write,
    plan_id: uuid.UUID | None,
    expected_version: int,
    *,
    measures: Any = KEEP,
    plan: Any = KEEP,
    mentor_id: Any = KEEP,
    review_on: Any = KEEP,
    reviewed_on: Any = KEEP,
    ended_on: Any = KEEP,
) -> SupportPlan:
    """Change a plan; ``reviewedOn`` records a review (and ``reviewOn`` the next one)."""
    caller = require_permission(write.caller, *WRITERS)
    today = local_date(write.now)
    async with in_transaction():
        row = await find_in_scope(SupportPlan, caller, plan_id, "id", PLAN)
        if row.version != expected_version:
            raise conflict(PLAN, expected_version, row.version)
        child = await Child.get(id=row.child_id)
        updates: dict[str, Any] = {}
        if measures is not KEEP:
            required = row.kind == SupportPlanKind.ONE_STUDENT_ONE_POLICY
            updates["measures"] = _measures(measures, "measures", required)
        if plan is not KEEP:
            updates["plan"] = (plan or "").strip()
        if mentor_id is not KEEP:
            updates["mentor_id"] = await _mentor(caller, mentor_id, child.jurisdiction_id)
        if reviewed_on is not KEEP and reviewed_on is not None:
            _in_life(reviewed_on, child, today, "reviewedOn", ("评估日期", "reviewedOn"))
            if reviewed_on < row.started_on:
                raise DomainError(
                    ErrorCode.INVALID,
                    "评估日期不能早于计划开始日期",
                    "reviewedOn cannot precede startedOn",
                    field="reviewedOn",
                )
            updates["last_reviewed_on"] = reviewed_on
        if review_on is not KEEP:
            _review_after(review_on, row.started_on)
            updates["review_on"] = review_on
        if ended_on is not KEEP:
            if ended_on is not None and ended_on < row.started_on:
                raise DomainError(
                    ErrorCode.INVALID,
                    "结束日期不能早于开始日期",
                    "endedOn cannot precede startedOn",
                    field="endedOn",
                )
            updates["ended_on"] = ended_on
        await compare_and_set(SupportPlan, row, expected_version, updates, PLAN)
        await record_write(write.audit)
    return row


def overdue_reviews(today: date) -> Any:
    """Running plans whose review date has passed, the most overdue first (a queryset)."""
    return SupportPlan.filter(review_on__lt=today, ended_on__isnull=True).order_by(
        "review_on", "id"
    )


@dataclass(frozen=True)
class NewAssessment:
    write: Write
    child_id: uuid.UUID | None
    assessed_on: date
    committee: str
    recommendation: PlacementRecommendation
    findings: str = ""
    guardian_consent: bool = False
    consent_on: date | None = None
    mentor_id: uuid.UUID | None = None
    measures: tuple[str, ...] = ()


async def record_placement_assessment(data: NewAssessment) -> PlacementAssessment:
    """The expert committee's assessment of a disabled child (一人一案). With the guardian's
    consent it becomes the child's placement plan (``SupportPlan`` of kind 一人一案)."""
    caller = require_permission(data.write.caller, *WRITERS)
    today = local_date(data.write.now)
    child = await find_in_scope(Child, caller, data.child_id, "childId", ("儿童", "child"))
    if child.disability_category is None:
        raise DomainError(
            ErrorCode.INVALID,
            "一人一案评估只适用于残疾儿童少年 (请先登记残疾类别与等级)",
            "a placement assessment is for disabled children (record the disability first)",
            field="childId",
        )
    committee = (data.committee or "").strip()
    if not committee:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须填写评估机构 (残疾人教育专家委员会)",
            "committee is required",
            field="committee",
        )
    _in_life(data.assessed_on, child, today, "assessedOn", ("评估日期", "assessedOn"))
    if data.guardian_consent and data.consent_on is None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须填写监护人同意的日期",
            "consentOn is required with the guardian's consent",
            field="consentOn",
        )
    if data.consent_on is not None:
        _in_life(data.consent_on, child, today, "consentOn", ("同意日期", "consentOn"))
        if data.consent_on < data.assessed_on:
            raise DomainError(
                ErrorCode.INVALID,
                "监护人同意日期不能早于评估日期",
                "consentOn cannot precede assessedOn",
                field="consentOn",
            )
    if data.recommendation is PlacementRecommendation.HOME_DELIVERED:
        await check_home_delivery(child, data.assessed_on, "recommendation")
    if data.guardian_consent:  # the placement takes effect: the county's authority decides
        await require_approver(caller, child, ApprovalKind.PLACEMENT)
    async with in_transaction():
        plan = None
        if data.guardian_consent:
            plan = await SupportPlan.create(
                child_id=child.id,
                kind=SupportPlanKind.PLACEMENT,
                mentor_id=await _mentor(caller, data.mentor_id, child.jurisdiction_id),
                plan=f"{data.recommendation.label} ({committee} {data.assessed_on.isoformat()})",
                measures=_measures(data.measures, "measures", False),
                started_on=data.consent_on,
            )
        assessment = await PlacementAssessment.create(
            child_id=child.id,
            assessed_on=data.assessed_on,
            committee=committee[:128],
            recommendation=data.recommendation,
            findings=data.findings.strip(),
            guardian_consent=data.guardian_consent,
            consent_on=data.consent_on,
            plan=plan,
        )
        await record_write(data.write.audit)
    return assessment


ASSESSMENT = ("一人一案评估", "placement assessment")


async def correct_placement_assessment(
    write: Write,
    assessment_id: uuid.UUID | None,
    expected_version: int,
    *,
    assessed_on: Any = KEEP,
    committee: Any = KEEP,
    recommendation: Any = KEEP,
    findings: Any = KEEP,
) -> PlacementAssessment:
    """Correct what was recorded of the committee's assessment (only the fields given); a
    stale ``expected_version`` is ``CONFLICT`` and writes nothing. The guardian's consent is
    not changed here. Correcting an assessment whose placement took effect is, like the
    consent, for the authority the county names (:mod:`core.people.approvals`)."""
    caller = require_permission(write.caller, *WRITERS)
    today = local_date(write.now)
    async with in_transaction():
        row = await find_in_scope(PlacementAssessment, caller, assessment_id, "id", ASSESSMENT)
        if row.version != expected_version:
            raise conflict(ASSESSMENT, expected_version, row.version)
        child = await Child.get(id=row.child_id)
        if row.plan_id is not None:
            await require_approver(caller, child, ApprovalKind.PLACEMENT)
        updates: dict[str, Any] = {}
        if committee is not KEEP:
            text = (committee or "").strip()
            if not text:
                raise DomainError(
                    ErrorCode.REQUIRED,
                    "须填写评估机构 (残疾人教育专家委员会)",
                    "committee is required",
                    field="committee",
                )
            updates["committee"] = text[:128]
        if assessed_on is not KEEP:
            if assessed_on is None:
                raise DomainError(
                    ErrorCode.REQUIRED,
                    "须填写评估日期",
                    "assessedOn is required",
                    field="assessedOn",
                )
            _in_life(assessed_on, child, today, "assessedOn", ("评估日期", "assessedOn"))
            if row.consent_on is not None and row.consent_on < assessed_on:
                raise DomainError(
                    ErrorCode.INVALID,
                    "评估日期不能晚于监护人同意日期",
                    "assessedOn cannot follow consentOn",
                    field="assessedOn",
                )
            updates["assessed_on"] = assessed_on
        if recommendation is not KEEP:
            if recommendation is None:
                raise DomainError(
                    ErrorCode.REQUIRED,
                    "须填写安置建议",
                    "recommendation is required",
                    field="recommendation",
                )
            if recommendation is PlacementRecommendation.HOME_DELIVERED:
                day = updates.get("assessed_on", row.assessed_on)
                await check_home_delivery(child, day, "recommendation")
            updates["recommendation"] = recommendation
        if findings is not KEEP:
            updates["findings"] = (findings or "").strip()
        await compare_and_set(PlacementAssessment, row, expected_version, updates, ASSESSMENT)
        await record_write(write.audit)
    return row


async def create_school_plan(
    write: Write,
    school_id: uuid.UUID | None,
    school_year: int,
    *,
    content: str,
    measures: Sequence[str] = (),
    responsible_id: uuid.UUID | None = None,
) -> SchoolPlan:
    """A school's 一校一案 for one school year (one per school and year: ``DUPLICATE``)."""
    caller = require_permission(write.caller, *WRITERS)
    school = await find_in_scope(School, caller, school_id, "schoolId", ("学校", "school"))
    this_year = local_date(write.now).year
    if not this_year - 10 <= school_year <= this_year + 1:
        raise DomainError(
            ErrorCode.INVALID,
            f"学年须在 {this_year - 10} 到 {this_year + 1} 之间",
            f"schoolYear must lie between {this_year - 10} and {this_year + 1}",
            field="schoolYear",
        )
    if not (content or "").strip():
        raise DomainError(
            ErrorCode.REQUIRED, "须填写方案内容", "content is required", field="content"
        )
    try:
        async with in_transaction():
            plan = await SchoolPlan.create(
                school_id=school.id,
                school_year=school_year,
                content=content.strip(),
                measures=_measures(measures, "measures", False),
                responsible_id=await _mentor(caller, responsible_id, school.jurisdiction_id),
            )
            await record_write(write.audit)
    except IntegrityError:
        raise DomainError(
            ErrorCode.DUPLICATE,
            f"该校 {school_year} 学年已有一校一案, 请修改原方案",
            f"the school has a plan for {school_year} already",
            field="schoolYear",
        ) from None
    return plan


SCHOOL_PLAN = ("一校一案", "school plan")


async def update_school_plan(
    write: Write,
    plan_id: uuid.UUID | None,
    expected_version: int,
    *,
    content: Any = KEEP,
    measures: Any = KEEP,
    responsible_id: Any = KEEP,
) -> SchoolPlan:
    """Change a school's 一校一案 (only the fields given); a stale ``expected_version`` is
    ``CONFLICT`` and writes nothing. The school and year stay: a new year is a new plan."""
    caller = require_permission(write.caller, *WRITERS)
    async with in_transaction():
        row = await find_in_scope(SchoolPlan, caller, plan_id, "id", SCHOOL_PLAN)
        if row.version != expected_version:
            raise conflict(SCHOOL_PLAN, expected_version, row.version)
        updates: dict[str, Any] = {}
        if content is not KEEP:
            if not (content or "").strip():
                raise DomainError(
                    ErrorCode.REQUIRED, "须填写方案内容", "content is required", field="content"
                )
            updates["content"] = content.strip()
        if measures is not KEEP:
            updates["measures"] = _measures(measures, "measures", False)
        if responsible_id is not KEEP:
            jurisdiction = await School.filter(id=row.school_id).values_list(
                "jurisdiction_id", flat=True
            )
            updates["responsible_id"] = await _mentor(caller, responsible_id, jurisdiction[0])
        await compare_and_set(SchoolPlan, row, expected_version, updates, SCHOOL_PLAN)
        await record_write(write.audit)
    return row
