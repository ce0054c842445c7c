"""Who is calling: a staff bearer token or an agency API key, from the request headers.

``Authorization: Bearer <token>`` carries a staff session; ``X-API-Key: <key>`` (or
``Authorization: ApiKey <key>``) an agency key. No credentials means anonymous; credentials that
do not check out leave the caller anonymous with a reason the API reports.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from core.access import audit
from core.access.accounts import CALLER_FIELDS, caller_for_account
from core.access.api_keys import authenticate_key, caller_for_key
from core.access.caller import Caller
from core.access.enums import ActorKind, AuditAction
from core.access.models import ApiKey, AuthSession, StaffAccount
from core.access.rate_limit import RateLimiter
from core.access.tokens import decode_token
from core.querysets import Statement, run_statement, template


@dataclass(frozen=True)
class Authentication:
    caller: Caller
    #: Why presented credentials were refused (bilingual), or "" when none were refused.
    failure: str = ""
    #: Seconds to wait when the credentials were not even checked (too many failed checks).
    retry_after: int = 0


@dataclass(frozen=True)
class KeyCheckLimit:
    """At most ``per_minute`` key checks a minute that are not served from the cache of
    verified keys, per key prefix and per client address. A valid key in use is checked with
    Argon2 about once a minute, so in practice this counts wrong and unknown keys."""

    limiter: RateLimiter
    per_minute: int

    async def admit(self, prefix: str | None, client: str) -> int:
        """0 when the check may go ahead, else the seconds to wait."""
        wait = 0
        buckets = [f"keycheck-ip:{client}"] + ([f"keycheck-prefix:{prefix}"] if prefix else [])
        for bucket in buckets:
            verdict = await self.limiter.hit(bucket, self.per_minute)
            if not verdict.allowed:
                wait = max(wait, verdict.retry_after)
        return wait


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


#: The statement of :func:`_session_and_account`, by database dialect.
_SESSION_STATEMENTS: dict[str, Statement] = {}


async def _session_and_account(
    session_id: uuid.UUID, account_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The session and its account in one statement (a join), as plain values; built by
    Tortoise once per dialect and then sent with each request's ids."""
    dialect = AuthSession._meta.db.capabilities.dialect
    statement = _SESSION_STATEMENTS.get(dialect)
    if statement is None:
        stand_ins = [uuid.uuid4(), uuid.uuid4()]
        query = AuthSession.filter(id=stand_ins[0], account_id=stand_ins[1]).values(
            "revoked_at", "expires_at", *_ACCOUNT_VALUES
        )
        statement = _SESSION_STATEMENTS[dialect] = template(query, AuthSession, stand_ins)
    return await run_statement(AuthSession, statement, [session_id, account_id])


async def authenticate(
    headers: dict[str, str],
    *,
    now: datetime,
    client_address: str = "",
    request_id: str = "",
    key_checks: KeyCheckLimit | None = None,
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
        found = await _session_and_account(session_id, account_id)
        session = found[0] if found else None
        if session is None or session["revoked_at"] is not None or session["expires_at"] <= now:
            return Authentication(
                Caller.anonymous(), "会话已结束, 请重新登录 / session has ended, log in again"
            )
        if not session["account__is_active"]:
            return Authentication(Caller.anonymous(), "账号已停用 / account is disabled")
        account = SimpleNamespace(**{k[len("account__") :]: session[k] for k in _ACCOUNT_VALUES})
        return Authentication(caller_for_account(account, session_id))  # type: ignore[arg-type]
    waits: list[int] = []

    async def admit(prefix: str | None) -> bool:
        if key_checks is None:
            return True
        waits.append(await key_checks.admit(prefix, client_address))
        return waits[-1] == 0

    key, reason = await authenticate_key(secret, now=now, admit=admit)
    if reason == "throttled":
        return Authentication(
            Caller.anonymous(),
            "API 密钥校验失败次数过多, 请稍后再试 / too many failed API key checks, retry later",
            retry_after=max(waits),
        )
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


#: What :func:`caller_for_account` reads of the account, and whether it is active, read with
#: the session.
_ACCOUNT_VALUES = tuple(f"account__{name}" for name in (*CALLER_FIELDS, "is_active"))

_REASONS_ZH = {
    "malformed": "格式错误",
    "unknown": "不存在",
    "wrong secret": "密钥错误",
    "revoked": "已吊销",
    "expired": "已过期",
}


@dataclass(frozen=True)
class Standing:
    """Whether a caller authenticated earlier may still act: the caller as its account or key
    stands now (its role and place may have changed), or why not (bilingual) and whether the
    credentials are merely over (``ended``: log in again) or withdrawn (disabled, revoked)."""

    caller: Caller | None
    failure: str = ""
    ended: bool = False


async def recheck(caller: Caller, now: datetime) -> Standing:
    """``caller`` re-read from its session or key (a long-lived connection asks this on every
    delivery and periodically): logout, expiry, a disabled account or a revoked key end it.
    Nothing is audited (the connection's authentication was)."""
    if caller.kind is ActorKind.STAFF and caller.account_id and caller.session_id:
        session = await AuthSession.get_or_none(id=caller.session_id, account_id=caller.account_id)
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            return Standing(None, "会话已结束, 请重新登录 / session has ended, log in again", True)
        account = await StaffAccount.get_or_none(id=caller.account_id, is_active=True)
        if account is None:
            return Standing(None, "账号已停用 / account is disabled")
        return Standing(caller_for_account(account, caller.session_id))
    if caller.kind is ActorKind.API_KEY and caller.api_key_id:
        key = await ApiKey.get_or_none(id=caller.api_key_id)
        if key is None or key.revoked_at is not None:
            return Standing(None, "API 密钥已吊销 / API key revoked")
        if key.expires_at <= now:
            return Standing(None, "API 密钥已过期 / API key has expired", True)
        return Standing(caller_for_key(key))
    return Standing(None, "未登录 / not authenticated", True)
