"""Assistance records (资助). Amounts are Decimal yuan."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.labelled_enum import LabelledEnum


class AssistanceProgramme(LabelledEnum):
    """Core programmes; plugins may add codes of their own (stored as text)."""

    TWO_EXEMPTIONS_ONE_SUBSIDY = "TWO_EXEMPTIONS_ONE_SUBSIDY", "两免一补"
    NUTRITION = "NUTRITION", "农村义务教育学生营养改善计划"
    LIVING_SUBSIDY = "LIVING_SUBSIDY", "家庭经济困难学生生活补助"
    BOARDING_PRIORITY = "BOARDING_PRIORITY", "优先安排寄宿"
    DONATION = "DONATION", "社会捐助"
    FEE_WAIVER = "FEE_WAIVER", "减免费用"


class Assistance(Model):
    """资助记录: one grant to one child in one school year."""

    id = fields.UUIDField(primary_key=True)
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="assistance", on_delete=fields.CASCADE, db_index=True
    )
    programme = fields.CharField(max_length=32, db_index=True)
    amount = fields.DecimalField(max_digits=12, decimal_places=2, description="金额 (元)")
    school_year = fields.IntField(db_index=True)
    granted_on = fields.DateField()
    funder = fields.CharField(max_length=128, default="", description="资金来源/捐助方")
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "assistance"
        ordering = ["-granted_on"]
        # Whether a child was assisted in a school year by a day (core.metrics: 资助覆盖率).
        indexes = (("child_id", "school_year", "granted_on"),)
