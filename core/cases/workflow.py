"""The case state machine, in one place, as data.

:data:`TRANSITIONS` says, for every :class:`CaseAction`, from which states it may be taken and
which state it leads to. Everything else (the services, ``Case.allowedActions``, the error that
lists the allowed actions, the diagram in ``docs/case-workflow.md``) is derived from it.

Rules that depend on more than the state (a guardian's written application before an exemption
is approved, the follow-up window before 销号, the top of the escalation chain) are *guards*;
the services check them after the table has allowed the action.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from core.cases.enums import TERMINAL_STATES, CaseState
from core.labelled_enum import LabelledEnum

S = CaseState


class CaseAction(LabelledEnum):
    """Something a user can do to a case."""

    REPORT = "REPORT", "上报疑似"
    VERIFY = "VERIFY", "开始核实 (学籍管理员标注)"
    DISMISS = "DISMISS", "排除 (非辍学)"
    CONFIRM = "CONFIRM", "确认辍学/未入学"
    RECORD_CONTACT = "RECORD_CONTACT", "记录家访/电话/劝返"
    RESUME_CONTACT = "RESUME_CONTACT", "重新联系上 (恢复劝返)"
    ISSUE_RETURN_NOTICE = "ISSUE_RETURN_NOTICE", "下达劝返复学通知书"
    ESCALATE = "ESCALATE", "上报上一级"
    RECORD_RETURN = "RECORD_RETURN", "复学"
    RECORD_FOLLOW_UP = "RECORD_FOLLOW_UP", "跟踪回访"
    RECORD_RELAPSE = "RECORD_RELAPSE", "复学后再次辍学"
    CLOSE = "CLOSE", "销号"
    REQUEST_EXEMPTION = "REQUEST_EXEMPTION", "登记缓学/免学书面申请"
    APPROVE_EXEMPTION = "APPROVE_EXEMPTION", "登记乡镇批准缓学/免学"
    REJECT_EXEMPTION = "REJECT_EXEMPTION", "登记缓学/免学申请不予批准"
    WITHDRAW_EXEMPTION = "WITHDRAW_EXEMPTION", "撤回缓学/免学申请"
    MARK_UNREACHABLE = "MARK_UNREACHABLE", "联系不上, 移交乡镇/村"
    RECORD_TRANSFER = "RECORD_TRANSFER", "转学 (人籍一致)"
    REOPEN = "REOPEN", "再次疑似辍学, 重新打开个案 (反弹, 如考勤预警)"


def _t(*pairs: tuple[CaseState | None, CaseState]) -> Mapping[CaseState | None, CaseState]:
    return MappingProxyType(dict(pairs))


#: action → {from state → to state}. ``None`` as the from state means "no case yet".
TRANSITIONS: Mapping[CaseAction, Mapping[CaseState | None, CaseState]] = MappingProxyType(
    {
        CaseAction.REPORT: _t((None, S.REPORTED)),
        CaseAction.VERIFY: _t((S.REPORTED, S.VERIFYING)),
        CaseAction.DISMISS: _t((S.VERIFYING, S.DISMISSED)),
        CaseAction.CONFIRM: _t((S.VERIFYING, S.CONFIRMED)),
        CaseAction.RECORD_CONTACT: _t(
            (S.REPORTED, S.REPORTED),
            (S.VERIFYING, S.VERIFYING),
            (S.CONFIRMED, S.PERSUADING),
            (S.PERSUADING, S.PERSUADING),
            (S.UNREACHABLE, S.UNREACHABLE),
            (S.RETURNED, S.RETURNED),
            (S.MONITORING, S.MONITORING),
        ),
        CaseAction.RESUME_CONTACT: _t((S.UNREACHABLE, S.PERSUADING)),
        CaseAction.ISSUE_RETURN_NOTICE: _t(
            (S.CONFIRMED, S.PERSUADING), (S.PERSUADING, S.PERSUADING)
        ),
        CaseAction.ESCALATE: _t(
            (S.CONFIRMED, S.PERSUADING),
            (S.PERSUADING, S.PERSUADING),
            (S.UNREACHABLE, S.UNREACHABLE),
        ),
        CaseAction.RECORD_RETURN: _t(
            (S.CONFIRMED, S.RETURNED), (S.PERSUADING, S.RETURNED), (S.UNREACHABLE, S.RETURNED)
        ),
        CaseAction.RECORD_FOLLOW_UP: _t((S.RETURNED, S.MONITORING), (S.MONITORING, S.MONITORING)),
        CaseAction.RECORD_RELAPSE: _t((S.RETURNED, S.PERSUADING), (S.MONITORING, S.PERSUADING)),
        CaseAction.CLOSE: _t((S.MONITORING, S.CLOSED)),
        CaseAction.REQUEST_EXEMPTION: _t(
            (S.VERIFYING, S.VERIFYING), (S.CONFIRMED, S.CONFIRMED), (S.PERSUADING, S.PERSUADING)
        ),
        CaseAction.APPROVE_EXEMPTION: _t(
            (S.VERIFYING, S.EXEMPTED), (S.CONFIRMED, S.EXEMPTED), (S.PERSUADING, S.EXEMPTED)
        ),
        CaseAction.REJECT_EXEMPTION: _t(
            (S.VERIFYING, S.VERIFYING), (S.CONFIRMED, S.CONFIRMED), (S.PERSUADING, S.PERSUADING)
        ),
        CaseAction.WITHDRAW_EXEMPTION: _t(
            (S.VERIFYING, S.VERIFYING), (S.CONFIRMED, S.CONFIRMED), (S.PERSUADING, S.PERSUADING)
        ),
        CaseAction.MARK_UNREACHABLE: _t(
            (S.VERIFYING, S.UNREACHABLE),
            (S.CONFIRMED, S.UNREACHABLE),
            (S.PERSUADING, S.UNREACHABLE),
        ),
        CaseAction.RECORD_TRANSFER: _t(
            (S.VERIFYING, S.TRANSFERRED),
            (S.CONFIRMED, S.TRANSFERRED),
            (S.PERSUADING, S.TRANSFERRED),
            (S.UNREACHABLE, S.TRANSFERRED),
        ),
        # 反弹: a child back in school (or whose case was closed) is suspected again; the same
        # case is opened again for verification, with its history kept.
        CaseAction.REOPEN: _t(
            (S.RETURNED, S.REPORTED), (S.MONITORING, S.REPORTED), (S.CLOSED, S.REPORTED)
        ),
    }
)

#: Actions that create a case rather than change one.
CREATING_ACTIONS = frozenset(a for a, t in TRANSITIONS.items() if None in t)


class InvalidTransition(Exception):
    """``action`` cannot be taken from ``state``; ``allowed`` lists what can."""

    def __init__(self, action: CaseAction, state: CaseState | None) -> None:
        self.action = action
        self.state = state
        self.allowed = allowed_actions(state)
        super().__init__(
            f"{action.value} is not allowed from {state.value if state else 'no case'}; "
            f"allowed: {', '.join(a.value for a in self.allowed) or 'none'}"
        )


def allowed_actions(state: CaseState | None) -> list[CaseAction]:
    """Actions the table allows from ``state``, in declaration order."""
    return [a for a in CaseAction if state in TRANSITIONS[a]]


def is_allowed(action: CaseAction, state: CaseState | None) -> bool:
    return state in TRANSITIONS[action]


def next_state(action: CaseAction, state: CaseState | None) -> CaseState:
    """The state ``action`` leads to from ``state``; :class:`InvalidTransition` if none."""
    try:
        return TRANSITIONS[action][state]
    except KeyError:
        raise InvalidTransition(action, state) from None


def reachable_states(start: CaseState | None = None) -> set[CaseState]:
    """Every state reachable from ``start`` (default: from a new report)."""
    seen: set[CaseState] = set()
    frontier: list[CaseState | None] = [start]
    while frontier:
        current = frontier.pop()
        for action in allowed_actions(current):
            target = TRANSITIONS[action][current]
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def edges() -> dict[tuple[CaseState | None, CaseState], list[CaseAction]]:
    """``(from, to) → actions``, for the diagram."""
    result: dict[tuple[CaseState | None, CaseState], list[CaseAction]] = {}
    for action, table in TRANSITIONS.items():
        for source, target in table.items():
            result.setdefault((source, target), []).append(action)
    return result


def _state_order(states: Iterable[CaseState | None]) -> list[CaseState | None]:
    order = {None: -1, **{s: i for i, s in enumerate(CaseState)}}
    return sorted(states, key=lambda s: order[s])


def mermaid() -> str:
    """The state machine as a Mermaid ``stateDiagram-v2`` (the diagram in the docs)."""
    lines = ["stateDiagram-v2"]
    for state in CaseState:
        lines.append(f"    {state.value}: {state.value} {state.label}")
    grouped = edges()
    for source in _state_order({s for s, _ in grouped}):
        targets = [t for s, t in grouped if s == source]
        for target in _state_order(targets):
            actions = grouped[(source, target)]
            label = ", ".join(a.value for a in actions)
            left = "[*]" if source is None else source.value
            lines.append(f"    {left} --> {target.value}: {label}")
    for state in CaseState:
        if state in TERMINAL_STATES:
            lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines) + "\n"


def markdown_table() -> str:
    """The transitions as a Markdown table (action, from, to), for the docs."""
    rows = ["| action | 操作 | from → to |", "|---|---|---|"]
    for action, table in TRANSITIONS.items():
        moves = "; ".join(f"{'—' if s is None else s.value} → {t.value}" for s, t in table.items())
        rows.append(f"| `{action.value}` | {action.label} | {moves} |")
    return "\n".join(rows) + "\n"
