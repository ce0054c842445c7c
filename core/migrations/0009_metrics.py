from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0008_registry')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Assistance',
            index=Index(fields=['child_id', 'school_year', 'granted_on']),
        ),
        ops.AddIndex(
            model_name='CaseEvent',
            index=Index(fields=['case_id', 'occurred_at', 'recorded_at', 'id']),
        ),
        ops.AddIndex(
            model_name='ChildKeyGroup',
            index=Index(fields=['child_id', 'group']),
        ),
        ops.AddIndex(
            model_name='EnrolmentChange',
            index=Index(fields=['child_id', 'occurred_on', 'recorded_at', 'id']),
        ),
        ops.AddIndex(
            model_name='HomeVisit',
            index=Index(fields=['child_id', 'visited_on']),
        ),
    ]
