"""List cursors (游标): a row's place in one list's order, sealed so that it is opaque.

A cursor carries the values of the row's order keys (:mod:`core.keyset`) and the
signature of the order they belong to (the table and its keys with their directions). Order
keys are often personal details (a child's name, birth date), which a caller may see only
masked, so the cursor is encrypted and authenticated with a server key
(:func:`core.access.secrets_store.cursor_key`) by AES-SIV from the ``cryptography`` package:
deterministic authenticated encryption, so that the same row in the same order always has the
same cursor, a changed byte is detected, and nothing of the values can be read from it.

Refusals are ``INVALID`` errors on the argument (``after`` / ``before``): a string that is not
a cursor or was altered, and a cursor of another list or another order.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import uuid
from enum import Enum
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from core.errors import DomainError, ErrorCode

#: Longest cursor text accepted (far beyond any real one; keeps decoding cheap).
MAX_CURSOR_LENGTH = 1000


def seal(key: bytes, plaintext: bytes) -> str:
    """``plaintext`` encrypted and authenticated with AES-SIV (RFC 5297, deterministic: the same
    row in the same order always has the same cursor), as URL-safe base64."""
    sealed = AESSIV(key).encrypt(plaintext, None)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def unseal(key: bytes, text: str) -> bytes | None:
    """The plaintext of a sealed ``text``, or None when it is not one (or was altered)."""
    if len(text) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return AESSIV(key).decrypt(raw, None)
    except (binascii.Error, ValueError, InvalidTag):
        return None


# -- order-key values as JSON ------------------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, Enum):
        value = value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, datetime.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["d", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    if isinstance(value, decimal.Decimal):
        return ["m", str(value)]
    raise TypeError(f"an order key of type {type(value).__name__} cannot be in a cursor")


_LOADERS: dict[str, Any] = {
    "f": float,
    "t": datetime.datetime.fromisoformat,
    "d": datetime.date.fromisoformat,
    "u": uuid.UUID,
    "m": decimal.Decimal,
}


def _load(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    tag, text = value  # ValueError / TypeError: not a cursor
    return _LOADERS[tag](text)


def encode(key: bytes, order: str, values: tuple[Any, ...]) -> str:
    """The cursor of the row whose order-key ``values`` are these, in the order ``order``."""
    text = json.dumps([order, [_dump(v) for v in values]], separators=(",", ":"))
    return seal(key, text.encode())


def invalid(argument: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID,
        f"游标 {argument} 无效 (不是本接口给出的游标, 或已被改动)",
        f"cursor '{argument}' is not valid (not a cursor this API gave out, or altered)",
        field=argument,
    )


def decode(key: bytes, order: str, cursor: str, argument: str) -> tuple[Any, ...]:
    """The order-key values in ``cursor``, which must be a cursor of ``order``."""
    plaintext = unseal(key, cursor)
    if plaintext is None:
        raise invalid(argument)
    try:
        their_order, values = json.loads(plaintext)
        loaded = tuple(_load(v) for v in values)
    except (ValueError, TypeError, KeyError):
        raise invalid(argument) from None
    if their_order != order:
        raise DomainError(
            ErrorCode.INVALID,
            f"游标 {argument} 属于另一个列表或另一种排序, 不能用于此列表",
            f"cursor '{argument}' belongs to another list or another order",
            field=argument,
        )
    return loaded
