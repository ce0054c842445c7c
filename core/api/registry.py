"""GraphQL enums for every domain vocabulary, registered once with their descriptions."""

from __future__ import annotations

from core.api.enums import graphql_enum
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.queries import CaseOrderField
from core.enrolment.models import EnrolmentChangeKind, EnrolmentMode, EnrolmentStatus
from core.jurisdictions.models import KeyAreaKind, SchoolGroupKind, TownKind, VillageKind
from core.officials.models import Duty, LeadershipRole, ResponsibilityLine
from core.people.enums import (
    DisabilityCategory,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.people.queries import ChildOrderField
from core.rules.enums import SchoolStage
from core.schools.models import SchoolKind
from core.visits.models import HomeVisitKind, SupportPlanKind

graphql_enum(TownKind, "乡镇/街道类别")
graphql_enum(VillageKind, "村/社区类别")
graphql_enum(SchoolGroupKind, "学校分组类别: 学区或督导责任区")
graphql_enum(KeyAreaKind, "重点地区 (重点监测区域) 的类别")
graphql_enum(SchoolStage, "学段")
graphql_enum(LeadershipRole, "领导小组中的职务")
graphql_enum(SchoolKind, "学校类别")
graphql_enum(Gender, "性别")
graphql_enum(PovertyStatus, "户的帮扶身份 (脱贫户/监测户)")
graphql_enum(MigrationStatus, "户的外出/流动情况")
graphql_enum(GuardianRelation, "监护人与儿童的关系")
graphql_enum(KeyGroup, "重点群体")
graphql_enum(DisabilityCategory, "残疾类别")
graphql_enum(EnrolmentStatus, "学籍状态")
graphql_enum(EnrolmentMode, "就读方式")
graphql_enum(EnrolmentChangeKind, "学籍异动类别")
graphql_enum(CaseKind, "个案类别")
graphql_enum(CaseState, "个案状态")
graphql_enum(CaseSource, "个案来源")
graphql_enum(CaseEventKind, "个案时间线事件类别")
graphql_enum(HomeVisitKind, "家访类别")
graphql_enum(SupportPlanKind, "帮扶计划类别")
graphql_enum(ResponsibilityLine, "责任线: 教育线或政府线")
graphql_enum(Duty, "责任分工 (双线四包等)")
graphql_enum(ChildOrderField, "儿童列表的排序字段")
graphql_enum(CaseOrderField, "个案列表的排序字段")
