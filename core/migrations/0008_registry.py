from tortoise import migrations
from tortoise.migrations import operations as ops
from core.access.enums import AuditAction
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0007_reports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('case', fields.ForeignKeyField('baoxue.Case', source_field='case_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('home_visit', fields.ForeignKeyField('baoxue.HomeVisit', source_field='home_visit_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('support_plan', fields.ForeignKeyField('baoxue.SupportPlan', source_field='support_plan_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('file_name', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=128)),
                ('size_bytes', fields.IntField()),
                ('uploaded_by', fields.CharField(default='', max_length=64)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attachment', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': 'One file attached to one record: a case, a home visit or a support plan (exactly one).'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(db_index=True, description='LOGIN: LOGIN\nLOGIN_FAILED: LOGIN_FAILED\nLOCKED_OUT: LOCKED_OUT\nLOGOUT: LOGOUT\nKEY_USE: KEY_USE\nKEY_REJECTED: KEY_REJECTED\nMUTATION: MUTATION\nPERSONAL_DATA_READ: PERSONAL_DATA_READ\nFILE_DOWNLOAD: FILE_DOWNLOAD\nACCOUNT_CHANGE: ACCOUNT_CHANGE\nKEY_CHANGE: KEY_CHANGE', enum_type=AuditAction, max_length=24),
        ),
    ]
