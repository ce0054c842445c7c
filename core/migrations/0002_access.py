from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.access.enums import ActorKind, AuditAction, Role, ScopeKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('prefix', fields.CharField(unique=True, max_length=16)),
                ('key_hash', fields.CharField(max_length=255)),
                ('agency', fields.CharField(description='协作部门名称', max_length=128)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.CASCADE)),
                ('town_ids', fields.JSONField(default=list, description='限定的乡镇 (空 = 全县)', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('permissions', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('replaced_by', fields.ForeignKeyField('baoxue.ApiKey', source_field='replaced_by_id', null=True, db_constraint=True, to_field='id', related_name='replaces', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'api_key', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': '协作部门 API 密钥. Only a hash is stored, the prefix is shown to identify the key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServerSecret',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('value', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'server_secret', 'app': 'baoxue', 'pk_attr': 'name', 'table_description': 'Secrets every worker must share (the token signing key), created on first use.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffAccount',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('display_name', fields.CharField(default='', max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharEnumField(description='COUNTY_ADMIN: COUNTY_ADMIN\nBUREAU_STAFF: BUREAU_STAFF\nREGISTRAR: REGISTRAR\nSCHOOL_HEAD: SCHOOL_HEAD\nHEAD_TEACHER: HEAD_TEACHER\nSUBJECT_TEACHER: SUBJECT_TEACHER\nTOWNSHIP_OFFICIAL: TOWNSHIP_OFFICIAL', enum_type=Role, max_length=24)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('scope_kind', fields.CharEnumField(description='COUNTY: COUNTY\nTOWN: TOWN\nSCHOOL: SCHOOL\nCLASS: CLASS', enum_type=ScopeKind, max_length=16)),
                ('town', fields.ForeignKeyField('baoxue.Town', source_field='town_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.SET_NULL)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.SET_NULL)),
                ('school_class', fields.ForeignKeyField('baoxue.SchoolClass', source_field='school_class_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.SET_NULL)),
                ('official', fields.ForeignKeyField('baoxue.Official', source_field='official_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.SET_NULL)),
                ('is_active', fields.BooleanField(default=True)),
                ('failed_logins', fields.IntField(default=0)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_account', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': '工作人员账号: a role and a scope (county, town, school or class).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('actor_kind', fields.CharEnumField(description='ANONYMOUS: ANONYMOUS\nSTAFF: STAFF\nAPI_KEY: API_KEY\nSYSTEM: SYSTEM', enum_type=ActorKind, max_length=16)),
                ('actor_label', fields.CharField(default='', max_length=128)),
                ('account', fields.ForeignKeyField('baoxue.StaffAccount', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('api_key', fields.ForeignKeyField('baoxue.ApiKey', source_field='api_key_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharEnumField(db_index=True, description='LOGIN: LOGIN\nLOGIN_FAILED: LOGIN_FAILED\nLOCKED_OUT: LOCKED_OUT\nLOGOUT: LOGOUT\nKEY_USE: KEY_USE\nKEY_REJECTED: KEY_REJECTED\nMUTATION: MUTATION\nPERSONAL_DATA_READ: PERSONAL_DATA_READ\nACCOUNT_CHANGE: ACCOUNT_CHANGE\nKEY_CHANGE: KEY_CHANGE', enum_type=AuditAction, max_length=24)),
                ('operation', fields.CharField(default='', description='GraphQL 操作/字段', max_length=64)),
                ('object_type', fields.CharField(default='', max_length=32)),
                ('object_id', fields.CharField(default='', db_index=True, max_length=64)),
                ('request_id', fields.CharField(default='', max_length=64)),
                ('client_address', fields.CharField(default='', max_length=64)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_entry', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': '审计日志: append-only. Nothing in the API updates or deletes a row.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuthSession',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('baoxue.StaffAccount', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('client_address', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'auth_session', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': 'One issued bearer token (by its jti). Revoking it ends the session.'},
            bases=['Model'],
        ),
    ]
