"""Queries of children and households."""

from __future__ import annotations

import strawberry
from strawberry import relay

from core.api.context import Info
from core.api.errors import ApiError, ErrorCode
from core.api.pagination import Connection, paginate
from core.api.people.types import Child
from core.people.queries import ChildFilter, children_queryset
from core.schools.models import School


def _local_id(global_id: relay.GlobalID | None, expected: str, argument: str) -> str | None:
    if global_id is None:
        return None
    if global_id.type_name != expected:
        raise ApiError(
            ErrorCode.INVALID_FILTER,
            f"{argument} 须为 {expected} 的 ID",
            f"'{argument}' must be the id of a {expected}",
            field=argument,
        )
    return global_id.node_id


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="适龄儿童少年列表 (分页)")
    async def children(
        self,
        info: Info,
        jurisdiction_code: str | None = None,
        school: relay.GlobalID | None = None,
        name_contains: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Child]:
        school_id = _local_id(school, "School", "school")
        school_uuid = None
        if school_id is not None:
            row = await info.context.loaders.by_id(School).load(school_id)
            if row is None:
                raise ApiError(
                    ErrorCode.INVALID_FILTER, "学校不存在", "no such school", field="school"
                )
            school_uuid = row.id
        qs = children_queryset(
            ChildFilter(
                jurisdiction_code=jurisdiction_code,
                school_id=school_uuid,
                name_contains=name_contains,
            )
        )
        settings = info.context.settings
        return await paginate(
            qs,
            first=first,
            after=after,
            last=last,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        )
