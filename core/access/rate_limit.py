"""Rate limits, counted by the ``limits`` package: in this process, or shared through Redis.

Each limit is a fixed window of ``window`` seconds that opens with a key's first hit
(``limits``' fixed-window strategy; one atomic increment per hit, so concurrent requests cannot
slip past it). With ``REDIS_URL`` set, every worker counts in the same Redis keys, so the limit
holds across workers; without it each process counts alone (fine for one worker). When Redis
stops answering, the counts fall back to this process (each worker then limits on its own) with
a warning in the log, and Redis is tried again every :data:`RETRY_REDIS_AFTER` seconds; the
health check reports it (``/healthz``: ``"redis": "unreachable"``, ``"status": "degraded"``).

Every :class:`Verdict` says the limit, what is left and when the window ends, for the
``X-RateLimit-*`` headers (:mod:`core.access.middleware`).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

log = logging.getLogger("baoxue.rate_limit")

#: Seconds between attempts to reach Redis again after it failed.
RETRY_REDIS_AFTER = 15.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    #: Seconds until the window ends (at least 1).
    retry_after: int
    limit: int = 0
    #: When the window ends, in seconds since the epoch.
    reset: int = 0


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int = 60) -> Verdict:
        """Count one event for ``key`` in its current ``window`` (seconds); allowed while the
        count is at most ``limit``."""
        ...

    def status(self) -> str:
        """``"ok"``, ``"unreachable"`` (Redis down, counting in-process) or
        ``"not configured"``."""
        ...


@lru_cache(maxsize=256)
def _item(limit: int, window: int) -> RateLimitItem:
    return RateLimitItemPerSecond(limit, window)


class CountingRateLimiter:
    """``limits``' fixed windows over one storage."""

    def __init__(self, storage: Storage, status: str) -> None:
        self.storage = storage
        self._strategy = FixedWindowRateLimiter(storage)
        self._status = status

    async def hit(self, key: str, limit: int, window: int = 60) -> Verdict:
        item = _item(limit, window)
        allowed = await self._strategy.hit(item, key)
        stats = await self._strategy.get_window_stats(item, key)
        now = time.time()
        return Verdict(
            allowed=allowed,
            remaining=max(stats.remaining, 0),
            retry_after=max(1, math.ceil(stats.reset_time - now)),
            limit=limit,
            reset=math.ceil(stats.reset_time),
        )

    def status(self) -> str:
        return self._status


def memory_rate_limiter() -> CountingRateLimiter:
    """Counts in this process."""
    return CountingRateLimiter(MemoryStorage(), "not configured")


def redis_rate_limiter(url: str) -> CountingRateLimiter:
    """Counts in Redis (redis-py's asyncio client, one-second timeouts)."""
    storage = RedisStorage(
        url if url.startswith("async+") else f"async+{url}",
        implementation="redispy",
        key_prefix="baoxue:rate",
        socket_connect_timeout=1,
        socket_timeout=1,
    )
    return CountingRateLimiter(storage, "ok")


class FallbackRateLimiter:
    """Redis while it answers, this process's counts while it does not."""

    def __init__(self, primary: CountingRateLimiter) -> None:
        self.primary = primary
        self.fallback = memory_rate_limiter()
        self._down_since: float | None = None

    async def hit(self, key: str, limit: int, window: int = 60) -> Verdict:
        if self._down_since is not None and time.monotonic() - self._down_since < RETRY_REDIS_AFTER:
            return await self.fallback.hit(key, limit, window)
        try:
            verdict = await self.primary.hit(key, limit, window)
        except Exception as exc:  # any Redis or network failure: keep serving, limit locally
            self._went_down(exc)
            return await self.fallback.hit(key, limit, window)
        if self._down_since is not None:
            log.warning("Redis answers again: rate limits are shared between workers")
            self._down_since = None
        return verdict

    def status(self) -> str:
        return "unreachable" if self._down_since is not None else "ok"

    def _went_down(self, exc: Exception | None) -> None:
        if self._down_since is None:
            extra: dict[str, Any] = {"error": type(exc).__name__} if exc else {}
            log.warning(
                "Redis unreachable: counting rate limits in this process until it answers",
                extra=extra,
            )
        self._down_since = time.monotonic()

    async def check(self) -> str:
        """Ask Redis now (for the health checks) and return :meth:`status`."""
        try:
            answers = await self.primary.storage.check()
        except Exception:
            answers = False
        if not answers:
            self._went_down(None)
            return "unreachable"
        if self._down_since is not None:
            log.warning("Redis answers again: rate limits are shared between workers")
        self._down_since = None
        return "ok"


def build_rate_limiter(redis_url: str | None) -> RateLimiter:
    if not redis_url:
        return memory_rate_limiter()
    return FallbackRateLimiter(redis_rate_limiter(redis_url))
