from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0010_import')]

    initial = False

    operations = [
        ops.AddField(
            model_name='PlacementAssessment',
            name='version',
            field=fields.IntField(default=1, db_default=1, description='版本号 (每次更正加一)'),
        ),
    ]
