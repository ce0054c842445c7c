"""Test fixtures shared by the whole suite.

The database is chosen by ``BAOXUE_TEST_DATABASE``: ``sqlite`` (default) or a PostgreSQL server
URL such as ``postgres://postgres@127.0.0.1:5432``. For PostgreSQL the session creates a database
of its own with a random name and drops it at the end. Either way the schema is built once per
session with the real migrations, and every test gets its own Tortoise context and finds the
tables empty.

Every application a test builds (``create_app``) shares the GraphQL schema built for equal
settings, as a server builds it once per process: building one takes 0.1-0.7 s of CPU, which
the suite otherwise paid for each of its thousand-odd clients.

Migrating takes about ten seconds of CPU (Tortoise rebuilds its model state for every
operation). For runs that start pytest hundreds of times over the same migrations, such as
mutation testing, ``BAOXUE_TEST_SQLITE_CACHE`` names a directory where the migrated SQLite file
is kept, under the hash of the migration files, and copied for each session instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from core.access.api_keys import forget_verified_keys
from core.access.caller import Caller
from core.access.secrets_store import cursor_key, forget_cached_key
from core.db import run_migrations, tortoise_config


def _migrations_digest() -> str:
    """A hash of every migration file: a cached database is valid while none of them changes."""
    folder = Path(__file__).resolve().parents[1] / "core" / "migrations"
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _migrate_sqlite(path: Path) -> None:
    """Build the schema in ``path``, through the cache directory when one is named."""
    cache = os.environ.get("BAOXUE_TEST_SQLITE_CACHE", "").strip()
    if not cache:
        asyncio.run(run_migrations(f"sqlite://{path}"))
        return
    cached = Path(cache) / f"migrated-{_migrations_digest()}.db"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = cached.with_suffix(f".{os.getpid()}.tmp")
        asyncio.run(run_migrations(f"sqlite://{building}"))
        building.replace(cached)
    shutil.copyfile(cached, path)


def _server_url() -> str | None:
    raw = os.environ.get("BAOXUE_TEST_DATABASE", "sqlite").strip()
    if raw in ("", "sqlite"):
        return None
    return raw.rstrip("/").replace("postgresql://", "postgres://", 1)


async def _admin(server: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session", autouse=True)
def files_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The file store (generated notices) in a directory of the session's own."""
    path = tmp_path_factory.mktemp("files")
    previous = os.environ.get("BAOXUE_FILES_DIR")
    os.environ["BAOXUE_FILES_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("BAOXUE_FILES_DIR", None)
    else:
        os.environ["BAOXUE_FILES_DIR"] = previous


@pytest.fixture(scope="session", autouse=True)
def one_schema_per_settings() -> Iterator[None]:
    """``create_app`` builds its schema once per distinct :class:`~core.settings.Settings`
    (frozen, so equal settings hash alike) in this process; a test that changes a limit or
    switches the fast path off gets a schema of its own. The schema keeps nothing of a request:
    strawberry makes each request's extensions afresh."""
    import core.server
    from core.api.schema import build_schema

    built: dict[Any, Any] = {}

    def shared(settings: Any) -> Any:
        if settings not in built:
            built[settings] = build_schema(settings)
        return built[settings]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core.server, "build_schema", shared)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this test session."""
    server = _server_url()
    if server is None:
        path: Path = tmp_path_factory.mktemp("db") / "baoxue-test.db"
        _migrate_sqlite(path)
        yield f"sqlite://{path}"
        return
    name = f"baoxue_test_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    url = f"{server}/{name}"
    try:
        asyncio.run(run_migrations(url))
        yield url
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[TortoiseContext]:
    """A Tortoise context for one test; every table is emptied afterwards."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url), _enable_global_fallback=True)
        # The cursor key is read once per process (a statement or two, the first time): read it
        # here, so that the statements a test counts are those of every later request.
        await cursor_key()
        try:
            yield ctx
        finally:
            await _empty_all_tables(ctx)
            forget_cached_key()
            forget_verified_keys()


_KEEP = {"tortoise_migrations", "sqlite_sequence"}
_tables_cache: dict[str, list[str]] = {}
_sequences_cache: list[str] = []
#: Whether this PostgreSQL role may set ``session_replication_role`` (a superuser, as in CI).
_may_skip_triggers: list[bool] = []


async def _empty_postgres(conn: Any, tables: list[str]) -> None:
    """Every table emptied and every sequence restarted.

    ``DELETE`` with foreign-key and other triggers off (``session_replication_role =
    replica``, in one transaction): a test leaves a few hundred rows, and deleting them takes
    about a millisecond, where ``TRUNCATE`` of every table replaces each table's and index's
    files and waits for the disk (0.15 s on an idle machine, seconds beside another suite).
    A role that may not switch triggers off gets ``TRUNCATE … RESTART IDENTITY CASCADE``."""
    if not _sequences_cache:
        _, rows = await conn.execute_query(
            "SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public'"
        )
        _sequences_cache.extend(r["name"] for r in rows)
    if not _may_skip_triggers:
        _, rows = await conn.execute_query("SELECT rolsuper FROM pg_roles WHERE rolname = user")
        _may_skip_triggers.append(bool(rows and rows[0]["rolsuper"]))
    if not _may_skip_triggers[0]:
        await conn.execute_script(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
        return
    await conn.execute_script(
        "BEGIN; SET LOCAL session_replication_role = replica;"
        + "".join(f'DELETE FROM "{t}";' for t in tables)
        + "".join(f'ALTER SEQUENCE "{s}" RESTART;' for s in _sequences_cache)
        + "COMMIT;"
    )


async def _empty_all_tables(ctx: TortoiseContext) -> None:
    conn = ctx.db()
    postgres = conn.capabilities.dialect == "postgres"
    key = "postgres" if postgres else "sqlite"
    if key not in _tables_cache:
        sql = (
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
            if postgres
            else "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
        _, rows = await conn.execute_query(sql)
        _tables_cache[key] = [r["name"] for r in rows if r["name"] not in _KEEP]
    tables = _tables_cache[key]
    if postgres:
        await _empty_postgres(conn, tables)
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys = OFF;"
            + "".join(f'DELETE FROM "{t}";' for t in tables)
            + "PRAGMA foreign_keys = ON;"
        )


@pytest.fixture
async def client(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the ASGI application in-process."""
    from core.server import create_app

    app = create_app(manage_database=False, default_caller=Caller.system())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST one GraphQL operation and return the decoded response body."""
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    return response.json()
