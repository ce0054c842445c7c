"""The token signing key: ``BAOXUE_SECRET_KEY`` if set, else one generated and kept in the
database so that every worker (and every restart) signs and checks with the same key."""

from __future__ import annotations

import os
import secrets

from tortoise.exceptions import IntegrityError

from core.access.models import ServerSecret

_cache: dict[str, str] = {}


async def signing_key() -> str:
    env = os.environ.get("BAOXUE_SECRET_KEY", "").strip()
    if env:
        return env
    if "signing" in _cache:
        return _cache["signing"]
    row = await ServerSecret.get_or_none(name="signing")
    if row is None:
        try:
            row = await ServerSecret.create(name="signing", value=secrets.token_urlsafe(48))
        except IntegrityError:  # another worker created it first
            row = await ServerSecret.get(name="signing")
    _cache["signing"] = row.value
    return row.value


def forget_cached_key() -> None:
    """Tests empty the database between runs; drop the cached key with it."""
    _cache.clear()
