"""A fourth stored scope key: the town of the school of a child's current enrolment, on the
child (``child.school_town_id``), with an index shaped like the household-town key's.

A township official sees the children whose household lives in the town or who are currently
enrolled in one of its schools (core/access/scope.py). With the household's town stored on the
child (0015_town_key) and the school's town only on the enrolment, the scope was
``child.town_id IN (…) OR child.id IN (the town's current enrolments)``: PostgreSQL cannot read
such an OR from one index, and counted a town's children by a sequential scan of the county's
(124 ms at 100,000 pupils, bench/README.md). With both towns on the child the scope is
``town_id IN (…) OR school_town_id IN (…)``, a ``BitmapOr`` of two index scans of ``child``.

* ``child.school_town_id``: the town of the school of the child's current enrolment; NULL with
  no current enrolment, or when that school has no town. (The enrolment services keep one
  current enrolment per child; were there several, the least town id of their schools.)

Like 0015's keys it is kept by the database, by triggers, whoever writes the rows (the GraphQL
services, the imports with PostgreSQL's COPY, the demo generator, a merge that moves
enrolments, a school moved to another town), and ``core.people.scope_keys.stale_scope_keys``
derives it again and compares. The child's own trigger of 0015 derives it with the other keys
(so a writer that saves a whole child row cannot write it stale); the enrolment's triggers
carry an enrolment written, moved, ended or deleted to its child (on PostgreSQL by widening
0015's ``enrolment_ever`` trigger, so that a child's first enrolment still writes the child
once); a school's new town reaches the enrolments by 0015's ``school_town`` trigger and from
them the children.

The backfill is one ``UPDATE`` of the enrolled children, run before the index is built.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


def school_town(child: str) -> str:
    """The derived key of the child whose id is the SQL expression ``child``: the same text on
    both databases, here, in the triggers and in ``stale_scope_keys``."""
    return (
        "(SELECT s.town_id FROM enrolment e JOIN school s ON s.id = e.school_id"
        f" WHERE e.child_id = {child} AND e.is_current AND s.town_id IS NOT NULL"
        " ORDER BY s.town_id LIMIT 1)"
    )


BACKFILL = [
    f"""UPDATE child SET school_town_id = {school_town("child.id")}
    WHERE id IN (SELECT e.child_id FROM enrolment e WHERE e.is_current)""",
]

# 0015's derivations of the child's other two keys, for the child's own trigger.
_HOME_TOWN = (
    "(SELECT v.town_id FROM household h JOIN village v ON v.id = h.village_id"
    " WHERE h.id = NEW.household_id)"
)
_EVER = "EXISTS (SELECT 1 FROM enrolment e WHERE e.child_id = NEW.id)"
_SCHOOL_TOWN = school_town("NEW.id")


def _child_of(row: str) -> str:
    """SQLite: correct the school town of the child ``row`` (an enrolment's NEW or OLD) names,
    when it is wrong."""
    derived = school_town(f"{row}.child_id")
    return (
        f"UPDATE child SET school_town_id = {derived}"
        f" WHERE id = {row}.child_id AND school_town_id IS NOT {derived};"
    )


#: SQLite: 0015's child triggers made again with the third key; AFTER triggers on enrolment
#: that correct the child they concern (an update's old and new child).
SQLITE_TRIGGERS = [
    "DROP TRIGGER child_scope_keys_insert",
    "DROP TRIGGER child_scope_keys_update",
    *(
        f"""CREATE TRIGGER child_scope_keys_{event.lower()} AFTER {event} ON child
        WHEN NEW.town_id IS NOT {_HOME_TOWN} OR NEW.ever_enrolled IS NOT {_EVER}
            OR NEW.school_town_id IS NOT {_SCHOOL_TOWN}
        BEGIN
            UPDATE child SET town_id = {_HOME_TOWN}, ever_enrolled = {_EVER},
                school_town_id = {_SCHOOL_TOWN} WHERE id = NEW.id;
        END"""
        for event in ("INSERT", "UPDATE")
    ),
    f"""CREATE TRIGGER enrolment_school_town_insert AFTER INSERT ON enrolment
    BEGIN
        {_child_of("NEW")}
    END""",
    f"""CREATE TRIGGER enrolment_school_town_update
    AFTER UPDATE OF child_id, is_current, school_id, town_id ON enrolment
    BEGIN
        {_child_of("NEW")}
        {_child_of("OLD")}
    END""",
    f"""CREATE TRIGGER enrolment_school_town_delete AFTER DELETE ON enrolment
    BEGIN
        {_child_of("OLD")}
    END""",
]

#: PostgreSQL: the child's BEFORE trigger of 0015 derives the third key too; 0015's AFTER
#: trigger on enrolment touches the child (its old and new one) when either key it carries
#: is wrong, and so fires on every change that can move a current school.
POSTGRES_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION baoxue_child_scope_keys() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.household_id IS NULL THEN
            NEW.town_id := NULL;
        ELSE
            NEW.town_id := {_HOME_TOWN};
        END IF;
        IF TG_OP = 'INSERT' THEN
            NEW.ever_enrolled := FALSE;  -- an enrolment names an existing child
            NEW.school_town_id := NULL;
        ELSE
            NEW.ever_enrolled := {_EVER};
            NEW.school_town_id := {_SCHOOL_TOWN};
        END IF;
        RETURN NEW;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION baoxue_enrolment_ever() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- child_scope_keys derives the child's keys again as the row is written
        IF TG_OP <> 'DELETE' THEN
            UPDATE child SET ever_enrolled = TRUE WHERE id = NEW.child_id
            AND (NOT ever_enrolled
                 OR school_town_id IS DISTINCT FROM {school_town("NEW.child_id")});
        END IF;
        IF TG_OP = 'DELETE' OR OLD.child_id IS DISTINCT FROM NEW.child_id THEN
            UPDATE child SET ever_enrolled = FALSE WHERE id = OLD.child_id
            AND (ever_enrolled OR school_town_id IS NOT NULL);
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER enrolment_ever ON enrolment",
    """CREATE TRIGGER enrolment_ever
    AFTER INSERT OR DELETE OR UPDATE OF child_id, is_current, school_id, town_id ON enrolment
    FOR EACH ROW EXECUTE FUNCTION baoxue_enrolment_ever()""",
]


async def _run(statements: list[str], state_editor) -> None:
    for sql in statements:
        if state_editor.collect_sql:
            state_editor.collected_sql.append(sql)
        else:
            await state_editor.client.execute_script(sql)


async def backfill(apps, state_editor) -> None:
    await _run(BACKFILL, state_editor)


async def populated(tables: tuple[str, ...], state_editor) -> list[str]:
    """The tables of ``tables`` that hold a row (all of them when the SQL is only collected);
    0015_town_key's, kept here as the migration was written."""
    if state_editor.collect_sql:
        return list(tables)
    kept = []
    for table in tables:
        _, rows = await state_editor.client.execute_query(f"SELECT 1 FROM {table} LIMIT 1")
        if rows:
            kept.append(table)
    return kept


async def analyse(apps, state_editor) -> None:
    """Statistics for the new index, when the table holds rows (see 0015_town_key's
    ``analyse``: an empty table analysed makes PostgreSQL's cached plans scan it)."""
    tables = await populated(("child",), state_editor)
    await _run([f"ANALYZE {table}" for table in tables], state_editor)


async def create_triggers(apps, state_editor) -> None:
    postgres = state_editor.client.capabilities.dialect == "postgres"
    await _run(POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS, state_editor)


class Migration(migrations.Migration):
    dependencies = [("baoxue", "0017_returns_speed")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Child",
            name="school_town",
            field=fields.ForeignKeyField(
                "baoxue.Town",
                source_field="school_town_id",
                null=True,
                description="在读学校所在乡镇 (当前学籍的学校的乡镇, 由数据库维护)",
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.RunPython(backfill),
        ops.AddIndex(
            model_name="Child",
            index=Index(fields=["jurisdiction_id", "school_town_id", "name", "id"]),
        ),
        ops.RunPython(analyse),
        ops.RunPython(create_triggers),
    ]
