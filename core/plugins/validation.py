"""Start-up checks of every plugin's answers, so a broken plugin fails before first use.

Each plugin is called on its own, hook by hook, for every division code any plugin declares and
for a code nobody declares (:data:`FOREIGN_CODE`). Its answer is checked first for shape
(types, against the annotations of the dataclasses in :mod:`core.rules`) and then for meaning
(unknown metrics, report columns core cannot fill, chains that do not end, names that refer
to nothing). The first problem raises :class:`PluginError` naming the plugin and the hook.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

import pluggy

from core import hookspecs
from core.assistance.models import AssistanceProgramme
from core.cases.enums import CaseReason
from core.jurisdictions.spec import JurisdictionSpec
from core.plugins.errors import PluginError
from core.rules.county import CountyRules
from core.rules.enums import LeadershipRole, VocabularyKind
from core.rules.render import render_report
from core.rules.report_fields import REPORT_FIELDS, SCOPES_BY_ROW_KIND
from core.rules.specs import (
    Clause,
    Deadline,
    EscalationChain,
    ExemptionRule,
    KeyPeriod,
    LeadershipGroup,
    MonitoringFocus,
    ReportFormat,
    ResponsibilitySpec,
    Target,
    VocabularyTerm,
)
from core.schools.models import SchoolKind

#: A well-formed division code no jurisdiction has: every per-county hook must answer None.
FOREIGN_CODE = "000000"

#: First two digits of the 行政区划代码 of each province-level division.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 "
    "65 71 81 82".split()
)

_CODE = re.compile(r"^[a-z][a-z0-9-]{0,47}$")
_TERM_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")


class Invalid(ValueError):
    """One problem with one answer; the caller adds the plugin and the hook."""


# -- shapes ------------------------------------------------------------------------------------


def check_shape(value: Any, annotation: Any, path: str) -> None:
    """Raise :class:`Invalid` unless ``value`` fits ``annotation``.

    Understands the annotations :mod:`core.rules` uses: ``str``, ``int``, ``bool``,
    :class:`~decimal.Decimal`, enums, ``X | None``, ``tuple[X, ...]``, ``Sequence[X]`` and
    frozen dataclasses (checked field by field).
    """
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = get_args(annotation)
        if value is None and type(None) in options:
            return
        problems = []
        for option in options:
            if option is type(None):
                continue
            try:
                check_shape(value, option, path)
                return
            except Invalid as exc:
                problems.append(exc)
        raise (
            problems[-1]
            if len(problems) == 1
            else Invalid(f"{path}: expected {_name(annotation)}, got {_describe(value)}")
        )
    if origin is tuple:
        if not isinstance(value, tuple):
            raise Invalid(f"{path}: expected a tuple, got {_describe(value)}")
        item_type = get_args(annotation)[0]
        for index, item in enumerate(value):
            check_shape(item, item_type, f"{path}[{index}]")
        return
    if origin in (Sequence, list):
        if not isinstance(value, (list, tuple)):
            raise Invalid(f"{path}: expected a list or tuple, got {_describe(value)}")
        item_type = get_args(annotation)[0]
        for index, item in enumerate(value):
            check_shape(item, item_type, f"{path}[{index}]")
        return
    if annotation is type(None):
        if value is not None:
            raise Invalid(f"{path}: expected None, got {_describe(value)}")
        return
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if not isinstance(value, annotation):
            known = ", ".join(m.value for m in annotation)
            if isinstance(value, str) and value in known.split(", "):
                raise Invalid(
                    f"{path}: write {annotation.__name__}.{value}, not the string {value!r}"
                )
            raise Invalid(
                f"{path}: unknown {annotation.__name__} {_describe(value)} (known: {known})"
            )
        return
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, annotation):
            raise Invalid(f"{path}: expected {annotation.__name__}, got {_describe(value)}")
        hints = _hints(annotation)
        for f in dataclasses.fields(annotation):
            check_shape(getattr(value, f.name), hints[f.name], f"{path}.{f.name}")
        return
    if annotation is bool:
        ok = isinstance(value, bool)
    elif annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif annotation is Decimal:
        ok = isinstance(value, Decimal) and value.is_finite()
    elif annotation is Any:
        ok = True
    else:
        ok = isinstance(value, annotation)
    if not ok:
        hint = ' (write Decimal("97.3"), not a float)' if annotation is Decimal else ""
        raise Invalid(f"{path}: expected {_name(annotation)}, got {_describe(value)}{hint}")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation)


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


# -- what each hook must return ----------------------------------------------------------------


@dataclass
class CountyContext:
    """What the checks of one county's answers need to know."""

    code: str
    spec: JurisdictionSpec | None
    #: Case-reason codes known so far: core's, plus the county's vocabulary once checked.
    reasons: set[str] = field(default_factory=lambda: set(CaseReason.choices()))

    @property
    def town_names(self) -> set[str]:
        return {t.name for t in self.spec.towns} if self.spec else set()

    @property
    def school_names(self) -> set[str]:
        return {s.name for t in self.spec.towns for s in t.schools} if self.spec else set()


def check_jurisdiction(spec: JurisdictionSpec) -> None:
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
    _unique((t.name for t in spec.towns), "town")
    _unique((s.name for t in spec.towns for s in t.schools), "school")
    kinds = set(SchoolKind.choices())
    for town in spec.towns:
        _unique((v.name for v in town.villages), f"village in {town.name}")
        for school in town.schools:
            if school.kind not in kinds:
                raise Invalid(
                    f"school {school.name!r} has kind {school.kind!r}; known: {', '.join(kinds)}"
                )
    towns = {t.name for t in spec.towns}
    _unique((f"{g.kind.label} {g.name}" for g in spec.school_groups), "school group")
    for group in spec.school_groups:
        for name in group.towns:
            if name not in towns:
                raise Invalid(f"{group.kind.label} {group.name!r} names unknown town {name!r}")


def _check_clause(clause: Clause, where: str) -> None:
    if not clause.document.strip() or not clause.section.strip():
        raise Invalid(f"{where}: clause needs a document and a section")


def check_leadership(group: LeadershipGroup, ctx: CountyContext) -> None:
    _check_clause(group.clause, "leadership")
    if not group.with_role(LeadershipRole.LEADER):
        raise Invalid("leadership group has no 组长 (LEADER)")
    for member in group.members:
        if not member.name.strip():
            raise Invalid(f"a {member.role.label} has no name")
    if group.office is not None and not group.office.director.strip():
        raise Invalid("the leadership office has no director")


def check_responsibilities(specs: Sequence[ResponsibilitySpec], ctx: CountyContext) -> None:
    keys = _unique((s.key for s in specs), "responsibility key")
    towns, schools = ctx.town_names, ctx.school_names
    for spec in specs:
        where = f"responsibility {spec.key!r}"
        _check_clause(spec.clause, where)
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


def check_targets(targets: Sequence[Target], ctx: CountyContext) -> None:
    _unique((f"{t.metric.value}/{t.population.value}" for t in targets), "target")
    for target in targets:
        where = f"target {target.metric.value}"
        _check_clause(target.clause, where)
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


def check_escalation_chain(chain: EscalationChain, ctx: CountyContext) -> None:
    _check_clause(chain.clause, "escalation chain")
    if not chain.levels:
        raise Invalid("escalation chain has no levels")
    numbers = [level.level for level in chain.levels]
    if numbers != list(range(1, len(numbers) + 1)):
        raise Invalid(f"escalation levels must be numbered 1..n in order, got {numbers}")
    _unique((level.name for level in chain.levels), "escalation level name")
    for level in chain.levels:
        _check_clause(level.clause, f"escalation level {level.level}")
        if level.days_allowed is not None and level.days_allowed <= 0:
            raise Invalid(f"escalation level {level.level}: days_allowed must be > 0")
    if chain.final_level.days_allowed is not None:
        raise Invalid(
            f"escalation chain does not end: its last level ({chain.final_level.name}) has "
            "days_allowed set, but there is no level above it to escalate to"
        )
    if chain.unreachable_level is not None and chain.unreachable_level not in numbers:
        raise Invalid(f"unreachable_level {chain.unreachable_level} is not a level of the chain")


def check_deadlines(deadlines: Sequence[Deadline], ctx: CountyContext) -> None:
    _unique((d.kind.value for d in deadlines), "deadline kind")
    for deadline in deadlines:
        _check_clause(deadline.clause, f"deadline {deadline.kind.value}")
        if deadline.days <= 0:
            raise Invalid(f"deadline {deadline.kind.value}: days must be > 0")


def check_key_periods(periods: Sequence[KeyPeriod], ctx: CountyContext) -> None:
    _codes(periods, "key period")
    for period in periods:
        _check_clause(period.clause, f"key period {period.code}")
        if period.days is not None and period.days <= 0:
            raise Invalid(f"key period {period.code}: days must be > 0 or None")


def check_monitoring_focus(items: Sequence[MonitoringFocus], ctx: CountyContext) -> None:
    _codes(items, "monitoring focus")
    for item in items:
        _check_clause(item.clause, f"monitoring focus {item.code}")
        if not (item.stages or item.key_groups or item.areas):
            raise Invalid(f"monitoring focus {item.code}: names no stage, group or area")


def check_report_formats(formats: Sequence[ReportFormat], ctx: CountyContext) -> None:
    _codes(formats, "report format")
    for fmt in formats:
        where = f"report format {fmt.code!r}"
        _check_clause(fmt.clause, where)
        if not fmt.title.strip():
            raise Invalid(f"{where}: title is empty")
        if not fmt.period_kinds:
            raise Invalid(f"{where}: no period kinds")
        if not fmt.columns:
            raise Invalid(f"{where}: no columns")
        keys = _unique((c.key for c in fmt.columns), f"column key in {fmt.code}")
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
        for sign_off in fmt.sign_off:
            if not sign_off.role.strip() or not sign_off.actions:
                raise Invalid(f"{where}: a sign-off needs a role and at least one action")
        try:
            render_report(fmt, [])
        except Exception as exc:  # pragma: no cover - the checks above should prevent it
            raise Invalid(f"{where}: does not render: {exc}") from exc


def check_vocabulary(terms: Sequence[VocabularyTerm], ctx: CountyContext) -> None:
    _unique((f"{t.kind.value}/{t.code}" for t in terms), "vocabulary term")
    core = {
        VocabularyKind.CASE_REASON: CaseReason.choices(),
        VocabularyKind.ASSISTANCE_PROGRAMME: AssistanceProgramme.choices(),
    }
    for term in terms:
        _check_clause(term.clause, f"term {term.code}")
        if not _TERM_CODE.fullmatch(term.code):
            raise Invalid(f"term code {term.code!r} must be UPPER_SNAKE, 2–32 characters")
        if term.code in core[term.kind]:
            raise Invalid(f"{term.kind.label} {term.code!r} is already a core term")
        if not term.label.strip():
            raise Invalid(f"term {term.code}: label is empty")


def check_exemption_rules(rules: Sequence[ExemptionRule], ctx: CountyContext) -> None:
    _codes(rules, "exemption rule")
    for rule in rules:
        _check_clause(rule.clause, f"exemption rule {rule.code}")
        if not rule.reasons or not rule.steps:
            raise Invalid(f"exemption rule {rule.code}: needs reasons and steps")
        for reason in rule.reasons:
            if reason not in ctx.reasons:
                raise Invalid(f"exemption rule {rule.code}: unknown case reason {reason!r}")


def _unique(values: Iterable[str], what: str) -> set[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise Invalid(f"duplicate {what} {value!r}")
        seen.add(value)
    return seen


def _codes(items: Sequence[Any], what: str) -> None:
    for item in items:
        if not _CODE.fullmatch(item.code):
            raise Invalid(f"{what} code {item.code!r} must be lower-case-with-dashes")
    _unique((item.code for item in items), f"{what} code")


@dataclass(frozen=True)
class HookRule:
    """How one per-county hook's answer is checked."""

    returns: Any
    check: Callable[[Any, CountyContext], None]


#: Every hook taking ``jurisdiction_code``, with the type of its answer and its checks.
COUNTY_HOOKS: dict[str, HookRule] = {
    "baoxue_vocabulary": HookRule(Sequence[VocabularyTerm], check_vocabulary),
    "baoxue_leadership": HookRule(LeadershipGroup, check_leadership),
    "baoxue_responsibilities": HookRule(Sequence[ResponsibilitySpec], check_responsibilities),
    "baoxue_targets": HookRule(Sequence[Target], check_targets),
    "baoxue_escalation_chain": HookRule(EscalationChain, check_escalation_chain),
    "baoxue_deadlines": HookRule(Sequence[Deadline], check_deadlines),
    "baoxue_key_periods": HookRule(Sequence[KeyPeriod], check_key_periods),
    "baoxue_monitoring_focus": HookRule(Sequence[MonitoringFocus], check_monitoring_focus),
    "baoxue_report_formats": HookRule(Sequence[ReportFormat], check_report_formats),
    "baoxue_exemption_rules": HookRule(Sequence[ExemptionRule], check_exemption_rules),
}


def hook_names() -> list[str]:
    """The name of every hook in :mod:`core.hookspecs`."""
    return sorted(n for n in dir(hookspecs) if n.startswith("baoxue_"))


def check_resolved(rules: CountyRules) -> None:
    """Checks that need the merged view: every level below the top has a time limit."""
    if rules.escalation is None:
        raise Invalid("no escalation chain (not even core's default)")
    for level in rules.escalation.levels[:-1]:
        if rules.escalation_days(level.level) is None:
            raise Invalid(
                f"escalation level {level.level} ({level.name}) has no time limit and there "
                "is no ESCALATION_STEP deadline"
            )


# -- running the checks ------------------------------------------------------------------------


def call_impl(impl: pluggy.HookImpl, hook: str, **kwargs: Any) -> Any:
    """Call one plugin's implementation of ``hook``; its exceptions become PluginError."""
    try:
        return impl.function(*[kwargs[name] for name in impl.argnames])
    except Exception as exc:
        raise PluginError(impl.plugin_name, hook, f"raised {type(exc).__name__}: {exc}") from exc


def impls(pm: pluggy.PluginManager, hook: str) -> list[pluggy.HookImpl]:
    return getattr(pm.hook, hook).get_hookimpls()


def check_hookimpl_names(name: str, plugin: object) -> None:
    """Fail on a ``baoxue_*`` function that is no hook, or that asks for arguments the hook
    does not give (a typo would otherwise be silently ignored or fail late)."""
    known = {n: getattr(hookspecs, n) for n in hook_names()}
    for attr in dir(plugin):
        if not attr.startswith("baoxue_"):
            continue
        function = getattr(plugin, attr)
        if not callable(function):
            continue
        if attr not in known:
            raise PluginError(name, attr, f"no such hook (known: {', '.join(known)})")
        expected = set(inspect.signature(known[attr]).parameters)
        given = set(inspect.signature(function).parameters) - {"self"}
        if given - expected:
            raise PluginError(
                name,
                attr,
                f"takes {', '.join(sorted(given - expected))}, which the hook does not give "
                f"(it gives: {', '.join(sorted(expected)) or 'nothing'})",
            )


def collect_jurisdictions(pm: pluggy.PluginManager) -> dict[str, tuple[str, JurisdictionSpec]]:
    """``{division code: (plugin name, spec)}``; PluginError on a bad spec or a second plugin
    declaring a code already taken."""
    found: dict[str, tuple[str, JurisdictionSpec]] = {}
    hook = "baoxue_jurisdiction"
    for impl in impls(pm, hook):  # registration order, so the later plugin is blamed
        spec = call_impl(impl, hook)
        if spec is None:
            continue
        try:
            check_shape(spec, JurisdictionSpec, "jurisdiction")
            check_jurisdiction(spec)
        except Invalid as exc:
            raise PluginError(impl.plugin_name, hook, str(exc)) from exc
        code = spec.division_code
        if code in found:
            raise PluginError(
                impl.plugin_name,
                hook,
                f"duplicate division code {code}: already served by plugin {found[code][0]!r}",
            )
        found[code] = (impl.plugin_name, spec)
    return found


def validate(
    pm: pluggy.PluginManager, *, defaults: Iterable[str] = ()
) -> dict[str, tuple[str, JurisdictionSpec]]:
    """Check every plugin's answer to every hook; return the declared jurisdictions.

    ``defaults`` names plugins (core's defaults) that may answer for any code.
    """
    jurisdictions = collect_jurisdictions(pm)
    default_names = set(defaults)
    for hook in COUNTY_HOOKS:
        for impl in impls(pm, hook):
            if impl.plugin_name in default_names:
                continue
            if call_impl(impl, hook, jurisdiction_code=FOREIGN_CODE) is not None:
                raise PluginError(
                    impl.plugin_name,
                    hook,
                    f"answered for {FOREIGN_CODE}, a code it does not serve: a county hook must "
                    "return None when jurisdiction_code is not its own",
                )
    for code, (_, spec) in [*jurisdictions.items(), (FOREIGN_CODE, (None, None))]:
        ctx = CountyContext(code=code, spec=spec)
        for hook, rule in COUNTY_HOOKS.items():
            for impl in impls(pm, hook):
                answer = call_impl(impl, hook, jurisdiction_code=code)
                if answer is None:
                    continue
                try:
                    check_shape(answer, rule.returns, hook.removeprefix("baoxue_"))
                    rule.check(answer, ctx)
                except Invalid as exc:
                    raise PluginError(impl.plugin_name, hook, f"{code}: {exc}") from exc
                if hook == "baoxue_vocabulary":  # checked first: later hooks may use its terms
                    ctx.reasons |= {t.code for t in answer if t.kind is VocabularyKind.CASE_REASON}
    return jurisdictions
