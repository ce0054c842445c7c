"""Ids at the command line: the API's global ids in, global ids out.

Wherever a command takes an id it accepts the global id the API returns
(``U2Nob29sQ2xhc3M6…``, parsed by :func:`core.global_ids.parse_global_id`) and, for scripts
written before, the bare UUID; whatever a command prints as an id is the global id, so it can be
pasted into ``node(id:)`` or a mutation.
"""

from __future__ import annotations

import uuid
from typing import Any

import click

from core.errors import DomainError
from core.global_ids import encode_global_id, parse_global_id


class GlobalId(click.ParamType):
    """A click parameter: the global id of a ``type_name`` (or its bare UUID) → the row id."""

    name = "id"

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        return f"{self.type_name.upper()}_ID"

    def convert(self, value: Any, param: Any, ctx: Any) -> uuid.UUID:
        if isinstance(value, uuid.UUID):
            return value
        text = str(value).strip()
        try:
            row = uuid.UUID(text)
        except ValueError:
            row = None
        if row is not None and str(row) == text.lower():
            return row
        try:
            parsed = parse_global_id(text, self.type_name, param.name if param else "id")
        except DomainError as exc:
            self.fail(
                f"{text!r}: {exc.zh} (API 返回的 id 或 UUID) / {exc.en} "
                "(the id the API returns, or a UUID)",
                param,
                ctx,
            )
        assert parsed is not None
        return parsed


def global_id(type_name: str, row_id: object) -> str:
    """The id the API shows for a row."""
    return encode_global_id(type_name, row_id)
