"""GraphQL types of home visits (家访) and support plans (一生一策, 结对帮扶, 一人一案)."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.api.cases.details import free_text
from core.api.context import Info
from core.api.enums import HomeVisitKind, PlacementRecommendation, SupportPlanKind
from core.api.files.types import FileAttachment as FileAttachmentType
from core.api.files.types import attachments_of
from core.api.node import ModelNode
from core.cases import models as cmodels
from core.china_time import local_date
from core.officials import models as omodels
from core.people import models as pmodels
from core.schools import models as smodels
from core.visits import models

ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]
SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]
CaseType = Annotated["Case", strawberry.lazy("core.api.cases.types")]
OfficialType = Annotated["Official", strawberry.lazy("core.api.officials.types")]


async def _findings(root: models.HomeVisit, info: Info) -> str:
    return await free_text(info, root.findings, root.child_id)


@strawberry.type(name="HomeVisit", description="家访记录")
class HomeVisit(ModelNode):
    model: ClassVar = models.HomeVisit
    id: relay.NodeID[str]
    kind: HomeVisitKind = strawberry.field(description="家访类别")
    visited_on: datetime.date = strawberry.field(description="家访日期")
    visitor_name: str = strawberry.field(description="家访人")

    findings: str = strawberry.field(resolver=_findings, description="情况记录")
    follow_up_needed: bool = strawberry.field(description="是否需要跟进")
    updated_at: datetime.datetime = strawberry.field(
        description="最近更新时间 (修改时可作 expectedUpdatedAt 提交)"
    )

    @strawberry.field(description="被访儿童")
    async def child(self, info: Info) -> ChildType:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="相关个案 (可为空)")
    async def case(self, info: Info) -> CaseType | None:
        if self.case_id is None:
            return None
        return await info.context.loaders.by_id(cmodels.Case).load(self.case_id)

    @strawberry.field(description="家访人 (系统内人员)")
    async def visitor(self, info: Info) -> OfficialType | None:
        if self.visitor_id is None:
            return None
        return await info.context.loaders.by_id(omodels.Official).load(self.visitor_id)

    @strawberry.field(description="附件 (家访照片等, 按上传时间)")
    async def files(self, info: Info) -> list[FileAttachmentType]:
        return await attachments_of(info, "home_visit_id", self.id)  # type: ignore[return-value]


@strawberry.type(name="SupportPlan", description="帮扶计划: 一生一策、结对帮扶、一人一案或送教上门")
class SupportPlan(ModelNode):
    model: ClassVar = models.SupportPlan
    id: relay.NodeID[str]
    kind: SupportPlanKind = strawberry.field(description="计划类别")
    plan: str = strawberry.field(description="计划内容")
    started_on: datetime.date = strawberry.field(description="开始日期")
    ended_on: datetime.date | None = strawberry.field(description="结束日期")
    measures: list[str] = strawberry.field(description="帮扶措施")
    review_on: datetime.date | None = strawberry.field(description="下次评估日期")
    last_reviewed_on: datetime.date | None = strawberry.field(description="最近评估日期")
    version: int = strawberry.field(description="版本号: 修改时作为 expectedVersion 提交")

    @strawberry.field(description="是否逾期未评估: 计划未结束且下次评估日期已过 (按北京时间)")
    def is_review_overdue(self, info: Info) -> bool:
        today = local_date(info.context.now())
        return self.ended_on is None and self.review_on is not None and self.review_on < today

    @strawberry.field(description="帮扶对象")
    async def child(self, info: Info) -> ChildType:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="帮扶责任人 (结对教师等)")
    async def mentor(self, info: Info) -> OfficialType | None:
        if self.mentor_id is None:
            return None
        return await info.context.loaders.by_id(omodels.Official).load(self.mentor_id)

    @strawberry.field(description="附件 (按上传时间)")
    async def files(self, info: Info) -> list[FileAttachmentType]:
        return await attachments_of(info, "support_plan_id", self.id)  # type: ignore[return-value]


@strawberry.type(
    name="PlacementAssessment",
    description="残疾儿童少年入学评估 (一人一案): 专家委员会的评估、安置建议与监护人意见",
)
class PlacementAssessment(ModelNode):
    model: ClassVar = models.PlacementAssessment
    id: relay.NodeID[str]
    assessed_on: datetime.date = strawberry.field(description="评估日期")
    committee: str = strawberry.field(description="评估机构 (残疾人教育专家委员会)")
    recommendation: PlacementRecommendation = strawberry.field(description="安置建议")
    findings: str = strawberry.field(description="评估意见")
    guardian_consent: bool = strawberry.field(description="监护人是否同意")
    consent_on: datetime.date | None = strawberry.field(description="监护人同意日期")
    version: int = strawberry.field(description="版本号: 更正时作为 expectedVersion 提交")

    @strawberry.field(description="评估对象")
    async def child(self, info: Info) -> ChildType:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="据此制定的一人一案安置方案 (监护人同意后)")
    async def plan(self, info: Info) -> SupportPlan | None:
        if self.plan_id is None:
            return None
        return await info.context.loaders.by_id(models.SupportPlan).load(self.plan_id)


@strawberry.type(name="SchoolPlan", description="一校一案: 学校控辍保学工作方案 (按学年)")
class SchoolPlan(ModelNode):
    model: ClassVar = models.SchoolPlan
    id: relay.NodeID[str]
    school_year: int = strawberry.field(description="学年 (起始年份)")
    content: str = strawberry.field(description="方案内容")
    measures: list[str] = strawberry.field(description="主要措施")
    version: int = strawberry.field(description="版本号")

    @strawberry.field(description="学校")
    async def school(self, info: Info) -> SchoolType:
        return await info.context.loaders.by_id(smodels.School).load(self.school_id)

    @strawberry.field(description="责任人")
    async def responsible(self, info: Info) -> OfficialType | None:
        if self.responsible_id is None:
            return None
        return await info.context.loaders.by_id(omodels.Official).load(self.responsible_id)
