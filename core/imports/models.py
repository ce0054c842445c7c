"""Import jobs (名册导入任务) and comparison runs (比对) with their results."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.labelled_enum import LabelledEnum


class ImportState(LabelledEnum):
    """导入任务状态."""

    RUNNING = "RUNNING", "进行中"
    SUCCEEDED = "SUCCEEDED", "已完成"
    REFUSED = "REFUSED", "未通过校验, 未写入"
    FAILED = "FAILED", "失败, 未写入"
    DRY_RUN = "DRY_RUN", "试导入 (未写入)"


class ImportMode(LabelledEnum):
    """导入方式."""

    ALL = "ALL", "全部通过才写入"
    VALID = "VALID", "写入校验通过的行"


class ImportJob(Model):
    """One import of one file: who, when, the file's SHA-256, the format, the counts, the
    state, the progress and the row-level report (``issues``). ``running_key`` is set while
    it runs (county and format), so only one import per county and format runs at a time."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="import_jobs", on_delete=fields.CASCADE, db_index=True
    )
    format_code = fields.CharField(max_length=32, description="导入格式")
    file_name = fields.CharField(max_length=255, default="")
    checksum = fields.CharField(max_length=64, description="文件 SHA-256")
    mode = fields.CharEnumField(ImportMode, max_length=8)
    dry_run = fields.BooleanField(default=False)
    state = fields.CharEnumField(ImportState, max_length=16, db_index=True)
    rows_read = fields.IntField(default=0, description="已读取行数 (进度)")
    counts = fields.JSONField(default=dict, description="新增/更新/未变/拒绝 等计数")
    issues = fields.JSONField(default=list, description="逐行问题 (行号, 列, 值, 原因)")
    changes = fields.JSONField(default=list, description="所隐含的学籍异动")
    created_by = fields.CharField(max_length=64, default="")
    actor_kind = fields.CharField(max_length=16, default="")
    account_id = fields.UUIDField(null=True, description="导入人的账号")
    api_key_id = fields.UUIDField(null=True, description="提交名册的协作部门密钥")
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    heartbeat_at = fields.DatetimeField(null=True, description="最近一次进度时间")
    running_key = fields.CharField(
        max_length=64, null=True, unique=True, description="运行中: 县与格式 (同时仅一个)"
    )
    message = fields.CharField(max_length=255, default="")

    class Meta:
        table = "import_job"
        ordering = ["-started_at"]


class ComparisonKind(LabelledEnum):
    """比对类别."""

    REGISTRY_ENROLMENT = "REGISTRY_ENROLMENT", "学户册与学籍比对"
    DISABLED_ROSTER = "DISABLED_ROSTER", "残疾儿童名册与学籍、安置比对"
    KEY_GROUP_LIST = "KEY_GROUP_LIST", "重点群体名单与学户册比对"
    PLATFORM_SUSPECTED = "PLATFORM_SUSPECTED", "全国平台疑似辍学名单核查"


class MatchOutcome(LabelledEnum):
    """比对结果."""

    ENROLLED_HERE = "ENROLLED_HERE", "本县在读"
    ENROLLED_ELSEWHERE = "ENROLLED_ELSEWHERE", "在其他县在读"
    EXEMPTED = "EXEMPTED", "缓学/免学"
    PLACED = "PLACED", "已安置 (送教上门等)"
    HAS_CASE = "HAS_CASE", "已有未结个案"
    CASE_OPENED = "CASE_OPENED", "未入学/疑似辍学, 已立案"
    NOT_FOUND = "NOT_FOUND", "学户册中未找到"
    FLAG_ADDED = "FLAG_ADDED", "新增重点群体标记"
    FLAG_KEPT = "FLAG_KEPT", "重点群体标记不变"
    FLAG_EXPIRED = "FLAG_EXPIRED", "重点群体标记失效"


class ComparisonRun(Model):
    """One 比对: its kind, its input (the import job whose file it read, if any), who ran it,
    when, and the summary counts by outcome."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction",
        related_name="comparison_runs",
        on_delete=fields.CASCADE,
        db_index=True,
    )
    kind = fields.CharEnumField(ComparisonKind, max_length=24)
    job = fields.ForeignKeyField(
        "baoxue.ImportJob", related_name="comparisons", null=True, on_delete=fields.SET_NULL
    )
    created_by = fields.CharField(max_length=64, default="")
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    counts = fields.JSONField(default=dict)

    class Meta:
        table = "comparison_run"
        ordering = ["-started_at"]


class ComparisonResult(Model):
    """One child's (or one list row's) result of a comparison: the child matched, how
    (``match_reason``), the outcome and the case opened or found, the roster row it came from."""

    id = fields.UUIDField(primary_key=True)
    run = fields.ForeignKeyField(
        "baoxue.ComparisonRun", related_name="results", on_delete=fields.CASCADE, db_index=True
    )
    child = fields.ForeignKeyField(
        "baoxue.Child",
        related_name="comparison_results",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    row_number = fields.IntField(null=True, description="名册行号")
    outcome = fields.CharEnumField(MatchOutcome, max_length=24, db_index=True)
    match_reason = fields.CharField(max_length=64, default="", description="匹配依据")
    case = fields.ForeignKeyField(
        "baoxue.Case",
        related_name="comparison_results",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    detail = fields.CharField(max_length=255, default="")

    class Meta:
        table = "comparison_result"
