"""Schools (学校, with the 10-digit 学校标识码) and classes (班级)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxValueValidator, MinValueValidator, RegexValidator

from core.labelled_enum import LabelledEnum


class SchoolKind(LabelledEnum):
    PRIMARY = "PRIMARY", "小学"
    JUNIOR_MIDDLE = "JUNIOR_MIDDLE", "初级中学"
    NINE_YEAR = "NINE_YEAR", "九年一贯制学校"
    SPECIAL = "SPECIAL", "特殊教育学校"
    TEACHING_POINT = "TEACHING_POINT", "教学点"

    @property
    def grades(self) -> range:
        """Grades 1–9 a school of this kind teaches."""
        if self is SchoolKind.PRIMARY or self is SchoolKind.TEACHING_POINT:
            return range(1, 7)
        if self is SchoolKind.JUNIOR_MIDDLE:
            return range(7, 10)
        return range(1, 10)


class School(Model):
    """学校."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="schools", on_delete=fields.CASCADE, db_index=True
    )
    town = fields.ForeignKeyField(
        "baoxue.Town", related_name="schools", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    village = fields.ForeignKeyField(
        "baoxue.Village",
        related_name="schools",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    code = fields.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^\d{10}$", 0)],
        description="学校标识码 (10位)",
    )
    name = fields.CharField(max_length=128, db_index=True)
    kind = fields.CharEnumField(SchoolKind, max_length=24)
    address = fields.CharField(max_length=255, default="")
    principal_name = fields.CharField(max_length=32, default="", description="校长")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "school"
        ordering = ["name"]


class SchoolClass(Model):
    """班级: one class of one grade in one school year, with its 班主任."""

    id = fields.UUIDField(primary_key=True)
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="classes", on_delete=fields.CASCADE, db_index=True
    )
    school_year = fields.IntField(description="学年起始年份, 如 2026 表示 2026—2027 学年")
    grade = fields.SmallIntField(validators=[MinValueValidator(1), MaxValueValidator(9)])
    name = fields.CharField(max_length=32, description="班级名称, 如 (2)班")
    head_teacher = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="head_of_classes",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )

    class Meta:
        table = "school_class"
        unique_together = (("school", "school_year", "grade", "name"),)
        ordering = ["grade", "name"]
