"""Restore the indexes SQLite lost when earlier migrations rebuilt tables.

On SQLite, altering a column (``AlterField`` in 0006_registry: ``CaseEvent.kind``,
``Enrolment.mode``, ``EnrolmentChange.kind`` and others) rebuilds the table, and the rebuilt
table kept none of its indexes: every look-up of a child's current enrolment, of a case's events
or of a child's 学籍异动 scanned the whole table (a page of 50 children read all 117,003
enrolments of the 100,000-pupil demo). The statements create each index under the name
PostgreSQL already has (the models declare them), so on PostgreSQL they change nothing, except
for the four indexes at the end of the list, which the models declared and no migration created.
``tests/test_migrations.py`` checks that after the migrations every index the models declare
exists, so a later table rebuild that drops some is caught.
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
    # lost by the rebuilds of 0012_attendance (case_file, case_event) and 0013_events
    'CREATE INDEX IF NOT EXISTS "idx_case_file_kind_f37112" ON "case_file" ("kind")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_state_22cefb" ON "case_file" ("state")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_source_d2f4ea" ON "case_file" ("source")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_reason_fe0078" ON "case_file" ("reason")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_opened__727b3e" ON "case_file" ("opened_at")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_next_de_47a5e1" ON "case_file" ("next_deadline_at")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_updated_3ab116" ON "case_file" ("updated_at")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_child_i_03e079" ON "case_file" ("child_id")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_jurisdi_cd63a9" ON "case_file" ("jurisdiction_id")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_school__f5ec8a" ON "case_file" ("school_id")',
    'CREATE INDEX IF NOT EXISTS "idx_case_file_jurisdi_65dbb9" ON "case_file" ("jurisdiction_id", "state")',
    'CREATE INDEX IF NOT EXISTS "idx_case_event_case_id_4afb12" ON "case_event" ("case_id", "occurred_at", "recorded_at", "id")',
    # declared by the models (db_index) but never created by a migration, on either database
    'CREATE INDEX IF NOT EXISTS "idx_child_merged__6c13cb" ON "child" ("merged_into_id")',
    'CREATE INDEX IF NOT EXISTS "idx_support_pla_review__b22ebf" ON "support_plan" ("review_on")',
    'CREATE INDEX IF NOT EXISTS "idx_responsibil_school__b6501a" ON "responsibility_assignment" ("school_group_id")',
    'CREATE INDEX IF NOT EXISTS "idx_responsibil_village_53c62e" ON "responsibility_assignment" ("village_id")',
]


class Migration(migrations.Migration):
    dependencies = [('baoxue', '0013_events')]

    initial = False

    operations = [
        ops.RunSQL(RESTORED_INDEXES),
    ]
