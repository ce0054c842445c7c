"""What a caller sees of the free text about a child and of a case's event details.

A timeline repeats personal details: the people at a contact (a guardian among them), the
applicant of an exemption, names and numbers written into findings, notes and reasons. A
caller who sees ``guardians.name`` masked (no ``READ_PERSONAL_DETAILS``: an agency key, a
subject teacher, a township official) sees them masked here by the same rules
(:mod:`core.access.masking`). Which keys of an event's details repeat what is declared once,
with each event kind's payload (:func:`core.cases.events.personal_fields`):

* a name (``applicantName``) is masked like a guardian's name (``黄**``);
* the people at a contact are masked, except the official who recorded it (shown as
  ``actorName`` anyway);
* in free text, the names of the child's household (guardians, head of household - and the
  child, for a caller who may not see the roster) are masked where they occur, and anything
  shaped like a resident ID number or a mobile number is masked like one.

A caller who holds the permission sees the details as written, and an event that names
people is then recorded as a personal-data read, as unmasked fields are.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.access.enums import Permission
from core.access.masking import mask_id_number, mask_name, mask_phone
from core.api.context import Info
from core.cases import models
from core.cases.events import Personal, personal_fields
from core.people.models import Child

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
#: Shorter "names" (a lone surname) would mask every word that contains the character.
MIN_NAME_LENGTH = 2


def mask_text(text: str, names: Iterable[str]) -> str:
    """``text`` with each of ``names``, and every ID number and mobile number, masked."""
    for name in sorted({n for n in names if n and len(n) >= MIN_NAME_LENGTH}, key=len)[::-1]:
        text = text.replace(name, mask_name(name) or "")
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()) or "", text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()) or "", text)


def sees_personal_details(info: Info) -> bool:
    return info.context.caller.can(Permission.READ_PERSONAL_DETAILS)


@dataclass(frozen=True)
class _Named:
    """The names a text about one child may repeat."""

    child: str = ""
    household: frozenset[str] = frozenset()


async def _names(keys: Sequence[str]) -> list[_Named]:
    rows = await Child.filter(id__in=list(keys)).values(
        "id", "name", "household__head_name", "household__guardians__name"
    )
    household: dict[str, set[str]] = defaultdict(set)
    child: dict[str, str] = {}
    for row in rows:
        key = str(row["id"])
        child[key] = row["name"] or ""
        household[key].update(
            n for n in (row["household__head_name"], row["household__guardians__name"]) if n
        )
    return [_Named(child.get(str(k), ""), frozenset(household.get(str(k), ()))) for k in keys]


async def names_to_mask(info: Info, child_id: uuid.UUID | None) -> frozenset[str]:
    """The names to mask in text about ``child_id`` for this caller (who lacks the
    permission): the household's, and the child's for a caller who may not see the roster.
    The lookup is internal: the names are only ever used to hide them."""
    if child_id is None:
        return frozenset()
    loader = info.context.loaders.custom("names-about-child", _names)
    named: _Named = await loader.load(str(child_id))
    if info.context.caller.can(Permission.READ_ROSTER):
        return named.household
    return named.household | {named.child}


async def free_text(info: Info, text: str, child_id: uuid.UUID | None) -> str:
    """A free-text field about a child (a case's reason, a visit's findings) as this caller
    may see it."""
    if not text or sees_personal_details(info):
        return text
    return mask_text(text, await names_to_mask(info, child_id))


async def event_details(info: Info, event: models.CaseEvent) -> dict[str, Any]:
    """``event.details`` as this caller may see them."""
    details: dict[str, Any] = dict(event.details or {})
    fields = {k: v for k, v in personal_fields(event.kind).items() if details.get(k)}
    if not fields:
        return details
    if sees_personal_details(info):
        if any(p is not Personal.TEXT for p in fields.values()):
            info.context.personal_reads.add(("CaseEvent", str(event.pk)))
        return details
    names: frozenset[str] = frozenset()
    if Personal.TEXT in fields.values():
        case = await info.context.loaders.by_id(models.Case).load(event.case_id)
        names = await names_to_mask(info, case.child_id if case is not None else None)
    for key, personal in fields.items():
        value = details[key]
        if personal is Personal.NAME:
            details[key] = mask_name(str(value))
        elif personal is Personal.NAMES:
            details[key] = [p if p == event.actor_name else mask_name(p) for p in value]
        else:
            details[key] = mask_text(str(value), names)
    return details
