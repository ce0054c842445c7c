"""Who is calling: a staff bearer token or an agency API key, from the request headers.

``Authorization: Bearer <token>`` carries a staff session; ``X-API-Key: <key>`` (or
``Authorization: ApiKey <key>``) an agency key. No credentials means anonymous; credentials that
do not check out leave the caller anonymous with a reason the API reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.access import audit
from core.access.accounts import caller_for_account
from core.access.api_keys import authenticate_key, caller_for_key
from core.access.caller import Caller
from core.access.enums import ActorKind, AuditAction
from core.access.models import AuthSession, StaffAccount
from core.access.tokens import decode_token


@dataclass(frozen=True)
class Authentication:
    caller: Caller
    #: Why presented credentials were refused (bilingual), or "" when none were refused.
    failure: str = ""


def _credentials(headers: dict[str, str]) -> tuple[str, str]:
    auth = headers.get("authorization", "").strip()
    if auth[:7].lower() == "bearer ":
        return "bearer", auth[7:].strip()
    if auth[:7].lower() == "apikey ":
        return "key", auth[7:].strip()
    key = headers.get("x-api-key", "").strip()
    if key:
        return "key", key
    return "", ""


async def authenticate(
    headers: dict[str, str], *, now: datetime, client_address: str = "", request_id: str = ""
) -> Authentication:
    kind, secret = _credentials(headers)
    if not kind:
        return Authentication(Caller.anonymous())
    if kind == "bearer":
        decoded = await decode_token(secret, now)
        if decoded is None:
            return Authentication(
                Caller.anonymous(), "令牌无效或已过期 / token is invalid or has expired"
            )
        account_id, session_id = decoded
        session = await AuthSession.get_or_none(id=session_id, account_id=account_id)
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            return Authentication(
                Caller.anonymous(), "会话已结束, 请重新登录 / session has ended, log in again"
            )
        account = await StaffAccount.get_or_none(id=account_id, is_active=True)
        if account is None:
            return Authentication(Caller.anonymous(), "账号已停用 / account is disabled")
        return Authentication(caller_for_account(account, session_id))
    key, reason = await authenticate_key(secret, now=now)
    if key is None:
        await audit.record(
            AuditAction.KEY_REJECTED,
            caller=Caller(kind=ActorKind.ANONYMOUS, label=secret[:11], scope=None),
            at=now,
            client_address=client_address,
            request_id=request_id,
            details={"reason": reason},
        )
        return Authentication(
            Caller.anonymous(),
            f"API 密钥无效 ({_REASONS_ZH.get(reason, reason)}) / API key refused ({reason})",
        )
    caller = caller_for_key(key)
    await audit.record(
        AuditAction.KEY_USE,
        caller=caller,
        at=now,
        client_address=client_address,
        request_id=request_id,
    )
    return Authentication(caller)


_REASONS_ZH = {
    "malformed": "格式错误",
    "unknown": "不存在",
    "wrong secret": "密钥错误",
    "revoked": "已吊销",
    "expired": "已过期",
}
