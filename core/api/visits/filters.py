"""Filter input of the home-visits list."""

from __future__ import annotations

import strawberry

from core.api.context import Info
from core.api.enums import HomeVisitKind, KeyGroup
from core.api.filters import DateRange, date_range, division_code, existing_id, members
from core.jurisdictions import models as jmodels
from core.officials.models import Official
from core.people.models import Child
from core.schools.models import School
from core.visits import queries


@strawberry.input(
    name="HomeVisitFilter",
    description="家访列表的筛选条件: 所有给出的条件同时成立; 列表型条件表示满足其一即可",
)
class HomeVisitFilterInput:
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="被访儿童户所在乡镇/街道 (Town 的 ID)"
    )
    village: strawberry.ID | None = strawberry.field(
        default=None, description="被访儿童户所在村/社区 (Village 的 ID)"
    )
    school: strawberry.ID | None = strawberry.field(
        default=None, description="被访儿童当前学籍校 (School 的 ID)"
    )
    child: strawberry.ID | None = strawberry.field(
        default=None, description="被访儿童 (Child 的 ID)"
    )
    visitor: strawberry.ID | None = strawberry.field(
        default=None, description="家访人 (Official 的 ID)"
    )
    kinds: list[HomeVisitKind] | None = strawberry.field(
        default=None, description="家访类别, 满足其一 (如 师访万家 TEACHERS_VISIT_HOMES)"
    )
    key_groups: list[KeyGroup] | None = strawberry.field(
        default=None, description="被访儿童所属重点群体, 属于其一即可"
    )
    visited_on: DateRange | None = strawberry.field(default=None, description="家访日期范围")
    follow_up_needed: bool | None = strawberry.field(
        default=None, description="true: 需要跟进的; false: 不需要的"
    )
    for_case: bool | None = strawberry.field(
        default=None, description="true: 为个案所做 (劝返家访); false: 个案之外的家访"
    )

    async def to_domain(self, info: Info, prefix: str = "filter") -> queries.HomeVisitFilter:
        """The domain filter, after checking every value (``INVALID_FILTER`` otherwise)."""
        f = f"{prefix}."
        visited_from, visited_to = date_range(self.visited_on, f + "visitedOn")
        return queries.HomeVisitFilter(
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            village_id=await existing_id(
                info, self.village, "Village", jmodels.Village, f + "village"
            ),
            school_id=await existing_id(info, self.school, "School", School, f + "school"),
            child_id=await existing_id(info, self.child, "Child", Child, f + "child"),
            visitor_id=await existing_id(info, self.visitor, "Official", Official, f + "visitor"),
            kinds=members(self.kinds),
            key_groups=members(self.key_groups),
            visited_from=visited_from,
            visited_to=visited_to,
            follow_up_needed=self.follow_up_needed,
            for_case=self.for_case,
        )
