"""The refusals particular to the case workflow, as :class:`~core.errors.DomainError` s that
carry what the client needs to recover (the allowed actions, the current state and version)."""

from __future__ import annotations

from core.cases.workflow import InvalidTransition
from core.errors import DomainError, ErrorCode


def invalid_transition(exc: InvalidTransition, current_version: int | None = None) -> DomainError:
    """The action is not allowed from the case's state; says which ones are."""
    state = exc.state
    allowed = ", ".join(a.value for a in exc.allowed) or "无 / none"
    zh_state = f"{state.label} ({state.value})" if state else "无个案"
    en_state = state.value if state else "no case"
    return DomainError(
        ErrorCode.INVALID_TRANSITION,
        f"当前状态 {zh_state} 不允许 {exc.action.label} ({exc.action.value}); 允许: {allowed}",
        f"{exc.action.value} is not allowed from {en_state}; allowed: {allowed}",
        allowed_actions=exc.allowed,
        current_state=state,
        current_version=current_version,
    )


def conflict(expected: int, current: int | None) -> DomainError:
    """Someone else changed the case since the client read it."""
    return DomainError(
        ErrorCode.CONFLICT,
        f"个案已被他人修改 (提交的版本 {expected}, 当前版本 {current}), 请刷新后重试",
        f"the case was changed by someone else (expected version {expected}, "
        f"current {current}); reload and retry",
        field="expectedVersion",
        current_version=current,
    )


__all__ = ["conflict", "invalid_transition"]
