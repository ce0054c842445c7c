"""The live feed's transport (实时推送通道): committed events told to every process that holds
subscribers, through Redis pub/sub or, without ``REDIS_URL``, within this process.

A :class:`Broker` publishes small notices (``{"type": "event", "id": …}`` or
``{"type": "receipt", …}``; never a payload: subscribers read the event row, which is the
source of truth, and check it against their own scope) and fans each notice out to the
queues of this process's subscribers. With Redis every process subscribes once to the channel
``BAOXUE_SUBSCRIPTION_CHANNEL`` and a notice published by any process (a uvicorn worker, the
``baoxue worker``) reaches the subscribers of all of them. Without Redis the notices stay in
the process that published them: fine for one ``baoxue serve`` worker, not for several.

Pub/sub is at most once: a process that is not listening when a notice is published (Redis
down, the process restarting) misses it. A dashboard therefore reads ``myInbox`` when it
(re)connects and uses the subscription for what happens next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson

log = logging.getLogger("baoxue.events.broker")

#: Notices one subscriber may have waiting; a subscriber that falls this far behind loses the
#: oldest (and is told, so it can re-read its inbox).
QUEUE_SIZE = 1000
#: Seconds between attempts to listen to Redis again after the connection failed.
RECONNECT_SECONDS = 2.0

OVERFLOW: dict[str, Any] = {"type": "overflow"}


class Broker:
    """Publish notices and hand every notice to each local subscriber's queue."""

    def __init__(self, redis_url: str | None = None, channel: str = "baoxue:events") -> None:
        self.redis_url = redis_url
        self.channel = channel
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def subscribers(self) -> int:
        """How many subscriptions of this process are listening."""
        return len(self._queues)

    def _client(self) -> Any:
        if self._redis is None:
            import redis.asyncio as redis

            self._redis = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2)
        return self._redis

    async def publish(self, notice: dict[str, Any]) -> None:
        """Tell every subscriber (of every process, with Redis) about ``notice``; a Redis
        failure is logged, never raised: the change it tells of is committed already."""
        if self.redis_url is None:
            self._fan_out(notice)
            return
        try:
            await self._client().publish(self.channel, orjson.dumps(notice))
        except Exception as exc:
            log.warning("live feed: publishing failed", extra={"error": str(exc)[:200]})

    def _fan_out(self, notice: dict[str, Any]) -> None:
        for queue in list(self._queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                queue.put_nowait(OVERFLOW)
                continue
            queue.put_nowait(notice)

    async def _listen(self) -> None:
        while True:
            pubsub = self._client().pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._listening.set()
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        notice = orjson.loads(message["data"])
                    except orjson.JSONDecodeError:
                        continue
                    if isinstance(notice, dict):
                        self._fan_out(notice)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._listening.clear()
                log.warning("live feed: Redis listener failed", extra={"error": str(exc)[:200]})
                self._fan_out(OVERFLOW)
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _ensure_listening(self) -> None:
        if self.redis_url is None:
            return
        if self._listener is None or self._listener.done():
            self._listening.clear()
            self._listener = asyncio.create_task(self._listen(), name="live feed listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), 5)

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue that receives every notice while the block runs (Redis is listened to
        before the block starts)."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            await self._ensure_listening()
            yield queue
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        """Stop listening and close the Redis connection."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
            self._redis = None


_brokers: dict[tuple[str | None, str, int], Broker] = {}


def broker_for(redis_url: str | None, channel: str) -> Broker:
    """This process's broker for ``redis_url`` and ``channel`` (one per event loop: a Redis
    connection belongs to the loop that opened it)."""
    key = (redis_url, channel, id(asyncio.get_running_loop()))
    found = _brokers.get(key)
    if found is None:
        found = _brokers[key] = Broker(redis_url, channel)
    return found


async def close_brokers() -> None:
    """Close every broker of this process (application shutdown)."""
    for broker in list(_brokers.values()):
        await broker.close()
    _brokers.clear()
