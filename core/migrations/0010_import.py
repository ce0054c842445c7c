from tortoise import migrations
from tortoise.migrations import operations as ops
from core.imports.models import ComparisonKind, ImportMode, ImportState, MatchOutcome
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0009_metrics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ImportJob',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='import_jobs', on_delete=OnDelete.CASCADE)),
                ('format_code', fields.CharField(description='导入格式', max_length=32)),
                ('file_name', fields.CharField(default='', max_length=255)),
                ('checksum', fields.CharField(description='文件 SHA-256', max_length=64)),
                ('mode', fields.CharEnumField(description='ALL: ALL\nVALID: VALID', enum_type=ImportMode, max_length=8)),
                ('dry_run', fields.BooleanField(default=False)),
                ('state', fields.CharEnumField(db_index=True, description='RUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nREFUSED: REFUSED\nFAILED: FAILED\nDRY_RUN: DRY_RUN', enum_type=ImportState, max_length=16)),
                ('rows_read', fields.IntField(default=0, description='已读取行数 (进度)')),
                ('counts', fields.JSONField(default=dict, description='新增/更新/未变/拒绝 等计数', encoder=JSON_DUMPS, decoder=loads)),
                ('issues', fields.JSONField(default=list, description='逐行问题 (行号, 列, 值, 原因)', encoder=JSON_DUMPS, decoder=loads)),
                ('changes', fields.JSONField(default=list, description='所隐含的学籍异动', encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('actor_kind', fields.CharField(default='', max_length=16)),
                ('account_id', fields.UUIDField(null=True, description='导入人的账号')),
                ('api_key_id', fields.UUIDField(null=True, description='提交名册的协作部门密钥')),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('heartbeat_at', fields.DatetimeField(null=True, description='最近一次进度时间', auto_now=False, auto_now_add=False)),
                ('running_key', fields.CharField(null=True, unique=True, description='运行中: 县与格式 (同时仅一个)', max_length=64)),
                ('message', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'import_job', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "One import of one file: who, when, the file's SHA-256, the format, the counts, the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComparisonRun',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='comparison_runs', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REGISTRY_ENROLMENT: REGISTRY_ENROLMENT\nDISABLED_ROSTER: DISABLED_ROSTER\nKEY_GROUP_LIST: KEY_GROUP_LIST\nPLATFORM_SUSPECTED: PLATFORM_SUSPECTED', enum_type=ComparisonKind, max_length=24)),
                ('job', fields.ForeignKeyField('baoxue.ImportJob', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='comparisons', on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('counts', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'comparison_run', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': 'One 比对: its kind, its input (the import job whose file it read, if any), who ran it,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComparisonResult',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('baoxue.ComparisonRun', source_field='run_id', db_index=True, db_constraint=True, to_field='id', related_name='results', on_delete=OnDelete.CASCADE)),
                ('child', fields.ForeignKeyField('baoxue.Child', source_field='child_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='comparison_results', on_delete=OnDelete.SET_NULL)),
                ('row_number', fields.IntField(null=True, description='名册行号')),
                ('outcome', fields.CharEnumField(db_index=True, description='ENROLLED_HERE: ENROLLED_HERE\nENROLLED_ELSEWHERE: ENROLLED_ELSEWHERE\nEXEMPTED: EXEMPTED\nPLACED: PLACED\nHAS_CASE: HAS_CASE\nCASE_OPENED: CASE_OPENED\nNOT_FOUND: NOT_FOUND\nFLAG_ADDED: FLAG_ADDED\nFLAG_KEPT: FLAG_KEPT\nFLAG_EXPIRED: FLAG_EXPIRED', enum_type=MatchOutcome, max_length=24)),
                ('match_reason', fields.CharField(default='', description='匹配依据', max_length=64)),
                ('case', fields.ForeignKeyField('baoxue.Case', source_field='case_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='comparison_results', on_delete=OnDelete.SET_NULL)),
                ('detail', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'comparison_result', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "One child's (or one list row's) result of a comparison: the child matched, how"},
            bases=['Model'],
        ),
    ]
