"""A database's rows kept in memory and written back, for fixtures that build the same data for
many tests (two demo counties: about a second and a half per test on PostgreSQL).

:func:`take` reads every row of every table as the driver returns it; :func:`restore` writes
them back into the empty tables of a later test of the same process. Tables are written
parents first (by their foreign keys), so that SQLite's triggers (which cannot be switched
off) derive from the rows already there the same stored keys the rows carry; PostgreSQL's
triggers and foreign-key checks are off while it writes (``session_replication_role``), and its
identity columns are written as they were, their sequences then set past them.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Any

from tortoise import connections

#: Not data of a fixture: the migrations, SQLite's own counters, and the signing key the test
#: database fixture has already stored for the test.
_SKIP = {"tortoise_migrations", "sqlite_sequence", "server_secret"}


@dataclass(frozen=True)
class Snapshot:
    """Each non-empty table's columns and rows, parents first."""

    dialect: str
    tables: tuple[tuple[str, tuple[str, ...], list[tuple[Any, ...]]], ...]


def _client() -> Any:
    return connections.get("default")


async def _tables_parents_first(conn: Any, postgres: bool) -> list[str]:
    if postgres:
        _, rows = await conn.execute_query(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
        names = [r["name"] for r in rows if r["name"] not in _SKIP]
        _, links = await conn.execute_query(
            "SELECT cl.relname AS child, pa.relname AS parent FROM pg_constraint c "
            "JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid "
            "WHERE c.contype = 'f'"
        )
        parents = {n: set() for n in names}
        for link in links:
            if link["child"] in parents and link["parent"] != link["child"]:
                parents[link["child"]].add(link["parent"])
    else:
        _, rows = await conn.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = [r["name"] for r in rows if r["name"] not in _SKIP]
        parents = {}
        for name in names:
            _, keys = await conn.execute_query(f'PRAGMA foreign_key_list("{name}")')
            parents[name] = {k["table"] for k in keys if k["table"] != name}
    return [t for t in TopologicalSorter(parents).static_order() if t in set(names)]


async def take() -> Snapshot:
    """Every row of the current database."""
    conn = _client()
    postgres = conn.capabilities.dialect == "postgres"
    tables = []
    for name in await _tables_parents_first(conn, postgres):
        _, rows = await conn.execute_query(f'SELECT * FROM "{name}"')
        if rows:
            columns = tuple(rows[0].keys())
            tables.append((name, columns, [tuple(r[c] for c in columns) for r in rows]))
    return Snapshot(conn.capabilities.dialect, tuple(tables))


async def restore(snapshot: Snapshot) -> None:
    """Write ``snapshot`` back into the (empty) tables of the current database."""
    conn = _client()
    postgres = conn.capabilities.dialect == "postgres"
    assert snapshot.dialect == conn.capabilities.dialect
    if postgres:
        async with conn.acquire_connection() as raw:
            async with raw.transaction():
                await raw.execute("SET LOCAL session_replication_role = replica")
                for name, columns, rows in snapshot.tables:
                    names = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
                    await raw.executemany(
                        f'INSERT INTO "{name}" ({names}) OVERRIDING SYSTEM VALUE VALUES ({marks})',
                        rows,
                    )
                # identity columns (child_fact_dirty.seq) go on after the values written back
                identities = await raw.fetch(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND is_identity = 'YES'"
                )
                for table, column in identities:
                    await raw.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                        f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)'
                    )
        return
    async with conn.acquire_connection() as raw:
        await raw.execute("PRAGMA foreign_keys = OFF")
        await raw.execute("BEGIN")
        try:
            for name, columns, rows in snapshot.tables:
                names = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                await raw.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
        except BaseException:
            await raw.rollback()
            raise
        else:
            await raw.commit()
        finally:
            await raw.execute("PRAGMA foreign_keys = ON")
