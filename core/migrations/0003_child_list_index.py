from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0002_access')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Child',
            index=Index(fields=['jurisdiction_id', 'name', 'id']),
        ),
    ]
