"""Attendance records: one register per class and school day, the children not present in it,
its earlier versions, the follow-up calls, school closures and the rule alerts.

A class day stores only the exceptions: a child enrolled in the class with no mark on a recorded
day was present. The counts on :class:`ClassDay` (应到, 实到 …) are those of the register as it
was taken, so a later change of class does not rewrite a past day's return.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.labelled_enum import LabelledEnum


class MarkKind(LabelledEnum):
    """考勤情况: why a child was not simply present."""

    SICK = "SICK", "病假"
    PERSONAL_LEAVE = "PERSONAL_LEAVE", "事假"
    UNEXPLAINED = "UNEXPLAINED", "无故缺勤 (旷课)"
    LATE = "LATE", "迟到"

    @property
    def is_absence(self) -> bool:
        """Absent for the day (a late child is present)."""
        return self is not MarkKind.LATE


#: The mark kinds that count as absent, for SQL filters.
ABSENCE_KINDS = tuple(k for k in MarkKind if k.is_absence)


class FollowUpOutcome(LabelledEnum):
    """缺勤跟踪结果: what the call to the guardian found."""

    REACHED_RETURNING = "REACHED_RETURNING", "已联系监护人, 学生将返校"
    REACHED_EXPLAINED = "REACHED_EXPLAINED", "已联系监护人, 已说明缺勤原因"
    REACHED_REFUSED = "REACHED_REFUSED", "已联系监护人, 监护人不送学或学生不愿返校"
    NOT_REACHED = "NOT_REACHED", "未联系上监护人"


class ClassDay(Model):
    """班级考勤日: one class's attendance register for one school day (the current version)."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="class_days", on_delete=fields.CASCADE, db_index=True
    )
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="class_days", on_delete=fields.CASCADE, db_index=True
    )
    school_class = fields.ForeignKeyField(
        "baoxue.SchoolClass", related_name="class_days", on_delete=fields.CASCADE
    )
    day = fields.DateField(description="考勤日期 (北京时间)")
    expected = fields.IntField(description="应到人数 (登记时本班在读学生数)")
    present = fields.IntField(description="实到人数 (含迟到)")
    absent = fields.IntField(description="缺勤人数")
    late = fields.IntField(description="迟到人数")
    version = fields.IntField(default=1, description="版本号 (当日每次更正加一)")
    recorded_by = fields.ForeignKeyField(
        "baoxue.StaffAccount", related_name="class_days", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_name = fields.CharField(max_length=64, default="", description="登记人")
    recorded_at = fields.DatetimeField(description="本版本的登记时间")

    class Meta:
        table = "attendance_class_day"
        unique_together = (("school_class", "day"),)
        indexes = (("school_id", "day"), ("jurisdiction_id", "day"))
        ordering = ["-day"]


class AttendanceMark(Model):
    """考勤记录: one child absent (with the reason) or late on one class day. A child of the
    class with no mark on a recorded day was present."""

    id = fields.UUIDField(primary_key=True)
    class_day = fields.ForeignKeyField(
        "baoxue.ClassDay", related_name="marks", on_delete=fields.CASCADE, db_index=True
    )
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="attendance_marks", on_delete=fields.CASCADE
    )
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="attendance_marks", on_delete=fields.CASCADE, db_index=True
    )
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="attendance_marks", on_delete=fields.CASCADE
    )
    day = fields.DateField(description="考勤日期")
    kind = fields.CharEnumField(MarkKind, max_length=16, description="考勤情况")
    note = fields.CharField(max_length=255, default="", description="说明")

    class Meta:
        table = "attendance_mark"
        unique_together = (("child", "day"),)
        indexes = (("jurisdiction_id", "kind", "day"),)
        ordering = ["-day"]


class ClassDayRevision(Model):
    """考勤更正历史: a version of a class day that a same-day correction replaced, with its
    marks as they were (``marks``: a list of objects with childId, kind and note)."""

    id = fields.UUIDField(primary_key=True)
    class_day = fields.ForeignKeyField(
        "baoxue.ClassDay", related_name="revisions", on_delete=fields.CASCADE, db_index=True
    )
    version = fields.IntField(description="被替换的版本号")
    expected = fields.IntField()
    present = fields.IntField()
    absent = fields.IntField()
    late = fields.IntField()
    marks = fields.JSONField(description="该版本的考勤记录")
    recorded_by = fields.ForeignKeyField(
        "baoxue.StaffAccount",
        related_name="class_day_revisions",
        null=True,
        on_delete=fields.SET_NULL,
    )
    recorded_by_name = fields.CharField(max_length=64, default="")
    recorded_at = fields.DatetimeField(description="该版本的登记时间")
    replaced_at = fields.DatetimeField(description="被更正的时间")

    class Meta:
        table = "attendance_class_day_revision"
        ordering = ["class_day_id", "version"]


class AbsenceFollowUp(Model):
    """缺勤当日跟踪: a call to the guardian of a child absent without explanation (who called,
    whom they reached, what came of it). A child may be called more than once a day."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="absence_follow_ups", on_delete=fields.CASCADE
    )
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="absence_follow_ups", on_delete=fields.CASCADE
    )
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="absence_follow_ups", on_delete=fields.CASCADE, db_index=True
    )
    day = fields.DateField(description="缺勤日期")
    caller_name = fields.CharField(max_length=64, description="联系人 (谁打的电话)")
    caller_official = fields.ForeignKeyField(
        "baoxue.Official", related_name="absence_follow_ups", null=True, on_delete=fields.SET_NULL
    )
    contacted = fields.CharField(max_length=64, default="", description="联系到的监护人及关系")
    outcome = fields.CharEnumField(FollowUpOutcome, max_length=24, description="跟踪结果")
    note = fields.CharField(max_length=500, default="", description="情况说明")
    recorded_by = fields.ForeignKeyField(
        "baoxue.StaffAccount",
        related_name="absence_follow_ups",
        null=True,
        on_delete=fields.SET_NULL,
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attendance_follow_up"
        indexes = (("school_id", "day"),)
        ordering = ["-day", "-recorded_at"]


class SchoolClosure(Model):
    """学校停课: days a school adds to the county calendar on which it holds no classes
    (weather, an epidemic, a local event). No attendance is taken and no rule counts them."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="school_closures", on_delete=fields.CASCADE
    )
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="closures", on_delete=fields.CASCADE, db_index=True
    )
    first_day = fields.DateField(description="停课第一天")
    last_day = fields.DateField(description="停课最后一天")
    reason = fields.CharField(max_length=255, description="停课原因")
    created_by = fields.ForeignKeyField(
        "baoxue.StaffAccount", related_name="school_closures", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attendance_school_closure"
        ordering = ["-first_day"]


class AttendanceAlert(Model):
    """考勤预警: a child crossed an absence rule on ``day``. ``case`` is the suspected-dropout
    case it opened or reopened, ``evidence`` the unexplained absences that crossed the rule (a
    list of objects with day and kind). Later runs count only absences after ``last_day``, so
    the same absences never catch a child twice."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="attendance_alerts", on_delete=fields.CASCADE
    )
    school = fields.ForeignKeyField(
        "baoxue.School", related_name="attendance_alerts", null=True, on_delete=fields.SET_NULL
    )
    child = fields.ForeignKeyField(
        "baoxue.Child", related_name="attendance_alerts", on_delete=fields.CASCADE
    )
    case = fields.ForeignKeyField(
        "baoxue.Case", related_name="attendance_alerts", null=True, on_delete=fields.SET_NULL
    )
    day = fields.DateField(description="触发日期 (检查的日期)")
    rule_code = fields.CharField(max_length=48, description="触发的规则代码")
    rule_name = fields.CharField(max_length=128, description="触发的规则名称")
    key_period = fields.CharField(max_length=48, default="", description="所在重点时段代码")
    first_day = fields.DateField(description="证据中最早的缺勤日期")
    last_day = fields.DateField(description="证据中最晚的缺勤日期")
    absences = fields.IntField(description="计入的无故缺勤天数")
    evidence = fields.JSONField(description="计入的缺勤记录")
    reopened = fields.BooleanField(default=False, description="是否重新打开了已有个案 (反弹)")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attendance_alert"
        unique_together = (("child", "day"),)
        indexes = (("jurisdiction_id", "day"),)
        ordering = ["-day"]
