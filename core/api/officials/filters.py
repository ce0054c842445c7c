"""Filter inputs of the officials and responsibility-assignment lists."""

from __future__ import annotations

import strawberry

from core.api.context import Info
from core.api.enums import Duty, ResponsibilityLine
from core.api.filters import division_code, existing_id, members, search_text
from core.jurisdictions import models as jmodels
from core.officials import queries
from core.officials.models import Official
from core.people.models import Child
from core.schools import models as smodels


@strawberry.input(name="OfficialFilter", description="人员列表的筛选条件: 所有给出的条件同时成立")
class OfficialFilterInput:
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位)"
    )
    school: strawberry.ID | None = strawberry.field(
        default=None, description="任职学校 (School 的 ID)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="所在乡镇/街道 (Town 的 ID)"
    )
    name_contains: str | None = strawberry.field(
        default=None, description="姓名包含此文字, 1–32 个字符"
    )

    async def to_domain(self, info: Info, prefix: str = "filter") -> queries.OfficialFilter:
        f = f"{prefix}."
        return queries.OfficialFilter(
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            school_id=await existing_id(info, self.school, "School", smodels.School, f + "school"),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            name_contains=search_text(self.name_contains, f + "nameContains"),
        )


@strawberry.input(
    name="ResponsibilityAssignmentFilter",
    description="责任分工列表的筛选条件: 所有给出的条件同时成立; 列表型条件表示满足其一即可",
)
class AssignmentFilterInput:
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位)"
    )
    official: strawberry.ID | None = strawberry.field(
        default=None, description="责任人 (Official 的 ID)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="负责的乡镇/街道 (Town 的 ID)"
    )
    village: strawberry.ID | None = strawberry.field(
        default=None, description="负责的村/社区 (Village 的 ID; 包村)"
    )
    school_group: strawberry.ID | None = strawberry.field(
        default=None, description="负责的学区或督导责任区 (SchoolGroup 的 ID)"
    )
    school: strawberry.ID | None = strawberry.field(
        default=None, description="负责的学校 (School 的 ID)"
    )
    school_class: strawberry.ID | None = strawberry.field(
        default=None, description="负责的班级 (SchoolClass 的 ID)"
    )
    child: strawberry.ID | None = strawberry.field(
        default=None, description="负责的儿童 (Child 的 ID)"
    )
    lines: list[ResponsibilityLine] | None = strawberry.field(
        default=None, description="责任线, 满足其一"
    )
    duties: list[Duty] | None = strawberry.field(default=None, description="分工, 满足其一")

    async def to_domain(self, info: Info, prefix: str = "filter") -> queries.AssignmentFilter:
        f = f"{prefix}."
        return queries.AssignmentFilter(
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            official_id=await existing_id(
                info, self.official, "Official", Official, f + "official"
            ),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            village_id=await existing_id(
                info, self.village, "Village", jmodels.Village, f + "village"
            ),
            school_group_id=await existing_id(
                info, self.school_group, "SchoolGroup", jmodels.SchoolGroup, f + "schoolGroup"
            ),
            school_id=await existing_id(info, self.school, "School", smodels.School, f + "school"),
            school_class_id=await existing_id(
                info, self.school_class, "SchoolClass", smodels.SchoolClass, f + "schoolClass"
            ),
            child_id=await existing_id(info, self.child, "Child", Child, f + "child"),
            lines=members(self.lines),
            duties=members(self.duties),
        )
