"""Database wiring: the Tortoise configuration, start-up, shutdown and migrations.

All models live in one Tortoise app, ``baoxue``; migrations in ``core.migrations``.
"""

from __future__ import annotations

import os
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext

from core.settings import normalise_database_url

APP_LABEL = "baoxue"

MODEL_MODULES: list[str] = [
    "core.jurisdictions.models",
    "core.schools.models",
    "core.people.models",
    "core.enrolment.models",
    "core.cases.models",
    "core.assistance.models",
    "core.visits.models",
    "core.files.models",
    "core.officials.models",
    "core.access.models",
    "core.imports.models",
    "core.reports.models",
    "core.attendance.models",
    "core.events.models",
]


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    """The Tortoise configuration for ``database_url`` (default: ``$DATABASE_URL``)."""
    url = normalise_database_url(
        database_url or os.environ.get("DATABASE_URL", "sqlite://baoxue.db")
    )
    return {
        "connections": {"default": _connection(url)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "migrations": "core.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


#: SQLite pragmas of every connection: the file mapped into memory (up to 1 GiB) and a page
#: cache of 64 MiB, so a read over a whole county (the metrics touch every child's rows)
#: reads pages from memory instead of a system call per page (bench/README.md).
SQLITE_PRAGMAS = {"mmap_size": 1 << 30, "cache_size": -65536}


#: PostgreSQL settings of every connection. JIT compilation off: the planner's estimates for
#: the metrics statement (one row per child, as of a day, through windows and CTEs) are far
#: above ``jit_above_cost``, and compiling it took 1.5 s of a 3.2 s run at 100,000 pupils
#: (EXPLAIN ANALYZE) for no gain; the API's other statements are short (bench/README.md).
POSTGRES_SETTINGS = {"jit": "off"}


async def _keep_session(connection: Any) -> None:
    """What asyncpg's pool does to a PostgreSQL connection on release, besides rolling back
    an open transaction and dropping listeners (which it always does): nothing. Its default,
    ``Connection.reset()``, sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL`` on every release, and Tortoise acquires and releases a connection for every
    statement outside a transaction, so that was a second round trip per statement. Baoxue
    leaves no session state behind on a connection (no advisory locks, ``LISTEN``, cursors
    outside transactions or ``SET`` outside the settings every connection starts with), so
    there is nothing to reset (bench/README.md, "The fast path on PostgreSQL")."""


def _connection(url: str) -> str | dict[str, Any]:
    if url.startswith(("postgres:", "postgresql:", "asyncpg:")):
        config = expand_db_url(url)
        settings = config["credentials"].setdefault("server_settings", {})
        for name, value in POSTGRES_SETTINGS.items():
            settings.setdefault(name, value)
        config["credentials"].setdefault("reset", _keep_session)
        return config
    if not url.startswith("sqlite:"):
        return url
    config = expand_db_url(url)
    for pragma, value in SQLITE_PRAGMAS.items():
        config["credentials"].setdefault(pragma, value)
    return config


#: Read by ``tortoise makemigrations`` through ``[tool.tortoise]`` in pyproject.toml.
TORTOISE_ORM = tortoise_config()


async def open_database(database_url: str, *, create: bool = False) -> TortoiseContext:
    """Open a Tortoise context for the application and make it the process-wide fallback.

    The server's lifespan runs in another task than its requests, so the context is also set
    as the global fallback (Tortoise 1.x's ``_enable_global_fallback``).
    """
    ctx = TortoiseContext()
    ctx.__enter__()
    await ctx.init(
        config=tortoise_config(database_url), _create_db=create, _enable_global_fallback=True
    )
    return ctx


async def close_database(ctx: TortoiseContext) -> None:
    await ctx.__aexit__(None, None, None)


async def run_migrations(database_url: str, *, progress: Any = None) -> None:
    """Apply every pending migration (Tortoise's built-in migration executor), then derive the
    stored child facts a migration marked (``0016_child_fact``'s backfill marks every child):
    migrations hold plain SQL, and the derivation is this release's
    (:func:`core.metrics.store.refresh_child_facts`)."""
    from tortoise.migrations.api.migrate import migrate

    try:
        await migrate(config=tortoise_config(database_url), progress=progress)
    finally:
        await Tortoise.close_connections()
    from core.metrics.store import refresh_child_facts

    async with TortoiseContext() as ctx:  # its own context: not the application's fallback
        await ctx.init(config=tortoise_config(database_url))
        if progress is not None:
            progress("derive_start", "baoxue", "child_fact")
        derived = await refresh_child_facts()
        if progress is not None and derived:
            progress("derive_done", "baoxue", f"child_fact ({derived:,})")


def dialect(ctx: TortoiseContext | None = None) -> str:
    """``"sqlite"`` or ``"postgres"`` for the default connection."""
    from tortoise import connections

    return connections.get("default").capabilities.dialect
