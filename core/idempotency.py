"""Idempotency keys of create mutations: a retried request returns what the first one made.

The client picks a key per logical request (a UUID) and sends it again on retry. The key is
stored with the new row's id *in the same transaction* as the row, so either both exist or
neither does. A retry finds the record and gets the same object back; two attempts racing each
other both try to insert the key, the unique index lets one win, and the loser, after its
transaction is rolled back, finds the winner's record. A key used for another operation is
refused: keys name one request, not one client. Cases, home visits and assistance share it.
"""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model

from core.errors import DomainError, ErrorCode


class IdempotencyRecord(Model):
    """Remembers the result of a create mutation by its client-supplied idempotency key."""

    id = fields.UUIDField(primary_key=True)
    key = fields.CharField(max_length=128, unique=True)
    operation = fields.CharField(max_length=64)
    object_id = fields.UUIDField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_record"


MIN_LENGTH = 8
MAX_LENGTH = 128


def check_key(key: str | None) -> str | None:
    """The key, stripped; ``INVALID`` when it is too short or too long."""
    if key is None:
        return None
    key = key.strip()
    if not MIN_LENGTH <= len(key) <= MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID,
            f"幂等键长度须为 {MIN_LENGTH} 到 {MAX_LENGTH} 个字符",
            f"idempotencyKey must be {MIN_LENGTH} to {MAX_LENGTH} characters long",
            field="idempotencyKey",
        )
    return key


async def replay(key: str | None, operation: str) -> uuid.UUID | None:
    """The id of what an earlier request with ``key`` created, or None."""
    if not key:
        return None
    record = await IdempotencyRecord.get_or_none(key=key)
    if record is None:
        return None
    if record.operation != operation:
        raise DomainError(
            ErrorCode.INVALID,
            f"幂等键已用于另一操作 ({record.operation})",
            f"the idempotency key was already used for {record.operation}",
            field="idempotencyKey",
        )
    return record.object_id


async def remember(key: str | None, operation: str, object_id: uuid.UUID) -> None:
    """Store ``key`` for ``object_id``; call inside the transaction that creates the object."""
    if key:
        await IdempotencyRecord.create(key=key, operation=operation, object_id=object_id)


def reused_for_another(what_zh: str, what_en: str) -> DomainError:
    """The error for a key sent again with a request for something else."""
    return DomainError(
        ErrorCode.INVALID,
        f"幂等键已用于{what_zh}",
        f"the idempotency key was already used for {what_en}",
        field="idempotencyKey",
    )
