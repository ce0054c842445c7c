"""Jurisdictions and their organisation: 县 → 乡镇/街道 → 村/社区, plus 学区 and 督导责任区."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.labelled_enum import LabelledEnum


class TownKind(LabelledEnum):
    TOWN = "TOWN", "镇"
    TOWNSHIP = "TOWNSHIP", "乡"
    SUBDISTRICT = "SUBDISTRICT", "街道"


class VillageKind(LabelledEnum):
    VILLAGE = "VILLAGE", "村"
    COMMUNITY = "COMMUNITY", "社区"


class SchoolGroupKind(LabelledEnum):
    SCHOOL_DISTRICT = "SCHOOL_DISTRICT", "学区"
    SUPERVISION_ZONE = "SUPERVISION_ZONE", "督导责任区"


class KeyAreaKind(LabelledEnum):
    """重点地区 (重点监测区域): the kinds of area the documents watch most closely."""

    RURAL = "RURAL", "农村"
    REMOTE = "REMOTE", "边远"
    POOR = "POOR", "贫困"
    ETHNIC = "ETHNIC", "民族"
    MIGRANT_DENSE = "MIGRANT_DENSE", "流动人口相对集中"
    URBAN_FRINGE = "URBAN_FRINGE", "城乡结合部"


class Jurisdiction(Model):
    """县级行政区 (区/县/县级市): the unit an education bureau answers for."""

    id = fields.UUIDField(primary_key=True)
    division_code = fields.CharField(max_length=6, unique=True, description="行政区划代码")
    name = fields.CharField(max_length=64, description="名称")
    city = fields.CharField(max_length=64, default="", description="所属地级市")
    province = fields.CharField(max_length=64, default="", description="所属省级行政区")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "jurisdiction"
        ordering = ["division_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.division_code})"


class Town(Model):
    """乡镇/街道."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction: fields.ForeignKeyRelation[Jurisdiction] = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="towns", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=64)
    kind = fields.CharEnumField(TownKind, max_length=16, default=TownKind.TOWN)
    code = fields.CharField(max_length=12, default="", description="乡级区划代码 (可空)")

    class Meta:
        table = "town"
        unique_together = (("jurisdiction", "name"),)
        ordering = ["name"]


class Village(Model):
    """村/社区."""

    id = fields.UUIDField(primary_key=True)
    town: fields.ForeignKeyRelation[Town] = fields.ForeignKeyField(
        "baoxue.Town", related_name="villages", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=64)
    kind = fields.CharEnumField(VillageKind, max_length=16, default=VillageKind.VILLAGE)

    class Meta:
        table = "village"
        unique_together = (("town", "name"),)
        ordering = ["name"]


class SchoolGroup(Model):
    """学区 or 督导责任区: a named grouping of schools inside one jurisdiction."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction: fields.ForeignKeyRelation[Jurisdiction] = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="school_groups", on_delete=fields.CASCADE, db_index=True
    )
    kind = fields.CharEnumField(SchoolGroupKind, max_length=24)
    name = fields.CharField(max_length=64)
    demo_only = fields.BooleanField(
        default=False, db_default=False, description="演示数据: 文件只有此类分组, 未列出其范围"
    )
    schools = fields.ManyToManyField(
        "baoxue.School", related_name="groups", through="school_group_member"
    )

    class Meta:
        table = "school_group"
        unique_together = (("jurisdiction", "kind", "name"),)
        ordering = ["kind", "name"]


class KeyArea(Model):
    """A town or village counted as one kind of 重点地区 (农村, 边远, 贫困, 民族 …), and why."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction: fields.ForeignKeyRelation[Jurisdiction] = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="key_areas", on_delete=fields.CASCADE, db_index=True
    )
    town = fields.ForeignKeyField(
        "baoxue.Town", related_name="key_areas", null=True, on_delete=fields.CASCADE, db_index=True
    )
    village = fields.ForeignKeyField(
        "baoxue.Village",
        related_name="key_areas",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    kind = fields.CharEnumField(KeyAreaKind, max_length=16, db_index=True)
    source = fields.CharField(
        max_length=128, default="", description="依据 (文件条款, 或 演示数据)"
    )

    class Meta:
        table = "key_area"
        ordering = ["kind"]
