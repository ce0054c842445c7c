"""An index of the 学籍异动 that leave an enrolment in another status than 在读 (转出, 休学, 辍学,
毕业, 死亡), by day.

The summary returns count 上学期末在籍 (core/reports/aggregates.py) as the enrolments running
on the day less those not 在读 then; the latest change of an enrolment is looked up only for
the changes that leave another status, about one in seven (19,000 of 138,000 at 100,000
pupils). Without this index SQLite read them through ``enrolment_change (occurred_on)``, every
change of the county, to keep one in seven. A partial index (``WHERE``) on both databases;
the models cannot declare one, so it is SQL here, and a later rebuild of the table on SQLite
(an ``AlterField``) must create it again.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = [
    'CREATE INDEX IF NOT EXISTS "idx_enrolment_c_not_enrolled" ON "enrolment_change" '
    '("occurred_on", "enrolment_id") WHERE "status_after" <> \'ENROLLED\'',
]


class Migration(migrations.Migration):
    dependencies = [("baoxue", "0016_child_fact")]
    initial = False
    operations = [
        ops.RunSQL(INDEXES, reverse_sql=['DROP INDEX IF EXISTS "idx_enrolment_c_not_enrolled"']),
    ]
