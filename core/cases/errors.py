"""The one error a workflow command raises; the API turns it into a typed ``CaseError``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from core.api.errors import ErrorCode, bilingual
from core.cases.enums import CaseState
from core.cases.workflow import CaseAction, InvalidTransition


class CommandError(Exception):
    """A command was refused; nothing was written.

    ``allowed_actions`` is set for ``INVALID_TRANSITION``; ``current_version`` for
    ``CONFLICT``; ``existing_case_id`` for ``DUPLICATE`` (the open case of the same child and
    kind).
    """

    def __init__(
        self,
        code: ErrorCode,
        zh: str,
        en: str,
        *,
        field: str | None = None,
        allowed_actions: Sequence[CaseAction] | None = None,
        current_state: CaseState | None = None,
        current_version: int | None = None,
        existing_case_id: uuid.UUID | None = None,
    ) -> None:
        self.code = code
        self.field = field
        self.message = bilingual(zh, en)
        self.allowed_actions = list(allowed_actions) if allowed_actions is not None else None
        self.current_state = current_state
        self.current_version = current_version
        self.existing_case_id = existing_case_id
        super().__init__(self.message)

    @classmethod
    def invalid_transition(cls, exc: InvalidTransition) -> CommandError:
        state = exc.state
        allowed = ", ".join(a.value for a in exc.allowed) or "无 / none"
        zh_state = f"{state.label} ({state.value})" if state else "无个案"
        en_state = state.value if state else "no case"
        return cls(
            ErrorCode.INVALID_TRANSITION,
            f"当前状态 {zh_state} 不允许 {exc.action.label} ({exc.action.value}); 允许: {allowed}",
            f"{exc.action.value} is not allowed from {en_state}; allowed: {allowed}",
            allowed_actions=exc.allowed,
            current_state=state,
        )

    @classmethod
    def conflict(cls, expected: int, current: int | None) -> CommandError:
        return cls(
            ErrorCode.CONFLICT,
            f"个案已被他人修改 (提交的版本 {expected}, 当前版本 {current}), 请刷新后重试",
            f"the case was changed by someone else (expected version {expected}, "
            f"current {current}); reload and retry",
            field="expectedVersion",
            current_version=current,
        )
