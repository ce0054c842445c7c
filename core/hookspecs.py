"""The hooks a county plugin implements: everything county-specific enters core through here.

A plugin is a module (or object) with functions named after these hooks and marked with
``hookimpl``; it is installed as a package with an entry point in the ``baoxue`` group (see
docs/plugins.md). Hooks return plain frozen data from :mod:`core.rules` and never touch the
database, so they are synchronous and cheap to call.

Every hook but :func:`baoxue_jurisdiction` takes ``jurisdiction_code`` (a 6-digit 行政区划代码)
and **returns None for a code that is not the plugin's own**. Core's defaults
(:mod:`core.default_rules`) are registered as a plugin too and answer for every code, after
every other plugin, so "the plugin says nothing" and "the core default applies" are the same
thing. Two ways of combining answers:

* *first result* hooks (``firstresult=True``) take a whole structure from the first plugin that
  answers: the leadership group, the responsibility table, the escalation chain;
* *merged* hooks collect a list from every plugin that answers and merge by key, the earlier
  plugin winning: a county's 巩固率 target replaces the default one, while the default
  入学率 target stays when the county does not set one.

All answers are checked at start-up (:mod:`core.plugins.validation`); a malformed answer stops
the application with a :class:`core.plugins.PluginError` naming the plugin and the hook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:
    from core.jurisdictions.spec import JurisdictionSpec
    from core.rules.specs import (
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

#: The project name pluggy uses; also the entry-point group plugins register under.
PROJECT = "baoxue"

hookspec = HookspecMarker(PROJECT)
hookimpl = HookimplMarker(PROJECT)


@hookspec
def baoxue_jurisdiction() -> JurisdictionSpec | None:
    """The county this plugin serves, and its organisation.

    Called once per plugin at start-up. Return a :class:`~core.jurisdictions.spec.JurisdictionSpec`:
    division code, name, parent city and province, towns with their villages and the schools
    the document names, school districts (学区) and supervision zones (督导责任区) where the
    document has them, and ``sources``, the documents the plugin implements. Every plugin's
    answer is collected; a division code served by two plugins is an error. Return None from a
    plugin that only adjusts another county's rules.
    """


@hookspec(firstresult=True)
def baoxue_leadership(jurisdiction_code: str) -> LeadershipGroup | None:
    """The county's 控辍保学工作领导小组: roles, named people, the office that runs the work.

    Called when a county's rules are resolved. Stops at first non-None result. Core has no
    default: a county whose document names no group has none.
    """


@hookspec(firstresult=True)
def baoxue_responsibilities(jurisdiction_code: str) -> Sequence[ResponsibilitySpec] | None:
    """The responsibility table: who covers which town, school, grade, class or child.

    Called when a county's rules are resolved. Return every line of the document's tables in
    order (双线四包's education line, 荔浦's 总负责人 → 包片领导 → 包乡镇人员, 荣昌's
    区 → 镇街 → 村社), each with ``reports_to`` naming the ``key`` of the line above.
    Stops at first non-None result: the table is taken whole; the core default (县教育局,
    校长, 班主任, 乡镇, 村) applies only when no plugin answers.
    """


@hookspec
def baoxue_targets(jurisdiction_code: str) -> Sequence[Target] | None:
    """Numeric targets: metric, comparison, threshold, population, period, clause.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``(metric, population)``, the earlier plugin winning, so a county's 巩固率 ≥ 97.3 %
    replaces the core default 巩固率 100 % while the default 入学率 100 % still applies. A
    metric outside :class:`~core.rules.enums.Metric` fails at start-up.
    """


@hookspec(firstresult=True)
def baoxue_escalation_chain(jurisdiction_code: str) -> EscalationChain | None:
    """The escalation chain a failed 劝返 climbs, with the time allowed at each level.

    Called when a county's rules are resolved. Levels are numbered 1..n; the last has nowhere
    to go and no time limit. Stops at first non-None result; the core default is
    班主任 → 学校 → 县教育局 → 县政府.
    """


@hookspec
def baoxue_deadlines(jurisdiction_code: str) -> Sequence[Deadline] | None:
    """Deadlines in days (e.g. 学籍管理员 marks a head teacher's report within a week).

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``kind``, the earlier plugin winning; core defaults cover every
    :class:`~core.rules.enums.DeadlineKind` (30 days of follow-up before 销号, …).
    """


@hookspec
def baoxue_key_periods(jurisdiction_code: str) -> Sequence[KeyPeriod] | None:
    """Key periods that get closer watching (the first month of term, the holidays).

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning.
    """


@hookspec
def baoxue_monitoring_focus(jurisdiction_code: str) -> Sequence[MonitoringFocus] | None:
    """重点监测: the school stages, key groups and kinds of area watched most closely.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning.
    """


@hookspec
def baoxue_report_formats(jurisdiction_code: str) -> Sequence[ReportFormat] | None:
    """Report and ledger formats: title, period kinds, columns, grouping, sign-off.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning. Every column must name a field of
    :data:`core.rules.report_fields.REPORT_FIELDS`; an unknown one fails at start-up.
    """


@hookspec
def baoxue_vocabulary(jurisdiction_code: str) -> Sequence[VocabularyTerm] | None:
    """Extra terms: case reasons and assistance programmes core does not have.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``(kind, code)``; a code that repeats one of core's fails at start-up.
    """


@hookspec
def baoxue_exemption_rules(jurisdiction_code: str) -> Sequence[ExemptionRule] | None:
    """When a child may be excused from school (缓学/免学), and the steps that make it so.

    Called when a county's rules are resolved. Every answer is collected and merged by
    ``code``, the earlier plugin winning; the core default follows 义务教育法 第十一条.
    """
