"""Global ids, parsed once and strictly: the one place a client's id becomes a row id.

A global id is ``base64("<Type>:<uuid>")``, exactly as the API writes it: standard base64 with
its padding and nothing else, a type name, a colon and a UUID in its canonical form
(lower-case, hyphenated). Anything else is refused before it reaches a service, so no two
spellings name the same row (``urn:uuid:`` prefixes, braces, upper case, characters base64
would skip, trailing padding) and nothing longer than :data:`MAX_LENGTH` is decoded.

* :func:`parse_global_id` - the row id of a global id of one given type (mutation inputs and
  filters); any other id is a coded error naming the field.
* :func:`decode_global_id` - the type name and node id of any well-formed global id
  (``node(id:)``, which answers null for a type or row it does not know).

The API (``core.api.ids`` re-exports these) and the command line (:mod:`core.cli_ids`) both
read ids here, so an operator can paste the id a query returned.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass

from core.errors import DomainError, ErrorCode

#: Longest global id accepted: a type name of up to 40 characters and a UUID, encoded.
MAX_LENGTH = 120

_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


@dataclass(frozen=True)
class DecodedId:
    type_name: str
    node_id: str

    @property
    def row_id(self) -> uuid.UUID | None:
        """The node id as a UUID when it is one in canonical form."""
        try:
            row = uuid.UUID(self.node_id)
        except ValueError:
            return None
        return row if str(row) == self.node_id else None


def encode_global_id(type_name: str, row_id: object) -> str:
    """The global id of a row, as the API writes it."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode("ascii")


def decode_global_id(value: object) -> DecodedId | None:
    """``(type name, node id)`` of a well-formed global id, or None."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_LENGTH:
        return None
    if not _BASE64.fullmatch(value) or len(value) % 4:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(raw).decode("ascii") != value:  # non-zero padding bits
        return None
    type_name, colon, node_id = text.partition(":")
    if not colon or not type_name.isidentifier() or not node_id:
        return None
    return DecodedId(type_name, node_id)


def parse_global_id(
    value: str | None, type_name: str, field: str, *, code: ErrorCode = ErrorCode.INVALID
) -> uuid.UUID | None:
    """The row id inside ``value``, a global id of ``type_name``; None when ``value`` is None.

    Anything else - malformed, over-long, of another type, not naming a UUID - is a
    :class:`~core.errors.DomainError` with ``code`` on ``field``.
    """
    if value is None:
        return None
    decoded = decode_global_id(value)
    row_id = decoded.row_id if decoded is not None else None
    if decoded is None or decoded.type_name != type_name or row_id is None:
        prefix = f"{field}: " if code is ErrorCode.INVALID_FILTER else ""
        got_zh = f", 实为 {decoded.type_name} 的 ID" if decoded and row_id else ""
        got_en = f", got the id of a {decoded.type_name}" if decoded and row_id else ""
        raise DomainError(
            code,
            f"{prefix}须为 {type_name} 的 ID{got_zh}",
            f"{prefix}must be the id of a {type_name}{got_en}",
            field=field,
        )
    return row_id
