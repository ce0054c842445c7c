"""Households (户), guardians (监护人) and children (适龄儿童少年, 学户册 0–18 岁)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxValueValidator, MinValueValidator

from core.people.enums import (
    DisabilityCategory,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)


class Household(Model):
    """户: registered (户籍地) and actual (现住址) address, and the household's support status."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="households", on_delete=fields.CASCADE, db_index=True
    )
    village = fields.ForeignKeyField(
        "baoxue.Village",
        related_name="households",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    head_name = fields.CharField(max_length=32, default="", description="户主姓名")
    registered_address = fields.CharField(max_length=255, default="", description="户籍地址")
    current_address = fields.CharField(max_length=255, default="", description="现住址")
    poverty_status = fields.CharEnumField(
        PovertyStatus, max_length=24, default=PovertyStatus.NONE, db_index=True
    )
    is_low_income = fields.BooleanField(default=False, description="低保户")
    migration_status = fields.CharEnumField(
        MigrationStatus, max_length=24, default=MigrationStatus.NONE
    )
    version = fields.IntField(default=1, db_default=1, description="版本号 (每次修改加一)")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "household"


class Guardian(Model):
    """监护人."""

    id = fields.UUIDField(primary_key=True)
    household = fields.ForeignKeyField(
        "baoxue.Household", related_name="guardians", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=32)
    relation = fields.CharEnumField(GuardianRelation, max_length=24)
    phone = fields.CharField(max_length=20, default="")
    id_number = fields.CharField(max_length=18, null=True, description="身份证号")
    works_away = fields.BooleanField(default=False, description="外出务工")
    is_primary = fields.BooleanField(default=False, description="主要监护人")
    version = fields.IntField(default=1, db_default=1, description="版本号 (每次修改加一)")

    class Meta:
        table = "guardian"
        ordering = ["-is_primary", "name"]


class Child(Model):
    """适龄儿童少年: one person in the county's 学户册."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="children", on_delete=fields.CASCADE, db_index=True
    )
    household = fields.ForeignKeyField(
        "baoxue.Household",
        related_name="children",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    name = fields.CharField(max_length=32, db_index=True)
    gender = fields.CharEnumField(Gender, max_length=8)
    birth_date = fields.DateField(db_index=True)
    id_number = fields.CharField(max_length=18, unique=True, null=True, description="身份证号")
    student_number = fields.CharField(max_length=24, unique=True, null=True, description="学籍号")
    ethnicity = fields.CharField(max_length=16, default="汉族", description="民族")
    disability_category = fields.CharEnumField(DisabilityCategory, max_length=16, null=True)
    disability_grade = fields.SmallIntField(
        null=True, validators=[MinValueValidator(1), MaxValueValidator(4)], description="残疾等级"
    )
    version = fields.IntField(default=1, db_default=1, description="版本号 (每次修改加一)")
    merged_into = fields.ForeignKeyField(
        "baoxue.Child",
        related_name="merged_duplicates",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
        description="重复登记: 已并入的记录",
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)
    # Stored scope keys, kept by the database (triggers of migrations 0015_town_key and
    # 0018_school_town_key) and checked by core.people.scope_keys: writers never set them.
    town = fields.ForeignKeyField(
        "baoxue.Town",
        related_name=False,
        null=True,
        on_delete=fields.SET_NULL,
        description="户籍地乡镇 (户所在村的乡镇, 由数据库维护)",
    )
    ever_enrolled = fields.BooleanField(
        default=False, db_default=False, description="曾有学籍 (由数据库维护)"
    )
    school_town = fields.ForeignKeyField(
        "baoxue.Town",
        related_name=False,
        null=True,
        on_delete=fields.SET_NULL,
        description="在读学校所在乡镇 (当前学籍的学校的乡镇, 由数据库维护)",
    )

    class Meta:
        table = "child"
        ordering = ["name"]
        indexes = (
            # The children list's default order inside a county (bench/README.md).
            ("jurisdiction_id", "name", "id"),
            # A township official's children (town scope: the town of the household).
            ("jurisdiction_id", "town_id", "name", "id"),
            # ... and the town of the current school: the scope is an OR of the two indexes.
            ("jurisdiction_id", "school_town_id", "name", "id"),
            # "Never enrolled in an age range" (适龄未入学).
            ("jurisdiction_id", "ever_enrolled", "birth_date"),
        )


class ChildKeyGroup(Model):
    """A child's membership of one 重点群体: who said so (``source``), from when, and until
    when (``ended_on``, set when the membership is expired). Only rows without ``ended_on``
    count."""

    id = fields.UUIDField(primary_key=True)
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="key_groups", on_delete=fields.CASCADE, db_index=True
    )
    group = fields.CharEnumField(KeyGroup, max_length=24, db_index=True)
    source = fields.CharField(
        max_length=128, default="", db_default="", description="认定来源 (部门或名册)"
    )
    since = fields.DateField(null=True, description="认定日期")
    ended_on = fields.DateField(null=True, description="失效日期 (空: 仍有效)")

    class Meta:
        table = "child_key_group"
        unique_together = (("child", "group"),)
        # A child's groups, looked up once per child by core.metrics.
        indexes = (("child_id", "group"),)


#: Keyword filter of the key-group memberships that still hold.
ACTIVE_KEY_GROUP = {"ended_on__isnull": True}


class ChildMerge(Model):
    """重复登记合并: a registry entry found to be a duplicate of another and merged into it.

    ``snapshot`` keeps the duplicate's particulars as they were (its ID and student numbers are
    cleared on the duplicate so the survivor can carry them), ``moved`` counts what followed the
    survivor (cases, enrolments, visits …).
    """

    id = fields.UUIDField(primary_key=True)
    survivor = fields.ForeignKeyField(
        "baoxue.Child", related_name="merges", on_delete=fields.CASCADE, db_index=True
    )
    duplicate = fields.ForeignKeyField(
        "baoxue.Child", related_name="merged_as_duplicate", on_delete=fields.CASCADE, db_index=True
    )
    reason = fields.CharField(max_length=255, default="")
    merged_by = fields.CharField(max_length=64, default="")
    merged_at = fields.DatetimeField()
    snapshot = fields.JSONField(default=dict)
    moved = fields.JSONField(default=dict)

    class Meta:
        table = "child_merge"
        ordering = ["merged_at"]
