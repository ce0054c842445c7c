"""Stored reports: each generated report kept as an immutable snapshot, and its submission
timeline (拟稿 → 签署 → 报送 → 受理/退回).

A snapshot's table, parameters and checksum are written once, when it is generated, and never
changed: a figure handed in is shown later exactly as it was, whatever happened to the data
since. Only its submission state moves, and every move is a row of
:class:`ReportSubmissionEvent`, written once.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.reports.enums import SubmissionState


class ReportSnapshot(Model):
    """报表快照: one generated report, with who made it, when, from what, and its checksum.

    ``table`` is the report as the county reads it (title, columns, rows of strings, totals,
    sign-off lines, the clause). ``checksum`` is the SHA-256 of the canonical JSON of
    ``parameters`` and ``table``: anyone may recompute it from what the API returns.
    """

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="report_snapshots", on_delete=fields.CASCADE
    )
    format_code = fields.CharField(max_length=64, description="报表格式代码")
    title = fields.CharField(max_length=255, description="标题")
    period_kind = fields.CharField(max_length=16, description="报送周期")
    period_value = fields.CharField(max_length=32, description="期间, 如 2026-09")
    period_start = fields.DateField(description="期间首日")
    period_end = fields.DateField(description="期间末日 (统计截至日)")
    place_kind = fields.CharField(max_length=16, description="范围: 县/乡镇/学区/学校")
    place_id = fields.UUIDField(null=True, description="乡镇、学区或学校的 id")
    place_name = fields.CharField(max_length=128, description="范围名称")
    town = fields.ForeignKeyField(
        "baoxue.Town", related_name="report_snapshots", null=True, on_delete=fields.SET_NULL
    )
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="report_snapshots", null=True, on_delete=fields.SET_NULL
    )
    masking = fields.CharField(max_length=16, description="打码方式")
    parameters = fields.JSONField(description="生成参数")
    table = fields.JSONField(description="报表内容 (标题、栏目、各行、合计、签署栏)")
    row_count = fields.IntField(description="行数 (不含合计)")
    checksum = fields.CharField(max_length=64, description="SHA-256 (参数与内容的规范 JSON)")
    generated_by = fields.CharField(max_length=64, description="生成人")
    generated_by_account_id = fields.UUIDField(null=True)
    generated_at = fields.DatetimeField(db_index=True)
    state = fields.CharEnumField(SubmissionState, max_length=16, default=SubmissionState.DRAFT)
    #: The latest move's reason (a return's), shown with the state.
    state_reason = fields.TextField(default="")
    state_changed_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)

    class Meta:
        table = "report_snapshot"
        ordering = ["-generated_at"]
        indexes = (("jurisdiction_id", "format_code", "generated_at"),)


class ReportSubmissionEvent(Model):
    """One move of a snapshot's submission (签署, 报送, 受理, 退回), written once."""

    id = fields.UUIDField(primary_key=True)
    snapshot = fields.ForeignKeyField(
        "baoxue.ReportSnapshot", related_name="events", on_delete=fields.CASCADE, db_index=True
    )
    action = fields.CharField(max_length=16)
    from_state = fields.CharEnumField(SubmissionState, max_length=16)
    to_state = fields.CharEnumField(SubmissionState, max_length=16)
    actor = fields.CharField(max_length=64)
    actor_account_id = fields.UUIDField(null=True)
    #: The signatory's role as the format names it (单位主要负责同志), for a signature.
    role = fields.CharField(max_length=64, default="")
    reason = fields.TextField(default="")
    occurred_at = fields.DatetimeField()

    class Meta:
        table = "report_submission_event"
        ordering = ["occurred_at"]
