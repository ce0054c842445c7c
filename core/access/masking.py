"""Masking of personal details: the one place that says what a caller without
``READ_PERSONAL_DETAILS`` sees instead of an ID number, a phone, an address or a guardian."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str | None:
    """``450381201503070035`` → ``450381********0035`` (division code and last four kept)."""
    if not value:
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return value
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str | None) -> str | None:
    """Keep the first six characters (county and town), hide the rest."""
    if not value:
        return value
    return value[:6] + "***" if len(value) > 6 else "***"


def mask_name(value: str | None) -> str | None:
    """``黄大明`` → ``黄**`` (surname kept)."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_student_number(value: str | None) -> str | None:
    """学籍号 ``G450381…`` is the ID number with a letter: masked the same way."""
    if not value:
        return value
    return (
        value[0] + (mask_id_number(value[1:]) or "")
        if value[0].isalpha()
        else mask_id_number(value)
    )
