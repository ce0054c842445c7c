"""The committed migrations build exactly the schema the models describe."""

from tortoise.migrations.autodetector import MigrationAutodetector

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
