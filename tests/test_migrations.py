"""The committed migrations build exactly the schema the models describe."""

import re

from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.utils import get_schema_sql

from core.db import tortoise_config


async def test_models_have_no_changes_missing_from_migrations(db, database_url) -> None:
    apps_config = tortoise_config(database_url)["apps"]
    writers = await MigrationAutodetector(db.apps, apps_config).changes()
    pending = [op for w in writers for op in w.operations]
    assert pending == [], (
        "models differ from core/migrations: run "
        "`.venv/bin/tortoise makemigrations` and commit the new migration"
    )


def test_table_comments_have_no_semicolons(db) -> None:
    """Model docstrings become table comments, and the migration runner splits SQL on ';'."""
    offenders = [
        m.__name__
        for m in db.apps.get_models_iterable()
        if ";" in (m._meta.table_description or "")
    ]
    assert offenders == [], f"remove ';' from the docstrings of {offenders}"


def test_columns_added_to_existing_tables_have_a_database_default() -> None:
    """A county upgrading a database full of rows: ``ALTER TABLE … ADD COLUMN … NOT NULL``
    without a DEFAULT fails on SQLite and PostgreSQL alike, so every NOT NULL column a
    migration adds to an existing table carries ``db_default`` (a Python ``default`` is not
    seen by the database)."""
    import importlib
    import pkgutil

    from tortoise.fields.relational import ForeignKeyFieldInstance
    from tortoise.migrations.operations import AddField

    import core.migrations

    offenders = []
    for info in pkgutil.iter_modules(core.migrations.__path__):
        module = importlib.import_module(f"core.migrations.{info.name}")
        for op in module.Migration.operations:
            if not isinstance(op, AddField):
                continue
            field = op.field
            if field.null or isinstance(field, ForeignKeyFieldInstance):
                continue
            if not field.has_db_default():
                offenders.append(f"{info.name}: {op.model_name}.{op.name}")
    assert offenders == [], f"give these added NOT NULL columns a db_default: {offenders}"


async def test_every_index_the_models_declare_exists_after_the_migrations(db) -> None:
    """On SQLite a migration that alters a column rebuilds the table, and the rebuilt table
    keeps none of its indexes (0014 had to restore those 0006, 0012 and 0013 lost); a
    ``db_index`` added to a model can also be missed by the autodetector. Either way a look-up
    silently becomes a scan of the table: this holds the migrated database to the indexes the
    models declare, by name, on either database."""
    conn = db.db()
    declared = set(
        re.findall(
            r'CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?"([^"]+)"',
            get_schema_sql(conn, safe=False),
        )
    )
    sql = (
        "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'"
        if conn.capabilities.dialect == "postgres"
        else "SELECT name FROM sqlite_master WHERE type = 'index'"
    )
    _, rows = await conn.execute_query(sql)
    missing = sorted(declared - {r["name"] for r in rows})
    assert len(declared) > 100
    assert missing == [], f"migrations lost or never created these indexes: {missing}"


def test_data_steps_of_migrations_call_no_application_code() -> None:
    """A migration runs on databases years after it was written: a data step (``RunPython``)
    that imports the application's code runs whatever that code has become, which may read
    columns a later migration adds. The data a migration needs derived (0016's stored child
    facts) is marked, and :func:`core.db.run_migrations` derives it with the release's code
    afterwards. (The generated migrations' enum imports at the top only name values.)"""
    import pkgutil
    from pathlib import Path

    import core.migrations

    folder = Path(core.migrations.__path__[0])
    offenders = [
        info.name
        for info in pkgutil.iter_modules([str(folder)])
        if re.search(r"^\s+(from|import)\s+core\b", (folder / f"{info.name}.py").read_text(), re.M)
    ]
    assert offenders == [], f"these migrations' data steps import application code: {offenders}"


def test_a_county_upgraded_from_before_the_stored_facts_has_every_childs_row(tmp_path) -> None:
    """A county's database with children and no stored facts, as before 0016, upgraded: 0016's
    backfill marks every child, and ``run_migrations`` derives each child's row, equal to a
    full derivation from the histories. (The children are written with today's models, so the
    database is migrated first and put back to the state before 0016's data: no stored row, no
    mark; then 0016's own data step runs on it.)"""
    import asyncio
    import importlib
    from types import SimpleNamespace

    from tortoise import connections
    from tortoise.context import TortoiseContext

    from core.db import run_migrations
    from core.demo.generator import generate_demo
    from core.metrics.sql import Params, fetch
    from core.metrics.store import stale_child_facts
    from core.plugins import get_registry

    url = f"sqlite://{tmp_path / 'upgrade.db'}"
    child_fact = importlib.import_module("core.migrations.0016_child_fact")

    async def upgrade() -> tuple[int, int, int, int]:
        await run_migrations(url)
        spec = next(s for s in get_registry().jurisdictions() if s.division_code == "450381")
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url))
            await generate_demo(spec, students=20, seed=5)
            client = connections.get("default")
            await client.execute_script("DELETE FROM child_fact_dirty; DELETE FROM child_fact")
            editor = SimpleNamespace(collect_sql=False, client=client)
            await child_fact.backfill(None, editor)
        await run_migrations(url)
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url))
            tables = ("child WHERE merged_into_id IS NULL", "child_fact", "child_fact_dirty")
            counts = [
                (await fetch(f"SELECT COUNT(*) AS n FROM {table}", Params(False)))[0]["n"]
                for table in tables
            ]
            return (*counts, await stale_child_facts())

    children, stored, marks, stale = asyncio.run(upgrade())
    assert children > 20
    assert (stored, marks, stale) == (children, 0, 0)


async def test_the_scope_key_migrations_analyse_only_tables_that_hold_rows() -> None:
    """0015 and 0018 gather statistics for their new indexes, but never of an empty table: on
    PostgreSQL an empty table's statistics (``reltuples`` 0, not "never analysed") make the
    plans a connection keeps — foreign-key checks, the triggers' look-ups — scan the table
    for each row written, and the first roster import into a new database grew with the
    square of its rows (bench/README.md, "An empty table analysed")."""
    import importlib
    from types import SimpleNamespace

    class Client:
        def __init__(self, filled: set[str]) -> None:
            self.filled, self.scripts = filled, []

        async def execute_query(self, sql: str):
            table = sql.split(" FROM ")[1].split()[0]
            return (1, [{"1": 1}]) if table in self.filled else (0, [])

        async def execute_script(self, sql: str) -> None:
            self.scripts.append(sql)

    async def analysed(name: str, filled: set[str]) -> list[str]:
        client = Client(filled)
        editor = SimpleNamespace(client=client, collect_sql=False, collected_sql=[])
        await importlib.import_module(f"core.migrations.{name}").analyse(None, editor)
        return client.scripts

    assert await analysed("0015_town_key", set()) == []
    assert await analysed("0015_town_key", {"child"}) == ["ANALYZE child"]
    assert await analysed("0015_town_key", {"child", "enrolment"}) == [
        "ANALYZE child",
        "ANALYZE enrolment",
    ]
    assert await analysed("0018_school_town_key", set()) == []
    assert await analysed("0018_school_town_key", {"child"}) == ["ANALYZE child"]
