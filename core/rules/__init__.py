"""County rules as data: the vocabulary (``enums``), what hooks return (``specs``), the fields
reports are filled from (``report_fields``), the renderer (``render``), what every checker shares
(``checks``) and one county's resolved rules (``core.rules.county``, not re-exported here: its
fields come from the hook table in :mod:`core.hookspecs`, which reads the modules above).

Plugins import what they return from here::

    from core.rules import Clause, Metric, Comparison, Target

The organisation types (``JurisdictionSpec``, ``TownSpec`` …) and the core enums a rule names
(``Duty``, ``ResponsibilityLine``, ``KeyGroup``, ``TownKind`` …) are re-exported here too, so a
plugin needs this one import.
"""

from core.jurisdictions.models import KeyAreaKind, SchoolGroupKind, TownKind, VillageKind
from core.jurisdictions.spec import (
    JurisdictionSpec,
    MinorityShare,
    SchoolGroupSpec,
    SchoolSpec,
    TownSpec,
    VillageSpec,
)
from core.officials.models import Duty, ResponsibilityLine
from core.people.enums import KeyGroup
from core.rules.enums import (
    AbsenceRuleKind,
    ApprovalKind,
    ApprovingAuthority,
    Comparison,
    DeadlineKind,
    FieldKind,
    LeadershipRole,
    Metric,
    NoticeKind,
    PeriodAnchor,
    PeriodKind,
    Population,
    RowKind,
    RowSelection,
    SchoolStage,
    SignOffAction,
    TargetPeriod,
    TermSeason,
    VocabularyKind,
)
from core.rules.render import render_report, render_sign_off
from core.rules.report_fields import REPORT_FIELDS, ReportField, sample_row
from core.rules.specs import (
    AbsenceRule,
    Clause,
    Column,
    Deadline,
    EscalationChain,
    EscalationLevel,
    ExemptionRule,
    HeaderGroup,
    Holiday,
    HomeDeliveryRule,
    KeyPeriod,
    LeadershipGroup,
    LeadershipMember,
    LeadershipOffice,
    MonitoringFocus,
    NoticeTemplate,
    ProcedureStep,
    ReportFormat,
    ResponsibilitySpec,
    SchoolTerm,
    Scope,
    SignOff,
    Target,
    TermCalendar,
    VocabularyTerm,
    columns,
)

__all__ = [
    "REPORT_FIELDS",
    "AbsenceRule",
    "AbsenceRuleKind",
    "ApprovalKind",
    "ApprovingAuthority",
    "Clause",
    "Column",
    "Comparison",
    "Deadline",
    "DeadlineKind",
    "Duty",
    "EscalationChain",
    "EscalationLevel",
    "ExemptionRule",
    "FieldKind",
    "HeaderGroup",
    "Holiday",
    "HomeDeliveryRule",
    "JurisdictionSpec",
    "KeyAreaKind",
    "KeyGroup",
    "KeyPeriod",
    "LeadershipGroup",
    "LeadershipMember",
    "LeadershipOffice",
    "LeadershipRole",
    "Metric",
    "MinorityShare",
    "MonitoringFocus",
    "NoticeKind",
    "NoticeTemplate",
    "PeriodAnchor",
    "PeriodKind",
    "Population",
    "ProcedureStep",
    "ReportField",
    "ReportFormat",
    "ResponsibilityLine",
    "ResponsibilitySpec",
    "RowKind",
    "RowSelection",
    "SchoolGroupKind",
    "SchoolGroupSpec",
    "SchoolSpec",
    "SchoolStage",
    "SchoolTerm",
    "Scope",
    "SignOff",
    "SignOffAction",
    "Target",
    "TargetPeriod",
    "TermCalendar",
    "TermSeason",
    "TownKind",
    "TownSpec",
    "VillageKind",
    "VillageSpec",
    "VocabularyKind",
    "VocabularyTerm",
    "columns",
    "render_report",
    "render_sign_off",
    "sample_row",
]
