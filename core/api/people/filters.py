"""Filter and order inputs of the children and households lists."""

from __future__ import annotations

import strawberry
from tortoise.expressions import RawSQL
from tortoise.queryset import QuerySet

from core import child_lists
from core.access.enums import Permission
from core.api.context import Info
from core.api.enums import (
    CaseState,
    EnrolmentStatus,
    Gender,
    KeyAreaKind,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.api.filters import (
    DateRange,
    DateTimeRange,
    IntRange,
    OrderDirection,
    date_range,
    datetime_range,
    division_code,
    existing_id,
    int_range,
    ints_within,
    invalid,
    members,
    require_unmasked,
    search_text,
)
from core.china_time import local_date
from core.jurisdictions import models as jmodels
from core.people import queries
from core.people.models import Household
from core.people.resident_id import checked_resident_id
from core.schools import models as smodels

#: Widest age a filter may ask for: the 学户册 covers 0–18, with some slack.
MAX_AGE = 25


@strawberry.input(
    name="ChildFilter",
    description="儿童列表的筛选条件: 所有给出的条件同时成立; 列表型条件表示满足其一即可",
)
class ChildFilterInput:
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="户所在乡镇/街道 (Town 的 ID)"
    )
    village: strawberry.ID | None = strawberry.field(
        default=None, description="户所在村/社区 (Village 的 ID)"
    )
    household: strawberry.ID | None = strawberry.field(
        default=None, description="所属户 (Household 的 ID)"
    )
    school: strawberry.ID | None = strawberry.field(
        default=None, description="当前学籍校 (School 的 ID)"
    )
    school_class: strawberry.ID | None = strawberry.field(
        default=None, description="当前班级 (SchoolClass 的 ID)"
    )
    grades: list[int] | None = strawberry.field(
        default=None, description="当前年级 (1–9), 满足其一"
    )
    enrolment_statuses: list[EnrolmentStatus] | None = strawberry.field(
        default=None, description="当前学籍状态, 满足其一"
    )
    never_enrolled: bool | None = strawberry.field(
        default=None, description="true: 从未有过学籍 (适龄未入学); false: 有过学籍"
    )
    key_groups: list[KeyGroup] | None = strawberry.field(
        default=None, description="重点群体, 属于其一即可"
    )
    genders: list[Gender] | None = strawberry.field(default=None, description="性别, 满足其一")
    has_disability: bool | None = strawberry.field(
        default=None, description="true: 有残疾类别; false: 无"
    )
    age: IntRange | None = strawberry.field(
        default=None, description=f"今天的周岁年龄范围 (0–{MAX_AGE}, 按北京时间)"
    )
    birth_date: DateRange | None = strawberry.field(default=None, description="出生日期范围")
    has_open_case: bool | None = strawberry.field(
        default=None, description="true: 有未结个案; false: 没有"
    )
    case_states: list[CaseState] | None = strawberry.field(
        default=None, description="有处于这些状态之一的个案"
    )
    id_number: str | None = strawberry.field(
        default=None, description="身份证号, 精确匹配 (18位, 末位 X 不区分大小写)"
    )
    student_number: str | None = strawberry.field(default=None, description="学籍号, 精确匹配")
    name_starts_with: str | None = strawberry.field(
        default=None, description="姓名以此开头 (如姓氏), 1–32 个字符"
    )
    name_contains: str | None = strawberry.field(
        default=None, description="姓名包含此文字, 1–32 个字符"
    )
    search: str | None = strawberry.field(
        default=None,
        description="搜索框: 形如身份证号或学籍号时精确匹配二者, 否则按姓名包含匹配",
    )
    updated_at: DateTimeRange | None = strawberry.field(
        default=None, description="最近更新时间范围"
    )
    migration_statuses: list[MigrationStatus] | None = strawberry.field(
        default=None, description="户的外出/流动情况, 满足其一 (如 举家外出 WHOLE_FAMILY_AWAY)"
    )
    key_areas: list[KeyAreaKind] | None = strawberry.field(
        default=None,
        description="户所在村/社区或乡镇/街道属于这些重点地区类别之一 (农村、边远、民族等)",
    )

    async def to_domain(self, info: Info, prefix: str = "filter") -> child_lists.ChildFilter:
        """The domain filter, after checking every value (``INVALID_FILTER`` otherwise)."""
        f = f"{prefix}."
        today = local_date(info.context.now())
        min_age, max_age = int_range(self.age, f + "age", 0, MAX_AGE)
        age_from, age_to = queries.birth_dates_for_ages(min_age, max_age, today)
        born_from, born_to = date_range(self.birth_date, f + "birthDate")
        born_from = _tightest(max, born_from, age_from)
        born_to = _tightest(min, born_to, age_to)
        updated_from, updated_to = datetime_range(self.updated_at, f + "updatedAt")
        id_number = (
            checked_resident_id(
                self.id_number, field=f + "idNumber", today=today, prefix=f"{f}idNumber: "
            ).number
            if self.id_number is not None
            else None
        )
        student_number = self.student_number.strip() if self.student_number is not None else None
        searched = queries.normalise_id_number(self.search or "")
        numeric_search = queries.looks_like_resident_id(searched) or (
            queries.looks_like_student_number(searched)
        )
        # searching by ID number or 学籍号 would reveal what masking hides
        require_unmasked(info, f + "idNumber", id_number)
        require_unmasked(info, f + "studentNumber", student_number)
        require_unmasked(info, f + "search", self.search if numeric_search else None)
        if student_number is not None and not student_number:
            raise invalid(f + "studentNumber", "不能为空", "must not be blank")
        return child_lists.ChildFilter(
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            village_id=await existing_id(
                info, self.village, "Village", jmodels.Village, f + "village"
            ),
            household_id=await existing_id(
                info, self.household, "Household", Household, f + "household"
            ),
            school_id=await existing_id(info, self.school, "School", smodels.School, f + "school"),
            school_class_id=await existing_id(
                info, self.school_class, "SchoolClass", smodels.SchoolClass, f + "schoolClass"
            ),
            grades=ints_within(self.grades, f + "grades", 1, 9),
            enrolment_statuses=members(self.enrolment_statuses),
            never_enrolled=self.never_enrolled,
            key_groups=members(self.key_groups),
            genders=members(self.genders),
            has_disability=self.has_disability,
            birth_date_from=born_from,
            birth_date_to=born_to,
            has_open_case=self.has_open_case,
            case_states=members(self.case_states),
            id_number=id_number,
            student_number=student_number,
            name_starts_with=search_text(self.name_starts_with, f + "nameStartsWith"),
            name_contains=search_text(self.name_contains, f + "nameContains"),
            search=search_text(self.search, f + "search"),
            updated_from=updated_from,
            updated_to=updated_to,
            migration_statuses=members(self.migration_statuses),
            key_areas=members(self.key_areas),
        )


def _tightest(pick, *bounds):  # type: ignore[no-untyped-def]
    """The tighter of two optional bounds (``max`` for lower bounds, ``min`` for upper)."""
    given = [b for b in bounds if b is not None]
    return pick(given) if given else None


@strawberry.input(name="ChildOrder", description="儿童列表的排序")
class ChildOrderInput:
    field: child_lists.ChildOrderField = strawberry.field(description="排序字段")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="排序方向 (默认升序)"
    )


@strawberry.input(name="HouseholdFilter", description="户列表的筛选条件: 所有给出的条件同时成立")
class HouseholdFilterInput:
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (6位)"
    )
    town: strawberry.ID | None = strawberry.field(
        default=None, description="所在乡镇/街道 (Town 的 ID)"
    )
    village: strawberry.ID | None = strawberry.field(
        default=None, description="所在村/社区 (Village 的 ID)"
    )
    poverty_statuses: list[PovertyStatus] | None = strawberry.field(
        default=None, description="帮扶身份, 满足其一"
    )
    is_low_income: bool | None = strawberry.field(default=None, description="是否低保户")
    head_name_contains: str | None = strawberry.field(
        default=None, description="户主姓名包含此文字, 1–32 个字符"
    )
    migration_statuses: list[MigrationStatus] | None = strawberry.field(
        default=None, description="外出/流动情况, 满足其一 (如 举家外出 WHOLE_FAMILY_AWAY)"
    )

    async def to_domain(self, info: Info, prefix: str = "filter") -> child_lists.HouseholdFilter:
        f = f"{prefix}."
        require_unmasked(info, f + "headNameContains", self.head_name_contains)
        return child_lists.HouseholdFilter(
            jurisdiction_code=division_code(self.jurisdiction_code, f + "jurisdictionCode"),
            town_id=await existing_id(info, self.town, "Town", jmodels.Town, f + "town"),
            village_id=await existing_id(
                info, self.village, "Village", jmodels.Village, f + "village"
            ),
            poverty_statuses=members(self.poverty_statuses),
            is_low_income=self.is_low_income,
            head_name_contains=search_text(self.head_name_contains, f + "headNameContains"),
            migration_statuses=members(self.migration_statuses),
        )


def households_in_visible_order(info: Info, qs: QuerySet[Household]) -> QuerySet[Household]:
    """The households list in an order the caller may know: by the head's whole name with
    ``READ_PERSONAL_DETAILS``, otherwise by what the mask shows of it (the surname, see
    :func:`core.access.masking.mask_name`) and then the row id, so that the position of a row
    says nothing about the hidden part of the name."""
    if info.context.caller.can(Permission.READ_PERSONAL_DETAILS):
        return qs
    return qs.annotate(_shown_name=RawSQL("SUBSTR(head_name, 1, 1)")).order_by("_shown_name", "id")
