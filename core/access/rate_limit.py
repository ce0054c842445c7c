"""Per-caller rate limits: a fixed window per minute, in-process or shared through Redis.

With ``REDIS_URL`` set, every worker counts in the same Redis keys, so the limit holds across
workers; without it each process counts alone (fine for one worker).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int) -> Verdict: ...


class MemoryRateLimiter:
    """Counts per key per wall-clock minute in this process."""

    def __init__(self, window_seconds: int = 60) -> None:
        self.window = window_seconds
        self._counts: dict[tuple[str, int], int] = {}

    async def hit(self, key: str, limit: int) -> Verdict:
        now = time.time()
        window = int(now // self.window)
        if len(self._counts) > 10_000:  # forget old windows
            self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        retry = int(self.window - now % self.window) + 1
        return Verdict(count <= limit, max(limit - count, 0), retry)


class RedisRateLimiter:
    """The same fixed window, counted with INCR + EXPIRE in Redis."""

    def __init__(self, url: str, window_seconds: int = 60) -> None:
        import redis.asyncio as redis

        self.window = window_seconds
        self._redis = redis.from_url(url)

    async def hit(self, key: str, limit: int) -> Verdict:
        now = time.time()
        window = int(now // self.window)
        name = f"baoxue:rate:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self.window + 5)
            count, _ = await pipe.execute()
        retry = int(self.window - now % self.window) + 1
        return Verdict(count <= limit, max(limit - count, 0), retry)

    async def close(self) -> None:
        await self._redis.aclose()


def build_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
