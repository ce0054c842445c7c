"""The GraphQL schema: the domains' queries composed into one ``Query``, with limits."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from strawberry import relay
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from core.api.cases.types import Case, CaseEvent
from core.api.context import Info
from core.api.enrolment.types import Enrolment, EnrolmentChange
from core.api.errors import ApiError, ErrorCode, MaskInternalErrors
from core.api.jurisdictions.query import JurisdictionQuery
from core.api.jurisdictions.types import Jurisdiction, SchoolGroup, Town, Village
from core.api.node import resolve_global_ids
from core.api.officials.types import Official
from core.api.people.query import PeopleQuery
from core.api.people.types import Child, Guardian, Household
from core.api.schools.query import SchoolQuery
from core.api.schools.types import School, SchoolClass
from core.settings import Settings, load_settings


@strawberry.type
class NodeQuery:
    @strawberry.field(description="按全局 ID 取任一对象 (不存在或无权查看时为 null)")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        return (await resolve_global_ids(info, [id]))[0]

    @strawberry.field(description="按全局 ID 批量取对象, 顺序与输入一致")
    async def nodes(self, info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
        if len(ids) > MAX_NODES:
            raise ApiError(
                ErrorCode.PAGE_SIZE,
                f"一次最多取 {MAX_NODES} 个对象",
                f"at most {MAX_NODES} ids per request",
                field="ids",
            )
        return await resolve_global_ids(info, ids)


MAX_NODES = 100


Query = merge_types("Query", (NodeQuery, JurisdictionQuery, SchoolQuery, PeopleQuery))

#: Every type reachable through ``node(id:)``, listed so the SDL always contains them.
NODE_TYPES = [
    Jurisdiction,
    Town,
    Village,
    SchoolGroup,
    School,
    SchoolClass,
    Household,
    Guardian,
    Child,
    Enrolment,
    EnrolmentChange,
    Case,
    CaseEvent,
    Official,
]


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """A schema with the depth, alias and token limits ``settings`` asks for."""
    settings = settings or load_settings()
    return strawberry.Schema(
        query=Query,
        types=NODE_TYPES,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            MaskInternalErrors,
        ],
    )


@lru_cache(maxsize=1)
def default_schema() -> strawberry.Schema:
    return build_schema()
