"""Enrolments (学籍) and their full change history (学籍异动)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model
from tortoise.validators import MaxValueValidator, MinValueValidator

from core.labelled_enum import LabelledEnum


class EnrolmentStatus(LabelledEnum):
    """学籍状态."""

    ENROLLED = "ENROLLED", "在读"
    SUSPENDED = "SUSPENDED", "休学"
    DROPPED_OUT = "DROPPED_OUT", "辍学"
    TRANSFERRED_OUT = "TRANSFERRED_OUT", "转出"
    GRADUATED = "GRADUATED", "毕业"
    DECEASED = "DECEASED", "死亡"

    @property
    def is_in_school(self) -> bool:
        """在校: counted as in school by 入学率 (a suspended child is not, until resumed)."""
        return self is EnrolmentStatus.ENROLLED


class EnrolmentMode(LabelledEnum):
    """就读方式."""

    REGULAR = "REGULAR", "在校就读"
    INCLUSIVE = "INCLUSIVE", "随班就读"
    HOME_DELIVERED = "HOME_DELIVERED", "送教上门"
    BOARDING = "BOARDING", "寄宿"
    SPECIAL_SCHOOL = "SPECIAL_SCHOOL", "特殊教育学校就读"


class EnrolmentChangeKind(LabelledEnum):
    """学籍异动类别."""

    ENROL = "ENROL", "入学"
    TRANSFER_IN = "TRANSFER_IN", "转入"
    TRANSFER_OUT = "TRANSFER_OUT", "转出"
    SUSPEND = "SUSPEND", "休学"
    RESUME = "RESUME", "复学"
    DROP_OUT = "DROP_OUT", "辍学"
    GRADUATE = "GRADUATE", "毕业"
    DEATH = "DEATH", "死亡"
    CHANGE_MODE = "CHANGE_MODE", "变更就读方式"


#: The status an enrolment is in after each kind of change.
STATUS_AFTER_CHANGE: dict[EnrolmentChangeKind, EnrolmentStatus] = {
    EnrolmentChangeKind.ENROL: EnrolmentStatus.ENROLLED,
    EnrolmentChangeKind.TRANSFER_IN: EnrolmentStatus.ENROLLED,
    EnrolmentChangeKind.TRANSFER_OUT: EnrolmentStatus.TRANSFERRED_OUT,
    EnrolmentChangeKind.SUSPEND: EnrolmentStatus.SUSPENDED,
    EnrolmentChangeKind.RESUME: EnrolmentStatus.ENROLLED,
    EnrolmentChangeKind.DROP_OUT: EnrolmentStatus.DROPPED_OUT,
    EnrolmentChangeKind.GRADUATE: EnrolmentStatus.GRADUATED,
    EnrolmentChangeKind.DEATH: EnrolmentStatus.DECEASED,
}


class Enrolment(Model):
    """学籍: one child's registration at one school. ``is_current`` marks the live one."""

    id = fields.UUIDField(primary_key=True)
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="enrolments", on_delete=fields.CASCADE, db_index=True
    )
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="enrolments", on_delete=fields.RESTRICT, db_index=True
    )
    school_class = fields.ForeignKeyField(
        "baoxue.SchoolClass",
        related_name="enrolments",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    grade = fields.SmallIntField(validators=[MinValueValidator(1), MaxValueValidator(9)])
    status = fields.CharEnumField(EnrolmentStatus, max_length=24, db_index=True)
    mode = fields.CharEnumField(EnrolmentMode, max_length=24, default=EnrolmentMode.REGULAR)
    started_on = fields.DateField()
    ended_on = fields.DateField(null=True)
    is_current = fields.BooleanField(default=True, db_index=True)
    mode_since = fields.DateField(null=True, description="现就读方式的开始日期")
    version = fields.IntField(default=1, db_default=1, description="版本号 (每次异动加一)")
    updated_at = fields.DatetimeField(auto_now=True)
    # A stored scope key, kept by the database (triggers of migration 0015_town_key) and
    # checked by core.people.scope_keys: writers never set it.
    town = fields.ForeignKeyField(
        "baoxue.Town",
        related_name=False,
        null=True,
        on_delete=fields.SET_NULL,
        description="学校所在乡镇 (由数据库维护)",
    )

    class Meta:
        table = "enrolment"
        ordering = ["-started_on"]
        indexes = (
            ("child_id", "is_current"),
            ("school_id", "is_current", "status"),
            # A township official's pupils (town scope: the town of the current school).
            ("town_id", "is_current", "child_id"),
        )


class EnrolmentChange(Model):
    """学籍异动: an immutable record of one change to an enrolment."""

    id = fields.UUIDField(primary_key=True)
    enrolment = fields.ForeignKeyField(
        "baoxue.Enrolment", related_name="changes", on_delete=fields.CASCADE, db_index=True
    )
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="enrolment_changes", on_delete=fields.CASCADE, db_index=True
    )
    kind = fields.CharEnumField(EnrolmentChangeKind, max_length=16)
    occurred_on = fields.DateField(db_index=True)
    status_after = fields.CharEnumField(EnrolmentStatus, max_length=24)
    school_class = fields.ForeignKeyField(
        "baoxue.SchoolClass",
        related_name="enrolment_changes",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    counterpart_school = fields.CharField(
        max_length=128, default="", description="转入来源/转出去向学校 (可在县外)"
    )
    reason = fields.CharField(max_length=255, default="")
    approving_document = fields.CharField(
        max_length=128, default="", db_default="", description="批准文件 (如休学审批表编号)"
    )
    mode_after = fields.CharEnumField(
        EnrolmentMode, max_length=24, null=True, description="异动后的就读方式"
    )
    case = fields.ForeignKeyField(
        "baoxue.Case",
        related_name="enrolment_changes",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "enrolment_change"
        ordering = ["occurred_on", "recorded_at"]
        # A child's latest change up to a day (core.metrics: the state as of a date).
        indexes = (("child_id", "occurred_on", "recorded_at", "id"),)
