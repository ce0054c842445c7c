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


class LeadershipRole(LabelledEnum):
    """A seat in a 领导小组 (the county's or a school's own)."""

    LEADER = "LEADER", "组长"
    DEPUTY_LEADER = "DEPUTY_LEADER", "副组长"
    MEMBER = "MEMBER", "成员"


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
    """One official's responsibility for the county (no town, school or child), a town, a
    village, a 学区 or 督导责任区, a school, a grade, a class or a child."""

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
    village = fields.ForeignKeyField(
        "baoxue.Village",
        related_name="assignments",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
        description="负责的村/社区 (包村)",
    )
    school_group = fields.ForeignKeyField(
        "baoxue.SchoolGroup",
        related_name="assignments",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
        description="负责的学区或督导责任区",
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


class SchoolLeadershipGroup(Model):
    """学校控辍保学工作领导小组: a school's own group, led by its head where the county's
    document asks every school for one (``LeadershipGroup.school_groups_led_by``)."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction",
        related_name="school_leadership_groups",
        on_delete=fields.CASCADE,
        db_index=True,
    )
    school = fields.OneToOneField(
        "baoxue.School", related_name="leadership_group", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=128, description="名称")
    source = fields.CharField(max_length=128, default="", description="依据 (文件条款)")

    class Meta:
        table = "school_leadership_group"


class SchoolLeadershipSeat(Model):
    """One seat of a school's 控辍保学工作领导小组: who holds it, in which role, for what."""

    id = fields.UUIDField(primary_key=True)
    group = fields.ForeignKeyField(
        "baoxue.SchoolLeadershipGroup",
        related_name="seats",
        on_delete=fields.CASCADE,
        db_index=True,
    )
    official = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="school_leadership_seats",
        on_delete=fields.CASCADE,
        db_index=True,
    )
    role = fields.CharEnumField(LeadershipRole, max_length=16)
    duty = fields.CharField(max_length=64, default="", description="职责, 如 负总责、具体负责")
    position = fields.SmallIntField(default=0, description="在小组名单中的顺序")

    class Meta:
        table = "school_leadership_seat"
        unique_together = (("group", "official"),)
        ordering = ["position"]
