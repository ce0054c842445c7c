"""Enumerations whose members carry a Chinese label.

Domain enums store an English UPPER_SNAKE value in the database and carry the Chinese term
users see (``EnrolmentStatus.ENROLLED.label == "在读"``). The GraphQL layer turns the label
into the enum value's description.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class LabelledEnum(str, Enum):
    """A ``str`` enum declared as ``NAME = "NAME", "中文"``."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> dict[str, str]:
        """``{value: label}`` for every member, in declaration order."""
        return {m.value: m.label for m in cls}

    @classmethod
    def parse(cls, raw: Any) -> LabelledEnum:
        """Look a member up by value, name or Chinese label; ``ValueError`` if none matches."""
        if isinstance(raw, cls):
            return raw
        text = str(raw).strip()
        for member in cls:
            if text in (member.value, member.name, member.label):
                return member
        raise ValueError(f"{text!r} is not one of {', '.join(cls.choices())}")
