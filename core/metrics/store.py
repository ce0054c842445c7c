"""The stored child facts (``child_fact``, migration ``0016_child_fact``): kept, refreshed and
checked.

A child's row (:data:`core.metrics.sql.STORED_COLUMNS`) is derived by
:func:`core.metrics.sql.derived_sql` as of the end of time, with ``valid_from``, the latest day
one of the child's records takes effect on; ``facts`` reads it for the days from then on. The
database's triggers mark in ``child_fact_dirty`` each child whose records are written;
:func:`refresh_child_facts`, run before every metrics statement (:func:`fetch_facts`), derives
the marked children's rows again in one transaction and removes the marks it has done.
:func:`rebuild_child_facts` derives every row again (after a bulk load: ``baoxue demo``,
``baoxue metrics --rebuild``), :func:`stale_child_facts` compares the stored rows with a
derivation from the histories.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from core.metrics.sql import (
    OPEN_DAY,
    OPEN_SCHOOL_YEAR,
    STORED_COLUMNS,
    WORK_MEM,
    Params,
    derived_sql,
    fetch,
    is_postgres,
    use_stored_facts,
)

Statement = tuple[str, list[Any]]


def _insert(p: Params, children: str) -> Statement:
    """The rows of the children ``children`` (a condition on ``child ch``) selects."""
    columns = ", ".join(STORED_COLUMNS)
    derived = derived_sql(p, OPEN_DAY, OPEN_SCHOOL_YEAR, children, stored=True)
    insert = f"INSERT INTO child_fact ({columns}) SELECT {columns} FROM derived"
    sql = f"WITH {derived.lstrip()}\n{insert}"
    return p.render(sql)


def rebuild_statements(postgres: bool) -> list[Statement]:
    """Every child's row derived again (and every mark removed): the migration's backfill and
    :func:`rebuild_child_facts`."""
    return [
        ("DELETE FROM child_fact_dirty", []),
        ("DELETE FROM child_fact", []),
        _insert(Params(postgres), "ch.merged_into_id IS NULL"),
    ]


def _refresh_statements(postgres: bool, top: int) -> list[Statement]:
    p = Params(postgres)
    marked = f"SELECT m.child_id FROM child_fact_dirty m WHERE m.seq <= {p(top)}"
    statements = [p.render(f"DELETE FROM child_fact WHERE child_id IN ({marked})")]
    p = Params(postgres)
    marked = f"SELECT m.child_id FROM child_fact_dirty m WHERE m.seq <= {p(top)}"
    statements.append(_insert(p, f"ch.merged_into_id IS NULL AND ch.id IN ({marked})"))
    p = Params(postgres)
    statements.append(p.render(f"DELETE FROM child_fact_dirty WHERE seq <= {p(top)}"))
    return statements


async def _top(conn) -> int | None:
    _, rows = await conn.execute_query("SELECT MAX(seq) AS top FROM child_fact_dirty")
    top = rows[0]["top"] if rows else None
    return None if top is None else int(top)


async def refresh_child_facts() -> int:
    """Derive again the rows of the children marked so far, in one transaction; the marks
    done are removed, a mark added meanwhile (a higher ``seq``) stays for the next refresh.
    Returns how many marks were done (0: nothing to do, one statement).

    On PostgreSQL the refresh first locks ``child_fact_dirty`` against writers (``SHARE ROW
    EXCLUSIVE``: readers go on; a writer marking a child waits for the refresh to commit):
    once the lock is held no transaction that marked a child is still running, so every mark
    up to the highest ``seq`` is visible and none is removed undone. SQLite's writers are
    serialised already."""
    if await _top(connections.get("default")) is None:
        return 0
    postgres = is_postgres()
    async with in_transaction() as conn:
        if postgres:
            await conn.execute_query("LOCK TABLE child_fact_dirty IN SHARE ROW EXCLUSIVE MODE")
            await conn.execute_query(f"SET LOCAL work_mem = '{WORK_MEM}'")
        top = await _top(conn)
        if top is None:
            return 0
        _, rows = await conn.execute_query(
            "SELECT COUNT(*) AS n FROM child_fact_dirty WHERE seq <= " + str(top)
        )
        for sql, values in _refresh_statements(postgres, top):
            await conn.execute_query(sql, values)
    return int(rows[0]["n"])


async def rebuild_child_facts() -> int:
    """Every child's row derived again, in one transaction; returns the rows stored."""
    postgres = is_postgres()
    async with in_transaction() as conn:
        if postgres:
            await conn.execute_query("LOCK TABLE child_fact_dirty IN SHARE ROW EXCLUSIVE MODE")
            await conn.execute_query(f"SET LOCAL work_mem = '{WORK_MEM}'")
        for sql, values in rebuild_statements(postgres):
            await conn.execute_query(sql, values)
        _, rows = await conn.execute_query("SELECT COUNT(*) AS n FROM child_fact")
    stored = int(rows[0]["n"])
    if stored:  # an empty table analysed makes PostgreSQL's kept plans scan it (0015_town_key)
        await connections.get("default").execute_script("ANALYZE child_fact")
    return stored


async def stale_child_facts() -> int:
    """How many children's stored rows differ from the rows derived from the histories now
    (a row wrong, missing or one too many: each child once): 0 when ``child_fact`` is right.
    Marked children count too; refresh first to check the refresh."""
    p = Params(is_postgres())
    columns = ", ".join(STORED_COLUMNS)
    derived = derived_sql(p, OPEN_DAY, OPEN_SCHOOL_YEAR, "ch.merged_into_id IS NULL", stored=True)
    stored = f"SELECT {columns} FROM child_fact"
    fresh = f"SELECT {columns} FROM derived"
    sql = (
        f"WITH {derived.lstrip()}\nSELECT COUNT(DISTINCT d.child_id) AS n FROM ("
        f"SELECT a.child_id FROM ({stored} EXCEPT {fresh}) a"
        f" UNION ALL SELECT b.child_id FROM ({fresh} EXCEPT {stored}) b) d"
    )
    rows = await fetch(sql, p)
    return int(rows[0]["n"])


async def fetch_aggregate(
    statement: Callable[[bool], tuple[str, Params]], jurisdiction_id: Any, day: date
) -> list[dict[str, Any]]:
    """Rows of the statement ``statement(stored_only)`` builds over ``facts``, the stored rows
    refreshed first. On SQLite, when no child of the county needs its row derived as of
    ``day`` (none marked, no stored row dated after the day: the usual case for today), the
    statement over the stored rows alone (``stored_only``); the check and the statement run in
    one read transaction, so they see the same rows."""
    await refresh_child_facts()
    if is_postgres() or not use_stored_facts.get():
        sql, params = statement(False)
        return await fetch(sql, params)
    async with in_transaction() as conn:
        p = Params(False)
        probe, values = p.render(
            "SELECT EXISTS (SELECT 1 FROM child_fact_dirty) OR EXISTS (SELECT 1 FROM child_fact"
            f" s WHERE s.jurisdiction_id = {p(jurisdiction_id)} AND s.valid_from > {p(day)}) AS n"
        )
        _, found = await conn.execute_query(probe, values)
        sql, params = statement(not found[0]["n"])
        text, values = params.render(sql)
        _, rows = await conn.execute_query(text, values)
    return [dict(r) for r in rows]


async def fetch_facts(sql: str, params: Params) -> list[dict[str, Any]]:
    """Rows of a statement over ``facts`` (:func:`core.metrics.sql.facts_sql`), the stored
    rows refreshed first."""
    await refresh_child_facts()
    return await fetch(sql, params)
