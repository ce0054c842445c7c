"""What every hook's checker shares: the error it raises, what it knows about the county, and
the small checks most rules need (a clause, unique keys, well-formed codes).

Each hook's own checker sits next to its declaration in :mod:`core.hookspecs`;
:mod:`core.plugins.validation` runs them on every plugin's answers at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.cases.enums import CaseReason
from core.jurisdictions.spec import JurisdictionSpec
from core.rules.specs import Clause

CODE = re.compile(r"^[a-z][a-z0-9-]{0,47}$")
TERM_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")


class Invalid(ValueError):
    """One problem with one answer; the caller adds the plugin and the hook."""


@dataclass
class CountyContext:
    """What the checks of one county's answers need to know."""

    code: str
    spec: JurisdictionSpec | None
    #: Case-reason codes known so far: core's, plus the county's vocabulary once checked.
    reasons: set[str] = field(default_factory=lambda: set(CaseReason.choices()))

    @property
    def town_names(self) -> set[str]:
        return {t.name for t in self.spec.towns} if self.spec else set()

    @property
    def school_names(self) -> set[str]:
        return {s.name for t in self.spec.towns for s in t.schools} if self.spec else set()


def check_clause(clause: Clause, where: str) -> None:
    if not clause.document.strip() or not clause.section.strip():
        raise Invalid(f"{where}: clause needs a document and a section")


def unique(values: Iterable[str], what: str) -> set[str]:
    """The values as a set; :class:`Invalid` at the first one seen twice."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise Invalid(f"duplicate {what} {value!r}")
        seen.add(value)
    return seen


def codes(items: Sequence[Any], what: str) -> None:
    """Every item's ``code`` is lower-case-with-dashes and unique."""
    for item in items:
        if not CODE.fullmatch(item.code):
            raise Invalid(f"{what} code {item.code!r} must be lower-case-with-dashes")
    unique((item.code for item in items), f"{what} code")
