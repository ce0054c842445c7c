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


class SupportPlan(Model):
    """一生一策 / 结对帮扶 / 一人一案: a named helper and a written plan for one child."""

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

    class Meta:
        table = "support_plan"
        ordering = ["-started_on"]
