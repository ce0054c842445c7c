"""The one adapter between the case workflow and a jurisdiction's rules.

The workflow needs a few things from a county: the escalation chain (levels, who answers at
each, how many days each has), the clocks on a report (学籍管理员 marking), a verification, a
劝返复学通知书 and the follow-up window before 销号, the level an unreachable family is handed
to, and the case-reason codes it accepts. Counties declare these in their plugins
(``baoxue_escalation_chain``, ``baoxue_deadlines``, ``baoxue_vocabulary``); core's defaults are
a plugin too, so every county gets a complete answer from :func:`core.plugins.rules_for`.
Nothing else in ``core.cases`` imports the plugin layer.

Levels here are numbered from 0, as ``Case.escalation_level`` is (0 = the first level of the
chain, e.g. 班主任); the rules number them from 1. This module is the only place that converts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from core.plugins import rules_for as county_rules_for
from core.rules.county import CountyRules
from core.rules.enums import ApprovalKind, ApprovingAuthority, DeadlineKind
from core.rules.specs import LAW_APPROVERS, ExemptionRule

#: Division code used when a case's jurisdiction is unknown: core defaults only.
NO_JURISDICTION = "000000"


@dataclass(frozen=True)
class Level:
    """One level of the escalation chain, numbered from 0."""

    number: int
    name: str
    #: Who answers for a case at this level (the grouping key of ``baoxue deadlines``).
    office: str
    #: Days this level has before the case should go up; None at the top of the chain.
    days: int | None
    #: Who else is told when a case reaches this level.
    notify: tuple[str, ...] = ()
    #: The deadline the level runs on when it is not the chain's step (the township's
    #: TOWNSHIP_ACTION, at the top of a chain too); None: ESCALATION_STEP or no clock.
    deadline: DeadlineKind | None = None


@dataclass(frozen=True)
class Clock:
    """A deadline rule: ``office`` must act within ``days``; ``notify`` is told on expiry."""

    kind: DeadlineKind
    days: int
    office: str
    notify: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CaseRules:
    """What the workflow needs from one jurisdiction."""

    jurisdiction_code: str
    chain_name: str
    chain: tuple[Level, ...]
    clocks: dict[DeadlineKind, Clock]
    #: Case-reason codes accepted in this jurisdiction (core's and the plugin's).
    reasons: frozenset[str]
    #: Level a case goes to when the family cannot be reached (None: it stays where it is).
    unreachable_level: int | None = None
    #: Level a confirmed case starts at (None: the first).
    confirmed_level: int | None = None
    #: Level that serves the 劝返复学通知书: issuing one raises a case to it (None: no change).
    return_notice_level: int | None = None
    #: 缓学/免学: on which grounds, approved by whom (the county's rules, or the law's).
    exemptions: tuple[ExemptionRule, ...] = ()

    def exemption_for(self, reason: str) -> ExemptionRule | None:
        """The exemption rule that covers case reason ``reason`` (None: no ground for one)."""
        return next((rule for rule in self.exemptions if reason in rule.reasons), None)

    def approvers(self, kind: ApprovalKind) -> tuple[tuple[ApprovingAuthority, ...], str]:
        """Who approves ``kind`` (休学, a placement) and where that is written: the first
        exemption rule naming it in ``also_approves``, else 义务教育法 第十一条."""
        for rule in self.exemptions:
            if kind in rule.also_approves:
                return rule.approved_by, " ".join(
                    p for p in (rule.clause.section, rule.clause.text[:40]) if p
                )
        return LAW_APPROVERS, "义务教育法 第十一条"

    @property
    def exemption_reasons(self) -> tuple[str, ...]:
        """Every reason some exemption rule covers, in the rules' order."""
        return tuple(dict.fromkeys(r for rule in self.exemptions for r in rule.reasons))

    @property
    def top_level(self) -> int:
        return len(self.chain) - 1

    def level(self, number: int) -> Level:
        """Level ``number``, clamped into the chain (a case never falls off a shorter chain)."""
        return self.chain[max(0, min(number, self.top_level))]

    def clock(self, kind: DeadlineKind) -> Clock:
        return self.clocks[kind]

    def level_days(self, number: int) -> int | None:
        return self.level(number).days

    @property
    def monitoring_office(self) -> str:
        """Who answers for a returned child until 销号."""
        return self.clock(DeadlineKind.FOLLOW_UP_WINDOW).office

    @property
    def follow_up_window_days(self) -> int:
        return self.clock(DeadlineKind.FOLLOW_UP_WINDOW).days

    @property
    def return_notice_days(self) -> int:
        return self.clock(DeadlineKind.RETURN_NOTICE_RESPONSE).days


def from_county_rules(county: CountyRules) -> CaseRules:
    """Convert the plugin layer's :class:`CountyRules` (levels from 1) to :class:`CaseRules`."""
    chain = tuple(
        Level(
            number=item.level - 1,
            name=item.name,
            office=item.responsible,
            days=county.escalation_days(item.level),
            notify=tuple(item.notify),
            deadline=item.deadline,
        )
        for item in sorted(county.escalation.levels, key=lambda lv: lv.level)
    )
    clocks = {
        d.kind: Clock(d.kind, d.days, d.responsible, tuple(d.notify_on_expiry))
        for d in county.deadlines
    }
    missing = [k.value for k in DeadlineKind if k not in clocks]
    if missing:  # core defaults cover every kind; this only trips on a broken registry
        raise LookupError(f"no deadline for {', '.join(missing)} in {county.jurisdiction_code}")
    escalation = county.escalation
    return CaseRules(
        jurisdiction_code=county.jurisdiction_code,
        chain_name=escalation.name,
        chain=chain,
        clocks=clocks,
        reasons=frozenset(county.case_reasons()),
        unreachable_level=_from_zero(escalation.unreachable_level),
        confirmed_level=_from_zero(escalation.confirmed_level),
        return_notice_level=_from_zero(escalation.return_notice_level),
        exemptions=tuple(county.exemption_rules),
    )


def _from_zero(level: int | None) -> int | None:
    """A level of the rules (from 1) as a ``Case.escalation_level`` (from 0)."""
    return None if level is None else level - 1


_cache: dict[str, tuple[CountyRules, CaseRules]] = {}
_lock = threading.Lock()


def rules_for(jurisdiction_code: str | None) -> CaseRules:
    """The case rules of a jurisdiction: its plugin's where it has them, else core defaults.

    Converted once per county and kept while the plugin registry keeps the same answer (a
    test that rebuilds the plugin manager gets fresh rules).
    """
    code = jurisdiction_code or NO_JURISDICTION
    county = county_rules_for(code)
    hit = _cache.get(code)
    if hit is not None and hit[0] is county:
        return hit[1]
    rules = from_county_rules(county)
    with _lock:
        _cache[code] = (county, rules)
    return rules
