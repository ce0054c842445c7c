"""GraphQL types of cases (一人一档), their timeline and the county's case statistics."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from tortoise.queryset import QuerySet

from core.api.cases import details
from core.api.context import Info
from core.api.enums import CaseAction, CaseEventKind, CaseKind, CaseSource, CaseState
from core.api.files.types import FileAttachment, attachments_of
from core.api.node import ModelNode
from core.api.permissions import related
from core.cases import models, workflow
from core.cases import queries as case_queries
from core.cases.enums import TERMINAL_STATES, CaseReason
from core.enrolment.models import EnrolmentChange as EnrolmentChangeModel
from core.files.storage import GENERATED_BY
from core.jurisdictions import models as jmodels
from core.officials import models as omodels
from core.people import models as pmodels
from core.plugins import rules_for
from core.schools import models as smodels
from core.visits.models import HomeVisit as HomeVisitModel

ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]
SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]
JurisdictionType = Annotated["Jurisdiction", strawberry.lazy("core.api.jurisdictions.types")]
OfficialType = Annotated["Official", strawberry.lazy("core.api.officials.types")]
HomeVisitType = Annotated["HomeVisit", strawberry.lazy("core.api.visits.types")]
EnrolmentChangeType = Annotated["EnrolmentChange", strawberry.lazy("core.api.enrolment.types")]


def reason_label(code: str, jurisdiction_code: str | None) -> str:
    """The Chinese label of a reason code: the county's word for a reason its plugin adds
    (``baoxue_vocabulary``), core's for core's, the code itself when neither knows it."""
    if jurisdiction_code is None:
        return CaseReason.choices().get(code, code)
    return rules_for(jurisdiction_code).case_reasons().get(code, code)


async def _reason_detail(root: models.Case, info: Info) -> str:
    return await details.free_text(info, root.reason_detail, root.child_id)


async def _event_details(root: models.CaseEvent, info: Info) -> JSON:
    return await details.event_details(info, root)


@strawberry.type(name="Case", description="控辍保学个案 (一人一档)")
class Case(ModelNode):
    model: ClassVar = models.Case
    id: relay.NodeID[str]
    kind: CaseKind = strawberry.field(description="个案类别")
    state: CaseState = strawberry.field(description="状态")
    source: CaseSource = strawberry.field(description="来源")
    reason: str = strawberry.field(
        description="辍学原因代码 (核心代码见 CaseFilter.reasons 说明; 插件可增加)"
    )

    reason_detail: str = strawberry.field(resolver=_reason_detail, description="原因说明")
    escalation_level: int = strawberry.field(description="当前责任层级 (0 为第一级)")
    opened_at: datetime.datetime = strawberry.field(description="立案时间")
    closed_at: datetime.datetime | None = strawberry.field(description="结案时间")
    next_deadline_at: datetime.datetime | None = strawberry.field(description="下一时限")
    version: int = strawberry.field(description="版本号 (修改时须提供, 防止并发覆盖)")
    created_at: datetime.datetime = strawberry.field(description="创建时间")
    updated_at: datetime.datetime = strawberry.field(description="最近更新时间")

    @strawberry.field(description="辍学原因 (中文)")
    async def reason_label(self, info: Info) -> str:
        county = await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)
        return reason_label(self.reason, county.division_code if county else None)

    @strawberry.field(description="附件 (上传到本个案的文件, 按上传时间)")
    async def files(self, info: Info) -> list[FileAttachment]:
        return await attachments_of(info, "case_id", self.id)

    @strawberry.field(description="是否未结 (状态非终态)")
    def is_open(self) -> bool:
        return CaseState(self.state) not in TERMINAL_STATES

    @strawberry.field(description="是否逾期: 未结且下一时限已过")
    def is_overdue(self, info: Info) -> bool:
        return case_queries.is_overdue(self, info.context.now())

    @strawberry.field(
        description="当前状态允许的操作 (据状态机; 时限等其他前提见 docs/case-workflow.md)"
    )
    def allowed_actions(self) -> list[CaseAction]:
        return workflow.allowed_actions(CaseState(self.state))

    @strawberry.field(description="已逾期天数 (未逾期为 null)")
    def days_overdue(self, info: Info) -> int | None:
        now = info.context.now()
        if not case_queries.is_overdue(self, now):
            return None
        return (now - self.next_deadline_at).days

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> JurisdictionType:
        return await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="儿童")
    async def child(self, info: Info) -> ChildType:
        return await related(info, pmodels.Child, self.child_id)

    @strawberry.field(description="学籍校")
    async def school(self, info: Info) -> SchoolType | None:
        if self.school_id is None:
            return None
        # part of the case's record, even when the school is in another town than the caller's
        return await info.context.loaders.named_school(smodels.School).load(self.school_id)

    @strawberry.field(description="时间线 (按发生时间先后)")
    async def events(self, info: Info) -> list[CaseEvent]:
        return await info.context.loaders.many(models.CaseEvent, "case_id").load(self.id)

    @strawberry.field(description="时间线中最近的一条 (无记录时为 null)")
    async def last_event(self, info: Info) -> CaseEvent | None:
        events = await info.context.loaders.many(models.CaseEvent, "case_id").load(self.id)
        return events[-1] if events else None

    @strawberry.field(description="为本个案所做的家访 (新的在前)")
    async def home_visits(self, info: Info) -> list[HomeVisitType]:
        return await info.context.loaders.many(HomeVisitModel, "case_id").load(self.id)

    @strawberry.field(description="与本个案相关的学籍异动 (如复学)")
    async def enrolment_changes(self, info: Info) -> list[EnrolmentChangeType]:
        return await info.context.loaders.many(EnrolmentChangeModel, "case_id").load(self.id)


@strawberry.type(name="CaseEvent", description="个案时间线中的一条记录 (写入后不可修改)")
class CaseEvent(ModelNode):
    model: ClassVar = models.CaseEvent
    id: relay.NodeID[str]
    kind: CaseEventKind = strawberry.field(description="事件类别")
    from_state: CaseState | None = strawberry.field(description="变更前状态")
    to_state: CaseState | None = strawberry.field(description="变更后状态")
    occurred_at: datetime.datetime = strawberry.field(description="发生时间")
    recorded_at: datetime.datetime = strawberry.field(description="记录时间")
    actor_name: str = strawberry.field(description="经办人")

    details: JSON = strawberry.field(resolver=_event_details, description="详情 (随事件类别而定)")

    @strawberry.field(description="所属个案")
    async def case(self, info: Info) -> Case:
        return await related(info, models.Case, self.case_id)

    @strawberry.field(description="经办人 (系统内人员; 外部人员只有姓名)")
    async def actor(self, info: Info) -> OfficialType | None:
        if self.actor_id is None:
            return None
        return await info.context.loaders.by_id(omodels.Official).load(self.actor_id)

    @strawberry.field(description="附件 (文件保存在别处, 此处为名称与校验值)")
    async def attachments(self, info: Info) -> list[CaseAttachment]:
        return await info.context.loaders.many(models.CaseAttachment, "event_id").load(self.id)


@strawberry.type(name="CaseAttachment", description="个案附件: 文件名与 SHA-256 (文件本身存于别处)")
class CaseAttachment(ModelNode):
    model: ClassVar = models.CaseAttachment
    id: relay.NodeID[str]
    file_name: str = strawberry.field(description="文件名")
    sha256: str = strawberry.field(description="SHA-256 校验值 (十六进制)")
    size_bytes: int | None = strawberry.field(description="大小 (字节)")
    uploaded_by: str = strawberry.field(description="上传人")
    uploaded_at: datetime.datetime = strawberry.field(description="上传时间")

    @strawberry.field(
        description="下载地址: 系统生成的文件 (如 劝返复学通知书 DOCX) 可在此下载 (需登录凭证); "
        "其他附件由各县自行保存, 为 null"
    )
    def download_url(self) -> str | None:
        return f"/attachments/{self.id}" if self.uploaded_by == GENERATED_BY else None


@strawberry.type(description="某一状态的个案数")
class CaseStateCount:
    state: CaseState = strawberry.field(description="状态")
    count: int = strawberry.field(description="个案数")


@strawberry.type(description="某一类别的个案数")
class CaseKindCount:
    kind: CaseKind = strawberry.field(description="个案类别")
    count: int = strawberry.field(description="个案数")


@strawberry.type(description="某一责任层级的未结个案数")
class EscalationLevelCount:
    level: int = strawberry.field(description="责任层级 (0 为第一级)")
    count: int = strawberry.field(description="未结个案数")


@strawberry.type(
    description="个案统计: 同一筛选条件下的总数与分组计数; 每个字段一条 SQL, 只算所请求的字段"
)
class CaseStatistics:
    _cases: strawberry.Private[QuerySet[models.Case]]
    _now: strawberry.Private[datetime.datetime]

    @strawberry.field(description="个案总数")
    async def total(self) -> int:
        return await self._cases.count()

    @strawberry.field(description="未结个案数")
    async def open(self) -> int:
        return await self._cases.filter(case_queries.open_q()).count()

    @strawberry.field(description="逾期个案数 (未结且下一时限已过)")
    async def overdue(self) -> int:
        return await self._cases.filter(case_queries.overdue_q(self._now)).count()

    @strawberry.field(description="按状态计数 (每个状态一项, 按状态定义顺序, 无个案的为 0)")
    async def by_state(self) -> list[CaseStateCount]:
        counts = await case_queries.count_by_state(self._cases)
        return [CaseStateCount(state=s, count=n) for s, n in counts.items()]

    @strawberry.field(description="按类别计数 (每个类别一项, 无个案的为 0)")
    async def by_kind(self) -> list[CaseKindCount]:
        counts = await case_queries.count_by_kind(self._cases)
        return [CaseKindCount(kind=k, count=n) for k, n in counts.items()]

    @strawberry.field(description="未结个案按责任层级计数 (只列有个案的层级, 从低到高)")
    async def by_escalation_level(self) -> list[EscalationLevelCount]:
        counts = await case_queries.count_by_escalation_level(self._cases)
        return [EscalationLevelCount(level=lvl, count=n) for lvl, n in counts.items()]
