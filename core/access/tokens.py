"""Short-lived signed bearer tokens for staff sessions (JWT, HS256, via PyJWT).

A token carries the account id and the session id (``jti``); the session row decides whether it
is still valid, so logging out or revoking a session takes effect at once in every worker.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt

from core.access.secrets_store import signing_key

ISSUER = "baoxue"
#: How long a login lasts.
TOKEN_LIFETIME = timedelta(hours=8)


async def encode_token(account_id: uuid.UUID, session_id: uuid.UUID, expires_at: datetime) -> str:
    payload = {
        "iss": ISSUER,
        "sub": str(account_id),
        "jti": str(session_id),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(payload, await signing_key(), algorithm="HS256")


async def decode_token(token: str, now: datetime) -> tuple[uuid.UUID, uuid.UUID] | None:
    """``(account id, session id)`` from a valid token, None for anything else."""
    try:
        payload = jwt.decode(
            token,
            await signing_key(),
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "jti", "iss"], "verify_exp": False},
        )
        if payload["exp"] <= now.timestamp():
            return None
        return uuid.UUID(payload["sub"]), uuid.UUID(payload["jti"])
    except (jwt.PyJWTError, ValueError, KeyError):
        return None
