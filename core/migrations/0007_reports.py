from tortoise import migrations
from tortoise.migrations import operations as ops
from core.reports.enums import SubmissionState
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0006_registry')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportSnapshot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_constraint=True, to_field='id', related_name='report_snapshots', on_delete=OnDelete.CASCADE)),
                ('format_code', fields.CharField(description='报表格式代码', max_length=64)),
                ('title', fields.CharField(description='标题', max_length=255)),
                ('period_kind', fields.CharField(description='报送周期', max_length=16)),
                ('period_value', fields.CharField(description='期间, 如 2026-09', max_length=32)),
                ('period_start', fields.DateField(description='期间首日')),
                ('period_end', fields.DateField(description='期间末日 (统计截至日)')),
                ('place_kind', fields.CharField(description='范围: 县/乡镇/学区/学校', max_length=16)),
                ('place_id', fields.UUIDField(null=True, description='乡镇、学区或学校的 id')),
                ('place_name', fields.CharField(description='范围名称', max_length=128)),
                ('town', fields.ForeignKeyField('baoxue.Town', source_field='town_id', null=True, db_constraint=True, to_field='id', related_name='report_snapshots', on_delete=OnDelete.SET_NULL)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', null=True, db_constraint=True, to_field='id', related_name='report_snapshots', on_delete=OnDelete.SET_NULL)),
                ('masking', fields.CharField(description='打码方式', max_length=16)),
                ('parameters', fields.JSONField(description='生成参数', encoder=JSON_DUMPS, decoder=loads)),
                ('table', fields.JSONField(description='报表内容 (标题、栏目、各行、合计、签署栏)', encoder=JSON_DUMPS, decoder=loads)),
                ('row_count', fields.IntField(description='行数 (不含合计)')),
                ('checksum', fields.CharField(description='SHA-256 (参数与内容的规范 JSON)', max_length=64)),
                ('generated_by', fields.CharField(description='生成人', max_length=64)),
                ('generated_by_account_id', fields.UUIDField(null=True)),
                ('generated_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('state', fields.CharEnumField(default=SubmissionState.DRAFT, description='DRAFT: DRAFT\nSIGNED: SIGNED\nSUBMITTED: SUBMITTED\nACCEPTED: ACCEPTED\nRETURNED: RETURNED', enum_type=SubmissionState, max_length=16)),
                ('state_reason', fields.TextField(default='', description="The latest move's reason (a return's), shown with the state.", unique=False)),
                ('state_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'report_snapshot', 'app': 'baoxue', 'indexes': [Index(fields=['jurisdiction_id', 'format_code', 'generated_at'])], 'pk_attr': 'id', 'table_description': '报表快照: one generated report, with who made it, when, from what, and its checksum.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportSubmissionEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('snapshot', fields.ForeignKeyField('baoxue.ReportSnapshot', source_field='snapshot_id', db_index=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=16)),
                ('from_state', fields.CharEnumField(description='DRAFT: DRAFT\nSIGNED: SIGNED\nSUBMITTED: SUBMITTED\nACCEPTED: ACCEPTED\nRETURNED: RETURNED', enum_type=SubmissionState, max_length=16)),
                ('to_state', fields.CharEnumField(description='DRAFT: DRAFT\nSIGNED: SIGNED\nSUBMITTED: SUBMITTED\nACCEPTED: ACCEPTED\nRETURNED: RETURNED', enum_type=SubmissionState, max_length=16)),
                ('actor', fields.CharField(max_length=64)),
                ('actor_account_id', fields.UUIDField(null=True)),
                ('role', fields.CharField(default='', description="The signatory's role as the format names it (单位主要负责同志), for a signature.", max_length=64)),
                ('reason', fields.TextField(default='', unique=False)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_submission_event', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "One move of a snapshot's submission (签署, 报送, 受理, 退回), written once."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Case',
            name='whereabouts',
            field=fields.CharField(default='', db_default='', description='去向 (上报或确认时所记, 辍学学生花名册的一栏)', max_length=255),
        ),
    ]
