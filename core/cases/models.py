"""Cases (控辍保学个案, 一人一档), their immutable timeline and attachments by reference."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState

# The idempotency record is shared by every create mutation (cases, visits, assistance); it is
# defined with its logic and registered with the ORM app through this import, since core.db
# lists the model modules.
from core.idempotency import IdempotencyRecord as IdempotencyRecord


class Case(Model):
    """控辍保学个案 (一人一档).

    ``open_key`` is ``"<child id>:<kind>"`` while the case is open and ``NULL`` once it ends, so
    a unique index allows at most one open case per child and kind on every database.
    ``version`` increases with every change; writers name the version they read.
    """

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="cases", on_delete=fields.CASCADE, db_index=True
    )
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="cases", on_delete=fields.CASCADE, db_index=True
    )
    school = fields.ForeignKeyField(
        "baoxue.School",
        related_name="cases",
        null=True,
        on_delete=fields.SET_NULL,
        description="学籍校",
        db_index=True,
    )
    kind = fields.CharEnumField(CaseKind, max_length=16, db_index=True)
    state = fields.CharEnumField(CaseState, max_length=16, db_index=True)
    source = fields.CharEnumField(CaseSource, max_length=24, db_index=True)
    reason = fields.CharField(max_length=32, default="UNKNOWN", db_index=True)
    reason_detail = fields.TextField(default="")
    whereabouts = fields.CharField(
        max_length=255,
        default="",
        db_default="",
        description="去向 (上报或确认时所记, 辍学学生花名册的一栏)",
    )
    escalation_level = fields.SmallIntField(default=0, description="0 = 链条第一级")
    opened_at = fields.DatetimeField(db_index=True)
    closed_at = fields.DatetimeField(null=True)
    next_deadline_at = fields.DatetimeField(null=True, db_index=True)
    open_key = fields.CharField(max_length=64, null=True, unique=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        table = "case_file"
        ordering = ["-opened_at"]
        indexes = (("jurisdiction_id", "state"),)


class CaseEvent(Model):
    """One entry in a case's timeline. Events are written once and never changed."""

    id = fields.UUIDField(primary_key=True)
    case = fields.ForeignKeyField(
        "baoxue.Case", related_name="events", on_delete=fields.CASCADE, db_index=True
    )
    kind = fields.CharEnumField(CaseEventKind, max_length=24)
    from_state = fields.CharEnumField(CaseState, max_length=16, null=True)
    to_state = fields.CharEnumField(CaseState, max_length=16, null=True)
    occurred_at = fields.DatetimeField(db_index=True)
    recorded_at = fields.DatetimeField(auto_now_add=True)
    actor = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="case_events",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    actor_name = fields.CharField(max_length=64, default="")
    details = fields.JSONField(default=dict)

    class Meta:
        table = "case_event"
        ordering = ["occurred_at", "recorded_at"]
        # A case's latest state up to a moment (core.metrics: the state as of a date).
        indexes = (("case_id", "occurred_at", "recorded_at", "id"),)


class CaseAttachment(Model):
    """A file kept elsewhere, referenced by name and SHA-256 (no blobs in the database)."""

    id = fields.UUIDField(primary_key=True)
    event = fields.ForeignKeyField(
        "baoxue.CaseEvent", related_name="attachments", on_delete=fields.CASCADE, db_index=True
    )
    file_name = fields.CharField(max_length=255)
    sha256 = fields.CharField(max_length=64)
    size_bytes = fields.BigIntField(null=True)
    uploaded_by = fields.CharField(max_length=64, default="")
    uploaded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_attachment"
