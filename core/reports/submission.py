"""The submission workflow of a stored report, as data (like :mod:`core.cases.workflow`).

:data:`TRANSITIONS` says, for each :class:`SubmissionAction`, from which states it may be taken
and where it leads. A format that names a signatory (``ReportFormat.sign_off``: 绥宁's
开学工作统计报表, 经单位主要负责同志审核、签字、盖章后报县教育局教育股) must be signed before it
is submitted; one that names none may be submitted from its draft. A returned report stays as it
was (with the reason); the school generates a new one from the corrected data.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.reports.enums import SubmissionAction as A
from core.reports.enums import SubmissionState as S

TRANSITIONS: Mapping[A, Mapping[S, S]] = MappingProxyType(
    {
        A.SIGN: MappingProxyType({S.DRAFT: S.SIGNED}),
        A.SUBMIT: MappingProxyType({S.SIGNED: S.SUBMITTED, S.DRAFT: S.SUBMITTED}),
        A.ACCEPT: MappingProxyType({S.SUBMITTED: S.ACCEPTED}),
        A.RETURN: MappingProxyType({S.SUBMITTED: S.RETURNED}),
    }
)


def allowed_actions(state: S, *, needs_signature: bool) -> list[A]:
    """Actions open from ``state``; submitting a draft is not, when a signature is needed."""
    return [a for a in A if state in TRANSITIONS[a] and _guard(a, state, needs_signature)]


def next_state(action: A, state: S, *, needs_signature: bool) -> S | None:
    """Where ``action`` leads from ``state``, or None when it is not allowed."""
    target = TRANSITIONS[action].get(state)
    if target is None or not _guard(action, state, needs_signature):
        return None
    return target


def _guard(action: A, state: S, needs_signature: bool) -> bool:
    if action is A.SUBMIT and state is S.DRAFT:
        return not needs_signature
    if action is A.SIGN:
        return needs_signature
    return True


def markdown_table() -> str:
    """The transitions as a Markdown table, for the docs."""
    rows = ["| action | 操作 | from → to |", "|---|---|---|"]
    for action, table in TRANSITIONS.items():
        moves = "; ".join(f"{s.value} → {t.value}" for s, t in table.items())
        rows.append(f"| `{action.value}` | {action.label} | {moves} |")
    return "\n".join(rows) + "\n"
