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
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

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


M = TypeVar("M", bound=Model)


async def create_once(
    key: str | None,
    operation: str,
    create: Callable[[], Awaitable[M]],
    replayed: Callable[[uuid.UUID], Awaitable[M]],
) -> tuple[M, bool]:
    """``(create(), False)``, run in one transaction that also stores ``key``; or, when a
    request with ``key`` already created something, ``(replayed(its id), True)``.

    ``create`` checks its input and writes the row (and anything written with it, such as
    the audit entry); it runs only when the key is new. Two requests racing with one key both
    run it; the unique key lets one commit, and the other returns the winner's row.
    """
    earlier = await replay(key, operation)
    if earlier is not None:
        return await replayed(earlier), True
    try:
        async with in_transaction():
            earlier = await replay(key, operation)  # a retry that raced the first attempt
            if earlier is not None:
                return await replayed(earlier), True
            row = await create()
            await remember(key, operation, row.pk)
    except IntegrityError:
        earlier = await replay(key, operation)
        if earlier is None:
            raise
        return await replayed(earlier), True
    return row, False


def for_the_same_child(
    model: type[M], child_id: uuid.UUID, what_zh: str, what_en: str
) -> Callable[[uuid.UUID], Awaitable[M]]:
    """The ``replayed`` of a create about one child: the earlier row, which must be about the
    same child (a key sent again for another child is refused)."""

    async def replayed(row_id: uuid.UUID) -> M:
        row = await model.get(id=row_id)
        if row.child_id != child_id:  # type: ignore[attr-defined]
            raise reused_for_another(what_zh, what_en)
        return row

    return replayed
