"""Stored scope keys: the town of a child's household, the town of an enrolment's school, and
whether a child was ever enrolled, with indexes shaped for the row scopes.

A township official's scope (core/access/scope.py) used to derive each child's town in every
statement from every current enrolment and every household of the county, and "never
enrolled" probed the enrolments of every child of the age range: both cost the county's size
per statement. The keys are kept by the database itself, by the triggers below, so that no
writer (the GraphQL services, the roster and household-register imports with PostgreSQL's
COPY, the demo generator, a merge that moves enrolments, a deleted village) can leave them
wrong; ``core.people.scope_keys.stale_scope_keys`` derives them again and compares.

* ``child.town_id``: the town of the village of the child's household (户籍地), NULL without
  a household or village;
* ``child.ever_enrolled``: the child has at least one enrolment (current or ended);
* ``enrolment.town_id``: the town of the enrolment's school.

The backfill is one ``UPDATE … FROM`` per table, run before the indexes are built.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

#: One statement per table (the same text on both databases: SQLite has ``UPDATE … FROM``
#: since 3.33). ``EXISTS`` is a probe of ``enrolment (child_id)`` per child: ``IN (SELECT
#: child_id FROM enrolment)`` outgrows PostgreSQL's work_mem at 1,000,000 pupils.
BACKFILL = [
    """UPDATE child SET town_id = k.town_id, ever_enrolled = k.ever_enrolled
    FROM (SELECT c.id, v.town_id,
                 EXISTS (SELECT 1 FROM enrolment e WHERE e.child_id = c.id) AS ever_enrolled
          FROM child c
          LEFT JOIN household h ON h.id = c.household_id
          LEFT JOIN village v ON v.id = h.village_id) k
    WHERE k.id = child.id AND (k.town_id IS NOT NULL OR k.ever_enrolled)""",
    """UPDATE enrolment SET town_id = s.town_id FROM school s
    WHERE s.id = enrolment.school_id AND s.town_id IS NOT NULL""",
]

_HOME_TOWN = (
    "(SELECT v.town_id FROM household h JOIN village v ON v.id = h.village_id"
    " WHERE h.id = NEW.household_id)"
)
_EVER = "EXISTS (SELECT 1 FROM enrolment e WHERE e.child_id = NEW.id)"
_SCHOOL_TOWN = "(SELECT s.town_id FROM school s WHERE s.id = NEW.school_id)"

#: SQLite: AFTER triggers that correct the row they fired for (SQLite cannot assign NEW), each
#: guarded by a WHEN so that a row already right is not written again.
SQLITE_TRIGGERS = [
    *(
        f"""CREATE TRIGGER child_scope_keys_{event.lower()} AFTER {event} ON child
        WHEN NEW.town_id IS NOT {_HOME_TOWN} OR NEW.ever_enrolled IS NOT {_EVER}
        BEGIN
            UPDATE child SET town_id = {_HOME_TOWN}, ever_enrolled = {_EVER} WHERE id = NEW.id;
        END"""
        for event in ("INSERT", "UPDATE")
    ),
    *(
        f"""CREATE TRIGGER enrolment_town_{event.lower()} AFTER {event} ON enrolment
        WHEN NEW.town_id IS NOT {_SCHOOL_TOWN}
        BEGIN
            UPDATE enrolment SET town_id = {_SCHOOL_TOWN} WHERE id = NEW.id;
        END"""
        for event in ("INSERT", "UPDATE")
    ),
    """CREATE TRIGGER enrolment_ever_insert AFTER INSERT ON enrolment
    BEGIN
        UPDATE child SET ever_enrolled = 1 WHERE id = NEW.child_id AND NOT ever_enrolled;
    END""",
    """CREATE TRIGGER enrolment_ever_update AFTER UPDATE OF child_id ON enrolment
    WHEN OLD.child_id IS NOT NEW.child_id
    BEGIN
        UPDATE child SET ever_enrolled = 1 WHERE id = NEW.child_id AND NOT ever_enrolled;
        UPDATE child SET ever_enrolled = EXISTS (
            SELECT 1 FROM enrolment e WHERE e.child_id = OLD.child_id
        ) WHERE id = OLD.child_id;
    END""",
    """CREATE TRIGGER enrolment_ever_delete AFTER DELETE ON enrolment
    BEGIN
        UPDATE child SET ever_enrolled = EXISTS (
            SELECT 1 FROM enrolment e WHERE e.child_id = OLD.child_id
        ) WHERE id = OLD.child_id AND ever_enrolled;
    END""",
    """CREATE TRIGGER household_town AFTER UPDATE OF village_id ON household
    WHEN OLD.village_id IS NOT NEW.village_id
    BEGIN
        UPDATE child SET town_id = (SELECT v.town_id FROM village v WHERE v.id = NEW.village_id)
        WHERE household_id = NEW.id;
    END""",
    """CREATE TRIGGER village_town AFTER UPDATE OF town_id ON village
    WHEN OLD.town_id IS NOT NEW.town_id
    BEGIN
        UPDATE child SET town_id = NEW.town_id
        WHERE household_id IN (SELECT h.id FROM household h WHERE h.village_id = NEW.id);
    END""",
    """CREATE TRIGGER school_town AFTER UPDATE OF town_id ON school
    WHEN OLD.town_id IS NOT NEW.town_id
    BEGIN
        UPDATE enrolment SET town_id = NEW.town_id WHERE school_id = NEW.id;
    END""",
]

#: PostgreSQL: BEFORE triggers set the row's own keys (no second write of the row); AFTER
#: triggers carry a change to the rows that depend on it.
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION baoxue_child_scope_keys() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.household_id IS NULL THEN
            NEW.town_id := NULL;
        ELSE
            NEW.town_id := {_HOME_TOWN};
        END IF;
        IF TG_OP = 'INSERT' THEN
            NEW.ever_enrolled := FALSE;  -- an enrolment names an existing child
        ELSE
            NEW.ever_enrolled := {_EVER};
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER child_scope_keys BEFORE INSERT OR UPDATE ON child
    FOR EACH ROW EXECUTE FUNCTION baoxue_child_scope_keys()""",
    f"""CREATE FUNCTION baoxue_enrolment_town() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.town_id := {_SCHOOL_TOWN};
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER enrolment_town BEFORE INSERT OR UPDATE ON enrolment
    FOR EACH ROW EXECUTE FUNCTION baoxue_enrolment_town()""",
    """CREATE FUNCTION baoxue_enrolment_ever() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            UPDATE child SET ever_enrolled = TRUE WHERE id = NEW.child_id AND NOT ever_enrolled;
        END IF;
        IF TG_OP = 'DELETE' OR OLD.child_id IS DISTINCT FROM NEW.child_id THEN
            -- child_scope_keys derives ever_enrolled again as the row is written
            UPDATE child SET ever_enrolled = FALSE WHERE id = OLD.child_id AND ever_enrolled;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER enrolment_ever AFTER INSERT OR DELETE OR UPDATE OF child_id ON enrolment
    FOR EACH ROW EXECUTE FUNCTION baoxue_enrolment_ever()""",
    """CREATE FUNCTION baoxue_household_town() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE child SET town_id = (SELECT v.town_id FROM village v WHERE v.id = NEW.village_id)
        WHERE household_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER household_town AFTER UPDATE OF village_id ON household
    FOR EACH ROW WHEN (OLD.village_id IS DISTINCT FROM NEW.village_id)
    EXECUTE FUNCTION baoxue_household_town()""",
    """CREATE FUNCTION baoxue_village_town() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE child SET town_id = NEW.town_id
        WHERE household_id IN (SELECT h.id FROM household h WHERE h.village_id = NEW.id);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER village_town AFTER UPDATE OF town_id ON village
    FOR EACH ROW WHEN (OLD.town_id IS DISTINCT FROM NEW.town_id)
    EXECUTE FUNCTION baoxue_village_town()""",
    """CREATE FUNCTION baoxue_school_town() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE enrolment SET town_id = NEW.town_id WHERE school_id = NEW.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER school_town AFTER UPDATE OF town_id ON school
    FOR EACH ROW WHEN (OLD.town_id IS DISTINCT FROM NEW.town_id)
    EXECUTE FUNCTION baoxue_school_town()""",
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
    """The tables of ``tables`` that hold a row (all of them when the SQL is only collected)."""
    if state_editor.collect_sql:
        return list(tables)
    kept = []
    for table in tables:
        _, rows = await state_editor.client.execute_query(f"SELECT 1 FROM {table} LIMIT 1")
        if rows:
            kept.append(table)
    return kept


async def analyse(apps, state_editor) -> None:
    """Statistics for the new indexes: without them SQLite's planner guessed the new child
    indexes selective and took them for the county's lists (3.9 s instead of 0.17 s for a
    page of children at 100,000 pupils).

    Only a table that holds rows: an empty table's statistics tell PostgreSQL's planner that
    it is empty (``reltuples`` 0 instead of "never analysed", when it assumes ten pages), and
    the plans a connection then keeps (the foreign-key checks, the triggers' look-ups) scan
    the whole table for every row written: the first roster import into a new database grew
    with the square of its rows (20,000 pupils: 461 s, 177 s of the server's CPU)."""
    tables = await populated(("child", "enrolment"), state_editor)
    await _run([f"ANALYZE {table}" for table in tables], state_editor)


async def create_triggers(apps, state_editor) -> None:
    postgres = state_editor.client.capabilities.dialect == "postgres"
    await _run(POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS, state_editor)


class Migration(migrations.Migration):
    dependencies = [('baoxue', '0014_perf')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Child',
            name='ever_enrolled',
            field=fields.BooleanField(default=False, description='曾有学籍 (由数据库维护)', db_default=False),
        ),
        ops.AddField(
            model_name='Child',
            name='town',
            field=fields.ForeignKeyField('baoxue.Town', source_field='town_id', null=True, description='户籍地乡镇 (户所在村的乡镇, 由数据库维护)', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Enrolment',
            name='town',
            field=fields.ForeignKeyField('baoxue.Town', source_field='town_id', null=True, description='学校所在乡镇 (由数据库维护)', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(backfill),
        ops.AddIndex(
            model_name='Child',
            index=Index(fields=['jurisdiction_id', 'town_id', 'name', 'id']),
        ),
        ops.AddIndex(
            model_name='Child',
            index=Index(fields=['jurisdiction_id', 'ever_enrolled', 'birth_date']),
        ),
        ops.AddIndex(
            model_name='Enrolment',
            index=Index(fields=['town_id', 'is_current', 'child_id']),
        ),
        ops.RunPython(analyse),
        ops.RunPython(create_triggers),
    ]
