"""The hooks a county plugin implements, each declared once: everything county-specific enters
core through here.

A plugin is a module (or object) with functions named after these hooks and marked with
``hookimpl``; it is installed as a package with an entry point in the ``baoxue`` group (see
docs/plugins.md). Hooks return plain frozen data from :mod:`core.rules` and never touch the
database, so they are synchronous and cheap to call.

Each hook below is one declaration (:func:`hook`) that says everything about it:

* the **spec** — the function itself: its name, the arguments a plugin may take, the shape of an
  answer (its return annotation) and its documentation;
* how answers **combine** — *first result* (``merged_by`` not given) takes a whole structure
  from the first plugin that answers (the leadership group, the responsibility table, the
  escalation chain); *merged* collects a list from every plugin that answers and merges it by
  key, the earlier plugin winning: a county's 巩固率 target replaces the default one, while the
  default 入学率 target stays when the county does not set one;
* its **checker** — what makes one plugin's answer valid for one county (written just above the
  spec), and, where the merged view is needed, ``check_resolved``;
* the :class:`~core.rules.county.CountyRules` **field** it fills (``fills``) and that field's
  Chinese name (``label``, the description of the field in the GraphQL schema).

:data:`HOOKS` is the table the rest of core reads: pluggy's specs, start-up validation
(:mod:`core.plugins.validation`), resolution (:mod:`core.plugins.registry`), the fields of
``CountyRules`` and of its GraphQL type, the conformance suite (:mod:`core.testing`) and the
documentation tests all come from it. Adding a hook means adding a declaration here, its answer
in a plugin, and its test (``test_hook_<name>``); the documentation tests then ask for its
section in docs/plugins.md, and ``baoxue schema export`` shows its new ``CountyRules`` field.

Every hook but :func:`baoxue_jurisdiction` is asked per county, with ``jurisdiction_code`` (a
6-digit 行政区划代码), and the plugin manager routes it (:mod:`core.plugins.routing`): a plugin
that declares a county is asked about that county only, so its hooks need not look at the code
(nor take it); core's defaults (:mod:`core.default_rules`, registered as a plugin too and asked
after every other) and plugins that declare no county (adjusters of other counties' rules) are
asked about every county. So "the plugin says nothing" and "the core default applies" are the
same thing. All answers are checked at start-up; a malformed answer stops the
application with a :class:`core.plugins.PluginError` naming the plugin and the hook.
"""

from __future__ import annotations

import inspect
import itertools
import operator
import re
import types
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, get_type_hints

from pluggy import HookimplMarker, HookspecMarker

from core.assistance.models import AssistanceProgramme
from core.cases.enums import CaseReason
from core.events.enums import EventKind
from core.jurisdictions.spec import JurisdictionSpec
from core.rules.checks import TERM_CODE, CountyContext, Invalid, check_clause, codes, unique
from core.rules.enums import LeadershipRole, VocabularyKind
from core.rules.render import render_report
from core.rules.report_fields import PART_HEADER, PART_OF, REPORT_FIELDS, SCOPES_BY_ROW_KIND
from core.rules.specs import (
    NOTICE_FIELDS,
    AbsenceRule,
    Deadline,
    EscalationChain,
    EventChannel,
    ExemptionRule,
    HomeDeliveryRule,
    ImportFormat,
    KeyPeriod,
    LeadershipGroup,
    MonitoringFocus,
    NoticeTemplate,
    ReportFormat,
    ResponsibilitySpec,
    RiskRuleSet,
    Scope,
    Target,
    TermCalendar,
    VocabularyTerm,
)
from core.schools.models import SchoolKind

if TYPE_CHECKING:
    from core.rules.county import CountyRules

#: The project name pluggy uses; also the entry-point group plugins register under.
PROJECT = "baoxue"

hookspec = HookspecMarker(PROJECT)
hookimpl = HookimplMarker(PROJECT)


# -- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hook:
    """One hook, declared once with :func:`hook`; everything else about it is derived."""

    #: The spec function: name, arguments, the shape of an answer, documentation.
    spec: Callable[..., Any]
    #: The :class:`~core.rules.county.CountyRules` field the answers fill.
    fills: str
    #: What makes one plugin's answer valid for one county: raises :class:`Invalid`.
    check: Callable[[Any, CountyContext], None]
    #: The field's name in Chinese (its description in the GraphQL schema).
    label: str = ""
    #: None: first result. Otherwise the key by which every answer's items are merged.
    merged_by: Callable[[Any], Hashable] | None = None
    #: Core's defaults always answer; a county left with no answer fails at start-up.
    required: bool = False
    #: Checks that need the merged view of the county's rules; raises :class:`Invalid`.
    check_resolved: Callable[[CountyRules], None] | None = None
    #: Adds what a checked answer declares to the context later checks read (vocabulary).
    extends: Callable[[CountyContext, Any], None] | None = None

    @property
    def name(self) -> str:
        return self.spec.__name__

    @property
    def arguments(self) -> tuple[str, ...]:
        return tuple(inspect.signature(self.spec).parameters)

    @property
    def per_county(self) -> bool:
        """Asked once per county (with ``jurisdiction_code``), not once per plugin."""
        return "jurisdiction_code" in self.arguments

    @property
    def first_result(self) -> bool:
        return self.per_county and self.merged_by is None

    @cached_property
    def returns(self) -> Any:
        """The shape of one plugin's answer other than None, e.g. ``Sequence[Target]``."""
        annotation = get_type_hints(self.spec)["return"]
        if get_origin(annotation) in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            (annotation,) = options
        return annotation

    @property
    def is_sequence(self) -> bool:
        return get_origin(self.returns) in (Sequence, list, tuple)

    @property
    def item_type(self) -> Any:
        """The type of one item of a sequence answer, or of the whole answer."""
        return get_args(self.returns)[0] if self.is_sequence else self.returns

    @property
    def value_type(self) -> Any:
        """The type of the resolved value in :class:`~core.rules.county.CountyRules`."""
        if self.is_sequence:
            return tuple[self.item_type, ...]
        return self.returns if self.required else self.returns | None

    def combine(self, result: Any) -> Any:
        """The resolved value from what the hook caller returned (one answer or a list)."""
        if self.first_result:
            return tuple(result or ()) if self.is_sequence else result
        assert self.merged_by is not None
        return merge(result, self.merged_by)


#: Every hook by name, in declaration order (the order of ``CountyRules`` and its GraphQL type).
HOOKS: dict[str, Hook] = {}


def hook(
    *,
    fills: str,
    check: Callable[[Any, CountyContext], None],
    label: str = "",
    merged_by: Callable[[Any], Hashable] | None = None,
    required: bool = False,
    check_resolved: Callable[[CountyRules], None] | None = None,
    extends: Callable[[CountyContext, Any], None] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the hook whose spec is the decorated function (see the module docstring)."""

    def declare(spec: Callable[..., Any]) -> Callable[..., Any]:
        entry = Hook(spec, fills, check, label, merged_by, required, check_resolved, extends)
        if entry.name in HOOKS:
            raise ValueError(f"hook {entry.name} is declared twice")
        if entry.per_county and not entry.label:
            raise ValueError(f"hook {entry.name}: give the label of its CountyRules field")
        HOOKS[entry.name] = entry
        return hookspec(firstresult=entry.first_result)(spec)

    return declare


def county_hooks() -> tuple[Hook, ...]:
    """The hooks asked once per county, in declaration order."""
    return tuple(h for h in HOOKS.values() if h.per_county)


def merge(answers: Iterable[Sequence[Any] | None], key: Callable[[Any], Hashable]) -> tuple:
    """Items of every answer, in hook-call order; the first item with a key wins."""
    merged: dict[Hashable, Any] = {}
    for answer in answers:
        for item in answer or ():
            merged.setdefault(key(item), item)
    return tuple(merged.values())


# -- the county --------------------------------------------------------------------------------

#: First two digits of the 行政区划代码 of each province-level division.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 "
    "65 71 81 82".split()
)


def check_jurisdiction(spec: JurisdictionSpec, ctx: CountyContext | None = None) -> None:
    """The meaning of a :class:`JurisdictionSpec` (its shape is checked separately)."""
    code = spec.division_code
    if not re.fullmatch(r"\d{6}", code):
        raise Invalid(f"division_code {code!r} is not 6 digits")
    if code[:2] not in PROVINCE_PREFIXES:
        raise Invalid(f"division_code {code!r} does not start with a province code")
    if code.endswith("00"):
        raise Invalid(f"division_code {code!r} is a city or province, not a county")
    if not spec.name.strip():
        raise Invalid("name is empty")
    if not spec.sources or not all(s.strip() for s in spec.sources):
        raise Invalid("sources must name at least one document, and no empty ones")
    unique((t.name for t in spec.towns), "town")
    unique((s.name for t in spec.towns for s in t.schools), "school")
    kinds = set(SchoolKind.choices())
    for town in spec.towns:
        unique((v.name for v in town.villages), f"village in {town.name}")
        for school in town.schools:
            if school.kind not in kinds:
                raise Invalid(
                    f"school {school.name!r} has kind {school.kind!r}; known: {', '.join(kinds)}"
                )
    towns = {t.name for t in spec.towns}
    unique((f"{g.kind.label} {g.name}" for g in spec.school_groups), "school group")
    for group in spec.school_groups:
        for name in group.towns:
            if name not in towns:
                raise Invalid(f"{group.kind.label} {group.name!r} names unknown town {name!r}")


@hook(fills="jurisdiction", check=check_jurisdiction)
def baoxue_jurisdiction() -> JurisdictionSpec | None:
    """The county this plugin serves, and its organisation.

    Called once per plugin at start-up. Return a :class:`~core.jurisdictions.spec.JurisdictionSpec`:
    division code, name, parent city and province, towns with their villages and the schools
    the document names, school districts (学区) and supervision zones (督导责任区) where the
    document has them, and ``sources``, the documents the plugin implements. Every plugin's
    answer is collected; a division code served by two plugins is an error. Return None from a
    plugin that only adjusts other counties' rules: it is then asked about every county.
    """


# -- scope -------------------------------------------------------------------------------------


def check_scope(scope: Scope, ctx: CountyContext) -> None:
    check_clause(scope.clause, "scope")
    if not scope.stages:
        raise Invalid("scope names no school stage")
    unique((s.value for s in scope.stages), "school stage in scope")


@hook(fills="scope", label="适用范围: 文件所覆盖的学段", check=check_scope, required=True)
def baoxue_scope(jurisdiction_code: str) -> Scope | None:
    """The school stages the county's documents are about (适用范围).

    Called when a county's rules are resolved. Stops at first non-None result; the core default
    is the whole of 九年义务教育 (小学 and 初中, 义务教育法 第二条). A county whose plan is for
    its 中学 only says so here, and the demo builds only those grades for it.
    """


# -- people ------------------------------------------------------------------------------------


def check_leadership(group: LeadershipGroup, ctx: CountyContext) -> None:
    check_clause(group.clause, "leadership")
    if not group.with_role(LeadershipRole.LEADER):
        raise Invalid("leadership group has no 组长 (LEADER)")
    for member in group.members:
        if not member.name.strip():
            raise Invalid(f"a {member.role.label} has no name")
    if group.office is not None and not group.office.director.strip():
        raise Invalid("the leadership office has no director")


@hook(fills="leadership", label="控辍保学工作领导小组 (文件未设时为空)", check=check_leadership)
def baoxue_leadership(jurisdiction_code: str) -> LeadershipGroup | None:
    """The county's 控辍保学工作领导小组: roles, named people, the office that runs the work.

    Called when a county's rules are resolved. Stops at first non-None result. Core has no
    default: a county whose document names no group has none.
    """


def check_responsibilities(specs: Sequence[ResponsibilitySpec], ctx: CountyContext) -> None:
    keys = unique((s.key for s in specs), "responsibility key")
    towns, schools = ctx.town_names, ctx.school_names
    for spec in specs:
        where = f"responsibility {spec.key!r}"
        check_clause(spec.clause, where)
        if not spec.key.strip() or not spec.role.strip():
            raise Invalid(f"{where}: key and role must not be empty")
        if spec.reports_to is not None and spec.reports_to not in keys:
            raise Invalid(f"{where}: reports_to {spec.reports_to!r} is not a key in the table")
        if ctx.spec is not None:
            for town in spec.towns:
                if town not in towns:
                    raise Invalid(f"{where}: unknown town {town!r} (not in baoxue_jurisdiction)")
            for school in spec.schools:
                if school not in schools:
                    raise Invalid(f"{where}: unknown school {school!r}")
        for grade in spec.grades:
            if not 1 <= grade <= 9:
                raise Invalid(f"{where}: grade {grade} is not 1–9")
    parents = {s.key: s.reports_to for s in specs}
    for key in parents:
        seen = {key}
        current = parents[key]
        while current is not None:
            if current in seen:
                raise Invalid(f"responsibility {key!r}: reports_to goes round in a circle")
            seen.add(current)
            current = parents.get(current)


@hook(
    fills="responsibilities",
    label="责任分工表 (按文件顺序; 如 总负责人 → 包片领导 → 包乡镇人员, 双线四包)",
    check=check_responsibilities,
)
def baoxue_responsibilities(jurisdiction_code: str) -> Sequence[ResponsibilitySpec] | None:
    """The responsibility table: who covers which town, school, grade, class or child.

    Called when a county's rules are resolved. Return every line of the document's tables in
    order (双线四包's education line, a table of 总负责人 → 包片领导 → 包乡镇人员, a
    government line 区 → 镇街 → 村社), each with ``reports_to`` naming the ``key`` of the line
    above.
    Stops at first non-None result: the table is taken whole; the core default (县教育局,
    校长, 班主任, 乡镇, 村) applies only when no plugin answers.
    """


# -- targets -----------------------------------------------------------------------------------


def check_targets(targets: Sequence[Target], ctx: CountyContext) -> None:
    unique((f"{t.metric.value}/{t.population.value}" for t in targets), "target")
    for target in targets:
        where = f"target {target.metric.value}"
        check_clause(target.clause, where)
        value = target.threshold
        if target.metric.is_rate and not 0 <= value <= 100:
            raise Invalid(f"{where}: a rate threshold must be 0–100, got {value}")
        if not target.metric.is_rate and (value < 0 or value != value.to_integral_value()):
            raise Invalid(f"{where}: a count threshold must be a whole number ≥ 0, got {value}")
        if target.year is not None and not 2000 <= target.year <= 2100:
            raise Invalid(f"{where}: year {target.year} is out of range")
        for reason in target.excluding_reasons:
            if reason not in ctx.reasons:
                raise Invalid(f"{where}: unknown case reason {reason!r} in excluding_reasons")


@hook(
    fills="targets",
    label="工作目标 (县级目标替换同一指标的核心默认值)",
    check=check_targets,
    merged_by=operator.attrgetter("key"),
)
def baoxue_targets(jurisdiction_code: str) -> Sequence[Target] | None:
    """Numeric targets: metric, comparison, threshold, population, period, clause.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``(metric, population)``, the earlier plugin winning, so a county's 巩固率 ≥ 97.3 %
    replaces the core default 巩固率 100 % while the default 入学率 100 % still applies. A
    metric outside :class:`~core.rules.enums.Metric` fails at start-up.
    """


# -- escalation and deadlines ------------------------------------------------------------------


def check_escalation_chain(chain: EscalationChain, ctx: CountyContext) -> None:
    check_clause(chain.clause, "escalation chain")
    if not chain.levels:
        raise Invalid("escalation chain has no levels")
    numbers = [level.level for level in chain.levels]
    if numbers != list(range(1, len(numbers) + 1)):
        raise Invalid(f"escalation levels must be numbered 1..n in order, got {numbers}")
    unique((level.name for level in chain.levels), "escalation level name")
    for level in chain.levels:
        check_clause(level.clause, f"escalation level {level.level}")
        if level.days_allowed is not None and level.days_allowed <= 0:
            raise Invalid(f"escalation level {level.level}: days_allowed must be > 0")
        if level.deadline is not None and not level.deadline.runs_a_level:
            raise Invalid(
                f"escalation level {level.level}: deadline {level.deadline.value} is not a "
                "clock a level runs on (ESCALATION_STEP or TOWNSHIP_ACTION)"
            )
        if level.deadline is not None and level.days_allowed is not None:
            raise Invalid(
                f"escalation level {level.level}: give days_allowed or a deadline, not both"
            )
    if chain.final_level.days_allowed is not None:
        raise Invalid(
            f"escalation chain does not end: its last level ({chain.final_level.name}) has "
            "days_allowed set, but there is no level above it to escalate to"
        )
    if chain.unreachable_level is not None and chain.unreachable_level not in numbers:
        raise Invalid(f"unreachable_level {chain.unreachable_level} is not a level of the chain")
    for name in ("township_level", "confirmed_level", "return_notice_level"):
        value = getattr(chain, name)
        if value is not None and value not in numbers:
            raise Invalid(f"{name} {value} is not a level of the chain")


def check_escalation_days(rules: CountyRules) -> None:
    """Every level below the top has a time limit (its own, the deadline it names or the
    ESCALATION_STEP deadline), and a level naming a deadline finds it."""
    for level in rules.escalation.levels:
        if level.deadline is not None and rules.deadline(level.deadline) is None:
            raise Invalid(
                f"escalation level {level.level} ({level.name}) runs on "
                f"{level.deadline.value}, but there is no such deadline"
            )
    for level in rules.escalation.levels[:-1]:
        if rules.escalation_days(level.level) is None:
            raise Invalid(
                f"escalation level {level.level} ({level.name}) has no time limit and there "
                "is no ESCALATION_STEP deadline"
            )


@hook(
    fills="escalation",
    label="劝返逐级上报链条",
    check=check_escalation_chain,
    required=True,
    check_resolved=check_escalation_days,
)
def baoxue_escalation_chain(jurisdiction_code: str) -> EscalationChain | None:
    """The escalation chain a failed 劝返 climbs, with the time allowed at each level.

    Called when a county's rules are resolved. Levels are numbered 1..n; the last has nowhere
    to go and no time limit of its own (it may name a deadline, such as the township's
    ``TOWNSHIP_ACTION``). ``township_level`` names the level from which the township sees a
    case (移交乡镇), ``unreachable_level`` the one a case jumps to when nobody can be reached,
    ``confirmed_level`` the one a confirmed case starts at, ``return_notice_level`` the one that
    serves the 劝返复学通知书. Stops at first non-None result; the core default follows
    义务教育法 and the core county plan: 班主任 → 学校 → 乡镇人民政府 (责令限期改正) →
    县教育局 → 县政府, handed to the township at the 乡镇人民政府.
    """


def check_deadlines(deadlines: Sequence[Deadline], ctx: CountyContext) -> None:
    unique((d.kind.value for d in deadlines), "deadline kind")
    for deadline in deadlines:
        check_clause(deadline.clause, f"deadline {deadline.kind.value}")
        if deadline.days <= 0:
            raise Invalid(f"deadline {deadline.kind.value}: days must be > 0")


@hook(
    fills="deadlines",
    label="各类时限",
    check=check_deadlines,
    merged_by=operator.attrgetter("kind"),
)
def baoxue_deadlines(jurisdiction_code: str) -> Sequence[Deadline] | None:
    """Deadlines in days (e.g. 学籍管理员 marks a head teacher's report within a week).

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``kind``, the earlier plugin winning; core defaults cover every
    :class:`~core.rules.enums.DeadlineKind` (30 days of follow-up before 销号, …).
    """


# -- periods and focus -------------------------------------------------------------------------


def check_key_periods(periods: Sequence[KeyPeriod], ctx: CountyContext) -> None:
    codes(periods, "key period")
    for period in periods:
        check_clause(period.clause, f"key period {period.code}")
        if period.days is not None and period.days <= 0:
            raise Invalid(f"key period {period.code}: days must be > 0 or None")


@hook(
    fills="key_periods",
    label="重点时段",
    check=check_key_periods,
    merged_by=operator.attrgetter("code"),
)
def baoxue_key_periods(jurisdiction_code: str) -> Sequence[KeyPeriod] | None:
    """Key periods that get closer watching (the first month of term, the holidays).

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning.
    """


def check_monitoring_focus(items: Sequence[MonitoringFocus], ctx: CountyContext) -> None:
    codes(items, "monitoring focus")
    for item in items:
        check_clause(item.clause, f"monitoring focus {item.code}")
        if not (item.stages or item.key_groups or item.areas):
            raise Invalid(f"monitoring focus {item.code}: names no stage, group or area")


@hook(
    fills="monitoring_focus",
    label="重点监测",
    check=check_monitoring_focus,
    merged_by=operator.attrgetter("code"),
)
def baoxue_monitoring_focus(jurisdiction_code: str) -> Sequence[MonitoringFocus] | None:
    """重点监测: the school stages, key groups and kinds of area watched most closely.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning.
    """


# -- attendance --------------------------------------------------------------------------------


def check_term_calendar(calendar: TermCalendar, ctx: CountyContext) -> None:
    check_clause(calendar.clause, "term calendar")
    if not calendar.terms:
        raise Invalid("term calendar: no terms")
    codes(calendar.terms, "term")
    ordered = sorted(calendar.terms, key=lambda t: t.first_day)
    for term in ordered:
        if term.last_day < term.first_day:
            raise Invalid(f"term {term.code}: last_day is before first_day")
    for earlier, later in itertools.pairwise(ordered):
        if later.first_day <= earlier.last_day:
            raise Invalid(f"terms {earlier.code} and {later.code} overlap")
    for holiday in calendar.holidays:
        if not holiday.name.strip() or holiday.last_day < holiday.first_day:
            raise Invalid(f"holiday {holiday.name!r}: needs a name and last_day >= first_day")


@hook(
    fills="term_calendar",
    label="校历: 学期起止、节假日与调休上课日",
    check=check_term_calendar,
    required=True,
)
def baoxue_term_calendar(jurisdiction_code: str) -> TermCalendar | None:
    """The county's school calendar (校历): its terms, the holidays inside them and the weekend
    days made school days (调休).

    Called when a county's rules are resolved. Stops at first non-None result; the core default
    gives every school year from 2020 an autumn term from 1 September and a spring term from 1
    March, with 国庆, 元旦, 清明 and 劳动节 off. Attendance is recorded, and absence rules
    counted, on school days only; a school adds its own closures (停课) through the API.
    """


def check_absence_rules(rules: Sequence[AbsenceRule], ctx: CountyContext) -> None:
    codes(rules, "absence rule")
    for rule in rules:
        check_clause(rule.clause, f"absence rule {rule.code}")
        if not 1 <= rule.days <= 60:
            raise Invalid(f"absence rule {rule.code}: days must be 1–60")
        if not rule.name.strip():
            raise Invalid(f"absence rule {rule.code}: name is empty")


def check_absence_rule_periods(rules: CountyRules) -> None:
    """A rule for a key period names one the county declares."""
    periods = {p.code for p in rules.key_periods}
    for rule in rules.absence_rules:
        if rule.key_period is not None and rule.key_period not in periods:
            raise Invalid(
                f"absence rule {rule.code}: unknown key period {rule.key_period!r} "
                f"(known: {', '.join(sorted(periods)) or 'none'})"
            )


@hook(
    fills="absence_rules",
    label="考勤预警规则 (无故缺勤达到几天即疑似辍学; 重点时段可更严)",
    check=check_absence_rules,
    merged_by=operator.attrgetter("code"),
    check_resolved=check_absence_rule_periods,
)
def baoxue_absence_rules(jurisdiction_code: str) -> Sequence[AbsenceRule] | None:
    """Absence rules (考勤预警): how many unexplained absences make a child a suspected dropout.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning; the core default is 3 consecutive unexplained school
    days or 5 in one month of a term. A rule naming a ``key_period`` applies only inside that
    key period: a county makes its key period stricter by declaring a rule for it.
    """


# -- reports -----------------------------------------------------------------------------------


def check_header_groups(fmt: ReportFormat, where: str) -> None:
    """Each heading spans adjacent columns in table order, and no column is under two."""
    order = [c.key for c in fmt.columns]
    taken: set[str] = set()
    for group in fmt.header_groups:
        if not group.label.strip() or not group.columns:
            raise Invalid(f"{where}: a header group needs a label and at least one column")
        for key in group.columns:
            if key not in order:
                raise Invalid(f"{where}: header group {group.label!r} names unknown column {key!r}")
            if key in taken:
                raise Invalid(f"{where}: column {key!r} is under two header groups")
            taken.add(key)
        first = order.index(group.columns[0])
        if tuple(order[first : first + len(group.columns)]) != tuple(group.columns):
            raise Invalid(
                f"{where}: header group {group.label!r} must name adjacent columns in table order"
            )


def check_parts(fmt: ReportFormat, where: str) -> None:
    """A column headed 其中… counts a part of another column of the form (``PART_OF``), so
    that it cannot exceed it: 其中辍学人数 beside 未及时返校人数 must count those children, not
    every dropout of the school."""
    sources = {c.source for c in fmt.columns}
    for column in fmt.columns:
        if not column.header.startswith(PART_HEADER):
            continue
        whole = PART_OF.get(column.source)
        if whole not in sources:
            wholes = sorted(k for k, v in PART_OF.items() if v in sources)
            raise Invalid(
                f"{where}: column {column.key!r} is headed {column.header!r}, a part of another "
                f"column, but {column.source!r} is not counted within any column of the form "
                f"(parts of its columns: {', '.join(wholes) or 'none'}; see "
                "core.rules.report_fields.PART_OF)"
            )


def check_report_formats(formats: Sequence[ReportFormat], ctx: CountyContext) -> None:
    codes(formats, "report format")
    for fmt in formats:
        where = f"report format {fmt.code!r}"
        check_clause(fmt.clause, where)
        if not fmt.title.strip():
            raise Invalid(f"{where}: title is empty")
        if not fmt.period_kinds:
            raise Invalid(f"{where}: no period kinds")
        if not fmt.columns:
            raise Invalid(f"{where}: no columns")
        keys = unique((c.key for c in fmt.columns), f"column key in {fmt.code}")
        scopes = SCOPES_BY_ROW_KIND[fmt.row_kind]
        for column in fmt.columns:
            source = REPORT_FIELDS.get(column.source)
            if source is None:
                raise Invalid(
                    f"{where}: column {column.key!r} names unknown field {column.source!r} "
                    "(see core.rules.report_fields.REPORT_FIELDS)"
                )
            if source.scope not in scopes:
                raise Invalid(
                    f"{where}: column {column.key!r} ({column.source}) cannot appear in a "
                    f"report whose rows are {fmt.row_kind.value}"
                )
            if not column.header.strip():
                raise Invalid(f"{where}: column {column.key!r} has no header")
        for key in fmt.group_by:
            if key not in keys:
                raise Invalid(f"{where}: group_by names unknown column {key!r}")
        check_header_groups(fmt, where)
        check_parts(fmt, where)
        if fmt.row_kind not in fmt.selection.row_kinds:
            raise Invalid(
                f"{where}: selection {fmt.selection.value} does not apply to rows of kind "
                f"{fmt.row_kind.value}"
            )
        for sign_off in fmt.sign_off:
            if not sign_off.role.strip() or not sign_off.actions:
                raise Invalid(f"{where}: a sign-off needs a role and at least one action")
        try:
            render_report(fmt, [])
        except Exception as exc:  # pragma: no cover - the checks above should prevent it
            raise Invalid(f"{where}: does not render: {exc}") from exc


@hook(
    fills="report_formats",
    label="报表与台账格式",
    check=check_report_formats,
    merged_by=operator.attrgetter("code"),
)
def baoxue_report_formats(jurisdiction_code: str) -> Sequence[ReportFormat] | None:
    """Report and ledger formats: title, period kinds, columns, grouping, sign-off.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning. Every column must name a field of
    :data:`core.rules.report_fields.REPORT_FIELDS`; an unknown one fails at start-up.
    """


# -- vocabulary and exemptions -----------------------------------------------------------------


def check_vocabulary(terms: Sequence[VocabularyTerm], ctx: CountyContext) -> None:
    unique((f"{t.kind.value}/{t.code}" for t in terms), "vocabulary term")
    core = {
        VocabularyKind.CASE_REASON: CaseReason.choices(),
        VocabularyKind.ASSISTANCE_PROGRAMME: AssistanceProgramme.choices(),
    }
    for term in terms:
        check_clause(term.clause, f"term {term.code}")
        if not TERM_CODE.fullmatch(term.code):
            raise Invalid(f"term code {term.code!r} must be UPPER_SNAKE, 2–32 characters")
        if term.code in core[term.kind]:
            raise Invalid(f"{term.kind.label} {term.code!r} is already a core term")
        if not term.label.strip():
            raise Invalid(f"term {term.code}: label is empty")


def add_case_reasons(ctx: CountyContext, terms: Sequence[VocabularyTerm]) -> None:
    """The county's case reasons, for the checks of targets and exemption rules."""
    ctx.reasons |= {t.code for t in terms if t.kind is VocabularyKind.CASE_REASON}


@hook(
    fills="vocabulary",
    label="县级补充的辍学原因与资助项目",
    check=check_vocabulary,
    merged_by=operator.attrgetter("kind", "code"),
    extends=add_case_reasons,
)
def baoxue_vocabulary(jurisdiction_code: str) -> Sequence[VocabularyTerm] | None:
    """Extra terms: case reasons and assistance programmes core does not have.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``(kind, code)``; a code that repeats one of core's fails at start-up.
    """


def check_exemption_rules(rules: Sequence[ExemptionRule], ctx: CountyContext) -> None:
    codes(rules, "exemption rule")
    for rule in rules:
        check_clause(rule.clause, f"exemption rule {rule.code}")
        if not rule.reasons or not rule.steps:
            raise Invalid(f"exemption rule {rule.code}: needs reasons and steps")
        if not rule.approved_by:
            raise Invalid(f"exemption rule {rule.code}: needs an approving authority")
        for reason in rule.reasons:
            if reason not in ctx.reasons:
                raise Invalid(f"exemption rule {rule.code}: unknown case reason {reason!r}")


@hook(
    fills="exemption_rules",
    label="缓学/免学规则",
    check=check_exemption_rules,
    merged_by=operator.attrgetter("code"),
)
def baoxue_exemption_rules(jurisdiction_code: str) -> Sequence[ExemptionRule] | None:
    """When a child may be excused from school (缓学/免学), and the steps that make it so.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning; the core default follows 义务教育法 第十一条.
    """


# -- import formats ----------------------------------------------------------------------------


def check_import_formats(formats: Sequence[ImportFormat], ctx: CountyContext) -> None:
    from core.imports.formats import VOCABULARIES
    from core.rules.enums import ImportKind, ValueKind

    unique((f.code for f in formats), "import format")
    for fmt in formats:
        if not TERM_CODE.fullmatch(fmt.code):
            raise Invalid(f"import format code {fmt.code!r} must be UPPER_SNAKE, 2–32 characters")
        if not fmt.columns:
            raise Invalid(f"import format {fmt.code}: has no columns")
        unique((c.field for c in fmt.columns), f"field of import format {fmt.code}")
        unique((h for c in fmt.columns for h in c.headers), f"header of import format {fmt.code}")
        for column in fmt.columns:
            if not column.header.strip():
                raise Invalid(f"import format {fmt.code}: column {column.field} has no header")
            if column.kind is ValueKind.VOCABULARY and column.vocabulary not in VOCABULARIES:
                raise Invalid(
                    f"import format {fmt.code}: unknown vocabulary {column.vocabulary!r} "
                    f"(known: {', '.join(VOCABULARIES)})"
                )
        if (fmt.kind is ImportKind.KEY_GROUP_LIST) != (fmt.key_group is not None):
            raise Invalid(f"import format {fmt.code}: a key-group list names its key group")


@hook(
    fills="import_formats",
    label="名册导入格式 (列名、同义列名与代码表)",
    check=check_import_formats,
    merged_by=operator.attrgetter("code"),
)
def baoxue_import_formats(jurisdiction_code: str) -> Sequence[ImportFormat] | None:
    """Roster layouts the county imports: each format's columns (Chinese header, synonyms, the
    field filled, the value vocabulary).

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning: a county's format with the code of one of core's
    (``STUDENT_ROSTER`` …) replaces it, a new code adds one.
    """


# -- 送教上门 ------------------------------------------------------------------------------------


def check_home_delivery(rule: HomeDeliveryRule, ctx: CountyContext) -> None:
    check_clause(rule.clause, "home delivery rule")
    if not 0 <= rule.min_age <= rule.max_age <= 18:
        raise Invalid("home delivery rule: ages must satisfy 0 <= min_age <= max_age <= 18")
    if not rule.disability_grades or not set(rule.disability_grades) <= {1, 2, 3, 4}:
        raise Invalid("home delivery rule: disability_grades must be some of 1–4")


@hook(
    fills="home_delivery",
    label="送教上门的条件 (年龄、残疾等级; 文件未设时不限)",
    check=check_home_delivery,
)
def baoxue_home_delivery(jurisdiction_code: str) -> HomeDeliveryRule | None:
    """Who may be taught at home (送教上门): ages and 残疾等级.

    Called when a county's rules are resolved. Stops at first non-None result; core has no
    default (no limit). Enforced wherever 送教上门 is recorded: a 学籍 changed to that mode, a
    送教上门 plan, an expert committee's recommendation.
    """


# -- notices -----------------------------------------------------------------------------------


def check_notice_templates(templates: Sequence[NoticeTemplate], ctx: CountyContext) -> None:
    """One template per kind, a title and some text, and blanks core knows how to fill."""
    unique((t.kind.value for t in templates), "notice template kind")
    for template in templates:
        where = f"notice template {template.kind.value}"
        check_clause(template.clause, where)
        if not template.title.strip() or not template.paragraphs:
            raise Invalid(f"{where}: needs a title and at least one paragraph")
        texts = (
            template.title,
            template.salutation,
            *template.paragraphs,
            template.closing,
            template.issuer,
            template.receipt,
        )
        for text in texts:
            for name in re.findall(r"{([^{}]*)}", text):
                if name not in NOTICE_FIELDS:
                    known = ", ".join(NOTICE_FIELDS)
                    raise Invalid(f"{where}: unknown blank {{{name}}} (known: {known})")


@hook(
    fills="notice_templates",
    label="文书模板 (劝返复学通知书、入学通知书)",
    check=check_notice_templates,
    merged_by=operator.attrgetter("kind"),
)
def baoxue_notice_templates(jurisdiction_code: str) -> Sequence[NoticeTemplate] | None:
    """The printable notices' wording: the 劝返复学通知书 ``issueReturnNotice`` writes and the
    autumn 入学通知书, as text with blanks (``{guardian_name}``) that core fills and prints.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``kind``, the earlier plugin winning, so a county's template replaces core's.
    """


# -- risk --------------------------------------------------------------------------------------


def check_risk_rules(rules: RiskRuleSet, ctx: CountyContext) -> None:
    """A version, distinct UPPER_SNAKE codes, positive weights, scores that can be reached."""
    from core.rules.enums import Comparison, RiskSignal

    check_clause(rules.clause, "risk rules")
    if not rules.version.strip():
        raise Invalid("risk rules: version is empty")
    if not rules.rules:
        raise Invalid("risk rules: no rules")
    unique((r.code for r in rules.rules), "risk rule code")
    for rule in rules.rules:
        where = f"risk rule {rule.code}"
        check_clause(rule.clause, where)
        if not TERM_CODE.fullmatch(rule.code):
            raise Invalid(f"{where}: code must be UPPER_SNAKE, 2–32 characters")
        if rule.weight <= 0:
            raise Invalid(f"{where}: weight must be > 0")
        if rule.comparison is Comparison.EQUAL:
            raise Invalid(f"{where}: compare with AT_LEAST or AT_MOST, not EQUAL")
        if rule.threshold < 0:
            raise Invalid(f"{where}: threshold must be >= 0")
        if rule.signal is RiskSignal.ATTENDANCE_RATE and rule.threshold > 100:
            raise Invalid(f"{where}: an attendance rate threshold is at most 100 (per cent)")
        if (rule.signal is RiskSignal.KEY_GROUPS) != bool(rule.key_groups):
            raise Invalid(f"{where}: a KEY_GROUPS rule, and only one, names its key groups")
    if not 0 < rules.watch_at <= rules.high_at:
        raise Invalid("risk rules: need 0 < watch_at <= high_at")
    if rules.high_at > sum(r.weight for r in rules.rules):
        raise Invalid("risk rules: high_at is more than all weights together")
    if rules.visit_days <= 0:
        raise Invalid("risk rules: visit_days must be > 0")


@hook(
    fills="risk_rules",
    label="辍学风险预警规则 (有版本号, 每条规则的阈值与分值)",
    check=check_risk_rules,
    required=True,
)
def baoxue_risk_rules(jurisdiction_code: str) -> RiskRuleSet | None:
    """The rules that give each child a risk level (NONE / WATCH / HIGH) and explain it.

    Called when a county's rules are resolved. Stops at first non-None result; the core default
    scores attendance this term (unexplained absences, the attendance rate), key groups, past
    cases, repeated grades and age over grade, the early-warning indicators research found
    predictive. A county tunes it by returning the default :meth:`~RiskRuleSet.adjusted` (other
    thresholds or weights, a new version) or a rule set of its own.
    """


# -- event channels ----------------------------------------------------------------------------


def check_event_channels(channels: Sequence[EventChannel], ctx: CountyContext) -> None:
    """A code-like name, a label, known event kinds and a plain function to render."""
    unique((c.name for c in channels), "event channel")
    known = set(EventKind.choices())
    for channel in channels:
        where = f"event channel {channel.name!r}"
        if not re.fullmatch(TERM_CODE, channel.name) or not channel.label.strip():
            raise Invalid(f"{where}: needs a code-like name (A-Z, 0-9, _) and a label")
        if not channel.event_kinds:
            raise Invalid(f"{where}: hears no event kind")
        unknown = [k for k in channel.event_kinds if k not in known]
        if unknown:
            raise Invalid(f"{where}: unknown event kinds {', '.join(unknown)}")
        if not callable(channel.render) or inspect.iscoroutinefunction(channel.render):
            raise Invalid(f"{where}: render must be a plain function (core does the I/O)")


@hook(
    fills="event_channels",
    label="事件通知渠道 (短信网关、工作群机器人等)",
    check=check_event_channels,
    merged_by=operator.attrgetter("name"),
)
def baoxue_event_channels(jurisdiction_code: str) -> Sequence[EventChannel] | None:
    """Channels besides the inbox and webhooks by which the county tells people of events: each
    names the event kinds it hears and a plain ``render`` function turning a
    :class:`~core.rules.specs.ChannelMessage` into the :class:`~core.rules.specs.ChannelRequest`
    to POST (or None: nothing for this one).

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``name``, the earlier plugin winning. ``render`` runs in ``baoxue worker``; it must not do
    I/O (pluggy cannot await): core sends the request, retries it and records each attempt.
    """
