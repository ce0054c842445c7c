"""The token signing key: ``BAOXUE_SECRET_KEY`` if set, else one generated and kept in the
database so that every worker (and every restart) signs and checks with the same key; and the
key that seals list cursors, derived from it."""

from __future__ import annotations

import hashlib
import os
import secrets

from tortoise.exceptions import IntegrityError

from core.access.models import ServerSecret

_cache: dict[str, str] = {}
#: The cursor key, kept for the life of the process (see :func:`cursor_key`).
_cursor_keys: list[bytes] = []


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


async def cursor_key() -> bytes:
    """The 32-byte key list cursors are sealed with (:mod:`core.api.cursors`), derived from the
    signing key. It is read once per process and kept: a cursor handed out stays valid while
    the process runs, and every worker derives the same key from the same signing key."""
    if not _cursor_keys:
        derived = hashlib.blake2b(
            (await signing_key()).encode(), digest_size=32, person=b"baoxue-cursor"
        ).digest()
        if not _cursor_keys:
            _cursor_keys.append(derived)
    return _cursor_keys[0]


def forget_cached_key() -> None:
    """Tests empty the database between runs; drop the cached key with it."""
    _cache.clear()
