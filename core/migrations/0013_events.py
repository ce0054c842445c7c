from tortoise import migrations
from tortoise.migrations import operations as ops
from core.access.enums import ActorKind, ScopeKind
from core.events.enums import DeliveryState, EventKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('baoxue', '0012_attendance')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(db_index=True, description='CASE_OPENED: CASE_OPENED\nCASE_STEP: CASE_STEP\nCASE_ESCALATED: CASE_ESCALATED\nCASE_CLOSED: CASE_CLOSED\nCASE_DEADLINE_PASSED: CASE_DEADLINE_PASSED\nREPORT_SUBMITTED: REPORT_SUBMITTED\nREPORT_RETURNED: REPORT_RETURNED\nREPORT_ACCEPTED: REPORT_ACCEPTED\nCOMPARISON_FINISHED: COMPARISON_FINISHED\nTARGET_AT_RISK: TARGET_AT_RISK\nWEBHOOK_DISABLED: WEBHOOK_DISABLED', enum_type=EventKind, max_length=32)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('occurred_at', fields.DatetimeField(db_index=True, description='发生时间', auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(db_index=True, description='记录时间 (投递顺序)', auto_now=False, auto_now_add=False)),
                ('actor_kind', fields.CharEnumField(description='ANONYMOUS: ANONYMOUS\nSTAFF: STAFF\nAPI_KEY: API_KEY\nSYSTEM: SYSTEM', enum_type=ActorKind, max_length=16)),
                ('actor_label', fields.CharField(default='', description='操作人', max_length=128)),
                ('actor_account_id', fields.UUIDField(null=True)),
                ('object_type', fields.CharField(description='对象类型 (GraphQL 类型名)', max_length=32)),
                ('object_id', fields.CharField(db_index=True, description='对象 id', max_length=64)),
                ('summary', fields.CharField(default='', description='摘要', max_length=255)),
                ('payload', fields.JSONField(default=dict, description='事件内容', encoder=JSON_DUMPS, decoder=loads)),
                ('audience_kind', fields.CharEnumField(description='收件层级', enum_type=ScopeKind, max_length=16)),
                ('audience_office', fields.CharField(default='', description='收件单位', max_length=64)),
                ('town_id', fields.UUIDField(null=True, db_index=True)),
                ('school_id', fields.UUIDField(null=True, db_index=True)),
                ('school_class_id', fields.UUIDField(null=True, db_index=True)),
                ('responsible_official', fields.ForeignKeyField('baoxue.Official', source_field='responsible_official_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.SET_NULL)),
                ('responsible_name', fields.CharField(default='', description='责任人', max_length=64)),
                ('recipient_account', fields.ForeignKeyField('baoxue.StaffAccount', source_field='recipient_account_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=160)),
            ],
            options={'table': 'outbox_event', 'app': 'baoxue', 'indexes': [Index(fields=['jurisdiction_id', 'audience_kind', 'occurred_at'])], 'pk_attr': 'id', 'table_description': '事件: one thing that happened, who did it, and who must act next.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChannelDelivery',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('baoxue.OutboxEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='channel_deliveries', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(description='渠道代码', max_length=32)),
                ('state', fields.CharEnumField(default=DeliveryState.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nFAILED: FAILED', enum_type=DeliveryState, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=64)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_status', fields.IntField(null=True)),
                ('last_error', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'channel_delivery', 'app': 'baoxue', 'unique_together': (('event_id', 'channel'),), 'pk_attr': 'id', 'table_description': "One event to one of the county's plugin channels (``baoxue_event_channels``): written"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboxReceipt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('baoxue.OutboxEvent', source_field='event_id', db_index=True, db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('baoxue.StaffAccount', source_field='account_id', db_index=True, db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.CASCADE)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbox_receipt', 'app': 'baoxue', 'unique_together': (('event_id', 'account_id'),), 'pk_attr': 'id', 'table_description': "One account's read and acknowledged state of one event (no row: unread)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('jurisdiction', fields.ForeignKeyField('baoxue.Jurisdiction', source_field='jurisdiction_id', db_index=True, db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('owner', fields.ForeignKeyField('baoxue.StaffAccount', source_field='owner_id', db_index=True, db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(default='', description='名称', max_length=64)),
                ('url', fields.CharField(description='接收地址', max_length=500)),
                ('event_kinds', fields.JSONField(default=list, description='订阅的事件类型', encoder=JSON_DUMPS, decoder=loads)),
                ('subscription', fields.TextField(default='', description='订阅文档 (GraphQL)', unique=False)),
                ('secret', fields.CharField(description='签名密钥', max_length=128)),
                ('secret_hint', fields.CharField(default='', description='密钥末四位', max_length=8)),
                ('is_active', fields.BooleanField(default=True)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('disabled_reason', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "A partner system's endpoint: the event kinds it hears, the subscription document that"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('endpoint', fields.ForeignKeyField('baoxue.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('baoxue.OutboxEvent', source_field='event_id', db_index=True, db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('recorded_at', fields.DatetimeField(description="When the event was recorded, copied so the worker sends each endpoint's events in order.", auto_now=False, auto_now_add=False)),
                ('state', fields.CharEnumField(default=DeliveryState.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nFAILED: FAILED', enum_type=DeliveryState, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=64)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_status', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'baoxue', 'unique_together': (('endpoint_id', 'event_id'),), 'indexes': [Index(fields=['endpoint_id', 'state', 'recorded_at'])], 'pk_attr': 'id', 'table_description': 'One event to one endpoint: pending until a 2xx answer, retried with back-off.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('delivery', fields.ForeignKeyField('baoxue.WebhookDelivery', source_field='delivery_id', db_constraint=True, to_field='id', related_name='attempt_log', on_delete=OnDelete.CASCADE)),
                ('attempted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.IntField(null=True, description='HTTP 状态码 (无应答为空)')),
                ('latency_ms', fields.IntField(default=0)),
                ('response_snippet', fields.CharField(default='', max_length=500)),
                ('error', fields.CharField(default='', max_length=255)),
                ('worker', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'webhook_attempt', 'app': 'baoxue', 'pk_attr': 'id', 'table_description': "One try at a delivery: the answer's status, how long it took and how it began."},
            bases=['Model'],
        ),
    ]
