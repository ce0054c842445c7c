"""What each kind of case event records: one typed payload per kind, the one author of its keys.

A :class:`~core.cases.models.CaseEvent` keeps its details as JSON. Whoever writes an event -
the workflow's services, the demo generator - builds the payload of its kind here and stores
``event_details(action, payload, note)``; whoever reads one - the deadlines, the exemption
approval, the API's masking - gets it back typed with :func:`payload_of`. The stored keys are
the camelCase names below (``reasonDetail``, ``deadlineAt``, ...); a field marked
:class:`Personal` repeats personal details (a guardian's name, free text that may name one) and
is shown masked to callers who see those masked.

=====================  ========================================================================
kind                   payload
=====================  ========================================================================
REPORT                 :class:`Report`: source, reason, reasonDetail, whereabouts
VERIFICATION           :class:`Verification`: stage
CONFIRMATION           :class:`Confirmation`: findings, reason, whereabouts (+ 学籍异动)
DISMISSAL              :class:`Dismissal`: grounds, evidence, schoolElsewhere
HOME_VISIT, PHONE_     :class:`Contact`: method, participants, outcome (+ homeVisitId)
CALL, PERSUASION
RETURN_NOTICE          :class:`ReturnNotice`: number, issuedOn, deadline, deadlineAt
ESCALATION             :class:`Escalation`: fromLevel, toLevel, their names, toOffice, toWhom,
                       notify, reason
RETURN                 :class:`Return`: 学籍异动, returnedOn, schoolClassId, schoolName, grade,
                       className
FOLLOW_UP              :class:`FollowUp`: attending (+ 学籍异动 of a relapse)
CLOSURE                :class:`Closure`: followUpWindowDays
EXEMPTION_REQUEST      :class:`ExemptionRequest`: applicantName, applicantRelation,
                       exemptionKind, reason, applicationReference, appliedOn, until
EXEMPTION_APPROVAL     :class:`ExemptionApproval`: approvingAuthority, approverName,
                       documentNumber, filedWith, approvedOn, requestEventId, exemptionKind
                       (+ 学籍异动)
EXEMPTION_REJECTION    :class:`ExemptionRejection`: rejectingAuthority, reason, documentNumber,
                       rejectedOn, requestEventId
EXEMPTION_WITHDRAWAL   :class:`ExemptionWithdrawal`: reason, withdrawnOn, requestEventId
UNREACHABLE            :class:`Unreachable`: handedTo, village, attempts, level
TRANSFER               :class:`Transfer`: toSchool, transferDocument, transferredOn (+ 学籍异动)
=====================  ========================================================================

Every stored payload also has ``action`` (the workflow action taken) and, when one was given,
``note``. "+ 学籍异动" is :class:`EnrolmentStep`: ``enrolmentChangeId`` and ``enrolmentChange``
(both null when the step changed no enrolment).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from types import UnionType
from typing import Any, ClassVar, TypeVar, get_args, get_origin, get_type_hints

from core.cases.enums import (
    CaseEventKind,
    CaseSource,
    ContactOutcome,
    DismissalGrounds,
    ExemptionKind,
)
from core.cases.workflow import CaseAction
from core.enrolment.models import EnrolmentChangeKind


class Personal(Enum):
    """What personal detail a payload field repeats, for masking."""

    #: A person's name outside the system (a guardian, an applicant): masked like a name.
    NAME = "NAME"
    #: A list of names (the people at a contact): each masked unless it is the actor's.
    NAMES = "NAMES"
    #: Free text that may name people or carry their numbers: names, ID numbers and phones
    #: in it are masked.
    TEXT = "TEXT"


def _key(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _data(default: Any = dataclasses.MISSING, personal: Personal | None = None, **kw: Any) -> Any:
    return field(default=default, metadata={"personal": personal}, **kw)


#: A field with this value is left out of the stored details (not stored as null).
OMITTED: Any = None


@dataclass(frozen=True)
class EnrolmentStep:
    """The 学籍异动 a step recorded (:mod:`core.cases.enrolment`); ids are None when the step
    changed no enrolment."""

    change_id: str | None = None
    change: EnrolmentChangeKind | None = None

    def details(self) -> dict[str, Any]:
        return {
            "enrolmentChangeId": self.change_id,
            "enrolmentChange": self.change.value if self.change else None,
        }

    @classmethod
    def from_details(cls, details: dict[str, Any]) -> EnrolmentStep | None:
        if "enrolmentChangeId" not in details and "enrolmentChange" not in details:
            return None
        change = details.get("enrolmentChange")
        return cls(
            details.get("enrolmentChangeId"), EnrolmentChangeKind(change) if change else None
        )


NO_ENROLMENT_CHANGE = EnrolmentStep()

P = TypeVar("P", bound="Payload")


def _dump(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    return value


def _load(hint: Any, value: Any) -> Any:
    """``value`` as stored, turned back into the field's type (tolerant of old rows)."""
    if value is None:
        return None
    if get_origin(hint) is tuple:
        return tuple(value)
    if isinstance(hint, UnionType):  # X | None
        hint = next(a for a in get_args(hint) if a is not type(None))
    kind = hint
    if kind is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(value)
        except ValueError:  # a code this version does not know: kept as written
            return value
    return value


@dataclass(frozen=True)
class Payload:
    """The details of one event kind. Subclasses declare their fields in stored order."""

    KINDS: ClassVar[tuple[CaseEventKind, ...]] = ()
    #: The 学籍异动 of the step, for kinds that may record one (None: the key is absent).
    enrolment: EnrolmentStep | None = field(default=None, kw_only=True)

    def details(self) -> dict[str, Any]:
        """The stored keys of this payload (without ``action`` and ``note``)."""
        out: dict[str, Any] = {}
        if self.enrolment is not None:
            out.update(self.enrolment.details())
        for f in dataclasses.fields(self):
            if f.name == "enrolment":
                continue
            value = getattr(self, f.name)
            if value is OMITTED and f.metadata.get("omit_none"):
                continue
            out[_key(f.name)] = _dump(value)
        return out

    @classmethod
    def from_details(cls: type[P], details: dict[str, Any]) -> P:
        """The payload stored as ``details`` (missing keys take their defaults)."""
        hints = _hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name == "enrolment":
                values["enrolment"] = EnrolmentStep.from_details(details)
            elif _key(f.name) in details:
                values[f.name] = _load(hints[f.name], details[_key(f.name)])
        return cls(**values)

    @classmethod
    def personal_fields(cls) -> dict[str, Personal]:
        """Stored key → what personal detail it repeats."""
        return {
            _key(f.name): f.metadata["personal"]
            for f in dataclasses.fields(cls)
            if f.metadata.get("personal") is not None
        }


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """A payload class's resolved field types (``get_type_hints`` evaluates every annotation
    again on each call: a county's case ledger reads thousands of payloads)."""
    return get_type_hints(cls)


def _optional(personal: Personal | None = None) -> Any:
    """A field left out of the details when None."""
    return field(default=None, metadata={"personal": personal, "omit_none": True})


@dataclass(frozen=True)
class Report(Payload):
    KINDS: ClassVar = (CaseEventKind.REPORT,)
    source: CaseSource
    reason: str
    reason_detail: str = _data("", Personal.TEXT)
    whereabouts: str = _data("", Personal.TEXT)


@dataclass(frozen=True)
class Verification(Payload):
    KINDS: ClassVar = (CaseEventKind.VERIFICATION,)
    stage: str = "STARTED"


@dataclass(frozen=True)
class Confirmation(Payload):
    KINDS: ClassVar = (CaseEventKind.CONFIRMATION,)
    findings: str = _data("", Personal.TEXT)
    reason: str = ""
    whereabouts: str = _data("", Personal.TEXT)


@dataclass(frozen=True)
class Dismissal(Payload):
    KINDS: ClassVar = (CaseEventKind.DISMISSAL,)
    grounds: DismissalGrounds
    evidence: str = _data("", Personal.TEXT)
    school_elsewhere: str = ""


@dataclass(frozen=True)
class Contact(Payload):
    KINDS: ClassVar = (
        CaseEventKind.HOME_VISIT,
        CaseEventKind.PHONE_CALL,
        CaseEventKind.PERSUASION,
    )
    outcome: ContactOutcome
    method: str = _data("", Personal.TEXT)
    participants: tuple[str, ...] = _data((), Personal.NAMES)
    #: The home visit logged for a 家访 (absent for calls and talks).
    home_visit_id: str | None = _optional()


@dataclass(frozen=True)
class ReturnNotice(Payload):
    KINDS: ClassVar = (CaseEventKind.RETURN_NOTICE,)
    number: str
    issued_on: date
    deadline: date
    #: The last moment of ``deadline`` (China time), the case's clock while the notice stands.
    deadline_at: datetime


@dataclass(frozen=True)
class Escalation(Payload):
    KINDS: ClassVar = (CaseEventKind.ESCALATION,)
    from_level: int
    to_level: int
    from_level_name: str
    to_level_name: str
    to_office: str
    to_whom: str
    notify: tuple[str, ...] = ()
    reason: str = _data("", Personal.TEXT)


@dataclass(frozen=True)
class Return(Payload):
    KINDS: ClassVar = (CaseEventKind.RETURN,)
    returned_on: date
    school_class_id: str | None
    school_name: str
    grade: int | None
    class_name: str


@dataclass(frozen=True)
class FollowUp(Payload):
    KINDS: ClassVar = (CaseEventKind.FOLLOW_UP,)
    attending: bool


@dataclass(frozen=True)
class Closure(Payload):
    KINDS: ClassVar = (CaseEventKind.CLOSURE,)
    follow_up_window_days: int


@dataclass(frozen=True)
class ExemptionRequest(Payload):
    KINDS: ClassVar = (CaseEventKind.EXEMPTION_REQUEST,)
    applicant_name: str = _data(personal=Personal.NAME)
    applicant_relation: str = ""
    exemption_kind: ExemptionKind = ExemptionKind.DEFERRAL
    reason: str = ""
    application_reference: str = ""
    applied_on: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class ExemptionApproval(Payload):
    KINDS: ClassVar = (CaseEventKind.EXEMPTION_APPROVAL,)
    approving_authority: str
    approver_name: str = ""
    document_number: str = ""
    filed_with: str = ""
    approved_on: date | None = None
    request_event_id: str | None = None
    exemption_kind: ExemptionKind | None = None


@dataclass(frozen=True)
class ExemptionRejection(Payload):
    KINDS: ClassVar = (CaseEventKind.EXEMPTION_REJECTION,)
    rejecting_authority: str
    reason: str = _data("", Personal.TEXT)
    document_number: str = ""
    rejected_on: date | None = None
    request_event_id: str | None = None


@dataclass(frozen=True)
class ExemptionWithdrawal(Payload):
    KINDS: ClassVar = (CaseEventKind.EXEMPTION_WITHDRAWAL,)
    reason: str = _data("", Personal.TEXT)
    withdrawn_on: date | None = None
    request_event_id: str | None = None


@dataclass(frozen=True)
class Unreachable(Payload):
    KINDS: ClassVar = (CaseEventKind.UNREACHABLE,)
    handed_to: str
    village: str = ""
    attempts: str = _data("", Personal.TEXT)
    level: int = 0


@dataclass(frozen=True)
class Transfer(Payload):
    KINDS: ClassVar = (CaseEventKind.TRANSFER,)
    to_school: str
    transfer_document: str = ""
    transferred_on: date | None = None


@dataclass(frozen=True)
class Note(Payload):
    KINDS: ClassVar = (CaseEventKind.NOTE,)


@dataclass(frozen=True)
class Reopen(Payload):
    """A returned, monitored or closed case opened again because the child is again suspected
    of dropping out (反弹): what found it and the evidence (for an absence rule, its absences)."""

    KINDS: ClassVar = (CaseEventKind.REOPEN,)
    source: CaseSource
    reason_detail: str = _data("", Personal.TEXT)
    previous_state: str = ""


#: The payload type of every event kind.
PAYLOADS: dict[CaseEventKind, type[Payload]] = {
    kind: cls
    for cls in (
        Report,
        Verification,
        Confirmation,
        Dismissal,
        Contact,
        ReturnNotice,
        Escalation,
        Return,
        FollowUp,
        Closure,
        ExemptionRequest,
        ExemptionApproval,
        ExemptionRejection,
        ExemptionWithdrawal,
        Unreachable,
        Transfer,
        Reopen,
        Note,
    )
    for kind in cls.KINDS
}

#: Keys every stored payload may carry besides its kind's: the action, and a note.
NOTE_KEY = "note"
ACTION_KEY = "action"
COMMON_PERSONAL = {NOTE_KEY: Personal.TEXT}


def event_details(action: CaseAction, payload: Payload, note: str = "") -> dict[str, Any]:
    """The JSON stored in ``CaseEvent.details``: the action, the payload, the note if any."""
    details: dict[str, Any] = {ACTION_KEY: action.value, **payload.details()}
    if note.strip():
        details[NOTE_KEY] = note.strip()
    return details


def payload_of(kind: CaseEventKind | str, details: dict[str, Any] | None) -> Payload:
    """The typed payload of an event of ``kind`` stored as ``details``."""
    return PAYLOADS[CaseEventKind(kind)].from_details(details or {})


def personal_fields(kind: CaseEventKind | str) -> dict[str, Personal]:
    """The stored keys of an event of ``kind`` that repeat personal details (note included)."""
    return {**PAYLOADS[CaseEventKind(kind)].personal_fields(), **COMMON_PERSONAL}
