from tortoise import migrations
from tortoise.migrations import operations as ops
from core.attendance.models import FollowUpOutcome, MarkKind
from core.cases.enums import CaseEventKind, CaseSource
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0011_registry2')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AbsenceFollowUp',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_constraint=True, to_field='id', related_name='absence_follow_ups', on_delete=OnDelete.CASCADE)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', db_constraint=True, to_field='id', related_name='absence_follow_ups', on_delete=OnDelete.CASCADE)),
                ('child', fields.ForeignKeyField('baoxue.Child', source_field='child_id', db_index=True, db_constraint=True, to_field='id', related_name='absence_follow_ups', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField(description='缺勤日期')),
                ('caller_name', fields.CharField(description='联系人 (谁打的电话)', max_length=64)),
                ('caller_official', fields.ForeignKeyField('baoxue.Official', source_field='caller_official_id', null=True, db_constraint=True, to_field='id', related_name='absence_follow_ups', on_delete=OnDelete.SET_NULL)),
                ('contacted', fields.CharField(default='', description='联系到的监护人及关系', max_length=64)),
                ('outcome', fields.CharEnumField(description='跟踪结果', enum_type=FollowUpOutcome, max_length=24)),
                ('note', fields.CharField(default='', description='情况说明', max_length=500)),
                ('recorded_by', fields.ForeignKeyField('baoxue.StaffAccount', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='absence_follow_ups', on_delete=OnDelete.SET_NULL)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attendance_follow_up', 'app': 'baoxue', 'indexes': [Index(fields=['school_id', 'day'])], 'pk_attr': 'id', 'table_description': '缺勤当日跟踪: a call to the guardian of a child absent without explanation (who called,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttendanceAlert',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_constraint=True, to_field='id', related_name='attendance_alerts', on_delete=OnDelete.CASCADE)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', null=True, db_constraint=True, to_field='id', related_name='attendance_alerts', on_delete=OnDelete.SET_NULL)),
                ('child', fields.ForeignKeyField('baoxue.Child', source_field='child_id', db_constraint=True, to_field='id', related_name='attendance_alerts', on_delete=OnDelete.CASCADE)),
                ('case', fields.ForeignKeyField('baoxue.Case', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name='attendance_alerts', on_delete=OnDelete.SET_NULL)),
                ('day', fields.DateField(description='触发日期 (检查的日期)')),
                ('rule_code', fields.CharField(description='触发的规则代码', max_length=48)),
                ('rule_name', fields.CharField(description='触发的规则名称', max_length=128)),
                ('key_period', fields.CharField(default='', description='所在重点时段代码', max_length=48)),
                ('first_day', fields.DateField(description='证据中最早的缺勤日期')),
                ('last_day', fields.DateField(description='证据中最晚的缺勤日期')),
                ('absences', fields.IntField(description='计入的无故缺勤天数')),
                ('evidence', fields.JSONField(description='计入的缺勤记录', encoder=JSON_DUMPS, decoder=loads)),
                ('reopened', fields.BooleanField(default=False, description='是否重新打开了已有个案 (反弹)')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attendance_alert', 'app': 'baoxue', 'unique_together': (('child', 'day'),), 'indexes': [Index(fields=['jurisdiction_id', 'day'])], 'pk_attr': 'id', 'table_description': '考勤预警: a child crossed an absence rule on ``day``. ``case`` is the suspected-dropout'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClassDay',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='class_days', on_delete=OnDelete.CASCADE)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', db_index=True, db_constraint=True, to_field='id', related_name='class_days', on_delete=OnDelete.CASCADE)),
                ('school_class', fields.ForeignKeyField('baoxue.SchoolClass', source_field='school_class_id', db_constraint=True, to_field='id', related_name='class_days', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField(description='考勤日期 (北京时间)')),
                ('expected', fields.IntField(description='应到人数 (登记时本班在读学生数)')),
                ('present', fields.IntField(description='实到人数 (含迟到)')),
                ('absent', fields.IntField(description='缺勤人数')),
                ('late', fields.IntField(description='迟到人数')),
                ('version', fields.IntField(default=1, description='版本号 (当日每次更正加一)')),
                ('recorded_by', fields.ForeignKeyField('baoxue.StaffAccount', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='class_days', on_delete=OnDelete.SET_NULL)),
                ('recorded_by_name', fields.CharField(default='', description='登记人', max_length=64)),
                ('recorded_at', fields.DatetimeField(description='本版本的登记时间', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attendance_class_day', 'app': 'baoxue', 'unique_together': (('school_class', 'day'),), 'indexes': [Index(fields=['school_id', 'day']), Index(fields=['jurisdiction_id', 'day'])], 'pk_attr': 'id', 'table_description': "班级考勤日: one class's attendance register for one school day (the current version)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttendanceMark',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('class_day', fields.ForeignKeyField('baoxue.ClassDay', source_field='class_day_id', db_index=True, db_constraint=True, to_field='id', related_name='marks', on_delete=OnDelete.CASCADE)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_constraint=True, to_field='id', related_name='attendance_marks', on_delete=OnDelete.CASCADE)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', db_index=True, db_constraint=True, to_field='id', related_name='attendance_marks', on_delete=OnDelete.CASCADE)),
                ('child', fields.ForeignKeyField('baoxue.Child', source_field='child_id', db_constraint=True, to_field='id', related_name='attendance_marks', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField(description='考勤日期')),
                ('kind', fields.CharEnumField(description='考勤情况', enum_type=MarkKind, max_length=16)),
                ('note', fields.CharField(default='', description='说明', max_length=255)),
            ],
            options={'table': 'attendance_mark', 'app': 'baoxue', 'unique_together': (('child', 'day'),), 'indexes': [Index(fields=['jurisdiction_id', 'kind', 'day'])], 'pk_attr': 'id', 'table_description': '考勤记录: one child absent (with the reason) or late on one class day. A child of the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClassDayRevision',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('class_day', fields.ForeignKeyField('baoxue.ClassDay', source_field='class_day_id', db_index=True, db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField(description='被替换的版本号')),
                ('expected', fields.IntField()),
                ('present', fields.IntField()),
                ('absent', fields.IntField()),
                ('late', fields.IntField()),
                ('marks', fields.JSONField(description='该版本的考勤记录', encoder=JSON_DUMPS, decoder=loads)),
                ('recorded_by', fields.ForeignKeyField('baoxue.StaffAccount', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='class_day_revisions', on_delete=OnDelete.SET_NULL)),
                ('recorded_by_name', fields.CharField(default='', max_length=64)),
                ('recorded_at', fields.DatetimeField(description='该版本的登记时间', auto_now=False, auto_now_add=False)),
                ('replaced_at', fields.DatetimeField(description='被更正的时间', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attendance_class_day_revision', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': '考勤更正历史: a version of a class day that a same-day correction replaced, with its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SchoolClosure',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_constraint=True, to_field='id', related_name='school_closures', on_delete=OnDelete.CASCADE)),
                ('school', fields.ForeignKeyField('baoxue.School', source_field='school_id', db_index=True, db_constraint=True, to_field='id', related_name='closures', on_delete=OnDelete.CASCADE)),
                ('first_day', fields.DateField(description='停课第一天')),
                ('last_day', fields.DateField(description='停课最后一天')),
                ('reason', fields.CharField(description='停课原因', max_length=255)),
                ('created_by', fields.ForeignKeyField('baoxue.StaffAccount', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='school_closures', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attendance_school_closure', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': '学校停课: days a school adds to the county calendar on which it holds no classes'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Case',
            name='source',
            field=fields.CharEnumField(db_index=True, description='HEAD_TEACHER_REPORT: HEAD_TEACHER_REPORT\nNATIONAL_PLATFORM: NATIONAL_PLATFORM\nROSTER_COMPARISON: ROSTER_COMPARISON\nHOUSEHOLD_SURVEY: HOUSEHOLD_SURVEY\nREGISTRY_TRACKING: REGISTRY_TRACKING\nATTENDANCE_RULE: ATTENDANCE_RULE\nOTHER: OTHER', enum_type=CaseSource, max_length=24),
        ),
        ops.AlterField(
            model_name='CaseEvent',
            name='kind',
            field=fields.CharEnumField(description='REPORT: REPORT\nVERIFICATION: VERIFICATION\nDISMISSAL: DISMISSAL\nCONFIRMATION: CONFIRMATION\nHOME_VISIT: HOME_VISIT\nPHONE_CALL: PHONE_CALL\nPERSUASION: PERSUASION\nRETURN_NOTICE: RETURN_NOTICE\nESCALATION: ESCALATION\nRETURN: RETURN\nFOLLOW_UP: FOLLOW_UP\nCLOSURE: CLOSURE\nEXEMPTION_REQUEST: EXEMPTION_REQUEST\nEXEMPTION_APPROVAL: EXEMPTION_APPROVAL\nEXEMPTION_REJECTION: EXEMPTION_REJECTION\nEXEMPTION_WITHDRAWAL: EXEMPTION_WITHDRAWAL\nUNREACHABLE: UNREACHABLE\nTRANSFER: TRANSFER\nREOPEN: REOPEN\nNOTE: NOTE', enum_type=CaseEventKind, max_length=24),
        ),
    ]
