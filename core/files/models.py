"""Attachments (附件): a file stored by SHA-256 and the record it belongs to."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Attachment(Model):
    """One file attached to one record: a case, a home visit or a support plan (exactly one).

    The bytes live in the file store under ``sha256`` (stored once however often they are
    sent); this row says what they are, who sent them and what they belong to.
    """

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="attachments", on_delete=fields.CASCADE, db_index=True
    )
    case = fields.ForeignKeyField(
        "baoxue.Case", related_name="files", null=True, on_delete=fields.CASCADE, db_index=True
    )
    home_visit = fields.ForeignKeyField(
        "baoxue.HomeVisit",
        related_name="files",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    support_plan = fields.ForeignKeyField(
        "baoxue.SupportPlan",
        related_name="files",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    sha256 = fields.CharField(max_length=64, db_index=True)
    file_name = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=128)
    size_bytes = fields.IntField()
    uploaded_by = fields.CharField(max_length=64, default="")
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "attachment"
        ordering = ["uploaded_at"]
