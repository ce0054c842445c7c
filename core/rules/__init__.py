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
    RiskLevel,
    RiskSignal,
    RowKind,
    RowSelection,
    SchoolStage,
    SignOffAction,
    TargetPeriod,
    VocabularyKind,
)
from core.rules.render import render_report, render_sign_off
from core.rules.report_fields import REPORT_FIELDS, ReportField, sample_row
from core.rules.specs import (
    Clause,
    Column,
    Deadline,
    EscalationChain,
    EscalationLevel,
    ExemptionRule,
    HeaderGroup,
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
    RiskRule,
    RiskRuleSet,
    Scope,
    SignOff,
    Target,
    VocabularyTerm,
    columns,
)

__all__ = [
    "REPORT_FIELDS",
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
    "RiskLevel",
    "RiskRule",
    "RiskRuleSet",
    "RiskSignal",
    "RowKind",
    "RowSelection",
    "SchoolGroupKind",
    "SchoolGroupSpec",
    "SchoolSpec",
    "SchoolStage",
    "Scope",
    "SignOff",
    "SignOffAction",
    "Target",
    "TargetPeriod",
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
