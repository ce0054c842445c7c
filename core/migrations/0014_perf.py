"""Restore the indexes SQLite lost when earlier migrations rebuilt tables.

On SQLite, altering a column (``AlterField`` in 0006_registry: ``CaseEvent.kind``,
``Enrolment.mode``, ``EnrolmentChange.kind`` and others) rebuilds the table, and the rebuilt
table kept none of its indexes: every look-up of a child's current enrolment, of a case's events
or of a child's 学籍异动 scanned the whole table (a page of 50 children read all 117,003
enrolments of the 100,000-pupil demo). The statements create each index under the name
PostgreSQL already has (the models declare them), so on PostgreSQL they change nothing.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

#: Each index the models declare that SQLite had lost, under the name Tortoise gives it.
RESTORED_INDEXES = [
    'CREATE INDEX IF NOT EXISTS "idx_audit_entry_action_a20b3a" ON "audit_entry" ("action")',
    'CREATE INDEX IF NOT EXISTS "idx_audit_entry_jurisdi_30aec1" ON "audit_entry" ("jurisdiction_id")',
    'CREATE INDEX IF NOT EXISTS "idx_audit_entry_object__0343a6" ON "audit_entry" ("object_id")',
    'CREATE INDEX IF NOT EXISTS "idx_audit_entry_occurre_a0b67a" ON "audit_entry" ("occurred_at")',
    'CREATE INDEX IF NOT EXISTS "idx_case_event_actor_i_1901e7" ON "case_event" ("actor_id")',
    'CREATE INDEX IF NOT EXISTS "idx_case_event_case_id_1aa2da" ON "case_event" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "idx_case_event_occurre_2de1dc" ON "case_event" ("occurred_at")',
    'CREATE INDEX IF NOT EXISTS "idx_child_key_g_child_i_7d1594" ON "child_key_group" ("child_id")',
    'CREATE INDEX IF NOT EXISTS "idx_child_key_g_group_0693f4" ON "child_key_group" ("group")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_c_case_id_3aefa6" ON "enrolment_change" ("case_id")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_c_child_i_aae438" ON "enrolment_change" ("child_id")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_c_enrolme_6e1b27" ON "enrolment_change" ("enrolment_id")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_c_occurre_fb9463" ON "enrolment_change" ("occurred_on")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_c_school__887fca" ON "enrolment_change" ("school_class_id")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_child_i_2b4385" ON "enrolment" ("child_id", "is_current")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_child_i_478c45" ON "enrolment" ("child_id")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_is_curr_94b530" ON "enrolment" ("is_current")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_school__67381c" ON "enrolment" ("school_id", "is_current", "status")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_school__817f64" ON "enrolment" ("school_id")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_school__f79e6d" ON "enrolment" ("school_class_id")',
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_status_04f616" ON "enrolment" ("status")',
]


class Migration(migrations.Migration):
    dependencies = [('baoxue', '0013_events')]

    initial = False

    operations = [
        ops.RunSQL(RESTORED_INDEXES),
    ]
