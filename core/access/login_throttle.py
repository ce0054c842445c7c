"""Limits on signing in, separate from the per-request limits of anonymous callers.

Every login attempt (each ``login`` field, so aliases do not multiply them) counts against its
client address and its username, a minute at a time, before the password is looked at. Failed
attempts of usernames that do not exist are counted too, in :data:`FAILURE_WINDOW` windows, so
that an unknown username is "locked" after as many failures as a real account and the answers
never tell the two apart.

The server installs one throttle per application; the HTTP layer makes it current for each
request (:func:`use_login_throttle`) and :func:`core.access.accounts.login` asks it. Without one
(the CLI, unit tests of the service) only the account lock-out applies.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from core.access.rate_limit import RateLimiter
from core.errors import DomainError, ErrorCode
from core.observability import count_rate_limit_refusal

#: Attempts a minute one username may make, whatever the address.
ATTEMPTS_PER_USERNAME = 10
#: Seconds over which failures of an unknown username are counted (the account lock-out time).
FAILURE_WINDOW = 15 * 60


@dataclass(frozen=True)
class LoginThrottle:
    limiter: RateLimiter
    #: Attempts a minute from one client address.
    per_address: int
    per_username: int = ATTEMPTS_PER_USERNAME

    async def admit(self, username: str, client_address: str) -> None:
        """Count one attempt; RATE_LIMITED when the address or the username is over."""
        for bucket, limit in (
            (f"login-ip:{client_address}", self.per_address),
            (f"login-user:{username.casefold()}", self.per_username),
        ):
            verdict = await self.limiter.hit(bucket, limit)
            if not verdict.allowed:
                count_rate_limit_refusal("login_attempts")
                raise DomainError(
                    ErrorCode.RATE_LIMITED,
                    f"登录尝试过于频繁, 请 {verdict.retry_after} 秒后再试",
                    f"too many sign-in attempts, retry in {verdict.retry_after} s",
                )

    async def unknown_user_failures(self, username: str, allowed: int) -> bool:
        """Count one failure of a username that has no account; True while it has had at
        most ``allowed`` of them in the current window."""
        verdict = await self.limiter.hit(
            f"login-unknown:{username.casefold()}", allowed, FAILURE_WINDOW
        )
        return verdict.allowed


_current: ContextVar[LoginThrottle | None] = ContextVar("baoxue_login_throttle", default=None)


def current_login_throttle() -> LoginThrottle | None:
    return _current.get()


@contextlib.contextmanager
def use_login_throttle(throttle: LoginThrottle | None) -> Iterator[None]:
    token = _current.set(throttle)
    try:
        yield
    finally:
        _current.reset(token)
