"""The domain's error codes and its one error: what every refusal says, whoever asked.

Services (cases, visits, assistance, access) refuse a request by raising :class:`DomainError`
with a code from :class:`ErrorCode`, the input field at fault and a message in Chinese and
English; nothing has been written when it is raised. The GraphQL layer wraps the enum once
(``core.api.enums``) and turns the error into a mutation's typed ``errors`` list or, for a
failure of the whole request, into a top-level error with ``extensions.code``
(``core.api.errors``). The command line prints the message.

Some refusals carry what a client needs to recover: the actions the current state allows, the
current state and version of the object, or the id of the record that already exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Any

from core.labelled_enum import LabelledEnum


class ErrorCode(LabelledEnum):
    """错误代码: the stable code of a refusal (the label is its description in the schema)."""

    INVALID = "INVALID", "取值无效"
    REQUIRED = "REQUIRED", "缺少必填项"
    NOT_FOUND = "NOT_FOUND", "对象不存在或无权查看"
    CONFLICT = "CONFLICT", "版本冲突: 对象已被他人修改"
    DUPLICATE = "DUPLICATE", "重复: 已存在相同记录"
    INVALID_TRANSITION = "INVALID_TRANSITION", "当前状态不允许此操作"
    TOO_EARLY = "TOO_EARLY", "时限未到"
    FORBIDDEN = "FORBIDDEN", "无此权限"
    UNAUTHENTICATED = "UNAUTHENTICATED", "未登录或凭证无效"
    PAGE_SIZE = "PAGE_SIZE", "分页大小超出范围"
    INVALID_FILTER = "INVALID_FILTER", "筛选条件无效"
    RATE_LIMITED = "RATE_LIMITED", "请求过于频繁"
    TOO_LARGE = "TOO_LARGE", "文件过大"
    INTERNAL = "INTERNAL", "内部错误"


#: Codes that refuse the caller rather than what they sent: a mutation reports them as a
#: top-level error (like a query would), never inside its payload.
CALLER_CODES = frozenset({ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN})


def bilingual(zh: str, en: str) -> str:
    """The message format users see: Chinese first, then English."""
    return f"{zh} / {en}"


class DomainError(Exception):
    """A request was refused; nothing was written.

    ``allowed_actions`` is set for ``INVALID_TRANSITION``; ``current_version`` for
    ``CONFLICT``; ``existing_id`` for ``DUPLICATE`` (the record that already exists);
    ``current_state`` for both of the latter.
    """

    def __init__(
        self,
        code: ErrorCode,
        zh: str,
        en: str,
        *,
        field: str | None = None,
        allowed_actions: Sequence[Enum] | None = None,
        current_state: Enum | None = None,
        current_version: int | None = None,
        existing_id: uuid.UUID | None = None,
    ) -> None:
        self.code = code
        self.field = field
        self.zh = zh
        self.en = en
        self.message = bilingual(zh, en)
        self.allowed_actions = list(allowed_actions) if allowed_actions is not None else None
        self.current_state = current_state
        self.current_version = current_version
        self.existing_id = existing_id
        super().__init__(self.message)

    @property
    def extensions(self) -> dict[str, Any]:
        """What a top-level GraphQL error carries besides the message."""
        ext: dict[str, Any] = {"code": self.code.value}
        if self.field:
            ext["field"] = self.field
        return ext
