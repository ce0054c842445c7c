"""Printing the schema as SDL, for the committed snapshot in ``schema/schema.graphql``."""

from __future__ import annotations

from core.api.schema import build_schema
from core.settings import Settings


def export_sdl() -> str:
    """The running schema's SDL, with a trailing newline (limits do not change the SDL)."""
    return build_schema(Settings()).as_str().rstrip() + "\n"
