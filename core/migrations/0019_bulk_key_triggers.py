"""The stored keys' triggers (0015_town_key, 0016_child_fact, 0018_school_town_key) made cheap
for the bulk writers: the same keys, kept by the database whoever writes, with fewer writes per
row written.

A 100,000-row 学籍 roster import took 14.6 s on SQLite and 15.0 s on PostgreSQL before those
triggers and 39.6 s and 33.8 s after (bench/README.md, the targets being 30 s and 20 s):

* **SQLite** (no statement triggers): every enrolment inserted fired three triggers, which wrote
  the enrolment a second time (its school's town), and that write fired the enrolment's update
  trigger, so the child was written twice and the derivations read about fifteen times. Now
  one insert trigger writes the enrolment's town and then the child once (ever enrolled and
  the current school's town together); the enrolment's update trigger no longer fires on
  ``town_id`` (the child's key reads the school's town itself), so a school moved to another
  town carries its new town to its enrolments' children directly.
* **PostgreSQL**: the AFTER triggers that fired for every row inserted or deleted (an
  enrolment's child made ever enrolled; a child's statistics marked to derive again) fire once
  per statement (a ``COPY`` of 5,000 rows) and do their work set-based, from the statement's
  transition table (``REFERENCING NEW TABLE``); the updates stay per row (a trigger with a
  column list cannot have a transition table).

What the triggers keep, and ``core.people.scope_keys.stale_scope_keys``, are unchanged.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops


def school_town(child: str) -> str:
    """0018's derivation of ``child.school_town_id`` for the child whose id is ``child``."""
    return (
        "(SELECT s.town_id FROM enrolment e JOIN school s ON s.id = e.school_id"
        f" WHERE e.child_id = {child} AND e.is_current AND s.town_id IS NOT NULL"
        " ORDER BY s.town_id LIMIT 1)"
    )


_SCHOOL_OF_NEW = "(SELECT s.town_id FROM school s WHERE s.id = NEW.school_id)"


def _sqlite_child_of(row: str, also: str = "") -> str:
    derived = school_town(f"{row}.child_id")
    return (
        f"UPDATE child SET school_town_id = {derived}"
        f" WHERE id = {row}.child_id{also} AND school_town_id IS NOT {derived};"
    )


SQLITE_TRIGGERS = [
    "DROP TRIGGER enrolment_town_insert",
    "DROP TRIGGER enrolment_ever_insert",
    "DROP TRIGGER enrolment_school_town_insert",
    "DROP TRIGGER enrolment_school_town_update",
    "DROP TRIGGER school_town",
    # An enrolment inserted: its own town first (a guarded write: none when the writer's row
    # was right), then its child once, both keys together.
    f"""CREATE TRIGGER enrolment_keys_insert AFTER INSERT ON enrolment
    BEGIN
        UPDATE enrolment SET town_id = {_SCHOOL_OF_NEW}
        WHERE id = NEW.id AND town_id IS NOT {_SCHOOL_OF_NEW};
        UPDATE child SET ever_enrolled = 1, school_town_id = {school_town("NEW.child_id")}
        WHERE id = NEW.child_id
        AND (NOT ever_enrolled OR school_town_id IS NOT {school_town("NEW.child_id")});
    END""",
    # What moves a current school: the child, the current flag, the school (not town_id,
    # which follows the school and which the child's key does not read).
    f"""CREATE TRIGGER enrolment_school_town_update
    AFTER UPDATE OF child_id, is_current, school_id ON enrolment
    WHEN OLD.child_id IS NOT NEW.child_id OR OLD.is_current IS NOT NEW.is_current
        OR OLD.school_id IS NOT NEW.school_id
    BEGIN
        {_sqlite_child_of("NEW")}
        {_sqlite_child_of("OLD", " AND OLD.child_id IS NOT NEW.child_id")}
    END""",
    # A school moved to another town: its enrolments' town, and the children it is the
    # current school of.
    f"""CREATE TRIGGER school_town AFTER UPDATE OF town_id ON school
    WHEN OLD.town_id IS NOT NEW.town_id
    BEGIN
        UPDATE enrolment SET town_id = NEW.town_id WHERE school_id = NEW.id;
        UPDATE child SET school_town_id = {school_town("child.id")}
        WHERE id IN (SELECT e.child_id FROM enrolment e WHERE e.school_id = NEW.id
                     AND e.is_current);
    END""",
]

#: 0016's marks: the tables whose inserted and deleted rows mark children, and how a
#: transition table's rows name them (``{rows}``: the transition table).
_MARKED: list[tuple[str, str, str]] = [
    ("child", "child", "SELECT r.id FROM {rows} r"),
    ("enrolment_change", "change", "SELECT r.child_id FROM {rows} r"),
    ("enrolment", "enrolment", "SELECT r.child_id FROM {rows} r"),
    ("case_file", "case", "SELECT r.child_id FROM {rows} r"),
    (
        "case_event",
        "case_event",
        "SELECT k.child_id FROM {rows} r JOIN case_file k ON k.id = r.case_id",
    ),
    ("child_key_group", "key_group", "SELECT r.child_id FROM {rows} r"),
    ("assistance", "assistance", "SELECT r.child_id FROM {rows} r"),
    ("home_visit", "visit", "SELECT r.child_id FROM {rows} r"),
]

#: 0016's update columns, for the row triggers that stay (``None``: every update).
_UPDATE_OF: dict[str, str | None] = {
    "child": "jurisdiction_id, name, birth_date, household_id, merged_into_id",
    "enrolment": "child_id, school_id, mode, grade, school_class_id",
}


def _postgres_marks() -> list[str]:
    statements = []
    for table, name, ids in _MARKED:
        statements += [
            f"DROP TRIGGER child_fact_{name} ON {table}",
            f"""CREATE FUNCTION baoxue_child_fact_{name}_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO child_fact_dirty (child_id) {ids.format(rows="written")};
        ELSE
            INSERT INTO child_fact_dirty (child_id) {ids.format(rows="removed")};
        END IF;
        RETURN NULL;
    END $$""",
            f"""CREATE TRIGGER child_fact_{name}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION baoxue_child_fact_{name}_rows()""",
            f"""CREATE TRIGGER child_fact_{name}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION baoxue_child_fact_{name}_rows()""",
        ]
        columns = _UPDATE_OF.get(table)
        statements.append(
            f"CREATE TRIGGER child_fact_{name}_update AFTER UPDATE"
            f"{' OF ' + columns if columns else ''} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION baoxue_child_fact_{name}()"
        )
    return statements


POSTGRES_TRIGGERS = [
    # The children of the enrolments a statement inserted or deleted, once each; the child's
    # BEFORE trigger (0015/0018) derives its keys as the row is written.
    f"""CREATE FUNCTION baoxue_enrolment_ever_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE child c SET ever_enrolled = TRUE
            FROM (SELECT DISTINCT child_id FROM written) w
            WHERE c.id = w.child_id
            AND (NOT c.ever_enrolled
                 OR c.school_town_id IS DISTINCT FROM {school_town("c.id")});
        ELSE
            UPDATE child c SET ever_enrolled = FALSE
            FROM (SELECT DISTINCT child_id FROM removed) r
            WHERE c.id = r.child_id AND (c.ever_enrolled OR c.school_town_id IS NOT NULL);
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER enrolment_ever ON enrolment",
    """CREATE TRIGGER enrolment_ever_insert AFTER INSERT ON enrolment
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION baoxue_enrolment_ever_rows()""",
    """CREATE TRIGGER enrolment_ever_delete AFTER DELETE ON enrolment
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION baoxue_enrolment_ever_rows()""",
    # An update stays per row (0018's function, which handles an update).
    """CREATE TRIGGER enrolment_ever_update
    AFTER UPDATE OF child_id, is_current, school_id, town_id ON enrolment
    FOR EACH ROW EXECUTE FUNCTION baoxue_enrolment_ever()""",
    *_postgres_marks(),
]


async def _run(statements: list[str], state_editor) -> None:
    for sql in statements:
        if state_editor.collect_sql:
            state_editor.collected_sql.append(sql)
        else:
            await state_editor.client.execute_script(sql)


async def replace_triggers(apps, state_editor) -> None:
    postgres = state_editor.client.capabilities.dialect == "postgres"
    await _run(POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS, state_editor)


class Migration(migrations.Migration):
    dependencies = [("baoxue", "0018_school_town_key")]

    initial = False

    operations = [ops.RunPython(replace_triggers)]
