"""GraphQL types of attendance: a class's register for a day, the records of children not
present, the corrections kept, the same-day follow-up calls, school closures and rule alerts.

Nested lists are loaded through the request's DataLoaders, so a page of days or records costs a
fixed number of statements whatever its size; every row is read in the caller's scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from core.access.scope import scoped
from core.api.context import Info
from core.api.enums import FollowUpOutcome, MarkKind
from core.api.node import ModelNode
from core.attendance import models
from core.cases import models as cmodels
from core.global_ids import encode_global_id
from core.people import models as pmodels
from core.schools import models as smodels

ChildType = Annotated["Child", strawberry.lazy("core.api.people.types")]
SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]
SchoolClassType = Annotated["SchoolClass", strawberry.lazy("core.api.schools.types")]
CaseType = Annotated["Case", strawberry.lazy("core.api.cases.types")]


def _follow_ups_loader(info: Info) -> Any:
    """Follow-up calls by ``"<child id>|<day>"``: one statement per batch of records."""

    async def load(keys: Sequence[str]) -> list[list[models.AbsenceFollowUp]]:
        pairs = [k.split("|") for k in keys]
        children = list({c for c, _ in pairs})
        days = list({datetime.date.fromisoformat(d) for _, d in pairs})
        grouped: dict[str, list[models.AbsenceFollowUp]] = defaultdict(list)
        query = scoped(models.AbsenceFollowUp, info.context.caller).filter(
            child_id__in=children, day__in=days
        )
        for row in await query.order_by("recorded_at"):
            grouped[f"{row.child_id}|{row.day.isoformat()}"].append(row)
        return [grouped.get(k, []) for k in keys]

    return info.context.loaders.custom("attendance_follow_ups", load)


@strawberry.type(
    name="AttendanceRecord", description="考勤记录: 某学生某日缺勤 (病假、事假、无故) 或迟到"
)
class AttendanceRecord(ModelNode):
    model: ClassVar = models.AttendanceMark
    id: relay.NodeID[str]
    day: datetime.date = strawberry.field(name="date", description="考勤日期")
    kind: MarkKind = strawberry.field(description="考勤情况")
    note: str = strawberry.field(description="说明 (可为空字符串)")

    @strawberry.field(description="是否缺勤 (迟到不算缺勤)")
    def is_absence(self) -> bool:
        return models.MarkKind(self.kind).is_absence

    @strawberry.field(description="学生")
    async def child(self, info: Info) -> ChildType | None:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="所属的班级考勤日")
    async def class_day(self, info: Info) -> ClassAttendanceDay | None:
        return await info.context.loaders.by_id(models.ClassDay).load(self.class_day_id)

    @strawberry.field(description="当日对监护人的跟踪联系 (无故缺勤时, 按登记时间)")
    async def follow_ups(self, info: Info) -> list[AbsenceFollowUp]:
        key = f"{self.child_id}|{self.day.isoformat()}"
        return await _follow_ups_loader(info).load(key)  # type: ignore[return-value]


@strawberry.type(name="AttendanceRevisionMark", description="被更正版本中的一条考勤记录")
class AttendanceRevisionMark:
    child_id: strawberry.ID = strawberry.field(description="学生 (Child 的 ID)")
    kind: MarkKind = strawberry.field(description="考勤情况")
    note: str = strawberry.field(description="说明")


@strawberry.type(name="ClassAttendanceRevision", description="考勤更正历史: 当日被更正前的一个版本")
class ClassAttendanceRevision:
    row: strawberry.Private[models.ClassDayRevision]

    @strawberry.field(description="被替换的版本号")
    def version(self) -> int:
        return self.row.version

    @strawberry.field(description="应到人数")
    def expected(self) -> int:
        return self.row.expected

    @strawberry.field(description="实到人数 (含迟到)")
    def present(self) -> int:
        return self.row.present

    @strawberry.field(description="缺勤人数")
    def absent(self) -> int:
        return self.row.absent

    @strawberry.field(description="迟到人数")
    def late(self) -> int:
        return self.row.late

    @strawberry.field(description="该版本的登记人")
    def recorded_by_name(self) -> str:
        return self.row.recorded_by_name

    @strawberry.field(description="该版本的登记时间")
    def recorded_at(self) -> datetime.datetime:
        return self.row.recorded_at

    @strawberry.field(description="被更正的时间")
    def replaced_at(self) -> datetime.datetime:
        return self.row.replaced_at

    @strawberry.field(description="该版本的考勤记录")
    def marks(self) -> list[AttendanceRevisionMark]:
        return [
            AttendanceRevisionMark(
                child_id=strawberry.ID(encode_global_id("Child", m["childId"])),
                kind=models.MarkKind(m["kind"]),
                note=m.get("note", ""),
            )
            for m in self.row.marks or []
        ]


@strawberry.type(
    name="ClassAttendanceDay", description="班级考勤日: 某班某个上学日的考勤 (当前版本)"
)
class ClassAttendanceDay(ModelNode):
    model: ClassVar = models.ClassDay
    id: relay.NodeID[str]
    day: datetime.date = strawberry.field(name="date", description="考勤日期")
    expected: int = strawberry.field(description="应到人数 (登记时本班在读学生数)")
    present: int = strawberry.field(description="实到人数 (含迟到)")
    absent: int = strawberry.field(description="缺勤人数")
    late: int = strawberry.field(description="迟到人数")
    version: int = strawberry.field(description="版本号: 当日更正时可作 expectedVersion 提交")
    recorded_by_name: str = strawberry.field(description="登记人")
    recorded_at: datetime.datetime = strawberry.field(description="本版本的登记时间")

    @strawberry.field(description="班级")
    async def school_class(self, info: Info) -> SchoolClassType | None:
        return await info.context.loaders.by_id(smodels.SchoolClass).load(self.school_class_id)

    @strawberry.field(description="学校")
    async def school(self, info: Info) -> SchoolType | None:
        return await info.context.loaders.by_id(smodels.School).load(self.school_id)

    @strawberry.field(description="未正常出勤的学生 (缺勤或迟到; 其余在读学生均为出勤)")
    async def records(self, info: Info) -> list[AttendanceRecord]:
        loader = info.context.loaders.many(models.AttendanceMark, "class_day_id")
        return await loader.load(self.id)  # type: ignore[return-value]

    @strawberry.field(description="当日被更正前的各版本 (按版本号)")
    async def revisions(self, info: Info) -> list[ClassAttendanceRevision]:
        loader = info.context.loaders.many(models.ClassDayRevision, "class_day_id")
        rows = await loader.load(self.id)
        return [ClassAttendanceRevision(row=r) for r in sorted(rows, key=lambda r: r.version)]


@strawberry.type(
    name="AbsenceFollowUp", description="缺勤当日跟踪: 谁联系了无故缺勤学生的监护人, 结果如何"
)
class AbsenceFollowUp(ModelNode):
    model: ClassVar = models.AbsenceFollowUp
    id: relay.NodeID[str]
    day: datetime.date = strawberry.field(name="date", description="缺勤日期")
    caller_name: str = strawberry.field(description="联系人 (谁联系的监护人)")
    contacted: str = strawberry.field(description="联系到的监护人及关系 (可为空字符串)")
    outcome: FollowUpOutcome = strawberry.field(description="跟踪结果")
    note: str = strawberry.field(description="情况说明")
    recorded_at: datetime.datetime = strawberry.field(description="登记时间")

    @strawberry.field(description="学生")
    async def child(self, info: Info) -> ChildType | None:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)


@strawberry.type(name="SchoolClosure", description="学校停课: 学校在校历之外不上课的日子")
class SchoolClosure(ModelNode):
    model: ClassVar = models.SchoolClosure
    id: relay.NodeID[str]
    first_day: datetime.date = strawberry.field(description="停课第一天")
    last_day: datetime.date = strawberry.field(description="停课最后一天")
    reason: str = strawberry.field(description="停课原因")
    created_at: datetime.datetime = strawberry.field(description="登记时间")

    @strawberry.field(description="学校")
    async def school(self, info: Info) -> SchoolType | None:
        return await info.context.loaders.by_id(smodels.School).load(self.school_id)


@strawberry.type(
    name="AttendanceAlert",
    description="考勤预警: 学生某日达到考勤预警规则, 据此立案或重新打开个案 (证据为所计的无故缺勤)",
)
class AttendanceAlert(ModelNode):
    model: ClassVar = models.AttendanceAlert
    id: relay.NodeID[str]
    day: datetime.date = strawberry.field(name="date", description="触发日期")
    rule_code: str = strawberry.field(description="触发的规则代码 (见 CountyRules.absenceRules)")
    rule_name: str = strawberry.field(description="触发的规则名称")
    key_period: str = strawberry.field(description="所在重点时段代码 (全学期规则为空字符串)")
    first_day: datetime.date = strawberry.field(description="所计缺勤的第一天")
    last_day: datetime.date = strawberry.field(description="所计缺勤的最后一天")
    absences: int = strawberry.field(description="所计的无故缺勤天数")
    reopened: bool = strawberry.field(description="是否重新打开了已复学/跟踪中/已销号的个案 (反弹)")

    @strawberry.field(description="所计的无故缺勤日期 (证据)")
    def evidence_days(self) -> list[datetime.date]:
        return [datetime.date.fromisoformat(e["day"]) for e in self.evidence or []]

    @strawberry.field(description="学生")
    async def child(self, info: Info) -> ChildType | None:
        return await info.context.loaders.by_id(pmodels.Child).load(self.child_id)

    @strawberry.field(description="据此立案或重新打开的个案 (无权查看个案时为空)")
    async def case(self, info: Info) -> CaseType | None:
        if self.case_id is None:
            return None
        return await info.context.loaders.by_id(cmodels.Case).load(self.case_id)
