"""Errors of access control, bilingual, with a stable code."""

from __future__ import annotations


class AccessError(Exception):
    """Raised by access services; the API turns ``code`` into the GraphQL error code."""

    def __init__(self, code: str, zh: str, en: str, *, field: str | None = None) -> None:
        self.code = code
        self.zh = zh
        self.en = en
        self.field = field
        super().__init__(f"{zh} / {en}")


def unauthenticated(
    zh: str = "请先登录或提供有效的 API 密钥", en: str = "authentication required"
) -> AccessError:
    return AccessError("UNAUTHENTICATED", zh, en)


def forbidden(permission: str, label: str) -> AccessError:
    return AccessError(
        "FORBIDDEN",
        f"无此权限: 需要 {permission} ({label})",
        f"forbidden: this needs the {permission} permission",
    )
