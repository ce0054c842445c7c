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
    return reveal(info.context.caller, info.context.personal_reads, type_name, root.pk, value, mask)


def reveal(
    caller: Any,
    reads: set[tuple[str, str]],
    type_name: str,
    pk: Any,
    value: str | None,
    mask: Callable[[str | None], Any],
) -> Any:
    """``value`` as ``caller`` may see it; an unmasked read is added to ``reads`` (the audit's
    set of ``(type, id)``). :func:`shown` and the fast path (:mod:`core.api.fastpath`) both
    show personal details through here."""
    if not caller.can(Permission.READ_PERSONAL_DETAILS):
        return mask(value)
    if value and caller.kind is not ActorKind.SYSTEM:
        reads.add((type_name, str(pk)))
    return value
