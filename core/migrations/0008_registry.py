from tortoise import migrations
from tortoise.migrations import operations as ops
from core.access.enums import AuditAction
from core.visits.models import PlacementRecommendation
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
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
        ops.CreateModel(
            name='PlacementAssessment',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('child', fields.ForeignKeyField('baoxue.Child', source_field='child_id', db_index=True, db_constraint=True, to_field='id', related_name='placement_assessments', on_delete=OnDelete.CASCADE)),
                ('assessed_on', fields.DateField(description='评估日期')),
                ('committee', fields.CharField(description='评估机构 (残疾人教育专家委员会)', max_length=128)),
                ('recommendation', fields.CharEnumField(description='INCLUSIVE: INCLUSIVE\nSPECIAL_SCHOOL: SPECIAL_SCHOOL\nHOME_DELIVERED: HOME_DELIVERED', enum_type=PlacementRecommendation, max_length=24)),
                ('findings', fields.TextField(default='', description='评估意见', unique=False)),
                ('guardian_consent', fields.BooleanField(default=False, description='监护人是否同意')),
                ('consent_on', fields.DateField(null=True, description='监护人同意日期')),
                ('plan', fields.ForeignKeyField('baoxue.SupportPlan', source_field='plan_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='assessments', on_delete=OnDelete.SET_NULL)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'placement_assessment', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "残疾儿童少年入学评估: the expert committee's assessment and recommendation for one child"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SchoolPlan',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', db_index=True, db_constraint=True, to_field='id', related_name='plans', on_delete=OnDelete.CASCADE)),
                ('school_year', fields.SmallIntField(description='学年 (起始年份)')),
                ('content', fields.TextField(default='', unique=False)),
                ('measures', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('responsible', fields.ForeignKeyField('baoxue.Official', source_field='responsible_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='school_plans', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'school_plan', 'app': 'baoxue', 'unique_together': (('school', 'school_year'),), 'pk_attr': 'id', 'table_description': "一校一案: a school's own plan for keeping its pupils in school, per school year."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(db_index=True, description='LOGIN: LOGIN\nLOGIN_FAILED: LOGIN_FAILED\nLOCKED_OUT: LOCKED_OUT\nLOGOUT: LOGOUT\nKEY_USE: KEY_USE\nKEY_REJECTED: KEY_REJECTED\nMUTATION: MUTATION\nPERSONAL_DATA_READ: PERSONAL_DATA_READ\nFILE_DOWNLOAD: FILE_DOWNLOAD\nACCOUNT_CHANGE: ACCOUNT_CHANGE\nKEY_CHANGE: KEY_CHANGE', enum_type=AuditAction, max_length=24),
        ),
        ops.AddField(
            model_name='SupportPlan',
            name='last_reviewed_on',
            field=fields.DateField(null=True, description='最近评估日期'),
        ),
        ops.AddField(
            model_name='SupportPlan',
            name='measures',
            field=fields.JSONField(default=list, db_default=[], description='帮扶措施', encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='SupportPlan',
            name='review_on',
            field=fields.DateField(null=True, db_index=True, description='下次评估日期'),
        ),
        ops.AddField(
            model_name='SupportPlan',
            name='version',
            field=fields.IntField(default=1, db_default=1, description='版本号 (每次修改加一)'),
        ),
    ]
