from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0004_county_organisation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PasswordResetToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('baoxue.StaffAccount', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='reset_tokens', on_delete=OnDelete.CASCADE)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('issued_by', fields.CharField(default='', max_length=128)),
            ],
            options={'table': 'password_reset_token', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': '一次性密码重置令牌: issued by a county administrator, used once, expiring.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='object_id',
            field=fields.CharField(default='', db_index=True, max_length=128),
        ),
        ops.AddField(
            model_name='StaffAccount',
            name='disabled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='StaffAccount',
            name='password_changed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
