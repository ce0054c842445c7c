"""GraphQL types of households, guardians and children."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.enums import Permission
from core.access.masking import (
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_student_number,
)
from core.api.context import Info
from core.api.enums import (
    DisabilityCategory,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.api.masking import shown
from core.api.node import ModelNode
from core.api.rules.types import ResponsibleOfficial, responsibility_chain
from core.assistance.models import Assistance as AssistanceModel
from core.cases.enums import TERMINAL_STATES
from core.cases.models import Case as CaseModel
from core.china_time import local_date
from core.enrolment.models import Enrolment as EnrolmentModel
from core.enrolment.models import EnrolmentChange as EnrolmentChangeModel
from core.jurisdictions import models as jmodels
from core.officials.models import ResponsibilityAssignment as AssignmentModel
from core.people import models
from core.people.queries import age_on
from core.visits.models import HomeVisit as HomeVisitModel
from core.visits.models import PlacementAssessment as PlacementAssessmentModel
from core.visits.models import SupportPlan as SupportPlanModel

EnrolmentType = Annotated["Enrolment", strawberry.lazy("core.api.enrolment.types")]
EnrolmentChangeType = Annotated["EnrolmentChange", strawberry.lazy("core.api.enrolment.types")]
CaseType = Annotated["Case", strawberry.lazy("core.api.cases.types")]
JurisdictionType = Annotated["Jurisdiction", strawberry.lazy("core.api.jurisdictions.types")]
VillageType = Annotated["Village", strawberry.lazy("core.api.jurisdictions.types")]
AssistanceType = Annotated["Assistance", strawberry.lazy("core.api.assistance.types")]
HomeVisitType = Annotated["HomeVisit", strawberry.lazy("core.api.visits.types")]
SupportPlanType = Annotated["SupportPlan", strawberry.lazy("core.api.visits.types")]
PlacementAssessmentType = Annotated["PlacementAssessment", strawberry.lazy("core.api.visits.types")]
AssignmentType = Annotated["ResponsibilityAssignment", strawberry.lazy("core.api.officials.types")]
ChildRiskType = Annotated["ChildRisk", strawberry.lazy("core.api.risk.types")]

#: Keyword filters that select a child's open cases (state not terminal).
OPEN_CASES = {"state__not_in": [s.value for s in TERMINAL_STATES]}


def guardians_in_visible_order(rows: list, caller: Any, get: Any) -> list:
    """A household's guardians as the caller may see them ordered: the model's order (primary
    first, then by name) with ``READ_PERSONAL_DETAILS``; otherwise, since names are masked, by
    what is shown of them (primary first, surname, id), not by the hidden part. ``get(row,
    attribute)`` reads a row (a model instance or a dict of values)."""
    if caller.can(Permission.READ_PERSONAL_DETAILS):
        return rows
    return sorted(
        rows, key=lambda g: (not get(g, "is_primary"), get(g, "name")[:1], str(get(g, "id")))
    )


@strawberry.type(name="Household", description="户: 户籍地与现住址、帮扶身份")
class Household(ModelNode):
    model: ClassVar = models.Household
    id: relay.NodeID[str]

    @strawberry.field(description="户主姓名 (无「查看个人敏感信息」权限时打码)")
    def head_name(self, info: Info) -> str:
        return shown(info, self, "Household", self.head_name, mask_name)

    @strawberry.field(description="户籍地址 (无「查看个人敏感信息」权限时打码)")
    def registered_address(self, info: Info) -> str:
        return shown(info, self, "Household", self.registered_address, mask_address)

    @strawberry.field(description="现住址 (无「查看个人敏感信息」权限时打码)")
    def current_address(self, info: Info) -> str:
        return shown(info, self, "Household", self.current_address, mask_address)

    poverty_status: PovertyStatus = strawberry.field(description="帮扶身份")
    is_low_income: bool = strawberry.field(description="是否低保户")
    migration_status: MigrationStatus = strawberry.field(description="外出/流动情况")
    version: int = strawberry.field(description="版本号: 修改时作为 expectedVersion 提交")

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> JurisdictionType:
        return await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="所在村/社区")
    async def village(self, info: Info) -> VillageType | None:
        if self.village_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Village).load(self.village_id)

    @strawberry.field(description="监护人 (主要监护人在前)")
    async def guardians(self, info: Info) -> list[Guardian]:
        rows = await info.context.loaders.many(models.Guardian, "household_id").load(self.id)
        return guardians_in_visible_order(rows, info.context.caller, lambda g, a: getattr(g, a))

    @strawberry.field(description="本户儿童 (按姓名排序)")
    async def children(self, info: Info) -> list[Child]:
        return await info.context.loaders.many(models.Child, "household_id").load(self.id)


@strawberry.type(name="Guardian", description="监护人")
class Guardian(ModelNode):
    model: ClassVar = models.Guardian
    id: relay.NodeID[str]

    @strawberry.field(description="姓名 (无「查看个人敏感信息」权限时打码)")
    def name(self, info: Info) -> str:
        return shown(info, self, "Guardian", self.name, mask_name)

    relation: GuardianRelation = strawberry.field(description="与儿童的关系")

    @strawberry.field(description="联系电话 (无「查看个人敏感信息」权限时打码)")
    def phone(self, info: Info) -> str:
        return shown(info, self, "Guardian", self.phone, mask_phone)

    @strawberry.field(description="身份证号 (无「查看个人敏感信息」权限时打码)")
    def id_number(self, info: Info) -> str | None:
        return shown(info, self, "Guardian", self.id_number, mask_id_number)

    works_away: bool = strawberry.field(description="是否外出务工")
    is_primary: bool = strawberry.field(description="是否主要监护人")
    version: int = strawberry.field(description="版本号: 修改时作为 expectedVersion 提交")

    @strawberry.field(description="所属户")
    async def household(self, info: Info) -> Household:
        return await info.context.loaders.by_id(models.Household).load(self.household_id)


@strawberry.type(name="KeyGroupMembership", description="重点群体认定: 群体、来源、起止日期")
class KeyGroupMembership:
    group: KeyGroup = strawberry.field(description="重点群体")
    source: str = strawberry.field(description="认定来源")
    since: datetime.date | None = strawberry.field(description="认定日期")
    ended_on: datetime.date | None = strawberry.field(description="失效日期 (空: 仍有效)")


@strawberry.type(
    name="ChildMerge", description="重复登记合并: 何时、由谁、为何, 及并入记录原有信息"
)
class ChildMerge:
    reason: str = strawberry.field(description="合并原因")
    merged_by: str = strawberry.field(description="操作人")
    merged_at: datetime.datetime = strawberry.field(description="合并时间")

    @strawberry.field(description="并入的重复记录")
    async def duplicate(self, info: Info) -> Child | None:
        return await info.context.loaders.by_id(models.Child).load(self.duplicate_id)

    @strawberry.field(description="归入保留记录的数量 (按类别)")
    def moved(self) -> JSON:
        return self.moved


@strawberry.type(name="Child", description="适龄儿童少年 (学户册中的一人)")
class Child(ModelNode):
    model: ClassVar = models.Child
    id: relay.NodeID[str]
    name: str = strawberry.field(description="姓名")
    gender: Gender = strawberry.field(description="性别")
    birth_date: datetime.date = strawberry.field(description="出生日期")

    @strawberry.field(description="身份证号 (无「查看个人敏感信息」权限时打码)")
    def id_number(self, info: Info) -> str | None:
        return shown(info, self, "Child", self.id_number, mask_id_number)

    @strawberry.field(description="学籍号 (无「查看个人敏感信息」权限时打码)")
    def student_number(self, info: Info) -> str | None:
        return shown(info, self, "Child", self.student_number, mask_student_number)

    ethnicity: str = strawberry.field(description="民族")
    disability_category: DisabilityCategory | None = strawberry.field(description="残疾类别")
    disability_grade: int | None = strawberry.field(description="残疾等级 (1–4)")
    created_at: datetime.datetime = strawberry.field(description="建档时间")
    updated_at: datetime.datetime = strawberry.field(description="最近更新时间")
    version: int = strawberry.field(description="版本号: 修改时作为 expectedVersion 提交")

    @strawberry.field(description="重复登记: 本记录已并入的记录 (未合并为空)")
    async def merged_into(self, info: Info) -> Child | None:
        if self.merged_into_id is None:
            return None
        return await info.context.loaders.by_id(models.Child).load(self.merged_into_id)

    @strawberry.field(description="重点群体认定记录 (含来源、日期与已失效的, 按群体)")
    async def key_group_memberships(self, info: Info) -> list[KeyGroupMembership]:
        rows = await info.context.loaders.many(models.ChildKeyGroup, "child_id").load(self.id)
        return sorted(rows, key=lambda r: list(KeyGroup).index(KeyGroup(r.group)))

    @strawberry.field(description="重复登记合并记录 (本记录为保留者时)")
    async def merges(self, info: Info) -> list[ChildMerge]:
        return await info.context.loaders.many(models.ChildMerge, "survivor_id").load(self.id)

    @strawberry.field(description="今天的周岁年龄 (按北京时间)")
    def age(self, info: Info) -> int:
        return age_on(self.birth_date, local_date(info.context.now()))

    @strawberry.field(
        description="辍学风险 (按本县规则集): 等级、分值、规则集版本与命中的规则及其数值"
    )
    async def risk(self, info: Info) -> ChildRiskType:
        from core.api.risk.types import child_risk

        return await child_risk(info, self)

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> JurisdictionType:
        return await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="所属户")
    async def household(self, info: Info) -> Household | None:
        if self.household_id is None:
            return None
        return await info.context.loaders.by_id(models.Household).load(self.household_id)

    @strawberry.field(description="所属重点群体")
    async def key_groups(self, info: Info) -> list[KeyGroup]:
        rows = await info.context.loaders.many(
            models.ChildKeyGroup, "child_id", **models.ACTIVE_KEY_GROUP
        ).load(self.id)
        return sorted((KeyGroup(r.group) for r in rows), key=list(KeyGroup).index)

    @strawberry.field(description="当前学籍 (从未入学则为空)")
    async def current_enrolment(self, info: Info) -> EnrolmentType | None:
        rows = await info.context.loaders.many(EnrolmentModel, "child_id", is_current=True).load(
            self.id
        )
        return rows[0] if rows else None

    @strawberry.field(description="全部学籍 (新的在前)")
    async def enrolments(self, info: Info) -> list[EnrolmentType]:
        return await info.context.loaders.many(EnrolmentModel, "child_id").load(self.id)

    @strawberry.field(description="学籍异动记录 (全部学籍的, 按时间先后)")
    async def enrolment_changes(self, info: Info) -> list[EnrolmentChangeType]:
        return await info.context.loaders.many(EnrolmentChangeModel, "child_id").load(self.id)

    @strawberry.field(description="控辍保学个案 (全部, 新的在前)")
    async def cases(self, info: Info) -> list[CaseType]:
        return await info.context.loaders.many(CaseModel, "child_id").load(self.id)

    @strawberry.field(description="未结个案 (状态非终态, 新的在前)")
    async def open_cases(self, info: Info) -> list[CaseType]:
        return await info.context.loaders.many(CaseModel, "child_id", **OPEN_CASES).load(self.id)

    @strawberry.field(description="是否有未结个案")
    async def has_open_case(self, info: Info) -> bool:
        rows = await info.context.loaders.many(CaseModel, "child_id", **OPEN_CASES).load(self.id)
        return bool(rows)

    @strawberry.field(description="资助记录 (新的在前)")
    async def assistance(self, info: Info) -> list[AssistanceType]:
        return await info.context.loaders.many(AssistanceModel, "child_id").load(self.id)

    @strawberry.field(description="家访记录 (新的在前)")
    async def home_visits(self, info: Info) -> list[HomeVisitType]:
        return await info.context.loaders.many(HomeVisitModel, "child_id").load(self.id)

    @strawberry.field(description="一生一策/结对帮扶/一人一案等帮扶计划 (新的在前)")
    async def support_plans(self, info: Info) -> list[SupportPlanType]:
        return await info.context.loaders.many(SupportPlanModel, "child_id").load(self.id)

    @strawberry.field(description="残疾儿童少年入学评估 (一人一案, 新的在前)")
    async def placement_assessments(self, info: Info) -> list[PlacementAssessmentType]:
        return await info.context.loaders.many(PlacementAssessmentModel, "child_id").load(self.id)

    @strawberry.field(description="包人的责任分工 (谁对这名儿童负责)")
    async def responsibilities(self, info: Info) -> list[AssignmentType]:
        return await info.context.loaders.many(AssignmentModel, "child_id").load(self.id)

    @strawberry.field(
        description="责任链条: 谁对这名儿童负责, 由近及远 (科任教师 → 班主任 → 校领导 → 校长 → "
        "包学校/包乡镇 → 包片领导 → 总负责人); 无记录处按县级规则补足"
    )
    async def responsibility_chain(self, info: Info) -> list[ResponsibleOfficial]:
        return await responsibility_chain(info, self)
