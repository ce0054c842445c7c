"""The GraphQL schema: the domains' queries composed into one ``Query``, with limits."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from core.api.access.mutations import AccessMutation
from core.api.access.query import AccessQuery
from core.api.access.types import ApiKey, AuditEntry
from core.api.assistance.mutations import AssistanceMutation
from core.api.assistance.types import Assistance
from core.api.audit_extension import AuditExtension
from core.api.cases.deadlines import CaseDeadlineQuery
from core.api.cases.mutations import CaseMutation
from core.api.cases.query import CaseQuery
from core.api.cases.types import Case, CaseAttachment, CaseEvent
from core.api.enrolment.types import Enrolment, EnrolmentChange
from core.api.errors import MaskInternalErrors
from core.api.jurisdictions.query import JurisdictionQuery
from core.api.jurisdictions.types import Jurisdiction, SchoolGroup, Town, Village
from core.api.limits import QueryCostLimiter
from core.api.node import NodeQuery, localise_descriptions
from core.api.officials.query import OfficialQuery
from core.api.officials.types import Official, ResponsibilityAssignment, SchoolLeadershipGroup
from core.api.people.query import PeopleQuery
from core.api.people.types import Child, Guardian, Household
from core.api.schools.query import SchoolQuery
from core.api.schools.types import School, SchoolClass
from core.api.visits.mutations import VisitMutation
from core.api.visits.query import VisitQuery
from core.api.visits.types import HomeVisit, SupportPlan
from core.settings import Settings, load_settings

Query = merge_types(
    "Query",
    (
        NodeQuery,
        JurisdictionQuery,
        SchoolQuery,
        PeopleQuery,
        CaseQuery,
        CaseDeadlineQuery,
        VisitQuery,
        OfficialQuery,
        AccessQuery,
    ),
)

Mutation = merge_types(
    "Mutation", (AccessMutation, CaseMutation, VisitMutation, AssistanceMutation)
)

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
    CaseAttachment,
    Assistance,
    HomeVisit,
    SupportPlan,
    Official,
    ResponsibilityAssignment,
    SchoolLeadershipGroup,
    ApiKey,
    AuditEntry,
]


#: Distinct query texts whose parsed and validated form is kept (front ends send few).
PARSE_AND_VALIDATION_CACHE = 512


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """A schema with the depth, alias, token and cost limits ``settings`` asks for."""
    settings = settings or load_settings()
    # The depth and alias rules are built once, so that validation results can be cached per
    # query text (a new rule class per request would miss the cache every time).
    limit_rules = (
        QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules
        + MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules
    )
    schema = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=[
            lambda: AddValidationRules(limit_rules),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=PARSE_AND_VALIDATION_CACHE),
            lambda: ValidationCache(maxsize=PARSE_AND_VALIDATION_CACHE),
            lambda: QueryCostLimiter(
                settings.max_query_cost, settings.default_page_size, settings.max_query_cost_agency
            ),
            AuditExtension,
            MaskInternalErrors,
            *([] if settings.introspection else [DisableIntrospection]),
        ],
    )
    localise_descriptions(schema._schema)
    return schema


@lru_cache(maxsize=1)
def default_schema() -> strawberry.Schema:
    return build_schema()
