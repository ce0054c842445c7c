"""Inputs shared by every list's filter and order, and the checks that turn them into
domain filters.

Every problem with a filter value is an :class:`~core.errors.DomainError` with code
``INVALID_FILTER`` whose ``field`` names the input field (``filter.school``), never a 500.
Ids in filters are global ids (the ``id`` a node has); a malformed id, the id of another type
or the id of nothing are all reported the same way.
"""

from __future__ import annotations

import datetime
import re
import uuid
from enum import Enum
from typing import Annotated, Any

import strawberry
from tortoise.models import Model

from core.access.enums import Permission
from core.api.context import Info
from core.api.ids import parse_global_id
from core.api.permissions import require_caller
from core.errors import DomainError, ErrorCode

#: Longest text a name search may carry; shortest is one non-blank character.
MAX_SEARCH_LENGTH = 32


@strawberry.enum(description="排序方向")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="升序 (从小到大, 从早到晚)")
    DESC = strawberry.enum_value("DESC", description="降序 (从大到小, 从晚到早)")

    @property
    def descending(self) -> bool:
        return self is OrderDirection.DESC


@strawberry.input(description="日期范围 (含两端); 任一端可省略")
class DateRange:
    gte: datetime.date | None = strawberry.field(default=None, description="起始日期 (含), 即 ≥")
    lte: datetime.date | None = strawberry.field(default=None, description="截止日期 (含), 即 ≤")


@strawberry.input(description="时间范围 (含两端, 带时区的 ISO 8601); 任一端可省略")
class DateTimeRange:
    gte: datetime.datetime | None = strawberry.field(
        default=None, description="起始时间 (含), 即 ≥"
    )
    lte: datetime.datetime | None = strawberry.field(
        default=None, description="截止时间 (含), 即 ≤"
    )


@strawberry.input(description="整数范围 (含两端); 任一端可省略")
class IntRange:
    gte: int | None = strawberry.field(default=None, description="最小值 (含), 即 ≥")
    lte: int | None = strawberry.field(default=None, description="最大值 (含), 即 ≤")


def invalid(field: str, zh: str, en: str) -> DomainError:
    """The error every bad filter value gives."""
    return DomainError(ErrorCode.INVALID_FILTER, f"{field}: {zh}", f"{field}: {en}", field=field)


def require_unmasked(info: Info, field: str, value: Any) -> None:
    """Refuse a filter or ordering on a field that is masked for this caller.

    A filter on a value the caller sees masked answers yes or no about the hidden part
    (``headNameContains: "余志强"`` confirms a masked 余**), and so does an ordering by it; both
    need ``READ_PERSONAL_DETAILS``, the permission to see the field unmasked. ``field`` is the
    input path reported with the FORBIDDEN error (``filter.headNameContains``).
    """
    if value is None:
        return
    if require_caller(info).can(Permission.READ_PERSONAL_DETAILS):
        return
    permission = Permission.READ_PERSONAL_DETAILS
    raise DomainError(
        ErrorCode.FORBIDDEN,
        f"{field}: 按打码字段筛选或排序需要 {permission.value} ({permission.label}) 权限",
        f"{field}: filtering or ordering on a masked field needs the {permission.value} permission",
        field=field,
    )


async def existing_id(
    info: Info, value: str | None, type_name: str, model: type[Model], field: str
) -> uuid.UUID | None:
    """The row id of ``value``, a global id of ``type_name`` (:func:`core.api.ids.parse_global_id`),
    and the row must exist (loaded through the request's DataLoader, so the row is cached for
    the rest of the request)."""
    row_id = parse_global_id(value, type_name, field, code=ErrorCode.INVALID_FILTER)
    if row_id is None:
        return None
    if await info.context.loaders.by_id(model).load(row_id) is None:
        raise invalid(field, f"{type_name} 不存在", f"no {type_name} has this id")
    return row_id


def date_range(
    value: DateRange | None, field: str
) -> tuple[datetime.date | None, datetime.date | None]:
    if value is None:
        return None, None
    if value.gte is not None and value.lte is not None and value.gte > value.lte:
        raise invalid(field, "起始日期晚于截止日期", "'gte' is after 'lte'")
    return value.gte, value.lte


def datetime_range(
    value: DateTimeRange | None, field: str
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    if value is None:
        return None, None
    for name in ("gte", "lte"):
        moment = getattr(value, name)
        if moment is not None and moment.tzinfo is None:
            raise invalid(
                f"{field}.{name}",
                "须带时区, 如 2026-03-01T08:00:00+08:00",
                "needs a time zone, e.g. 2026-03-01T08:00:00+08:00",
            )
    if value.gte is not None and value.lte is not None and value.gte > value.lte:
        raise invalid(field, "起始时间晚于截止时间", "'gte' is after 'lte'")
    return value.gte, value.lte


def int_range(
    value: IntRange | None, field: str, lowest: int, highest: int
) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    for name in ("gte", "lte"):
        bound = getattr(value, name)
        if bound is not None and not lowest <= bound <= highest:
            raise invalid(
                f"{field}.{name}",
                f"须在 {lowest} 到 {highest} 之间, 实为 {bound}",
                f"must be between {lowest} and {highest}, got {bound}",
            )
    if value.gte is not None and value.lte is not None and value.gte > value.lte:
        raise invalid(field, "最小值大于最大值", "'gte' is greater than 'lte'")
    return value.gte, value.lte


def ints_within(values: list[int] | None, field: str, lowest: int, highest: int) -> tuple[int, ...]:
    if not values:
        return ()
    for v in values:
        if not lowest <= v <= highest:
            raise invalid(
                field,
                f"须在 {lowest} 到 {highest} 之间, 实为 {v}",
                f"must be between {lowest} and {highest}, got {v}",
            )
    return tuple(sorted(set(values)))


def division_code(value: str | None, field: str) -> str | None:
    """A 6-digit county division code (行政区划代码)."""
    if value is None:
        return None
    code = value.strip()
    if not (len(code) == 6 and code.isdigit()):
        raise invalid(field, "行政区划代码须为 6 位数字", "a division code has 6 digits")
    return code


_BLANK = re.compile(r"^\s*$")


def search_text(value: str | None, field: str) -> str | None:
    """A name search: stripped, one to :data:`MAX_SEARCH_LENGTH` characters."""
    if value is None:
        return None
    if _BLANK.match(value):
        raise invalid(field, "不能为空", "must not be blank")
    text = value.strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise invalid(
            field,
            f"最多 {MAX_SEARCH_LENGTH} 个字符",
            f"at most {MAX_SEARCH_LENGTH} characters",
        )
    return text


def members(values: list[Any] | None) -> tuple[Any, ...]:
    """A list of enum values as a de-duplicated tuple (empty when None)."""
    return tuple(dict.fromkeys(values or ()))


#: Argument annotations shared by every connection field.
First = Annotated[
    int | None,
    strawberry.argument(description="取前 N 条 (默认 20, 最多 100)"),
]
After = Annotated[str | None, strawberry.argument(description="从此游标之后开始取")]
Last = Annotated[int | None, strawberry.argument(description="取后 N 条 (最多 100)")]
Before = Annotated[str | None, strawberry.argument(description="取到此游标之前为止")]
