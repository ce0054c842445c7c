"""One county's rules with core defaults filled in: what the rest of core reads.

Get one from the registry (``core.plugins.rules_for("369901")``); never build one by hand
outside tests. Every field is plain frozen data, ready to cache, share and expose over GraphQL.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from core.assistance.models import AssistanceProgramme
from core.cases.enums import CaseReason
from core.hookspecs import county_hooks
from core.jurisdictions.spec import JurisdictionSpec
from core.rules.enums import DeadlineKind, Metric, NoticeKind, Population, VocabularyKind
from core.rules.specs import Deadline, NoticeTemplate, ReportFormat, Target


def _one_field_per_hook(cls: type) -> type:
    """Give ``cls`` one field per county hook of :data:`core.hookspecs.HOOKS`, named by the
    hook's ``fills`` and typed by its answer, then make it a frozen dataclass."""
    annotations = dict(inspect.get_annotations(cls))
    for hook in county_hooks():
        annotations[hook.fills] = hook.value_type
    cls.__annotations__ = annotations
    return dataclass(frozen=True, kw_only=True)(cls)


@_one_field_per_hook
class CountyRules:
    """Everything the plugins (and, where they are silent, core defaults) say about a county.

    Besides the three fields below, one field per county hook, named and typed as
    :data:`core.hookspecs.HOOKS` declares it (``fills``): ``leadership`` (a
    :class:`~core.rules.specs.LeadershipGroup` or None), ``escalation`` (the
    :class:`~core.rules.specs.EscalationChain`, never None), and tuples such as
    ``responsibilities``, ``targets``, ``deadlines`` or ``report_formats``.
    """

    jurisdiction_code: str
    #: None for a division code no installed plugin declares (only core defaults apply).
    jurisdiction: JurisdictionSpec | None
    #: The entry-point name of the plugin that declares the jurisdiction, or None.
    plugin: str | None

    # -- look-ups ------------------------------------------------------------------------------

    def target(self, metric: Metric, population: Population = Population.ALL) -> Target | None:
        """The target for ``metric`` over ``population``, or None when nobody sets one."""
        for target in self.targets:
            if target.key == (metric, population):
                return target
        return None

    def deadline(self, kind: DeadlineKind) -> Deadline | None:
        for deadline in self.deadlines:
            if deadline.kind is kind:
                return deadline
        return None

    def days(self, kind: DeadlineKind) -> int:
        """Days allowed for ``kind``; ``KeyError`` when neither plugin nor core sets one."""
        deadline = self.deadline(kind)
        if deadline is None:
            raise KeyError(kind)
        return deadline.days

    def escalation_days(self, level: int) -> int | None:
        """Days a case may stay at ``level`` before it goes up: the level's own time, else the
        ``ESCALATION_STEP`` deadline; None at the top of the chain."""
        if self.escalation.level(level) is self.escalation.final_level:
            return None
        clock = self.level_clock(level)
        return clock[1] if clock else None

    def level_clock(self, level: int) -> tuple[DeadlineKind, int] | None:
        """The clock of a case in the chain at ``level``, as ``(kind, days)``: the deadline the
        level names (the township's ``TOWNSHIP_ACTION``, the top of the chain included), else
        the level's own days or the ``ESCALATION_STEP`` deadline below the top; None at a top
        level that names no deadline (the case has nowhere to go and no time)."""
        item = self.escalation.level(level)
        if item.deadline is not None:
            named = self.deadline(item.deadline)
            return (item.deadline, named.days) if named else None
        if item is self.escalation.final_level:
            return None
        if item.days_allowed is not None:
            return (DeadlineKind.ESCALATION_STEP, item.days_allowed)
        deadline = self.deadline(DeadlineKind.ESCALATION_STEP)
        return (DeadlineKind.ESCALATION_STEP, deadline.days) if deadline else None

    def report_format(self, code: str) -> ReportFormat:
        """The report format ``code``; ``KeyError`` if the county has none by that code."""
        for fmt in self.report_formats:
            if fmt.code == code:
                return fmt
        raise KeyError(code)

    def notice_template(self, kind: NoticeKind) -> NoticeTemplate:
        """The county's template for ``kind`` (core's when its plugin gives none)."""
        for template in self.notice_templates:
            if template.kind is kind:
                return template
        raise KeyError(kind)

    def case_reasons(self) -> dict[str, str]:
        """``{code: 中文}`` of every case reason: core's, then the county's additions."""
        return CaseReason.choices() | self._terms(VocabularyKind.CASE_REASON)

    def assistance_programmes(self) -> dict[str, str]:
        """``{code: 中文}`` of every assistance programme: core's, then the county's."""
        return AssistanceProgramme.choices() | self._terms(VocabularyKind.ASSISTANCE_PROGRAMME)

    def _terms(self, kind: VocabularyKind) -> dict[str, str]:
        return {t.code: t.label for t in self.vocabulary if t.kind is kind}
