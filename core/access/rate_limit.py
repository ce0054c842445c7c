"""Rate limits: fixed windows counted in-process or shared through Redis.

With ``REDIS_URL`` set, every worker counts in the same Redis keys, so the limit holds across
workers; without it each process counts alone (fine for one worker). When Redis stops
answering, the counts fall back to this process (each worker then limits on its own) with a
warning in the log, and Redis is tried again every :data:`RETRY_REDIS_AFTER` seconds; the
health check reports it (``/healthz``: ``"redis": "unreachable"``, ``"status": "degraded"``).
Every count is one atomic step (INCR in Redis), so concurrent requests cannot slip past it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("baoxue.rate_limit")

#: Seconds between attempts to reach Redis again after it failed.
RETRY_REDIS_AFTER = 15.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int = 60) -> Verdict:
        """Count one event for ``key`` in the current ``window`` (seconds); allowed while the
        count is at most ``limit``."""
        ...

    def status(self) -> str:
        """``"ok"``, ``"unreachable"`` (Redis down, counting in-process) or
        ``"not configured"``."""
        ...


def _verdict(count: int, limit: int, now: float, window: int) -> Verdict:
    retry = int(window - now % window) + 1
    return Verdict(count <= limit, max(limit - count, 0), retry)


class MemoryRateLimiter:
    """Counts per key per window in this process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int, int], int] = {}

    async def hit(self, key: str, limit: int, window: int = 60) -> Verdict:
        now = time.time()
        slot = int(now // window)
        if len(self._counts) > 10_000:  # forget old windows
            self._counts = {k: v for k, v in self._counts.items() if k[2] == int(now // k[1])}
        count = self._counts.get((key, window, slot), 0) + 1
        self._counts[(key, window, slot)] = count
        return _verdict(count, limit, now, window)

    def status(self) -> str:
        return "not configured"


class RedisRateLimiter:
    """The same fixed windows, counted with INCR + EXPIRE in Redis."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)

    async def hit(self, key: str, limit: int, window: int = 60) -> Verdict:
        now = time.time()
        name = f"baoxue:rate:{key}:{window}:{int(now // window)}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window + 5)
            count, _ = await pipe.execute()
        return _verdict(count, limit, now, window)

    def status(self) -> str:
        return "ok"

    async def close(self) -> None:
        await self._redis.aclose()


class FallbackRateLimiter:
    """Redis while it answers, this process's counts while it does not."""

    def __init__(self, primary: RedisRateLimiter) -> None:
        self.primary = primary
        self.fallback = MemoryRateLimiter()
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

    def _went_down(self, exc: Exception) -> None:
        if self._down_since is None:
            log.warning(
                "Redis unreachable: counting rate limits in this process until it answers",
                extra={"error": type(exc).__name__},
            )
        self._down_since = time.monotonic()

    async def check(self) -> str:
        """Ask Redis now (for the health check) and return :meth:`status`."""
        try:
            await self.primary._redis.ping()
        except Exception as exc:
            self._went_down(exc)
            return "unreachable"
        if self._down_since is not None:
            log.warning("Redis answers again: rate limits are shared between workers")
        self._down_since = None
        return "ok"


def build_rate_limiter(redis_url: str | None) -> RateLimiter:
    if not redis_url:
        return MemoryRateLimiter()
    return FallbackRateLimiter(RedisRateLimiter(redis_url))
