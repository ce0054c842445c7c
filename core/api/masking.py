"""Showing personal details: unmasked only to callers holding ``READ_PERSONAL_DETAILS``, and
then remembered for the audit log. The masking rules themselves are in core.access.masking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.access.enums import ActorKind, Permission
from core.api.context import Info


def shown(
    info: Info, root: Any, type_name: str, value: str | None, mask: Callable[[str | None], Any]
) -> Any:
    """``value`` as this caller may see it."""
    caller = info.context.caller
    if not caller.can(Permission.READ_PERSONAL_DETAILS):
        return mask(value)
    if value and caller.kind is not ActorKind.SYSTEM:
        info.context.personal_reads.add((type_name, str(root.pk)))
    return value
