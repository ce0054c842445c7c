"""The domain's vocabularies as GraphQL enums: registered here, once, and imported from here.

Each domain enum is a :class:`~core.labelled_enum.LabelledEnum`; its Chinese label becomes the
value's description, so the SDL reads ``"在读" ENROLLED`` (the label as a block-string
description). A GraphQL type that uses one imports it from this module (``from core.api.enums
import CaseState``), which guarantees the registration has happened: no module needs to be
imported for its side effect.
"""

from __future__ import annotations

from typing import TypeVar

import strawberry

from core.access.enums import ActorKind, AuditAction, Permission, Role, ScopeKind
from core.attendance.models import FollowUpOutcome, MarkKind
from core.cases.enums import (
    CaseEventKind,
    CaseKind,
    CaseSource,
    CaseState,
    ContactKind,
    ContactOutcome,
    DismissalGrounds,
    ExemptionKind,
)
from core.cases.queries import CaseOrderField
from core.cases.workflow import CaseAction
from core.child_lists import ChildOrderField
from core.enrolment.models import EnrolmentChangeKind, EnrolmentMode, EnrolmentStatus
from core.errors import ErrorCode
from core.imports.models import ComparisonKind, ImportMode, ImportState, MatchOutcome
from core.jurisdictions.models import KeyAreaKind, SchoolGroupKind, TownKind, VillageKind
from core.labelled_enum import LabelledEnum
from core.metrics.accounting import AccountingState
from core.metrics.indicators import Breakdown, IndicatorCode
from core.metrics.place import PlaceKind as MetricPlaceKind
from core.metrics.targets import TargetStatus
from core.officials.models import Duty, ResponsibilityLine
from core.officials.responsibility import ChainSource, ChainTier
from core.people.enums import (
    DisabilityCategory,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.reports.enums import PlaceKind, SubmissionAction, SubmissionState
from core.reports.table import Masking
from core.rules.enums import (
    AbsenceRuleKind,
    ApprovalKind,
    ApprovingAuthority,
    Comparison,
    DeadlineKind,
    FieldKind,
    ImportKind,
    LeadershipRole,
    Metric,
    NoticeKind,
    PeriodAnchor,
    PeriodKind,
    Population,
    RiskLevel,
    RiskSignal,
    RowKind,
    RowSelection,
    SchoolStage,
    SignOffAction,
    TargetPeriod,
    TermSeason,
    ValueKind,
    VocabularyKind,
)
from core.schools.models import SchoolKind
from core.visits.models import HomeVisitKind, PlacementRecommendation, SupportPlanKind

E = TypeVar("E", bound=type[LabelledEnum])


def graphql_enum(enum_cls: E, description: str, name: str | None = None) -> E:
    """Register ``enum_cls`` with strawberry, describing every value with its label."""
    if hasattr(enum_cls, "__strawberry_definition__"):
        return enum_cls
    strawberry.enum(enum_cls, name=name, description=description)
    for value in enum_cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = enum_cls(value.value).label
    return enum_cls


graphql_enum(ErrorCode, "错误代码")
# places and schools
graphql_enum(TownKind, "乡镇/街道类别")
graphql_enum(VillageKind, "村/社区类别")
graphql_enum(SchoolGroupKind, "学校分组类别: 学区或督导责任区")
graphql_enum(KeyAreaKind, "重点地区 (重点监测区域) 的类别")
graphql_enum(SchoolKind, "学校类别")
# children and households
graphql_enum(Gender, "性别")
graphql_enum(PovertyStatus, "户的帮扶身份 (脱贫户/监测户)")
graphql_enum(MigrationStatus, "户的外出/流动情况")
graphql_enum(GuardianRelation, "监护人与儿童的关系")
graphql_enum(KeyGroup, "重点群体")
graphql_enum(DisabilityCategory, "残疾类别")
graphql_enum(EnrolmentStatus, "学籍状态")
graphql_enum(EnrolmentMode, "就读方式")
graphql_enum(EnrolmentChangeKind, "学籍异动类别")
# cases and their workflow
graphql_enum(CaseKind, "个案类别")
graphql_enum(CaseState, "个案状态")
graphql_enum(CaseSource, "个案来源")
graphql_enum(CaseEventKind, "个案时间线事件类别")
graphql_enum(CaseAction, "个案操作 (状态机中的动作, 见 docs/case-workflow.md)")
graphql_enum(DismissalGrounds, "排除 (非辍学) 的理由")
graphql_enum(ContactKind, "联系方式: 家访、电话或劝返谈话")
graphql_enum(ContactOutcome, "联系结果")
graphql_enum(ExemptionKind, "缓学或免学")
graphql_enum(HomeVisitKind, "家访类别")
graphql_enum(SupportPlanKind, "帮扶计划类别")
graphql_enum(PlacementRecommendation, "专家委员会的安置建议 (一人一案)")
# attendance
graphql_enum(MarkKind, "考勤情况: 病假、事假、无故缺勤或迟到")
graphql_enum(FollowUpOutcome, "缺勤当日跟踪的结果")
# responsibility
graphql_enum(ResponsibilityLine, "责任线: 教育线或政府线")
graphql_enum(Duty, "责任分工 (双线四包等)")
graphql_enum(ChainTier, "责任链条中的层级 (由近及远)", name="ResponsibilityTier")
graphql_enum(ChainSource, "责任链条中一环的信息来源", name="ResponsibilitySource")
# list orders
graphql_enum(ChildOrderField, "儿童列表的排序字段")
graphql_enum(CaseOrderField, "个案列表的排序字段")
# access
graphql_enum(Role, "工作人员角色")
graphql_enum(ScopeKind, "账号/密钥的范围")
graphql_enum(Permission, "权限")
graphql_enum(ActorKind, "操作者类别")
graphql_enum(AuditAction, "审计事件类别")
# county rules
graphql_enum(Metric, "目标指标 (率为百分数, 人数为人)")
graphql_enum(Comparison, "实际值与目标值的比较方式")
graphql_enum(Population, "目标统计的儿童范围 (分母)")
graphql_enum(RiskSignal, "辍学风险预警规则所衡量的指标")
graphql_enum(RiskLevel, "辍学风险等级")
graphql_enum(TargetPeriod, "目标的考核周期")
graphql_enum(DeadlineKind, "时限类别")
graphql_enum(PeriodKind, "报表的报送周期")
graphql_enum(PeriodAnchor, "重点时段的起算点")
graphql_enum(TermSeason, "学期")
graphql_enum(AbsenceRuleKind, "考勤预警规则的计数方式")
graphql_enum(SchoolStage, "学段")
graphql_enum(LeadershipRole, "领导小组中的职务")
graphql_enum(VocabularyKind, "县级补充词汇的类别")
graphql_enum(ImportKind, "名册类别 (导入格式所读的名册)")
graphql_enum(ImportState, "名册导入任务状态")
graphql_enum(ImportMode, "名册导入方式")
graphql_enum(ComparisonKind, "比对类别")
graphql_enum(MatchOutcome, "比对结果 (一名儿童或名单的一行)")
graphql_enum(ValueKind, "导入列的取值方式")
graphql_enum(SignOffAction, "报表签署人的动作")
graphql_enum(RowKind, "报表每一行代表的对象", name="ReportRowKind")
graphql_enum(FieldKind, "报表栏目的数值类型", name="ReportFieldKind")
# metrics, targets and accounting
graphql_enum(MetricPlaceKind, "统计范围的类别", name="MetricPlaceKind")
graphql_enum(IndicatorCode, "指标代码 (公式见 docs/metrics.md)", name="Indicator")
graphql_enum(Breakdown, "指标的分组方式", name="MetricBreakdown")
graphql_enum(AccountingState, "底数清: 每名适龄儿童少年所处的一种状态")
graphql_enum(TargetStatus, "目标达成情况")
graphql_enum(ApprovingAuthority, "批准机关 (缓学/免学、休学、一人一案安置)")
graphql_enum(ApprovalKind, "批准事项: 缓学/免学之外由同一批准机关决定的事项")
graphql_enum(RowSelection, "台账所列的儿童或个案", name="ReportRowSelection")
graphql_enum(NoticeKind, "文书类别")
# stored reports
graphql_enum(SubmissionState, "报表报送状态", name="ReportSubmissionState")
graphql_enum(SubmissionAction, "报表报送操作", name="ReportSubmissionAction")
graphql_enum(PlaceKind, "报表的范围", name="ReportPlaceKind")
graphql_enum(Masking, "报表打码方式", name="ReportMasking")

__all__ = [
    "AbsenceRuleKind",
    "AccountingState",
    "ActorKind",
    "ApprovalKind",
    "ApprovingAuthority",
    "AuditAction",
    "Breakdown",
    "CaseAction",
    "CaseEventKind",
    "CaseKind",
    "CaseOrderField",
    "CaseSource",
    "CaseState",
    "ChainSource",
    "ChainTier",
    "ChildOrderField",
    "Comparison",
    "ComparisonKind",
    "ContactKind",
    "ContactOutcome",
    "DeadlineKind",
    "DisabilityCategory",
    "DismissalGrounds",
    "Duty",
    "EnrolmentChangeKind",
    "EnrolmentMode",
    "EnrolmentStatus",
    "ErrorCode",
    "ExemptionKind",
    "FieldKind",
    "FollowUpOutcome",
    "Gender",
    "GuardianRelation",
    "HomeVisitKind",
    "ImportKind",
    "ImportMode",
    "ImportState",
    "IndicatorCode",
    "KeyAreaKind",
    "KeyGroup",
    "LeadershipRole",
    "MarkKind",
    "Masking",
    "MatchOutcome",
    "Metric",
    "MetricPlaceKind",
    "MigrationStatus",
    "NoticeKind",
    "PeriodAnchor",
    "PeriodKind",
    "Permission",
    "PlaceKind",
    "PlacementRecommendation",
    "Population",
    "PovertyStatus",
    "ResponsibilityLine",
    "RiskLevel",
    "RiskSignal",
    "Role",
    "RowKind",
    "RowSelection",
    "SchoolGroupKind",
    "SchoolKind",
    "SchoolStage",
    "ScopeKind",
    "SignOffAction",
    "SubmissionAction",
    "SubmissionState",
    "SupportPlanKind",
    "TargetPeriod",
    "TargetStatus",
    "TermSeason",
    "TownKind",
    "ValueKind",
    "VillageKind",
    "VocabularyKind",
    "graphql_enum",
]
