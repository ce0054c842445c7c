"""Row-level scope: for each model, the rows a caller may see, as a Tortoise queryset.

Every list, count, nested field and ``node(id:)`` starts from :func:`scoped`, so one function per
model decides visibility for the whole API. A caller with no scope sees nothing; the system
caller (CLI) sees everything.

How far each scope reaches:

* COUNTY - everything in the jurisdiction;
* TOWN - schools in the towns, children enrolled there or whose household lives there (户籍地),
  their cases, households and records;
* SCHOOL - the school, its classes, the children currently enrolled and their records;
* CLASS - the class and the children currently in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.access.caller import Caller, Scope
from core.access.enums import Permission, ScopeKind
from core.access.models import ApiKey, AuditEntry, StaffAccount
from core.assistance.models import Assistance
from core.attendance.models import (
    AbsenceFollowUp,
    AttendanceAlert,
    AttendanceMark,
    ClassDay,
    ClassDayRevision,
    SchoolClosure,
)
from core.cases.models import Case, CaseAttachment, CaseEvent
from core.enrolment.models import Enrolment, EnrolmentChange
from core.events.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.files.models import Attachment
from core.imports.models import ComparisonResult, ComparisonRun, ImportJob
from core.jurisdictions.models import Jurisdiction, KeyArea, SchoolGroup, Town, Village
from core.officials.models import (
    Official,
    ResponsibilityAssignment,
    SchoolLeadershipGroup,
    SchoolLeadershipSeat,
)
from core.people.models import Child, ChildKeyGroup, ChildMerge, Guardian, Household
from core.plugins import get_registry
from core.plugins.routing import UNDECLARED
from core.querysets import ids_of
from core.reports.models import ReportSnapshot, ReportSubmissionEvent
from core.rules.county import CountyRules
from core.schools.models import School, SchoolClass
from core.visits.models import HomeVisit, PlacementAssessment, SchoolPlan, SupportPlan

#: True while a scope is built for a query its caller narrows to a batch of keys (a
#: DataLoader's): see :func:`scoped_batch`.
_BATCH: ContextVar[bool] = ContextVar("baoxue_scope_batch", default=False)


def _nothing(qs: QuerySet[Any]) -> QuerySet[Any]:
    """An always-empty restriction (Tortoise has no ``none()``): ``WHERE 1=0``."""
    return qs.filter(pk__in=[])


def _child_ids(scope: Scope) -> Any:
    """Ids of the children a scope reaches, as a subquery (None = whole jurisdiction).

    For a town scope, a pair: the children currently enrolled in the towns' schools and the
    children whose household lives in the towns (see :func:`_town_sets`).
    """
    if scope.kind is ScopeKind.COUNTY:
        return None
    if scope.kind is ScopeKind.CLASS:
        return ids_of(Enrolment.filter(school_class_id=scope.class_id, is_current=True), "child_id")
    if scope.kind is ScopeKind.SCHOOL:
        return ids_of(Enrolment.filter(school_id=scope.school_id, is_current=True), "child_id")
    return _town_sets(scope)


def _town_sets(scope: Scope) -> tuple[Any, Any]:
    """The two id sets a town scope reaches: (children currently enrolled in the towns'
    schools, children whose household lives in the towns).

    Both read the stored town keys (``enrolment.town_id``, the school's town, and
    ``child.town_id``, the town of the household's village: migration 0015_town_key) through
    the indexes ``enrolment (town_id, is_current, child_id)`` and ``child (jurisdiction_id,
    town_id, …)``, so a statement reads the town's rows only. Deriving the towns in the
    statement (town → schools → current enrolments, town → villages → households → children)
    read every current enrolment and household of the county in every statement (1.4 s for a
    township's open cases at 100,000 pupils, 10 s at 1,000,000).
    """
    towns = list(scope.town_ids)
    living = ids_of(Child.filter(jurisdiction_id=scope.jurisdiction_id, town_id__in=towns), "id")
    return _enrolled_in_towns(scope), living


def _enrolled_in_towns(scope: Scope) -> Any:
    """The children currently enrolled in the town scope's schools (stored ``enrolment.town_id``,
    see :func:`_town_sets`), as a sub-select."""
    towns = list(scope.town_ids)
    return ids_of(Enrolment.filter(town_id__in=towns, is_current=True), "child_id")


def _children(qs: QuerySet[Any], scope: Scope, path: str = "") -> QuerySet[Any]:
    """Restrict ``qs`` (whose rows reach a child through ``path``) to the scope's children."""
    prefix = f"{path}__" if path else ""
    qs = qs.filter(**{f"{prefix}jurisdiction_id": scope.jurisdiction_id})
    if not path:  # the children themselves: both their towns are columns of theirs
        if scope.kind is ScopeKind.TOWN:
            towns = list(scope.town_ids)
            if _never_enrolled_only(qs):
                # no enrolment, so none in the towns' schools: the household's town decides
                return qs.filter(town_id__in=towns)
            return qs.filter(living_or_learning_in(scope.jurisdiction_id, towns))
        ids = _child_ids(scope)
        return qs if ids is None else qs.filter(id__in=ids)
    return _filter_children(qs, scope, f"{path}_id")


def living_or_learning_in(jurisdiction_id: Any, towns: list[Any]) -> Q:
    """A child whose household lives in the towns or whose current school is in them: the
    stored keys ``child.town_id`` and ``child.school_town_id`` (migrations 0015_town_key and
    0018_school_town_key), each branch with the county so that each is read from its index
    ``(jurisdiction_id, town_id | school_town_id, name, id)``: a ``BitmapOr`` on PostgreSQL,
    an OR of two index reads on SQLite.

    With the school's town only on the enrolment (``id IN`` the towns' current enrolments)
    PostgreSQL read the OR by a sequential scan of the county's children (124 ms for the
    count of a town's at 100,000 pupils, bench/README.md)."""
    return Q(jurisdiction_id=jurisdiction_id, town_id__in=towns) | Q(
        jurisdiction_id=jurisdiction_id, school_town_id__in=towns
    )


def _never_enrolled_only(qs: QuerySet[Any]) -> bool:
    """Whether ``qs`` (of children) keeps only children never enrolled: one of its top-level
    conditions (ANDed with the rest) is ``ever_enrolled=False``, the stored key the database
    keeps (migration 0015_town_key, checked by ``stale_scope_keys``).

    Such a child has no enrolment, so the town scope's "enrolled in the towns' schools" set
    adds none of them. Without that branch PostgreSQL reads the never-enrolled children of the
    range by ``(jurisdiction_id, ever_enrolled, birth_date)``; with it, it guessed the OR at
    half the county and walked the name index through 61,000 children for a page of the
    town's 113 (bench/README.md, "PostgreSQL plans of the town scope")."""
    for q in qs._q_objects:
        if q.join_type == "AND" and not q.children and not q._is_negated:
            if q.filters.get("ever_enrolled", True) is False:
                return True
    return False


def _filter_children(qs: QuerySet[Any], scope: Scope, field: str) -> QuerySet[Any]:
    """Restrict ``qs`` to the rows whose ``field`` (a child id column) names a child of the
    scope."""
    if scope.kind is ScopeKind.TOWN and _BATCH.get() and "__" not in field:
        rows = _TownRows(scope, qs.model._meta.db_table)
        return qs.filter(
            Q(**{f"{field}__in": rows.enrolled(field)}) | Q(**{f"{field}__in": rows.living(field)})
        )
    ids = _child_ids(scope)
    if ids is None:
        return qs
    if isinstance(ids, tuple):
        enrolled, living = ids
        return qs.filter(Q(**{f"{field}__in": enrolled}) | Q(**{f"{field}__in": living}))
    return qs.filter(**{f"{field}__in": ids})


class _TownRows:
    """A town scope checked row by row, for a batch of keys: correlated sub-selects that seek
    by the outer row's own columns (its child's current enrolment, its child's stored town),
    so a statement costs a few index seeks per row of the batch instead of the town's id sets
    (about 15,000 ids per town at 100,000 pupils) once per statement.

    Only ids (UUIDs, printed by :class:`uuid.UUID`) and table names go into the SQL text.
    """

    def __init__(self, scope: Scope, table: str) -> None:
        self.table = table
        self.towns = ", ".join(f"'{uuid.UUID(str(t))}'" for t in scope.town_ids) or "NULL"

    def _column(self, column: str) -> str:
        return f'"{self.table}"."{column}"'

    def enrolled(self, column: str) -> RawSQL:
        """The row's child, when currently enrolled in one of the towns' schools."""
        e = Enrolment._meta.db_table
        return RawSQL(
            f"(SELECT e.child_id FROM {e} e WHERE e.child_id = {self._column(column)} "
            f"AND e.is_current AND e.town_id IN ({self.towns}))"
        )

    def enrolled_home(self, column: str) -> RawSQL:
        """The row's household, when a child of it is currently enrolled in the towns."""
        c, e = Child._meta.db_table, Enrolment._meta.db_table
        return RawSQL(
            f"(SELECT c.household_id FROM {c} c JOIN {e} e ON e.child_id = c.id "
            f"WHERE c.household_id = {self._column(column)} AND e.is_current "
            f"AND e.town_id IN ({self.towns}))"
        )

    def living(self, column: str) -> RawSQL:
        """The row's child, when its household lives in the towns."""
        c = Child._meta.db_table
        return RawSQL(
            f"(SELECT c.id FROM {c} c WHERE c.id = {self._column(column)} "
            f"AND c.town_id IN ({self.towns}))"
        )


def _schools(qs: QuerySet[Any], scope: Scope, path: str = "") -> QuerySet[Any]:
    prefix = f"{path}__" if path else ""
    qs = qs.filter(**{f"{prefix}jurisdiction_id": scope.jurisdiction_id})
    if scope.kind is ScopeKind.TOWN:
        return qs.filter(**{f"{prefix}town_id__in": list(scope.town_ids)})
    if scope.kind is ScopeKind.SCHOOL:
        return qs.filter(**{f"{prefix}id": scope.school_id})
    if scope.kind is ScopeKind.CLASS:
        return qs.filter(**{f"{prefix}classes__id": scope.class_id})
    return qs


def _households(qs: QuerySet[Any], scope: Scope, path: str = "") -> QuerySet[Any]:
    prefix = f"{path}__" if path else ""
    qs = qs.filter(**{f"{prefix}jurisdiction_id": scope.jurisdiction_id})
    if scope.kind is ScopeKind.COUNTY:
        return qs
    if scope.kind is ScopeKind.TOWN:
        # the households living in the towns, children or not, and those of the children
        # enrolled in the towns' schools
        villages = ids_of(Village.filter(town_id__in=list(scope.town_ids)), "id")
        living = Q(**{f"{prefix}village_id__in": villages})
        id_field = f"{path}_id" if path else "id"
        if _BATCH.get():
            elsewhere: Any = _TownRows(scope, qs.model._meta.db_table).enrolled_home(id_field)
        else:
            elsewhere = ids_of(Child.filter(id__in=_enrolled_in_towns(scope)), "household_id")
        return qs.filter(living | Q(**{f"{id_field}__in": elsewhere}))
    children = _filter_children(Child.all(), scope, "id")
    return qs.filter(**{f"{prefix}id__in": ids_of(children, "household_id")})


def _cases(qs: QuerySet[Any], scope: Scope, caller: Caller, path: str = "") -> QuerySet[Any]:
    prefix = f"{path}__" if path else ""
    if not (caller.can(Permission.READ_CASES) or caller.can(Permission.READ_ESCALATED_CASES)):
        return _nothing(qs)
    qs = qs.filter(**{f"{prefix}jurisdiction_id": scope.jurisdiction_id})
    qs = _filter_children(qs, scope, f"{prefix}child_id")
    if not caller.can(Permission.READ_CASES):
        qs = qs.filter(_handed_to_township(prefix))
    return qs


def _handed_to_township(prefix: str) -> Q:
    """移交乡镇的个案: at or above the ``township_level`` of their county's escalation chain, or
    handed over because the family cannot be reached.

    The level comes from the county's rules (core's chain for a county no plugin declares), so
    the condition has one clause per distinct level, each naming its counties, and is a plain
    level comparison when every county hands cases over at the same level.
    """
    registry = get_registry()
    default = _first_case_level(registry.for_jurisdiction(UNDECLARED))
    declared = {
        spec.division_code: _first_case_level(registry.for_jurisdiction(spec.division_code))
        for spec in registry.jurisdictions()
    }
    levels = {default, *declared.values()}
    condition = Q(**{f"{prefix}state": "UNREACHABLE"})
    for level in levels - {None}:
        at_level = Q(**{f"{prefix}escalation_level__gte": level})
        if len(levels) > 1:  # counties differ: this clause holds for this level's counties
            others = [code for code, other in declared.items() if other != level]
            counties = (
                Jurisdiction.exclude(division_code__in=others)
                if level == default
                else Jurisdiction.filter(division_code__in=[c for c in declared if c not in others])
            )
            at_level &= Q(**{f"{prefix}jurisdiction_id__in": Subquery(counties.values("id"))})
        condition |= at_level
    return condition


def _first_case_level(rules: CountyRules) -> int | None:
    """The ``Case.escalation_level`` (counted from 0) from which the township sees a case."""
    level = rules.escalation.township_level
    return None if level is None else level - 1


def _events(qs: QuerySet[Any], scope: Scope, caller: Caller) -> QuerySet[Any]:
    """Events addressed to the caller's office (their class, school, towns or the county, by
    the event's ``audience_kind``) or to the caller's own account: the caller's inbox."""
    qs = qs.filter(jurisdiction_id=scope.jurisdiction_id)
    if scope.kind is ScopeKind.COUNTY:
        office = Q(audience_kind=ScopeKind.COUNTY)
    elif scope.kind is ScopeKind.TOWN:
        office = Q(audience_kind=ScopeKind.TOWN, town_id__in=list(scope.town_ids))
    elif scope.kind is ScopeKind.SCHOOL:
        office = Q(audience_kind=ScopeKind.SCHOOL, school_id=scope.school_id)
    else:
        office = Q(audience_kind=ScopeKind.CLASS, school_class_id=scope.class_id)
    reached = office & Q(recipient_account_id__isnull=True)
    if caller.account_id is not None:
        reached |= Q(recipient_account_id=caller.account_id)
    return qs.filter(reached)


def _attachments(qs: QuerySet[Any], scope: Scope, caller: Caller) -> QuerySet[Any]:
    """A file is seen by whoever sees the record it belongs to (case, home visit or plan)."""
    qs = qs.filter(jurisdiction_id=scope.jurisdiction_id)
    reached = Q(case_id__in=ids_of(_cases(Case.all(), scope, caller), "id"))
    if caller.can(Permission.READ_ROSTER):
        visits = _children(HomeVisit.all(), scope, "child")
        plans = _children(SupportPlan.all(), scope, "child")
        reached |= Q(home_visit_id__in=ids_of(visits, "id"))
        reached |= Q(support_plan_id__in=ids_of(plans, "id"))
    return qs.filter(reached)


def _snapshots(qs: QuerySet[Any], scope: Scope, path: str = "") -> QuerySet[Any]:
    """Stored reports: the county's for a county scope, a town's (and its schools') for a town
    scope, a school's own for a school scope, none for a class."""
    prefix = f"{path}__" if path else ""
    qs = qs.filter(**{f"{prefix}jurisdiction_id": scope.jurisdiction_id})
    if scope.kind is ScopeKind.TOWN:
        towns = list(scope.town_ids)
        return qs.filter(
            Q(**{f"{prefix}town_id__in": towns}) | Q(**{f"{prefix}school__town_id__in": towns})
        )
    if scope.kind is ScopeKind.SCHOOL:
        return qs.filter(**{f"{prefix}school_id": scope.school_id})
    if scope.kind is ScopeKind.CLASS:
        return _nothing(qs)
    return qs


def _import_jobs(qs: QuerySet[Any], scope: Scope, caller: Caller) -> QuerySet[Any]:
    """Import jobs: a county-wide caller who keeps the register sees the county's; a partner
    agency's key (``SUBMIT_ROSTER``) only the jobs it submitted; an account that records
    attendance (``RECORD_ATTENDANCE``: a head teacher, a school head) its own attendance imports."""
    if not (scope.kind is ScopeKind.COUNTY and caller.can(Permission.WRITE_ROSTER)):
        if caller.can(Permission.RECORD_ATTENDANCE) and caller.account_id is not None:
            own = qs.filter(
                jurisdiction_id=scope.jurisdiction_id,
                account_id=caller.account_id,
                format_code="ATTENDANCE",
            )
            if scope.kind is not ScopeKind.COUNTY or not caller.can(Permission.SUBMIT_ROSTER):
                return own
    if scope.kind is not ScopeKind.COUNTY:
        return _nothing(qs)
    qs = qs.filter(jurisdiction_id=scope.jurisdiction_id)
    if caller.can(Permission.WRITE_ROSTER):
        return qs
    if caller.can(Permission.SUBMIT_ROSTER) and caller.api_key_id is not None:
        return qs.filter(api_key_id=caller.api_key_id)
    return _nothing(qs)


def _comparison_runs(qs: QuerySet[Any], scope: Scope, caller: Caller, path: str = "") -> Any:
    """Comparison runs: the county's for a county-wide caller who keeps the register; for a
    partner agency's key, the runs of the lists it submitted (their counts, not the county's
    children)."""
    prefix = f"{path}__" if path else ""
    if scope.kind is not ScopeKind.COUNTY:
        return _nothing(qs)
    qs = qs.filter(**{f"{prefix}jurisdiction_id": scope.jurisdiction_id})
    if caller.can(Permission.WRITE_ROSTER):
        return qs
    if caller.can(Permission.SUBMIT_ROSTER) and caller.api_key_id is not None:
        return qs.filter(**{f"{prefix}job__api_key_id": caller.api_key_id})
    return _nothing(qs)


def _jurisdiction_only(field: str) -> Callable[[QuerySet[Any], Scope, Caller], QuerySet[Any]]:
    def apply(qs: QuerySet[Any], scope: Scope, caller: Caller) -> QuerySet[Any]:
        return qs.filter(**{field: scope.jurisdiction_id})

    return apply


def _needs(permission: Permission, rule: Callable[..., QuerySet[Any]]) -> Callable[..., Any]:
    def apply(qs: QuerySet[Any], scope: Scope, caller: Caller) -> QuerySet[Any]:
        if not caller.can(permission):
            return _nothing(qs)
        return rule(qs, scope, caller)

    return apply


_RULES: dict[type[Model], Callable[[QuerySet[Any], Scope, Caller], QuerySet[Any]]] = {
    Jurisdiction: _jurisdiction_only("id"),
    Town: lambda qs, s, c: (
        qs.filter(jurisdiction_id=s.jurisdiction_id, id__in=list(s.town_ids))
        if s.kind is ScopeKind.TOWN
        else qs.filter(jurisdiction_id=s.jurisdiction_id)
    ),
    Village: lambda qs, s, c: (
        qs.filter(town__jurisdiction_id=s.jurisdiction_id, town_id__in=list(s.town_ids))
        if s.kind is ScopeKind.TOWN
        else qs.filter(town__jurisdiction_id=s.jurisdiction_id)
    ),
    SchoolGroup: _jurisdiction_only("jurisdiction_id"),
    KeyArea: _jurisdiction_only("jurisdiction_id"),
    School: lambda qs, s, c: _schools(qs, s),
    SchoolClass: lambda qs, s, c: (
        qs.filter(id=s.class_id) if s.kind is ScopeKind.CLASS else _schools(qs, s, "school")
    ),
    Official: _jurisdiction_only("jurisdiction_id"),
    ResponsibilityAssignment: _jurisdiction_only("jurisdiction_id"),
    SchoolLeadershipGroup: _jurisdiction_only("jurisdiction_id"),
    SchoolLeadershipSeat: _jurisdiction_only("group__jurisdiction_id"),
    Child: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s)),
    ChildKeyGroup: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    ChildMerge: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "survivor")),
    Household: _needs(Permission.READ_ROSTER, lambda qs, s, c: _households(qs, s)),
    Guardian: _needs(Permission.READ_ROSTER, lambda qs, s, c: _households(qs, s, "household")),
    Enrolment: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    EnrolmentChange: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    Assistance: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    HomeVisit: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    SupportPlan: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    PlacementAssessment: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    SchoolPlan: lambda qs, s, c: _schools(qs, s, "school"),
    ClassDay: _needs(
        Permission.READ_ROSTER,
        lambda qs, s, c: (
            qs.filter(school_class_id=s.class_id)
            if s.kind is ScopeKind.CLASS
            else _schools(qs, s, "school")
        ),
    ),
    ClassDayRevision: _needs(
        Permission.READ_ROSTER,
        lambda qs, s, c: (
            qs.filter(class_day__school_class_id=s.class_id)
            if s.kind is ScopeKind.CLASS
            else _schools(qs, s, "class_day__school")
        ),
    ),
    AttendanceMark: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    AbsenceFollowUp: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    AttendanceAlert: _needs(Permission.READ_ROSTER, lambda qs, s, c: _children(qs, s, "child")),
    SchoolClosure: lambda qs, s, c: _schools(qs, s, "school"),
    Case: lambda qs, s, c: _cases(qs, s, c),
    CaseEvent: lambda qs, s, c: _cases(qs, s, c, "case"),
    CaseAttachment: lambda qs, s, c: _cases(qs, s, c, "event__case"),
    Attachment: _attachments,
    ReportSnapshot: _needs(Permission.READ_REPORTS, lambda qs, s, c: _snapshots(qs, s)),
    ReportSubmissionEvent: _needs(
        Permission.READ_REPORTS, lambda qs, s, c: _snapshots(qs, s, "snapshot")
    ),
    ImportJob: lambda qs, s, c: _import_jobs(qs, s, c),
    ComparisonRun: lambda qs, s, c: _comparison_runs(qs, s, c),
    # a run's per-child results name children: the register's readers of the run's county
    ComparisonResult: _needs(
        Permission.READ_ROSTER, lambda qs, s, c: _comparison_runs(qs, s, c, "run")
    ),
    StaffAccount: _needs(Permission.MANAGE_ACCOUNTS, _jurisdiction_only("jurisdiction_id")),
    ApiKey: _needs(Permission.MANAGE_API_KEYS, _jurisdiction_only("jurisdiction_id")),
    AuditEntry: _needs(Permission.READ_AUDIT, _jurisdiction_only("jurisdiction_id")),
    OutboxEvent: _events,
    WebhookEndpoint: _needs(Permission.MANAGE_WEBHOOKS, _jurisdiction_only("jurisdiction_id")),
    WebhookDelivery: _needs(
        Permission.MANAGE_WEBHOOKS, _jurisdiction_only("endpoint__jurisdiction_id")
    ),
    WebhookAttempt: _needs(
        Permission.MANAGE_WEBHOOKS, _jurisdiction_only("delivery__endpoint__jurisdiction_id")
    ),
}


def scoped(model: type[Model], caller: Caller) -> QuerySet[Any]:
    """All rows of ``model`` that ``caller`` may see."""
    return _apply(model.all(), caller)


def named_by_record(model: type[School] | type[SchoolClass], caller: Caller) -> QuerySet[Any]:
    """The schools or classes that a record the caller may see can name (所在学校): every one
    of the caller's county. A township official sees the children living in the town, and a
    head teacher the past 学籍 of their pupils; where such a record names a school of another
    town, which school it is belongs to the child's record, so it is named, although that
    school is not in the caller's own lists (:func:`scoped`), nor its children."""
    scope = caller.scope
    if scope is None or scope.jurisdiction_id is None:  # the system caller
        return model.all()
    field = "jurisdiction_id" if model is School else "school__jurisdiction_id"
    return model.filter(**{field: scope.jurisdiction_id})


def scoped_batch(model: type[Model], caller: Caller) -> QuerySet[Any]:
    """The rows of ``model`` that ``caller`` may see, for a query the caller narrows to a batch
    of keys (a DataLoader's ``pk__in`` or ``<fk>__in``): the same rows as :func:`scoped`, but
    a town scope is checked row by row (:class:`_TownRows`), which costs a few index seeks per
    row where the id sets of :func:`scoped` cost the town's size per statement."""
    token = _BATCH.set(True)
    try:
        return _apply(model.all(), caller)
    finally:
        _BATCH.reset(token)


def _apply(qs: QuerySet[Any], caller: Caller) -> QuerySet[Any]:
    """``qs`` with the caller's scope rule for its model added to its conditions."""
    model = qs.model
    scope = caller.scope
    if scope is None:
        return _nothing(qs)
    if scope.jurisdiction_id is None:  # the system caller
        return qs
    rule = _RULES.get(model)
    if rule is None:
        raise LookupError(f"no scope rule for {model.__name__}: add one to core/access/scope.py")
    return rule(qs, scope, caller)


def jurisdiction_ids(caller: Caller) -> list[uuid.UUID] | None:
    """The jurisdictions a caller reaches (None = all)."""
    if caller.scope is None:
        return []
    if caller.scope.jurisdiction_id is None:
        return None
    return [caller.scope.jurisdiction_id]


#: The permissions (any one of them) a caller needs to list a model at all.
_LIST_PERMISSIONS: dict[type[Model], tuple[Permission, ...]] = {
    Child: (Permission.READ_ROSTER,),
    ChildKeyGroup: (Permission.READ_ROSTER,),
    ChildMerge: (Permission.READ_ROSTER,),
    Household: (Permission.READ_ROSTER,),
    Guardian: (Permission.READ_ROSTER,),
    Enrolment: (Permission.READ_ROSTER,),
    EnrolmentChange: (Permission.READ_ROSTER,),
    Assistance: (Permission.READ_ROSTER,),
    HomeVisit: (Permission.READ_ROSTER,),
    SupportPlan: (Permission.READ_ROSTER,),
    PlacementAssessment: (Permission.READ_ROSTER,),
    ClassDay: (Permission.READ_ROSTER,),
    AttendanceMark: (Permission.READ_ROSTER,),
    AbsenceFollowUp: (Permission.READ_ROSTER,),
    AttendanceAlert: (Permission.READ_ROSTER,),
    Case: (Permission.READ_CASES, Permission.READ_ESCALATED_CASES),
    CaseEvent: (Permission.READ_CASES, Permission.READ_ESCALATED_CASES),
    CaseAttachment: (Permission.READ_CASES, Permission.READ_ESCALATED_CASES),
    ReportSnapshot: (Permission.READ_REPORTS,),
    ReportSubmissionEvent: (Permission.READ_REPORTS,),
    ImportJob: (Permission.WRITE_ROSTER, Permission.SUBMIT_ROSTER, Permission.RECORD_ATTENDANCE),
    ComparisonRun: (Permission.WRITE_ROSTER, Permission.SUBMIT_ROSTER),
    ComparisonResult: (Permission.READ_ROSTER,),
    StaffAccount: (Permission.MANAGE_ACCOUNTS,),
    ApiKey: (Permission.MANAGE_API_KEYS,),
    AuditEntry: (Permission.READ_AUDIT,),
    WebhookEndpoint: (Permission.MANAGE_WEBHOOKS,),
    WebhookDelivery: (Permission.MANAGE_WEBHOOKS,),
    WebhookAttempt: (Permission.MANAGE_WEBHOOKS,),
}


def list_permissions(model: type[Model]) -> tuple[Permission, ...]:
    """Permissions of which a caller needs one to list ``model`` (empty: any signed-in caller)."""
    return _LIST_PERMISSIONS.get(model, ())


def restrict(queryset: QuerySet[Any], caller: Caller) -> QuerySet[Any]:
    """``queryset`` (of any shape: filtered, ordered) narrowed to the rows ``caller`` may see."""
    scope = caller.scope
    if scope is not None and scope.jurisdiction_id is None:  # the system caller
        return queryset
    # The rule's conditions go straight into the query. (``pk IN (SELECT pk FROM <scoped>)``
    # made SQLite materialise and sort every visible row first: 0.6 s per page of children at
    # 100,000 pupils, against 1 ms with the conditions inline.)
    return _apply(queryset, caller)
