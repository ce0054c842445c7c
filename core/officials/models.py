"""Officials (bureau staff, heads, teachers, township cadres) and who answers for what."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.labelled_enum import LabelledEnum


class ResponsibilityLine(LabelledEnum):
    EDUCATION = "EDUCATION", "教育线"
    GOVERNMENT = "GOVERNMENT", "政府线"


class Duty(LabelledEnum):
    """What an assignment covers (双线四包 and the documents' other lines)."""

    OVERALL = "OVERALL", "总负责"
    AREA = "AREA", "包片"
    TOWN = "TOWN", "包乡镇"
    VILLAGE = "VILLAGE", "包村"
    SCHOOL = "SCHOOL", "包学校"
    GRADE = "GRADE", "包年级"
    CLASS = "CLASS", "包班"
    CHILD = "CHILD", "包人"


class Official(Model):
    """干部/教师: anyone who can be named as responsible."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="officials", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=32, db_index=True)
    title = fields.CharField(max_length=128, default="", description="职务")
    organisation = fields.CharField(max_length=128, default="", description="单位")
    office = fields.CharField(max_length=64, default="", description="股室/部门")
    phone = fields.CharField(max_length=20, default="")
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="staff", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    town = fields.ForeignKeyField(
        "baoxue.Town", related_name="officials", null=True, on_delete=fields.SET_NULL, db_index=True
    )

    class Meta:
        table = "official"
        ordering = ["name"]


class ResponsibilityAssignment(Model):
    """One official's responsibility for one town, school, grade, class or child."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="assignments", on_delete=fields.CASCADE, db_index=True
    )
    official = fields.ForeignKeyField(
        "baoxue.Official", related_name="assignments", on_delete=fields.CASCADE, db_index=True
    )
    line = fields.CharEnumField(ResponsibilityLine, max_length=16)
    duty = fields.CharEnumField(Duty, max_length=16)
    town = fields.ForeignKeyField(
        "baoxue.Town",
        related_name="assignments",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    school = fields.ForeignKeyField(
        "baoxue.School",
        related_name="assignments",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    grade = fields.SmallIntField(null=True)
    school_class = fields.ForeignKeyField(
        "baoxue.SchoolClass",
        related_name="assignments",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    child = fields.ForeignKeyField(
        "baoxue.Child",
        related_name="assignments",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    reports_to = fields.ForeignKeyField(
        "baoxue.ResponsibilityAssignment",
        related_name="subordinates",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    source = fields.CharField(max_length=64, default="", description="依据 (文件条款/插件)")

    class Meta:
        table = "responsibility_assignment"
