"""Mutations of the 学户册: children, households and guardians created, corrected, moved, merged.

Resolvers parse global ids once and call :mod:`core.people.services` with the caller (the
services own authorisation, the transaction, the version check and the validation); a
:class:`~core.errors.DomainError` becomes a :class:`RegistryError` in the payload. An input
field left out of an update keeps its value; ``null`` clears a field that may be empty.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry import relay

from core.access.enums import Permission
from core.api.context import Info
from core.api.enums import (
    DisabilityCategory,
    EnrolmentChangeKind,
    ErrorCode,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.api.errors import Localised, in_payload
from core.api.ids import parse_global_id
from core.api.people.types import Child, Guardian, Household
from core.api.permissions import require
from core.errors import DomainError
from core.people import services

T = TypeVar("T")


@strawberry.type(
    description="学户册/学籍操作的错误: 代码、字段、说明, 以及便于客户端处理的附加信息"
)
class RegistryError(Localised):
    code: ErrorCode = strawberry.field(description="错误代码")
    field: str | None = strawberry.field(description="出错的输入字段 (camelCase), 可空")
    current_version: int | None = strawberry.field(
        default=None, description="CONFLICT 时: 记录当前的版本号"
    )
    existing_child: strawberry.ID | None = strawberry.field(
        default=None,
        description="DUPLICATE 时: 已使用该号码的儿童的 ID (仅当您有权查看该儿童)",
    )
    allowed_changes: list[EnrolmentChangeKind] | None = strawberry.field(
        default=None, description="INVALID_TRANSITION (学籍异动) 时: 当前学籍状态允许的异动"
    )

    @classmethod
    def from_exception(cls, exc: DomainError) -> RegistryError:
        allowed = exc.allowed_actions
        return cls(
            code=exc.code,
            field=exc.field,
            zh=exc.zh,
            en=exc.en,
            current_version=exc.current_version,
            existing_child=(
                strawberry.ID(str(relay.GlobalID("Child", str(exc.existing_id))))
                if exc.existing_id
                else None
            ),
            allowed_changes=list(allowed) if allowed is not None else None,  # type: ignore[arg-type]
        )


async def refused(call: Callable[[], Awaitable[T]]) -> tuple[T | None, list[RegistryError]]:
    """``(result, [])``, or ``(None, [error])`` when the service refused."""
    try:
        return await call(), []
    except DomainError as exc:
        return None, [RegistryError.from_exception(in_payload(exc))]


def keep(value: Any, convert: Callable[[Any], Any] | None = None) -> Any:
    """An input field as a service reads it: left out → ``KEEP``; else converted."""
    if value is strawberry.UNSET:
        return services.KEEP
    if convert is not None and value is not None:
        return convert(value)
    return value


def write_of(info: Info, *permissions: Permission) -> services.Write:
    caller = require(info, *permissions)  # who asks comes before what they sent
    return services.Write(caller=caller, now=info.context.now(), audit=info.context.write_audit)


_IDEMPOTENCY = "幂等键 (8–128 字符, 建议 UUID): 重试同一请求时返回第一次创建的记录"
_VERSION = "读取到的版本号 (version); 与当前版本不符时返回 CONFLICT 且不做任何修改"


# -- inputs ------------------------------------------------------------------------------------


@strawberry.input(description="重点群体认定: 哪一群体, 谁认定 (来源), 自何时起")
class KeyGroupClaimInput:
    group: KeyGroup = strawberry.field(description="重点群体")
    source: str | None = strawberry.field(
        default=None, description="认定来源 (如 民政局困境儿童名单、扶贫系统监测户名单)"
    )
    since: datetime.date | None = strawberry.field(default=None, description="认定日期 (默认今天)")


@strawberry.input(description="登记儿童 (学户册)")
class CreateChildInput:
    name: str = strawberry.field(description="姓名")
    gender: Gender = strawberry.field(description="性别")
    birth_date: datetime.date = strawberry.field(description="出生日期")
    id_number: str | None = strawberry.field(
        default=None, description="身份证号 (校验码、出生日期与性别位须与所填一致)"
    )
    student_number: str | None = strawberry.field(default=None, description="学籍号")
    ethnicity: str | None = strawberry.field(default=None, description="民族 (默认汉族)")
    disability_category: DisabilityCategory | None = strawberry.field(
        default=None, description="残疾类别"
    )
    disability_grade: int | None = strawberry.field(default=None, description="残疾等级 (1–4)")
    household_id: strawberry.ID | None = strawberry.field(default=None, description="所属户")
    key_groups: list[KeyGroupClaimInput] | None = strawberry.field(
        default=None, description="重点群体 (含认定来源与日期)"
    )
    jurisdiction_id: strawberry.ID | None = strawberry.field(
        default=None, description="县级行政区 (默认为登录者所属的县; 系统调用时必填)"
    )
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEMPOTENCY)


@strawberry.input(description="更正儿童信息: 只改给出的字段; 给 null 清空可为空的字段")
class UpdateChildInput:
    id: strawberry.ID = strawberry.field(description="儿童 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    name: str | None = strawberry.field(default=strawberry.UNSET, description="姓名")
    gender: Gender | None = strawberry.field(default=strawberry.UNSET, description="性别")
    birth_date: datetime.date | None = strawberry.field(
        default=strawberry.UNSET, description="出生日期"
    )
    id_number: str | None = strawberry.field(default=strawberry.UNSET, description="身份证号")
    student_number: str | None = strawberry.field(default=strawberry.UNSET, description="学籍号")
    ethnicity: str | None = strawberry.field(default=strawberry.UNSET, description="民族")
    disability_category: DisabilityCategory | None = strawberry.field(
        default=strawberry.UNSET, description="残疾类别"
    )
    disability_grade: int | None = strawberry.field(
        default=strawberry.UNSET, description="残疾等级 (1–4)"
    )


@strawberry.input(description="把儿童迁到另一户 (householdId 为 null: 不属于任何户)")
class MoveChildInput:
    id: strawberry.ID = strawberry.field(description="儿童 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    household_id: strawberry.ID | None = strawberry.field(description="迁入的户")


@strawberry.input(description="认定或失效重点群体 (记录来源与日期, 便于名册比对时增减)")
class SetChildKeyGroupsInput:
    id: strawberry.ID = strawberry.field(description="儿童 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    add: list[KeyGroupClaimInput] | None = strawberry.field(
        default=None, description="新增或重新认定的群体"
    )
    end: list[KeyGroup] | None = strawberry.field(default=None, description="失效的群体")
    ended_on: datetime.date | None = strawberry.field(
        default=None, description="失效日期 (默认今天)"
    )


@strawberry.input(description="标记重复登记并合并: 重复记录的个案、学籍与历史归入保留的记录")
class MergeChildrenInput:
    survivor_id: strawberry.ID = strawberry.field(description="保留的记录 (Child 的 ID)")
    survivor_version: int = strawberry.field(description="保留记录读取到的版本号")
    duplicate_id: strawberry.ID = strawberry.field(description="重复登记的记录 (Child 的 ID)")
    duplicate_version: int = strawberry.field(description="重复记录读取到的版本号")
    reason: str | None = strawberry.field(default=None, description="合并原因")


@strawberry.input(description="登记户")
class CreateHouseholdInput:
    head_name: str = strawberry.field(description="户主姓名")
    registered_address: str | None = strawberry.field(default=None, description="户籍地址")
    current_address: str | None = strawberry.field(default=None, description="现住址")
    village_id: strawberry.ID | None = strawberry.field(
        default=None, description="所在村/社区 (乡镇干部登记时必填, 须在本乡镇)"
    )
    poverty_status: PovertyStatus | None = strawberry.field(default=None, description="帮扶身份")
    is_low_income: bool | None = strawberry.field(default=None, description="是否低保户")
    migration_status: MigrationStatus | None = strawberry.field(
        default=None, description="外出/流动情况"
    )
    jurisdiction_id: strawberry.ID | None = strawberry.field(
        default=None, description="县级行政区 (默认为登录者所属的县; 系统调用时必填)"
    )
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEMPOTENCY)


@strawberry.input(description="更正户的信息: 只改给出的字段")
class UpdateHouseholdInput:
    id: strawberry.ID = strawberry.field(description="户 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    head_name: str | None = strawberry.field(default=strawberry.UNSET, description="户主姓名")
    registered_address: str | None = strawberry.field(
        default=strawberry.UNSET, description="户籍地址"
    )
    current_address: str | None = strawberry.field(default=strawberry.UNSET, description="现住址")
    village_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="所在村/社区"
    )
    poverty_status: PovertyStatus | None = strawberry.field(
        default=strawberry.UNSET, description="帮扶身份"
    )
    is_low_income: bool | None = strawberry.field(
        default=strawberry.UNSET, description="是否低保户"
    )
    migration_status: MigrationStatus | None = strawberry.field(
        default=strawberry.UNSET, description="外出/流动情况"
    )


@strawberry.input(description="登记监护人")
class CreateGuardianInput:
    household_id: strawberry.ID = strawberry.field(description="所属户")
    name: str = strawberry.field(description="姓名")
    relation: GuardianRelation = strawberry.field(description="与儿童的关系")
    phone: str | None = strawberry.field(default=None, description="联系电话")
    id_number: str | None = strawberry.field(default=None, description="身份证号")
    works_away: bool | None = strawberry.field(default=None, description="是否外出务工")
    is_primary: bool | None = strawberry.field(
        default=None, description="是否主要监护人 (设为是时, 本户其他监护人改为否)"
    )
    idempotency_key: str | None = strawberry.field(default=None, description=_IDEMPOTENCY)


@strawberry.input(description="更正监护人信息: 只改给出的字段")
class UpdateGuardianInput:
    id: strawberry.ID = strawberry.field(description="监护人 ID")
    expected_version: int = strawberry.field(description=_VERSION)
    name: str | None = strawberry.field(default=strawberry.UNSET, description="姓名")
    relation: GuardianRelation | None = strawberry.field(
        default=strawberry.UNSET, description="与儿童的关系"
    )
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="联系电话")
    id_number: str | None = strawberry.field(default=strawberry.UNSET, description="身份证号")
    works_away: bool | None = strawberry.field(default=strawberry.UNSET, description="是否外出务工")
    is_primary: bool | None = strawberry.field(
        default=strawberry.UNSET, description="是否主要监护人"
    )


# -- payloads ----------------------------------------------------------------------------------


@strawberry.type(description="儿童登记/更正的结果")
class ChildPayload:
    child: Child | None = strawberry.field(description="儿童 (出错时为空)")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")
    replayed: bool = strawberry.field(
        default=False, description="是否为重试: 同一幂等键此前已创建该记录"
    )


@strawberry.type(description="合并重复登记的结果")
class MergeChildrenPayload:
    child: Child | None = strawberry.field(description="保留的记录")
    duplicate: Child | None = strawberry.field(description="并入的重复记录 (mergedInto 指向保留的)")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type(description="户登记/更正的结果")
class HouseholdPayload:
    household: Household | None = strawberry.field(description="户 (出错时为空)")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")
    replayed: bool = strawberry.field(
        default=False, description="是否为重试: 同一幂等键此前已创建该记录"
    )


@strawberry.type(description="监护人登记/更正的结果")
class GuardianPayload:
    guardian: Guardian | None = strawberry.field(description="监护人 (出错时为空)")
    errors: list[RegistryError] = strawberry.field(description="错误 (成功时为空)")
    replayed: bool = strawberry.field(
        default=False, description="是否为重试: 同一幂等键此前已创建该记录"
    )


def _claims(items: list[KeyGroupClaimInput] | None) -> tuple[services.KeyGroupClaim, ...]:
    return tuple(
        services.KeyGroupClaim(group=c.group, source=c.source or "", since=c.since)
        for c in items or ()
    )


def _fresh(info: Info, row: Any) -> Any:
    if row is not None:
        info.context.loaders.by_id(type(row)).prime(str(row.pk), row, force=True)
    return row


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(description="登记儿童 (学户册); 身份证号须与出生日期、性别一致")
    async def create_child(self, info: Info, input: CreateChildInput) -> ChildPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.create_child(
                services.NewChild(
                    write=write,
                    fields=services.ChildFields(
                        name=input.name,
                        gender=input.gender,
                        birth_date=input.birth_date,
                        id_number=input.id_number,
                        student_number=input.student_number,
                        ethnicity=input.ethnicity,
                        disability_category=input.disability_category,
                        disability_grade=input.disability_grade,
                        household_id=parse_global_id(
                            input.household_id, "Household", "householdId"
                        ),
                    ),
                    key_groups=_claims(input.key_groups),
                    jurisdiction_id=parse_global_id(
                        input.jurisdiction_id, "Jurisdiction", "jurisdictionId"
                    ),
                    idempotency_key=input.idempotency_key,
                )
            )

        result, errors = await refused(call)
        if result is None:
            return ChildPayload(child=None, errors=errors)
        child, replayed = result
        return ChildPayload(child=_fresh(info, child), errors=[], replayed=replayed)

    @strawberry.mutation(description="更正儿童信息 (姓名、性别、出生日期、身份证号、学籍号等)")
    async def update_child(self, info: Info, input: UpdateChildInput) -> ChildPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.update_child(
                write,
                parse_global_id(input.id, "Child", "id"),
                input.expected_version,
                services.ChildFields(
                    name=keep(input.name),
                    gender=keep(input.gender),
                    birth_date=keep(input.birth_date),
                    id_number=keep(input.id_number),
                    student_number=keep(input.student_number),
                    ethnicity=keep(input.ethnicity),
                    disability_category=keep(input.disability_category),
                    disability_grade=keep(input.disability_grade),
                ),
            )

        child, errors = await refused(call)
        return ChildPayload(child=_fresh(info, child), errors=errors)

    @strawberry.mutation(description="把儿童迁到另一户")
    async def move_child_to_household(self, info: Info, input: MoveChildInput) -> ChildPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.move_child(
                write,
                parse_global_id(input.id, "Child", "id"),
                input.expected_version,
                parse_global_id(input.household_id, "Household", "householdId"),
            )

        child, errors = await refused(call)
        return ChildPayload(child=_fresh(info, child), errors=errors)

    @strawberry.mutation(description="认定或失效儿童的重点群体 (含来源与日期)")
    async def set_child_key_groups(self, info: Info, input: SetChildKeyGroupsInput) -> ChildPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.set_key_groups(
                write,
                parse_global_id(input.id, "Child", "id"),
                input.expected_version,
                add=_claims(input.add),
                end=tuple(input.end or ()),
                ended_on=input.ended_on,
            )

        child, errors = await refused(call)
        return ChildPayload(child=_fresh(info, child), errors=errors)

    @strawberry.mutation(
        description="标记重复登记并合并: 个案、学籍及其异动、家访、资助、帮扶计划归入保留的记录; "
        "两条记录的历史都保留"
    )
    async def merge_children(self, info: Info, input: MergeChildrenInput) -> MergeChildrenPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.merge_children(
                write,
                survivor_id=parse_global_id(input.survivor_id, "Child", "survivorId"),
                survivor_version=input.survivor_version,
                duplicate_id=parse_global_id(input.duplicate_id, "Child", "duplicateId"),
                duplicate_version=input.duplicate_version,
                reason=input.reason or "",
            )

        result, errors = await refused(call)
        if result is None:
            return MergeChildrenPayload(child=None, duplicate=None, errors=errors)
        survivor, duplicate = result
        return MergeChildrenPayload(
            child=_fresh(info, survivor), duplicate=_fresh(info, duplicate), errors=[]
        )

    @strawberry.mutation(description="登记户 (户主、户籍地址、现住址、村/社区、帮扶身份)")
    async def create_household(self, info: Info, input: CreateHouseholdInput) -> HouseholdPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.create_household(
                services.NewHousehold(
                    write=write,
                    fields=services.HouseholdFields(
                        head_name=input.head_name,
                        registered_address=input.registered_address,
                        current_address=input.current_address,
                        village_id=parse_global_id(input.village_id, "Village", "villageId"),
                        poverty_status=input.poverty_status,
                        is_low_income=input.is_low_income,
                        migration_status=input.migration_status,
                    ),
                    jurisdiction_id=parse_global_id(
                        input.jurisdiction_id, "Jurisdiction", "jurisdictionId"
                    ),
                    idempotency_key=input.idempotency_key,
                )
            )

        result, errors = await refused(call)
        if result is None:
            return HouseholdPayload(household=None, errors=errors)
        household, replayed = result
        return HouseholdPayload(household=_fresh(info, household), errors=[], replayed=replayed)

    @strawberry.mutation(description="更正户的信息")
    async def update_household(self, info: Info, input: UpdateHouseholdInput) -> HouseholdPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.update_household(
                write,
                parse_global_id(input.id, "Household", "id"),
                input.expected_version,
                services.HouseholdFields(
                    head_name=keep(input.head_name),
                    registered_address=keep(input.registered_address),
                    current_address=keep(input.current_address),
                    village_id=keep(
                        input.village_id, lambda v: parse_global_id(v, "Village", "villageId")
                    ),
                    poverty_status=keep(input.poverty_status),
                    is_low_income=keep(input.is_low_income),
                    migration_status=keep(input.migration_status),
                ),
            )

        household, errors = await refused(call)
        return HouseholdPayload(household=_fresh(info, household), errors=errors)

    @strawberry.mutation(description="登记监护人")
    async def create_guardian(self, info: Info, input: CreateGuardianInput) -> GuardianPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.create_guardian(
                services.NewGuardian(
                    write=write,
                    household_id=parse_global_id(input.household_id, "Household", "householdId"),
                    fields=services.GuardianFields(
                        name=input.name,
                        relation=input.relation,
                        phone=input.phone,
                        id_number=input.id_number,
                        works_away=input.works_away,
                        is_primary=input.is_primary,
                    ),
                    idempotency_key=input.idempotency_key,
                )
            )

        result, errors = await refused(call)
        if result is None:
            return GuardianPayload(guardian=None, errors=errors)
        guardian, replayed = result
        return GuardianPayload(guardian=_fresh(info, guardian), errors=[], replayed=replayed)

    @strawberry.mutation(description="更正监护人信息")
    async def update_guardian(self, info: Info, input: UpdateGuardianInput) -> GuardianPayload:
        write = write_of(info, Permission.WRITE_ROSTER)

        async def call() -> Any:
            return await services.update_guardian(
                write,
                parse_global_id(input.id, "Guardian", "id"),
                input.expected_version,
                services.GuardianFields(
                    name=keep(input.name),
                    relation=keep(input.relation),
                    phone=keep(input.phone),
                    id_number=keep(input.id_number),
                    works_away=keep(input.works_away),
                    is_primary=keep(input.is_primary),
                ),
            )

        guardian, errors = await refused(call)
        return GuardianPayload(guardian=_fresh(info, guardian), errors=errors)


__all__ = ["RegistryError", "RegistryMutation", "keep", "refused", "write_of"]
