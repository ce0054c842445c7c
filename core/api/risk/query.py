"""The lists of children at risk: ``childrenAtRisk`` and ``unattendedHighRiskChildren``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.enums import RiskLevel
from core.api.filters import (
    After,
    Before,
    First,
    Last,
    division_code,
    existing_id,
    ints_within,
    members,
)
from core.api.pagination import Connection, page_of
from core.api.people.types import Child
from core.china_time import local_date
from core.jurisdictions import models as jmodels
from core.officials import models as omodels
from core.risk import services
from core.schools import models as smodels


@strawberry.input(
    name="ChildrenAtRiskFilter",
    description="风险儿童列表的筛选条件: 所有给出的条件同时成立",
)
class ChildrenAtRiskFilterInput:
    levels: list[RiskLevel] | None = strawberry.field(
        default=None, description="风险等级, 满足其一 (默认: 关注与高风险)"
    )
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位; 账号只属一县时可省略)"
    )
    school: strawberry.ID | None = strawberry.field(
        default=None, description="当前学籍校 (School 的 ID)"
    )
    school_class: strawberry.ID | None = strawberry.field(
        default=None, description="当前班级 (SchoolClass 的 ID)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="当前学籍校所在乡镇/街道 (Town 的 ID)"
    )
    grades: list[int] | None = strawberry.field(
        default=None, description="当前年级 (1–9), 满足其一"
    )
    responsible_official: strawberry.ID | None = strawberry.field(
        default=None, description="包人责任人 (Official 的 ID; 双线四包: 科任教师包人)"
    )
    responsible_to_me: bool | None = strawberry.field(
        default=None, description="true: 只列由本账号所关联的教职工包人的儿童"
    )
    has_open_case: bool | None = strawberry.field(
        default=None, description="true: 有在办个案; false: 没有在办个案"
    )
    visited_recently: bool | None = strawberry.field(
        default=None,
        description="true: 最近 visitDays 天 (规则集所定) 内有家访; false: 没有",
    )

    async def to_domain(self, info: Info, base: services.RiskFilter) -> services.RiskFilter:
        f = "filter."
        return services.RiskFilter(
            levels=members(self.levels) or base.levels,
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            school_id=await existing_id(info, self.school, "School", smodels.School, f + "school"),
            school_class_id=await existing_id(
                info, self.school_class, "SchoolClass", smodels.SchoolClass, f + "schoolClass"
            ),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            grades=ints_within(self.grades, f + "grades", 1, 9),
            responsible_id=await existing_id(
                info,
                self.responsible_official,
                "Official",
                omodels.Official,
                f + "responsibleOfficial",
            ),
            responsible_to_me=bool(self.responsible_to_me),
            has_open_case=self.has_open_case
            if self.has_open_case is not None
            else base.has_open_case,
            visited_recently=(
                self.visited_recently
                if self.visited_recently is not None
                else base.visited_recently
            ),
        )


async def _page(
    info: Info,
    flt: services.RiskFilter,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Child]:
    today = local_date(info.context.now())
    qs, _ = await services.children_at_risk(info.context.caller, flt, today)
    return await page_of(info, qs, first=first, after=after, last=last, before=before)


@strawberry.type
class RiskQuery:
    @strawberry.field(
        description="辍学风险儿童 (本人范围内, 分页): 按风险分值从高到低, 再按姓名、ID; "
        "每名儿童的 risk 字段说明命中的规则与数值"
    )
    async def children_at_risk(
        self,
        info: Info,
        filter: Annotated[
            ChildrenAtRiskFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Child]:
        base = services.RiskFilter()
        flt = await filter.to_domain(info, base) if filter else base
        return await _page(info, flt, first, after, last, before)

    @strawberry.field(
        description="无人跟进的高风险儿童: 高风险、没有在办个案、最近 visitDays 天 (规则集所定) "
        "内没有家访; 供学校与包人教师使用 (可按学校、班级、包人责任人筛选)"
    )
    async def unattended_high_risk_children(
        self,
        info: Info,
        filter: Annotated[
            ChildrenAtRiskFilterInput | None,
            strawberry.argument(
                description="筛选条件 (等级、在办个案与家访三项已定, 给出时须与之相同)"
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Child]:
        base = services.UNATTENDED
        flt = await filter.to_domain(info, base) if filter else base
        if (flt.levels, flt.has_open_case, flt.visited_recently) != (
            base.levels,
            base.has_open_case,
            base.visited_recently,
        ):
            from core.api.filters import invalid

            raise invalid(
                "filter",
                "本列表只含高风险、无在办个案、近期无家访的儿童; 其他条件请用 childrenAtRisk",
                "this list is HIGH, no open case, no recent visit; use childrenAtRisk otherwise",
            )
        return await _page(info, flt, first, after, last, before)
