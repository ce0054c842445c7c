"""Home visits and support plans."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.labelled_enum import LabelledEnum


class HomeVisitKind(LabelledEnum):
    HOME_VISIT = "HOME_VISIT", "家访"
    TEACHERS_VISIT_HOMES = "TEACHERS_VISIT_HOMES", "师访万家"
    GRAND_VISIT = "GRAND_VISIT", "大家访 (进村入户到人)"
    VERIFICATION_VISIT = "VERIFICATION_VISIT", "核查走访"


class SupportPlanKind(LabelledEnum):
    ONE_STUDENT_ONE_POLICY = "ONE_STUDENT_ONE_POLICY", "一生一策"
    PAIRING = "PAIRING", "结对帮扶 (大手拉小手)"
    PLACEMENT = "PLACEMENT", "一人一案 (残疾儿童安置)"
    HOME_DELIVERED_TEACHING = "HOME_DELIVERED_TEACHING", "送教上门计划"


class HomeVisit(Model):
    """家访记录."""

    id = fields.UUIDField(primary_key=True)
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="home_visits", on_delete=fields.CASCADE, db_index=True
    )
    case = fields.ForeignKeyField(
        "baoxue.Case",
        related_name="home_visits",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    visitor = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="home_visits",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    visitor_name = fields.CharField(max_length=64, default="")
    kind = fields.CharEnumField(HomeVisitKind, max_length=24, default=HomeVisitKind.HOME_VISIT)
    visited_on = fields.DateField(db_index=True)
    findings = fields.TextField(default="")
    follow_up_needed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "home_visit"
        ordering = ["-visited_on"]
        # Whether a child was visited in a window (core.metrics: 家访覆盖率).
        indexes = (("child_id", "visited_on"),)


class PlacementRecommendation(LabelledEnum):
    """专家委员会的安置建议 (一人一案)."""

    INCLUSIVE = "INCLUSIVE", "普通学校随班就读"
    SPECIAL_SCHOOL = "SPECIAL_SCHOOL", "特殊教育学校就读"
    HOME_DELIVERED = "HOME_DELIVERED", "送教上门"


class SupportPlan(Model):
    """一生一策 / 结对帮扶 / 一人一案: a named helper and a written plan for one child.

    ``measures`` are the plan's measures, one per line item; ``review_on`` is when the plan is
    next reviewed (a plan whose date has passed while it runs is overdue)."""

    id = fields.UUIDField(primary_key=True)
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="support_plans", on_delete=fields.CASCADE, db_index=True
    )
    kind = fields.CharEnumField(SupportPlanKind, max_length=32)
    mentor = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="support_plans",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    plan = fields.TextField(default="")
    started_on = fields.DateField()
    ended_on = fields.DateField(null=True)
    measures = fields.JSONField(default=list, db_default=[], description="帮扶措施")
    review_on = fields.DateField(null=True, db_index=True, description="下次评估日期")
    last_reviewed_on = fields.DateField(null=True, description="最近评估日期")
    version = fields.IntField(default=1, db_default=1, description="版本号 (每次修改加一)")

    class Meta:
        table = "support_plan"
        ordering = ["-started_on"]


class PlacementAssessment(Model):
    """残疾儿童少年入学评估: the expert committee's assessment and recommendation for one child
    (一人一案), and the guardian's consent."""

    id = fields.UUIDField(primary_key=True)
    child = fields.ForeignKeyField(
        "baoxue.Child",
        related_name="placement_assessments",
        on_delete=fields.CASCADE,
        db_index=True,
    )
    assessed_on = fields.DateField(description="评估日期")
    committee = fields.CharField(max_length=128, description="评估机构 (残疾人教育专家委员会)")
    recommendation = fields.CharEnumField(PlacementRecommendation, max_length=24)
    findings = fields.TextField(default="", description="评估意见")
    guardian_consent = fields.BooleanField(default=False, description="监护人是否同意")
    consent_on = fields.DateField(null=True, description="监护人同意日期")
    plan = fields.ForeignKeyField(
        "baoxue.SupportPlan",
        related_name="assessments",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    version = fields.IntField(default=1, db_default=1, description="版本号 (每次更正加一)")
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "placement_assessment"
        ordering = ["-assessed_on"]


class SchoolPlan(Model):
    """一校一案: a school's own plan for keeping its pupils in school, per school year."""

    id = fields.UUIDField(primary_key=True)
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="plans", on_delete=fields.CASCADE, db_index=True
    )
    school_year = fields.SmallIntField(description="学年 (起始年份)")
    content = fields.TextField(default="")
    measures = fields.JSONField(default=list)
    responsible = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="school_plans",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "school_plan"
        ordering = ["-school_year"]
        unique_together = (("school", "school_year"),)
