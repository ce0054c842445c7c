"""``/healthz`` (is the process alive and can it reach its database) and ``/readyz`` (may a load
balancer send it traffic: database and Redis reachable, every migration applied)."""

from __future__ import annotations

import logging
import pkgutil
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from core.access.rate_limit import RateLimiter
from core.db import APP_LABEL

log = logging.getLogger("baoxue.server")


async def _redis_status(limiter: RateLimiter) -> str:
    check = getattr(limiter, "check", None)
    return await check() if check is not None else limiter.status()


async def _database_answers() -> bool:
    from tortoise import connections

    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # the reason is reported, the process stays up
        log.warning("database check failed", extra={"error": type(exc).__name__})
        return False
    return True


def migrations_on_disk() -> set[str]:
    import core.migrations

    return {
        name for _, name, is_pkg in pkgutil.iter_modules(core.migrations.__path__) if not is_pkg
    }


async def pending_migrations() -> list[str]:
    """Migrations in ``core/migrations`` that the database has not applied."""
    from tortoise import connections
    from tortoise.migrations.recorder import MigrationRecorder

    applied = await MigrationRecorder(connections.get("default")).applied_migrations()
    done = {key.name for key in applied if key.app_label == APP_LABEL}
    return sorted(migrations_on_disk() - done)


def health_check(limiter: RateLimiter) -> Callable[[Request], Awaitable[JSONResponse]]:
    """``/healthz``: 503 when the database does not answer; 200 with ``"status": "degraded"``
    when Redis does not (rate limits are then counted in each worker, see
    :mod:`core.access.rate_limit`); ``"redis"`` is ``ok``, ``unreachable`` or ``not
    configured``."""

    async def healthz(request: Request) -> JSONResponse:
        redis = await _redis_status(limiter)
        if not await _database_answers():
            return JSONResponse(
                {"status": "error", "database": "unreachable", "redis": redis}, status_code=503
            )
        status = "degraded" if redis == "unreachable" else "ok"
        return JSONResponse({"status": status, "database": "ok", "redis": redis})

    return healthz


def readiness_check(limiter: RateLimiter) -> Callable[[Request], Awaitable[JSONResponse]]:
    """``/readyz``: 200 ``{"status": "ready"}`` when the database answers, Redis answers (if
    ``REDIS_URL`` is set: a worker that cannot share its rate limits is not ready) and no
    migration is pending; otherwise 503 naming what is wrong."""

    async def readyz(request: Request) -> JSONResponse:
        redis = await _redis_status(limiter)
        body: dict[str, object] = {"database": "ok", "redis": redis, "migrations": "ok"}
        problems = []
        if not await _database_answers():
            body["database"] = "unreachable"
            body["migrations"] = "unknown"
            problems.append("database")
        else:
            pending = await pending_migrations()
            if pending:
                body["migrations"] = "pending"
                body["pending"] = pending
                problems.append("migrations")
        if redis == "unreachable":
            problems.append("redis")
        body["status"] = "not ready" if problems else "ready"
        return JSONResponse(body, status_code=503 if problems else 200)

    return readyz
