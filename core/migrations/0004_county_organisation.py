from tortoise import migrations
from tortoise.migrations import operations as ops
from core.jurisdictions.models import KeyAreaKind
from core.officials.models import LeadershipRole
from core.people.enums import KeyGroup
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0003_child_list_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KeyArea',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='key_areas', on_delete=OnDelete.CASCADE)),
                ('town', fields.ForeignKeyField('baoxue.Town', source_field='town_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='key_areas', on_delete=OnDelete.CASCADE)),
                ('village', fields.ForeignKeyField('baoxue.Village', source_field='village_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='key_areas', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(db_index=True, description='RURAL: RURAL\nREMOTE: REMOTE\nPOOR: POOR\nETHNIC: ETHNIC\nMIGRANT_DENSE: MIGRANT_DENSE\nURBAN_FRINGE: URBAN_FRINGE', enum_type=KeyAreaKind, max_length=16)),
                ('source', fields.CharField(default='', description='依据 (文件条款, 或 演示数据)', max_length=128)),
            ],
            options={'table': 'key_area', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': 'A town or village counted as one kind of 重点地区 (农村, 边远, 贫困, 民族 …), and why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SchoolLeadershipGroup',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='school_leadership_groups', on_delete=OnDelete.CASCADE)),
                ('school', fields.OneToOneField('baoxue.School', source_field='school_id', db_constraint=True, to_field='id', related_name='leadership_group', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(description='名称', max_length=128)),
                ('source', fields.CharField(default='', description='依据 (文件条款)', max_length=128)),
            ],
            options={'table': 'school_leadership_group', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "学校控辍保学工作领导小组: a school's own group, led by its head where the county's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SchoolLeadershipSeat',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('baoxue.SchoolLeadershipGroup', source_field='group_id', db_index=True, db_constraint=True, to_field='id', related_name='seats', on_delete=OnDelete.CASCADE)),
                ('official', fields.ForeignKeyField('baoxue.Official', source_field='official_id', db_index=True, db_constraint=True, to_field='id', related_name='school_leadership_seats', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='LEADER: LEADER\nDEPUTY_LEADER: DEPUTY_LEADER\nMEMBER: MEMBER', enum_type=LeadershipRole, max_length=16)),
                ('duty', fields.CharField(default='', description='职责, 如 负总责、具体负责', max_length=64)),
                ('position', fields.SmallIntField(default=0, description='在小组名单中的顺序')),
            ],
            options={'table': 'school_leadership_seat', 'app': 'baoxue', 'unique_together': (('group', 'official'),), 'pk_attr': 'id', 'table_description': "One seat of a school's 控辍保学工作领导小组: who holds it, in which role, for what."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='ChildKeyGroup',
            name='group',
            field=fields.CharEnumField(db_index=True, description='POVERTY_LIFTED: POVERTY_LIFTED\nMONITORED: MONITORED\nLOW_INCOME: LOW_INCOME\nFINANCIAL_HARDSHIP: FINANCIAL_HARDSHIP\nLEFT_BEHIND: LEFT_BEHIND\nORPHAN: ORPHAN\nDE_FACTO_UNSUPPORTED: DE_FACTO_UNSUPPORTED\nIN_DIFFICULTY: IN_DIFFICULTY\nFAMILY_CRISIS: FAMILY_CRISIS\nDISABLED: DISABLED\nMIGRANT: MIGRANT\nMOVED_AWAY: MOVED_AWAY\nPARENT_IMPRISONED: PARENT_IMPRISONED\nLEARNING_DIFFICULTY: LEARNING_DIFFICULTY', enum_type=KeyGroup, max_length=24),
        ),
        ops.AlterModelOptions(
            name='ResponsibilityAssignment',
            options={'table': 'responsibility_assignment', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "One official's responsibility for the county (no town, school or child), a town, a"},
        ),
        ops.AddField(
            model_name='ResponsibilityAssignment',
            name='school_group',
            field=fields.ForeignKeyField('baoxue.SchoolGroup', source_field='school_group_id', null=True, db_index=True, description='负责的学区或督导责任区', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='ResponsibilityAssignment',
            name='village',
            field=fields.ForeignKeyField('baoxue.Village', source_field='village_id', null=True, db_index=True, description='负责的村/社区 (包村)', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='SchoolGroup',
            name='demo_only',
            field=fields.BooleanField(default=False, db_default=False, description='演示数据: 文件只有此类分组, 未列出其范围'),
        ),
    ]
