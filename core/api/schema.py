"""The GraphQL schema: the domains' queries composed into one ``Query``, with limits."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types

from core.api.access.account_mutations import AccountMutation
from core.api.access.mutations import AccessMutation
from core.api.access.query import AccessQuery
from core.api.access.types import ApiKey, AuditEntry, StaffAccount
from core.api.assistance.mutations import AssistanceMutation
from core.api.assistance.types import Assistance
from core.api.attendance.mutations import AttendanceMutation
from core.api.attendance.query import AttendanceQuery
from core.api.attendance.types import (
    AbsenceFollowUp,
    AttendanceAlert,
    AttendanceRecord,
    ClassAttendanceDay,
    SchoolClosure,
)
from core.api.audit_extension import AuditExtension, audited
from core.api.cases.deadlines import CaseDeadlineQuery
from core.api.cases.mutations import CaseMutation
from core.api.cases.query import CaseQuery
from core.api.cases.types import Case, CaseAttachment, CaseEvent
from core.api.enrolment.mutations import EnrolmentMutation
from core.api.enrolment.types import Enrolment, EnrolmentChange
from core.api.errors import MaskInternalErrors
from core.api.events.live import LiveSubscription
from core.api.events.mutations import InboxMutation
from core.api.events.publishing import PublishCommitted
from core.api.events.query import InboxQuery
from core.api.events.types import InboxItem
from core.api.events.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMutation,
    WebhookQuery,
)
from core.api.fastpath import FastPath
from core.api.files.mutations import FileMutation
from core.api.files.types import FileAttachment
from core.api.get_policy import PersonalDataNeedsPost
from core.api.imports.mutations import ImportMutation
from core.api.imports.query import ImportQuery
from core.api.imports.types import ComparisonResult, ComparisonRun, ImportJob
from core.api.input_limits import InputLimits
from core.api.jurisdictions.query import JurisdictionQuery
from core.api.jurisdictions.types import Jurisdiction, SchoolGroup, Town, Village
from core.api.limits import QueryCostLimiter
from core.api.metrics.query import MetricsQuery
from core.api.node import NodeQuery, localise_descriptions
from core.api.officials.query import OfficialQuery
from core.api.officials.types import Official, ResponsibilityAssignment, SchoolLeadershipGroup
from core.api.people.mutations import RegistryMutation
from core.api.people.query import PeopleQuery
from core.api.people.types import Child, Guardian, Household
from core.api.reports.mutations import ReportMutation
from core.api.reports.query import ReportQuery
from core.api.reports.types import ReportSnapshot
from core.api.risk.query import RiskQuery
from core.api.schools.query import SchoolQuery
from core.api.schools.types import School, SchoolClass
from core.api.tracing import tracing_extension
from core.api.visits.mutations import VisitMutation
from core.api.visits.plans import PlanMutation, PlanQuery
from core.api.visits.query import VisitQuery
from core.api.visits.types import HomeVisit, PlacementAssessment, SchoolPlan, SupportPlan
from core.api.websocket_guard import WebSocketGuard
from core.log_redaction import remembering, request_values
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
        MetricsQuery,
        VisitQuery,
        PlanQuery,
        OfficialQuery,
        AccessQuery,
        ReportQuery,
        RiskQuery,
        ImportQuery,
        AttendanceQuery,
        InboxQuery,
        WebhookQuery,
    ),
)

#: Every mutation is audited as it executes (core.api.audit_extension).
Mutation = audited(
    merge_types(
        "Mutation",
        (
            AccessMutation,
            AccountMutation,
            CaseMutation,
            VisitMutation,
            AssistanceMutation,
            RegistryMutation,
            EnrolmentMutation,
            FileMutation,
            PlanMutation,
            ReportMutation,
            AttendanceMutation,
            ImportMutation,
            InboxMutation,
            WebhookMutation,
        ),
    )
)

#: Subscriptions run over WebSocket (graphql-transport-ws): see core.api.events.live.
Subscription = LiveSubscription

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
    FileAttachment,
    Assistance,
    HomeVisit,
    SupportPlan,
    PlacementAssessment,
    SchoolPlan,
    Official,
    ResponsibilityAssignment,
    SchoolLeadershipGroup,
    ApiKey,
    AuditEntry,
    StaffAccount,
    ReportSnapshot,
    ImportJob,
    ClassAttendanceDay,
    AttendanceRecord,
    AbsenceFollowUp,
    SchoolClosure,
    AttendanceAlert,
    ComparisonRun,
    ComparisonResult,
    InboxItem,
    WebhookEndpoint,
    WebhookDelivery,
    WebhookAttempt,
]


class BaoxueSchema(strawberry.Schema):
    """Strawberry's schema with Baoxue's error logging.

    Strawberry logs every error with the query text (passwords and ID numbers included) and a
    traceback; here an operation that failed logs one line on ``baoxue.errors`` naming the
    error codes and paths, no values and no traceback. Unexpected errors keep their
    traceback, logged where they are masked (:class:`core.api.errors.MaskInternalErrors`).
    While an operation runs, its variable values and string literals are kept out of every
    log line (:mod:`core.log_redaction`).
    """

    async def execute(self, query: str | None, variable_values: Any = None, *args, **kwargs):  # type: ignore[override]
        with remembering(request_values(query, variable_values)):
            return await super().execute(query, variable_values, *args, **kwargs)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        codes = [_code(e) for e in errors]
        paths = [".".join(str(p) for p in e.path) for e in errors if e.path]
        context = getattr(execution_context, "context", None)
        _errors_log.info(
            "request failed" if any(c == "INTERNAL" for c in codes) else "request refused",
            extra={
                "request_id": getattr(context, "request_id", "-"),
                "operation": getattr(execution_context, "operation_name", None) or "-",
                "codes": ",".join(dict.fromkeys(codes)),
                "paths": ",".join(paths[:10]),
            },
        )


def _code(error: GraphQLError) -> str:
    """The code the client sees for ``error`` (errors come here before they are masked)."""
    code = (error.extensions or {}).get("code")
    original = error.original_error
    if code is None and original is not None:
        code = (getattr(original, "extensions", None) or {}).get("code")
        if code is None and not isinstance(original, GraphQLError):
            code = "INTERNAL"
    if code is None:
        syntax = error.message.startswith("Syntax Error")
        code = "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
    return str(code)


_errors_log = logging.getLogger("baoxue.errors")


class RecordOperation(SchemaExtension):
    """Tell the request log (:mod:`core.request_log`) and the metrics which operation ran: its
    name, or ``-`` for an anonymous operation or a document that did not parse."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if request is not None:
            try:
                name = context.operation_name
            except Exception:  # a document that did not parse names no operation
                name = None
            request.scope.setdefault("state", {})["operation"] = name or "-"


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
    schema = BaoxueSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=NODE_TYPES,
        extensions=[
            PublishCommitted,  # first in, last out: publishes once everything has committed
            RecordOperation,
            lambda: AddValidationRules(limit_rules),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=PARSE_AND_VALIDATION_CACHE),
            lambda: ValidationCache(maxsize=PARSE_AND_VALIDATION_CACHE),
            InputLimits,
            lambda: QueryCostLimiter(
                settings.max_query_cost,
                settings.default_page_size,
                settings.max_query_cost_agency,
                settings.max_page_size,
            ),
            WebSocketGuard,  # after the limits: a subscription they refused ends with their error
            PersonalDataNeedsPost,
            # after every limit above, which may answer (refuse) the request first
            *([FastPath] if settings.fast_path else []),
            AuditExtension,
            MaskInternalErrors,
            *([] if settings.introspection else [DisableIntrospection]),
            *([tracing_extension()] if settings.tracing else []),
        ],
    )
    localise_descriptions(schema._schema)
    return schema


@lru_cache(maxsize=1)
def default_schema() -> strawberry.Schema:
    return build_schema()
