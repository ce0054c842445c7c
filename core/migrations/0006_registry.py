from tortoise import migrations
from tortoise.migrations import operations as ops
from core.cases.enums import CaseEventKind
from core.enrolment.models import EnrolmentChangeKind, EnrolmentMode
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0005_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChildMerge',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('survivor', fields.ForeignKeyField('baoxue.Child', source_field='survivor_id', db_index=True, db_constraint=True, to_field='id', related_name='merges', on_delete=OnDelete.CASCADE)),
                ('duplicate', fields.ForeignKeyField('baoxue.Child', source_field='duplicate_id', db_index=True, db_constraint=True, to_field='id', related_name='merged_as_duplicate', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharField(default='', max_length=255)),
                ('merged_by', fields.CharField(default='', max_length=64)),
                ('merged_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('snapshot', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('moved', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'child_merge', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': '重复登记合并: a registry entry found to be a duplicate of another and merged into it.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='CaseEvent',
            name='kind',
            field=fields.CharEnumField(description='REPORT: REPORT\nVERIFICATION: VERIFICATION\nDISMISSAL: DISMISSAL\nCONFIRMATION: CONFIRMATION\nHOME_VISIT: HOME_VISIT\nPHONE_CALL: PHONE_CALL\nPERSUASION: PERSUASION\nRETURN_NOTICE: RETURN_NOTICE\nESCALATION: ESCALATION\nRETURN: RETURN\nFOLLOW_UP: FOLLOW_UP\nCLOSURE: CLOSURE\nEXEMPTION_REQUEST: EXEMPTION_REQUEST\nEXEMPTION_APPROVAL: EXEMPTION_APPROVAL\nEXEMPTION_REJECTION: EXEMPTION_REJECTION\nEXEMPTION_WITHDRAWAL: EXEMPTION_WITHDRAWAL\nUNREACHABLE: UNREACHABLE\nTRANSFER: TRANSFER\nNOTE: NOTE', enum_type=CaseEventKind, max_length=24),
        ),
        ops.AddField(
            model_name='Child',
            name='merged_into',
            field=fields.ForeignKeyField('baoxue.Child', source_field='merged_into_id', null=True, db_index=True, description='重复登记: 已并入的记录', db_constraint=True, to_field='id', related_name='merged_duplicates', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Child',
            name='version',
            field=fields.IntField(default=1, db_default=1, description='版本号 (每次修改加一)'),
        ),
        ops.AlterModelOptions(
            name='ChildKeyGroup',
            options={'table': 'child_key_group', 'app': 'baoxue', 'unique_together': (('child', 'group'),), 'pk_attr': 'id', 'table_description': "A child's membership of one 重点群体: who said so (``source``), from when, and until"},
        ),
        ops.AddField(
            model_name='ChildKeyGroup',
            name='ended_on',
            field=fields.DateField(null=True, description='失效日期 (空: 仍有效)'),
        ),
        ops.AddField(
            model_name='ChildKeyGroup',
            name='since',
            field=fields.DateField(null=True, description='认定日期'),
        ),
        ops.AddField(
            model_name='ChildKeyGroup',
            name='source',
            field=fields.CharField(default='', db_default='', description='认定来源 (部门或名册)', max_length=128),
        ),
        ops.AlterField(
            model_name='Enrolment',
            name='mode',
            field=fields.CharEnumField(default=EnrolmentMode.REGULAR, description='REGULAR: REGULAR\nINCLUSIVE: INCLUSIVE\nHOME_DELIVERED: HOME_DELIVERED\nBOARDING: BOARDING\nSPECIAL_SCHOOL: SPECIAL_SCHOOL', enum_type=EnrolmentMode, max_length=24),
        ),
        ops.AddField(
            model_name='Enrolment',
            name='mode_since',
            field=fields.DateField(null=True, description='现就读方式的开始日期'),
        ),
        ops.AddField(
            model_name='Enrolment',
            name='version',
            field=fields.IntField(default=1, db_default=1, description='版本号 (每次异动加一)'),
        ),
        ops.AlterField(
            model_name='EnrolmentChange',
            name='kind',
            field=fields.CharEnumField(description='ENROL: ENROL\nTRANSFER_IN: TRANSFER_IN\nTRANSFER_OUT: TRANSFER_OUT\nSUSPEND: SUSPEND\nRESUME: RESUME\nDROP_OUT: DROP_OUT\nGRADUATE: GRADUATE\nDEATH: DEATH\nCHANGE_MODE: CHANGE_MODE', enum_type=EnrolmentChangeKind, max_length=16),
        ),
        ops.AddField(
            model_name='EnrolmentChange',
            name='approving_document',
            field=fields.CharField(default='', db_default='', description='批准文件 (如休学审批表编号)', max_length=128),
        ),
        ops.AddField(
            model_name='EnrolmentChange',
            name='mode_after',
            field=fields.CharEnumField(null=True, description='异动后的就读方式', enum_type=EnrolmentMode, max_length=24),
        ),
        ops.AddField(
            model_name='Guardian',
            name='version',
            field=fields.IntField(default=1, db_default=1, description='版本号 (每次修改加一)'),
        ),
        ops.AddField(
            model_name='Household',
            name='version',
            field=fields.IntField(default=1, db_default=1, description='版本号 (每次修改加一)'),
        ),
    ]
