"""Expose domain :class:`~core.labelled_enum.LabelledEnum` types as GraphQL enums.

Each value's Chinese label becomes its description, so the SDL reads
``"在读" ENROLLED`` (the label as a block-string description).
"""

from __future__ import annotations

from typing import TypeVar

import strawberry

from core.labelled_enum import LabelledEnum

E = TypeVar("E", bound=type[LabelledEnum])


def graphql_enum(enum_cls: E, description: str, name: str | None = None) -> E:
    """Register ``enum_cls`` with strawberry, describing every value with its label."""
    if hasattr(enum_cls, "__strawberry_definition__"):
        return enum_cls
    strawberry.enum(enum_cls, name=name, description=description)
    for value in enum_cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = enum_cls(value.value).label
    return enum_cls
