"""Filter and order inputs of the cases list and the case statistics.

To add a condition: add a field to :class:`CaseFilterInput` (with a Chinese description), a
field to :class:`core.cases.queries.CaseFilter` and its clause in ``filter_cases``, and map one
to the other in :meth:`CaseFilterInput.to_domain`. Conditions that belong to another module may
instead be passed as ``extra`` Q objects.
"""

from __future__ import annotations

import strawberry

from core.api.context import Info
from core.api.enums import CaseKind, CaseSource, CaseState
from core.api.filters import (
    DateTimeRange,
    IntRange,
    OrderDirection,
    datetime_range,
    division_code,
    existing_id,
    int_range,
    ints_within,
    invalid,
    members,
)
from core.cases import queries
from core.cases.deadlines import escalation_due_q
from core.cases.enums import CaseReason
from core.jurisdictions import models as jmodels
from core.jurisdictions.models import KeyAreaKind
from core.people.enums import KeyGroup
from core.people.models import Child
from core.rules.enums import SchoolStage
from core.schools.models import School

#: Highest escalation level a filter may name (chains in the documents have at most 5 levels).
MAX_ESCALATION_LEVEL = 20

_REASON_CODES = ", ".join(f"{r.value} ({r.label})" for r in CaseReason)


@strawberry.input(
    name="CaseFilter",
    description="个案列表与统计的筛选条件: 所有给出的条件同时成立; 列表型条件表示满足其一即可",
)
class CaseFilterInput:
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="儿童户所在乡镇/街道 (Town 的 ID)"
    )
    village: strawberry.ID | None = strawberry.field(
        default=None, description="儿童户所在村/社区 (Village 的 ID)"
    )
    school: strawberry.ID | None = strawberry.field(
        default=None, description="学籍校 (School 的 ID)"
    )
    child: strawberry.ID | None = strawberry.field(default=None, description="儿童 (Child 的 ID)")
    kinds: list[CaseKind] | None = strawberry.field(default=None, description="个案类别, 满足其一")
    states: list[CaseState] | None = strawberry.field(default=None, description="状态, 满足其一")
    sources: list[CaseSource] | None = strawberry.field(default=None, description="来源, 满足其一")
    reasons: list[str] | None = strawberry.field(
        default=None, description=f"辍学原因代码, 满足其一. 核心代码: {_REASON_CODES}"
    )
    is_open: bool | None = strawberry.field(
        default=None, description="true: 未结 (状态非终态); false: 已结"
    )
    overdue: bool | None = strawberry.field(
        default=None, description="true: 逾期 (未结且下一时限已过); false: 未逾期"
    )
    escalation_due: bool | None = strawberry.field(
        default=None,
        description="true: 应上报上一级 (本级劝返时限已过且未到最高一级); false: 其余",
    )
    escalation_level: IntRange | None = strawberry.field(
        default=None, description=f"责任层级范围 (0–{MAX_ESCALATION_LEVEL}, 0 为第一级)"
    )
    opened_at: DateTimeRange | None = strawberry.field(default=None, description="立案时间范围")
    closed_at: DateTimeRange | None = strawberry.field(default=None, description="结案时间范围")
    next_deadline_at: DateTimeRange | None = strawberry.field(
        default=None, description="下一时限范围"
    )
    updated_at: DateTimeRange | None = strawberry.field(
        default=None, description="最近更新时间范围"
    )
    grades: list[int] | None = strawberry.field(
        default=None, description="儿童当前学籍所在年级 (1–9), 满足其一"
    )
    stages: list[SchoolStage] | None = strawberry.field(
        default=None,
        description="儿童当前学籍所在学段, 满足其一 (如 初中 = 7–9 年级); "
        "与 grades 同时给出时须同时成立",
    )
    key_groups: list[KeyGroup] | None = strawberry.field(
        default=None, description="儿童所属重点群体, 属于其一即可"
    )
    key_areas: list[KeyAreaKind] | None = strawberry.field(
        default=None,
        description="儿童户所在村/社区或乡镇/街道属于这些重点地区类别之一 (农村、边远、民族等)",
    )

    async def to_domain(self, info: Info, prefix: str = "filter") -> queries.CaseFilter:
        """The domain filter, after checking every value (``INVALID_FILTER`` otherwise)."""
        f = f"{prefix}."
        level_min, level_max = int_range(
            self.escalation_level, f + "escalationLevel", 0, MAX_ESCALATION_LEVEL
        )
        opened = datetime_range(self.opened_at, f + "openedAt")
        closed = datetime_range(self.closed_at, f + "closedAt")
        deadline = datetime_range(self.next_deadline_at, f + "nextDeadlineAt")
        updated = datetime_range(self.updated_at, f + "updatedAt")
        reasons = tuple(dict.fromkeys(r.strip().upper() for r in self.reasons or ()))
        for code in reasons:
            if not code or len(code) > 32:
                raise invalid(
                    f + "reasons", "原因代码须为 1–32 个字符", "codes have 1–32 characters"
                )
        return queries.CaseFilter(
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            village_id=await existing_id(
                info, self.village, "Village", jmodels.Village, f + "village"
            ),
            school_id=await existing_id(info, self.school, "School", School, f + "school"),
            child_id=await existing_id(info, self.child, "Child", Child, f + "child"),
            kinds=members(self.kinds),
            states=members(self.states),
            sources=members(self.sources),
            reasons=reasons,
            is_open=self.is_open,
            overdue=self.overdue,
            escalation_level_min=level_min,
            escalation_level_max=level_max,
            opened_from=opened[0],
            opened_to=opened[1],
            closed_from=closed[0],
            closed_to=closed[1],
            deadline_from=deadline[0],
            deadline_to=deadline[1],
            updated_from=updated[0],
            updated_to=updated[1],
            grades=ints_within(self.grades, f + "grades", 1, 9),
            stage_grades=tuple(sorted({g for s in members(self.stages) for g in s.grades})),
            key_groups=members(self.key_groups),
            key_areas=members(self.key_areas),
            extra=(
                ()
                if self.escalation_due is None
                else (await escalation_due_q(info.context.now(), self.escalation_due),)
            ),
        )


@strawberry.input(name="CaseOrder", description="个案列表的排序")
class CaseOrderInput:
    field: queries.CaseOrderField = strawberry.field(description="排序字段")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="排序方向 (默认升序)"
    )
