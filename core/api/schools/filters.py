"""Filter input of the schools list."""

from __future__ import annotations

import strawberry

from core.api.context import Info
from core.api.enums import SchoolKind
from core.api.filters import division_code, existing_id, invalid, members, search_text
from core.jurisdictions import models as jmodels
from core.schools import queries


@strawberry.input(
    name="SchoolFilter",
    description="学校列表的筛选条件: 所有给出的条件同时成立; 列表型条件表示满足其一即可",
)
class SchoolFilterInput:
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="所在乡镇/街道 (Town 的 ID)"
    )
    village: strawberry.ID | None = strawberry.field(
        default=None, description="所在村/社区 (Village 的 ID)"
    )
    school_group: strawberry.ID | None = strawberry.field(
        default=None, description="所属学区/督导责任区 (SchoolGroup 的 ID)"
    )
    kinds: list[SchoolKind] | None = strawberry.field(
        default=None, description="学校类别, 满足其一"
    )
    code: str | None = strawberry.field(default=None, description="学校标识码 (10位), 精确匹配")
    name_contains: str | None = strawberry.field(
        default=None, description="校名包含此文字, 1–32 个字符"
    )

    async def to_domain(self, info: Info, prefix: str = "filter") -> queries.SchoolFilter:
        f = f"{prefix}."
        code = self.code.strip() if self.code is not None else None
        if code is not None and not (len(code) == 10 and code.isdigit()):
            raise invalid(f + "code", "学校标识码须为 10 位数字", "a school code has 10 digits")
        return queries.SchoolFilter(
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            village_id=await existing_id(
                info, self.village, "Village", jmodels.Village, f + "village"
            ),
            school_group_id=await existing_id(
                info, self.school_group, "SchoolGroup", jmodels.SchoolGroup, f + "schoolGroup"
            ),
            kinds=members(self.kinds),
            code=code,
            name_contains=search_text(self.name_contains, f + "nameContains"),
        )
