"""Stored child facts: ``child_fact``, one row per child (not merged into another) holding the
date-independent latest facts the metrics derive from the append-only histories, and
``child_fact_dirty``, the children whose row must be derived again.

The metrics (core/metrics/sql.py) used to derive every child's state as of the day from the
histories in every statement: about nine seeks in text-id indexes per child, the county's size
per statement. A child's row derived as of the end of time (``core.metrics.sql.OPEN_DAY``) is
its row of any day from ``valid_from`` on, the latest day one of its records takes effect on:
``facts`` reads it for those days and derives the others from the histories.

The database marks the children to derive again, by the triggers below, whoever writes the
rows (the GraphQL services, the imports with PostgreSQL's COPY, the demo generator, a merge);
the triggers only insert the child's id into ``child_fact_dirty`` and compute nothing. The
metrics service derives the marked children again before each statement
(:func:`core.metrics.store.refresh_child_facts`); ``baoxue metrics --rebuild`` derives every
row again and compares.

The backfill only marks every child (plain SQL, frozen here): this migration does not call the
application's derivation, which later releases may change to read columns a later migration
adds. :func:`core.db.run_migrations` derives the marked rows once every migration is applied,
with the code of the release that runs it.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_COLUMNS = """
    jurisdiction_id {uuid} NOT NULL,
    name VARCHAR(32) NOT NULL,
    birth_date DATE NOT NULL,
    enrolment_status VARCHAR(24),
    counterpart_school VARCHAR(255),
    school_kind VARCHAR(24),
    mode VARCHAR(24),
    grade SMALLINT,
    school_class_id {uuid},
    school_id {uuid},
    town_id {uuid},
    migration_status VARCHAR(32),
    has_address SMALLINT NOT NULL,
    village_id {uuid},
    case_id {uuid},
    case_state VARCHAR(24),
    case_reason VARCHAR(32),
    case_level SMALLINT,
    key_groups INT NOT NULL,
    assisted_year INT,
    last_visit DATE,
    valid_from DATE NOT NULL"""

SQLITE_TABLES = [
    f"""CREATE TABLE child_fact (
    child_id CHAR(36) NOT NULL PRIMARY KEY REFERENCES child (id) ON DELETE CASCADE,
    {_COLUMNS.format(uuid="CHAR(36)").strip()}
) /* 学生统计事实 (由数据库标记、由统计服务重算) */""",
    "CREATE INDEX idx_child_fact_jurisdiction ON child_fact (jurisdiction_id, valid_from)",
    """CREATE TABLE child_fact_dirty (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    child_id CHAR(36) NOT NULL
) /* 待重算的学生统计事实 */""",
]

POSTGRES_TABLES = [
    f"""CREATE TABLE child_fact (
    child_id UUID NOT NULL PRIMARY KEY REFERENCES child (id) ON DELETE CASCADE,
    {_COLUMNS.format(uuid="UUID").strip()}
)""",
    "COMMENT ON TABLE child_fact IS '学生统计事实 (由数据库标记、由统计服务重算)'",
    "CREATE INDEX idx_child_fact_jurisdiction ON child_fact (jurisdiction_id, valid_from)",
    """CREATE TABLE child_fact_dirty (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id UUID NOT NULL
)""",
    "COMMENT ON TABLE child_fact_dirty IS '待重算的学生统计事实'",
]

#: Per table: the events, and the ids of the children a written row concerns, from ``{row}``
#: (NEW or OLD). ``UPDATE OF``: the columns the derivation reads, where the table has others
#: written often (a child's version, a household's contact fields).
_MARKS: list[tuple[str, str, str | None, str]] = [
    # (table, the child ids of a row, the columns an update must touch, a name)
    (
        "child",
        "SELECT {row}.id",
        "jurisdiction_id, name, birth_date, household_id, merged_into_id",
        "child",
    ),
    ("enrolment_change", "SELECT {row}.child_id", None, "change"),
    (
        "enrolment",
        "SELECT {row}.child_id",
        "child_id, school_id, mode, grade, school_class_id",
        "enrolment",
    ),
    ("case_file", "SELECT {row}.child_id", None, "case"),
    (
        "case_event",
        "SELECT k.child_id FROM case_file k WHERE k.id = {row}.case_id",
        None,
        "case_event",
    ),
    ("child_key_group", "SELECT {row}.child_id", None, "key_group"),
    ("assistance", "SELECT {row}.child_id", None, "assistance"),
    ("home_visit", "SELECT {row}.child_id", None, "visit"),
]
#: The rare wide ones: updates only, their children by way of their households, enrolments
#: and cases.
_WIDE: list[tuple[str, str, str, str]] = [
    (
        "household",
        "SELECT c.id FROM child c WHERE c.household_id = {row}.id",
        "migration_status, current_address, village_id",
        "household",
    ),
    (
        "village",
        "SELECT c.id FROM child c JOIN household h ON h.id = c.household_id"
        " WHERE h.village_id = {row}.id",
        "town_id",
        "village",
    ),
    (
        "school",
        "SELECT e.child_id FROM enrolment e WHERE e.school_id = {row}.id"
        " UNION SELECT k.child_id FROM case_file k WHERE k.school_id = {row}.id",
        "kind, town_id",
        "school",
    ),
]

_MARK = "INSERT INTO child_fact_dirty (child_id) {ids};"


def _sqlite_triggers() -> list[str]:
    triggers = []
    for table, ids, columns, name in _MARKS:
        for event in ("INSERT", "UPDATE", "DELETE"):
            rows = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[event]
            of = f" OF {columns}" if event == "UPDATE" and columns else ""
            body = " ".join(_MARK.format(ids=ids.format(row=r)) for r in rows)
            triggers.append(
                f"CREATE TRIGGER child_fact_{name}_{event.lower()} AFTER {event}{of} ON {table}"
                f" BEGIN {body} END"
            )
    for table, ids, columns, name in _WIDE:
        triggers.append(
            f"CREATE TRIGGER child_fact_{name}_update AFTER UPDATE OF {columns} ON {table}"
            f" BEGIN {_MARK.format(ids=ids.format(row='NEW'))} END"
        )
    return triggers


def _postgres_triggers() -> list[str]:
    statements = []
    for table, ids, columns, name in _MARKS:
        new, old = _MARK.format(ids=ids.format(row="NEW")), _MARK.format(ids=ids.format(row="OLD"))
        statements.append(
            f"""CREATE FUNCTION baoxue_child_fact_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            {new}
        END IF;
        IF TG_OP <> 'INSERT' THEN
            {old}
        END IF;
        RETURN NULL;
    END $$"""
        )
        events = f"INSERT OR DELETE OR UPDATE{' OF ' + columns if columns else ''}"
        statements.append(
            f"CREATE TRIGGER child_fact_{name} AFTER {events} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION baoxue_child_fact_{name}()"
        )
    for table, ids, columns, name in _WIDE:
        statements.append(
            f"""CREATE FUNCTION baoxue_child_fact_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_MARK.format(ids=ids.format(row="NEW"))}
        RETURN NULL;
    END $$"""
        )
        statements.append(
            f"CREATE TRIGGER child_fact_{name} AFTER UPDATE OF {columns} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION baoxue_child_fact_{name}()"
        )
    return statements


SQLITE_TRIGGERS = _sqlite_triggers()
POSTGRES_TRIGGERS = _postgres_triggers()


async def _run(statements: list[str], state_editor) -> None:
    for sql in statements:
        if state_editor.collect_sql:
            state_editor.collected_sql.append(sql)
        else:
            await state_editor.client.execute_script(sql)


def _postgres(state_editor) -> bool:
    return state_editor.client.capabilities.dialect == "postgres"


async def create_tables(apps, state_editor) -> None:
    await _run(POSTGRES_TABLES if _postgres(state_editor) else SQLITE_TABLES, state_editor)


async def create_triggers(apps, state_editor) -> None:
    await _run(POSTGRES_TRIGGERS if _postgres(state_editor) else SQLITE_TRIGGERS, state_editor)


async def backfill(apps, state_editor) -> None:
    """Every child not merged into another marked, to be derived after the migrations."""
    await _run(
        [
            "INSERT INTO child_fact_dirty (child_id)"
            " SELECT id FROM child WHERE merged_into_id IS NULL"
        ],
        state_editor,
    )


class Migration(migrations.Migration):
    dependencies = [("baoxue", "0015_town_key")]

    initial = False

    operations = [
        ops.RunPython(create_tables),
        ops.RunPython(backfill),
        ops.RunPython(create_triggers),
    ]
