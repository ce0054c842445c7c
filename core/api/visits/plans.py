"""Mutations and lists of plans: 一生一策 / 送教上门 support plans, 一人一案 assessments, and a
school's 一校一案 (:mod:`core.visits.plans`)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from core.access.enums import Permission
from core.api.context import Info
from core.api.enums import PlacementRecommendation, SupportPlanKind
from core.api.filters import After, Before, First, Last
from core.api.ids import parse_global_id
from core.api.pagination import Connection, page_of
from core.api.people.mutations import RegistryError, keep, refused, write_of
from core.api.visits.types import PlacementAssessment, SchoolPlan, SupportPlan
from core.china_time import local_date
from core.visits import plans

_VERSION = "读取到的版本号 (version); 与当前版本不符时返回 CONFLICT 且不做任何修改"


@strawberry.input(description="制定帮扶计划 (一生一策须有措施; 送教上门须符合本地区条件)")
class CreateSupportPlanInput:
    child_id: strawberry.ID = strawberry.field(description="帮扶对象 (Child 的 ID)")
    kind: SupportPlanKind = strawberry.field(description="计划类别")
    started_on: datetime.date = strawberry.field(description="开始日期")
    measures: list[str] | None = strawberry.field(default=None, description="帮扶措施")
    plan: str | None = strawberry.field(default=None, description="计划内容 (说明)")
    mentor_id: strawberry.ID | None = strawberry.field(
        default=None, description="责任教师 (Official 的 ID)"
    )
    review_on: datetime.date | None = strawberry.field(default=None, description="下次评估日期")


@strawberry.input(description="修改帮扶计划或登记一次评估: 只改给出的字段")
class UpdateSupportPlanInput:
    id: strawberry.ID = strawberry.field(description="帮扶计划 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    measures: list[str] | None = strawberry.field(default=strawberry.UNSET, description="措施")
    plan: str | None = strawberry.field(default=strawberry.UNSET, description="计划内容")
    mentor_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="责任教师"
    )
    reviewed_on: datetime.date | None = strawberry.field(
        default=strawberry.UNSET, description="本次评估日期"
    )
    review_on: datetime.date | None = strawberry.field(
        default=strawberry.UNSET, description="下次评估日期"
    )
    ended_on: datetime.date | None = strawberry.field(
        default=strawberry.UNSET, description="结束日期"
    )


@strawberry.input(description="登记残疾人教育专家委员会的评估与安置建议 (一人一案)")
class RecordPlacementAssessmentInput:
    child_id: strawberry.ID = strawberry.field(description="评估对象 (须已登记残疾类别)")
    assessed_on: datetime.date = strawberry.field(description="评估日期")
    committee: str = strawberry.field(description="评估机构 (如 某县残疾人教育专家委员会)")
    recommendation: PlacementRecommendation = strawberry.field(
        description="安置建议 (送教上门须符合本地区条件)"
    )
    findings: str | None = strawberry.field(default=None, description="评估意见")
    guardian_consent: bool = strawberry.field(
        default=False, description="监护人是否同意 (同意后生成一人一案安置方案)"
    )
    consent_on: datetime.date | None = strawberry.field(default=None, description="监护人同意日期")
    mentor_id: strawberry.ID | None = strawberry.field(
        default=None, description="安置方案的责任教师"
    )
    measures: list[str] | None = strawberry.field(default=None, description="安置方案的措施")


@strawberry.input(description="更正一人一案评估记录: 只改给出的字段 (监护人意见不在此修改)")
class CorrectPlacementAssessmentInput:
    id: strawberry.ID = strawberry.field(description="评估记录 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    assessed_on: datetime.date | None = strawberry.field(
        default=strawberry.UNSET, description="评估日期"
    )
    committee: str | None = strawberry.field(default=strawberry.UNSET, description="评估机构")
    recommendation: PlacementRecommendation | None = strawberry.field(
        default=strawberry.UNSET, description="安置建议 (送教上门须符合本地区条件)"
    )
    findings: str | None = strawberry.field(default=strawberry.UNSET, description="评估意见")


@strawberry.input(description="制定一校一案 (每校每学年一份)")
class CreateSchoolPlanInput:
    school_id: strawberry.ID = strawberry.field(description="学校")
    school_year: int = strawberry.field(description="学年 (起始年份)")
    content: str = strawberry.field(description="方案内容")
    measures: list[str] | None = strawberry.field(default=None, description="主要措施")
    responsible_id: strawberry.ID | None = strawberry.field(
        default=None, description="责任人 (Official 的 ID)"
    )


@strawberry.input(description="修改一校一案: 只改给出的字段 (学校与学年不变)")
class UpdateSchoolPlanInput:
    id: strawberry.ID = strawberry.field(description="一校一案 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    content: str | None = strawberry.field(default=strawberry.UNSET, description="方案内容")
    measures: list[str] | None = strawberry.field(default=strawberry.UNSET, description="主要措施")
    responsible_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="责任人 (Official 的 ID)"
    )


@strawberry.type(description="帮扶计划操作的结果")
class SupportPlanPayload:
    support_plan: SupportPlan | None = strawberry.field(description="帮扶计划")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type(description="一人一案评估的结果")
class PlacementAssessmentPayload:
    assessment: PlacementAssessment | None = strawberry.field(description="评估记录")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type(description="一校一案的结果")
class SchoolPlanPayload:
    school_plan: SchoolPlan | None = strawberry.field(description="一校一案")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")


def _official(value: Any, field: str) -> Any:
    return keep(value, lambda v: parse_global_id(v, "Official", field))


@strawberry.type
class PlanMutation:
    @strawberry.mutation(description="制定帮扶计划: 一生一策、结对帮扶、一人一案、送教上门")
    async def create_support_plan(
        self, info: Info, input: CreateSupportPlanInput
    ) -> SupportPlanPayload:
        write = write_of(info, Permission.WRITE_ROSTER, Permission.WRITE_CASES)

        async def call() -> Any:
            return await plans.create_support_plan(
                plans.NewSupportPlan(
                    write=write,
                    child_id=parse_global_id(input.child_id, "Child", "childId"),
                    kind=input.kind,
                    started_on=input.started_on,
                    measures=tuple(input.measures or ()),
                    plan=input.plan or "",
                    mentor_id=parse_global_id(input.mentor_id, "Official", "mentorId"),
                    review_on=input.review_on,
                )
            )

        plan, errors = await refused(call)
        return SupportPlanPayload(support_plan=plan, errors=errors)

    @strawberry.mutation(description="修改帮扶计划, 或登记一次评估 (reviewedOn) 与下次评估日期")
    async def update_support_plan(
        self, info: Info, input: UpdateSupportPlanInput
    ) -> SupportPlanPayload:
        write = write_of(info, Permission.WRITE_ROSTER, Permission.WRITE_CASES)

        async def call() -> Any:
            return await plans.update_support_plan(
                write,
                parse_global_id(input.id, "SupportPlan", "id"),
                input.expected_version,
                measures=keep(input.measures),
                plan=keep(input.plan),
                mentor_id=_official(input.mentor_id, "mentorId"),
                review_on=keep(input.review_on),
                reviewed_on=keep(input.reviewed_on),
                ended_on=keep(input.ended_on),
            )

        plan, errors = await refused(call)
        return SupportPlanPayload(support_plan=plan, errors=errors)

    @strawberry.mutation(
        description="登记专家委员会评估与安置建议 (一人一案); 监护人同意后生成安置方案"
    )
    async def record_placement_assessment(
        self, info: Info, input: RecordPlacementAssessmentInput
    ) -> PlacementAssessmentPayload:
        write = write_of(info, Permission.WRITE_ROSTER, Permission.WRITE_CASES)

        async def call() -> Any:
            return await plans.record_placement_assessment(
                plans.NewAssessment(
                    write=write,
                    child_id=parse_global_id(input.child_id, "Child", "childId"),
                    assessed_on=input.assessed_on,
                    committee=input.committee,
                    recommendation=input.recommendation,
                    findings=input.findings or "",
                    guardian_consent=input.guardian_consent,
                    consent_on=input.consent_on,
                    mentor_id=parse_global_id(input.mentor_id, "Official", "mentorId"),
                    measures=tuple(input.measures or ()),
                )
            )

        assessment, errors = await refused(call)
        return PlacementAssessmentPayload(assessment=assessment, errors=errors)

    @strawberry.mutation(
        description="更正一人一案评估记录 (版本号不符时返回 CONFLICT; 已生效的安置须由批准机关更正)"
    )
    async def correct_placement_assessment(
        self, info: Info, input: CorrectPlacementAssessmentInput
    ) -> PlacementAssessmentPayload:
        write = write_of(info, Permission.WRITE_ROSTER, Permission.WRITE_CASES)

        async def call() -> Any:
            return await plans.correct_placement_assessment(
                write,
                parse_global_id(input.id, "PlacementAssessment", "id"),
                input.expected_version,
                assessed_on=keep(input.assessed_on),
                committee=keep(input.committee),
                recommendation=keep(input.recommendation),
                findings=keep(input.findings),
            )

        assessment, errors = await refused(call)
        return PlacementAssessmentPayload(assessment=assessment, errors=errors)

    @strawberry.mutation(description="制定一校一案 (每校每学年一份)")
    async def create_school_plan(
        self, info: Info, input: CreateSchoolPlanInput
    ) -> SchoolPlanPayload:
        write = write_of(info, Permission.WRITE_ROSTER, Permission.WRITE_CASES)

        async def call() -> Any:
            return await plans.create_school_plan(
                write,
                parse_global_id(input.school_id, "School", "schoolId"),
                input.school_year,
                content=input.content,
                measures=tuple(input.measures or ()),
                responsible_id=parse_global_id(input.responsible_id, "Official", "responsibleId"),
            )

        plan, errors = await refused(call)
        return SchoolPlanPayload(school_plan=plan, errors=errors)

    @strawberry.mutation(description="修改一校一案 (版本号不符时返回 CONFLICT, 不做任何修改)")
    async def update_school_plan(
        self, info: Info, input: UpdateSchoolPlanInput
    ) -> SchoolPlanPayload:
        write = write_of(info, Permission.WRITE_ROSTER, Permission.WRITE_CASES)

        async def call() -> Any:
            return await plans.update_school_plan(
                write,
                parse_global_id(input.id, "SchoolPlan", "id"),
                input.expected_version,
                content=keep(input.content),
                measures=keep(input.measures),
                responsible_id=_official(input.responsible_id, "responsibleId"),
            )

        plan, errors = await refused(call)
        return SchoolPlanPayload(school_plan=plan, errors=errors)


@strawberry.type
class PlanQuery:
    @strawberry.field(
        description="逾期未评估的帮扶计划 (计划未结束且下次评估日期已过, 最逾期的在前; 分页)"
    )
    async def overdue_support_plan_reviews(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[SupportPlan]:
        qs = plans.overdue_reviews(local_date(info.context.now()))
        return await page_of(info, qs, first=first, after=after, last=last, before=before)


__all__ = ["PlanMutation", "PlanQuery"]
