"""What each kind of event carries: one keyword-only builder per kind, the one author of its
payload's keys (as saleor's ``order/events.py``).

Every service that records an event builds it here and hands it to
:func:`core.events.outbox.record_event`; the inbox, the webhooks and the worker read the keys
written here and nowhere else. Payloads carry ids, states, levels and offices, never a child's
name or other personal details: whoever needs those fetches the object through the API (the
webhook's subscription document), where scope and masking apply.

======================  ===================================================================
kind                    payload keys
======================  ===================================================================
CASE_OPENED, CASE_STEP, caseId, caseKind, caseEventId, step (the timeline kind), action,
CASE_ESCALATED,         fromState, toState, fromLevel, level, levelName, office, details
CASE_CLOSED             (the step's details without personal fields)
CASE_DEADLINE_PASSED    caseId, state, level, levelName, clock, office, deadline,
                        daysOverdue, escalationDue, notify
REPORT_SUBMITTED,       reportId, formatCode, title, period, placeKind, placeName, action,
REPORT_RETURNED,        fromState, toState, reason
REPORT_ACCEPTED
COMPARISON_FINISHED     comparisonId, comparisonKind, counts, casesOpened
TARGET_AT_RISK          metric, status, value, threshold, gap, period, summary
WEBHOOK_DISABLED        webhookId, url, consecutiveFailures, reason
======================  ===================================================================
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.cases.enums import TERMINAL_STATES, CaseEventKind, CaseState
from core.cases.events import personal_fields
from core.events.addressing import COUNTY, Recipient
from core.events.enums import EventKind
from core.global_ids import encode_global_id


@dataclass(frozen=True)
class NewEvent:
    """An event about to be recorded: what, about which object, for whom."""

    kind: EventKind
    jurisdiction_id: uuid.UUID
    object_type: str
    object_id: str
    summary: str
    payload: dict[str, Any]
    recipient: Recipient
    occurred_at: datetime
    #: Set for an event that must be recorded once only (a deadline passing).
    dedupe_key: str | None = None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _value(item: Any) -> Any:
    return getattr(item, "value", item)


def case_step(
    *,
    case: Any,
    case_event_id: uuid.UUID,
    step: CaseEventKind,
    action: str,
    from_state: CaseState | None,
    to_state: CaseState,
    from_level: int | None,
    level_name: str,
    details: dict[str, Any],
    occurred_at: datetime,
    recipient: Recipient,
) -> NewEvent:
    """A step in a case's timeline (the report, each contact, an escalation, the closure)."""
    level = case.escalation_level
    if step is CaseEventKind.REPORT:
        kind = EventKind.CASE_OPENED
    elif to_state in TERMINAL_STATES:
        kind = EventKind.CASE_CLOSED
    elif step is CaseEventKind.ESCALATION or (from_level is not None and level > from_level):
        kind = EventKind.CASE_ESCALATED
    else:
        kind = EventKind.CASE_STEP
    hidden = personal_fields(step)
    public = {k: v for k, v in details.items() if k not in hidden}
    if kind is EventKind.CASE_ESCALATED:
        summary = f"个案上报至{recipient.office} ({step.label})"
    elif kind is EventKind.CASE_OPENED:
        summary = f"新个案: {recipient.office}须在时限内核实"
    else:
        summary = f"个案{step.label}: {CaseState(to_state).label}"
    return NewEvent(
        kind=kind,
        jurisdiction_id=case.jurisdiction_id,
        object_type="Case",
        object_id=str(case.id),
        summary=summary[:255],
        payload={
            "caseId": encode_global_id("Case", case.id),
            "caseKind": _value(case.kind),
            "caseEventId": encode_global_id("CaseEvent", case_event_id),
            "step": step.value,
            "action": action,
            "fromState": _value(from_state),
            "toState": _value(to_state),
            "fromLevel": from_level,
            "level": level,
            "levelName": level_name,
            "office": recipient.office,
            "details": public,
        },
        recipient=recipient,
        occurred_at=occurred_at,
    )


def deadline_key(case_id: Any, deadline: datetime) -> str:
    """The key that makes a deadline's event unique: the case and the moment it ran out."""
    return f"deadline:{case_id}:{_iso(deadline)}"


def deadline_passed(
    *,
    case_id: str,
    jurisdiction_id: uuid.UUID,
    state: CaseState,
    level: int,
    level_name: str,
    clock: Any,
    office: str,
    deadline: datetime,
    days_overdue: int,
    escalation_due: bool,
    notify: tuple[str, ...],
    occurred_at: datetime,
    recipient: Recipient,
) -> NewEvent:
    """A case's deadline has passed (found by ``baoxue worker``; one event per deadline)."""
    label = getattr(clock, "label", "") or "时限"
    return NewEvent(
        kind=EventKind.CASE_DEADLINE_PASSED,
        jurisdiction_id=jurisdiction_id,
        object_type="Case",
        object_id=case_id,
        summary=f"个案已逾期 ({label}, {office}){', 应上报上一级' if escalation_due else ''}"[:255],
        payload={
            "caseId": encode_global_id("Case", case_id),
            "state": state.value,
            "level": level,
            "levelName": level_name,
            "clock": _value(clock),
            "office": office,
            "deadline": _iso(deadline),
            "daysOverdue": days_overdue,
            "escalationDue": escalation_due,
            "notify": list(notify),
        },
        recipient=recipient,
        occurred_at=occurred_at,
        dedupe_key=deadline_key(case_id, deadline),
    )


REPORT_KINDS = {
    "SUBMIT": EventKind.REPORT_SUBMITTED,
    "RETURN": EventKind.REPORT_RETURNED,
    "ACCEPT": EventKind.REPORT_ACCEPTED,
}


def report_step(
    *,
    snapshot: Any,
    action: str,
    from_state: Any,
    to_state: Any,
    reason: str,
    occurred_at: datetime,
    recipient: Recipient,
) -> NewEvent | None:
    """A report submitted (to the county), returned or accepted (to its unit); signing tells
    nobody (the unit's head did it themselves)."""
    kind = REPORT_KINDS.get(action)
    if kind is None:
        return None
    verb = {EventKind.REPORT_SUBMITTED: "已报送, 待受理", EventKind.REPORT_RETURNED: "被退回",
            EventKind.REPORT_ACCEPTED: "已受理"}[kind]  # fmt: skip
    return NewEvent(
        kind=kind,
        jurisdiction_id=snapshot.jurisdiction_id,
        object_type="ReportSnapshot",
        object_id=str(snapshot.id),
        summary=f"{snapshot.place_name}《{snapshot.title}》{verb}"[:255],
        payload={
            "reportId": encode_global_id("ReportSnapshot", snapshot.id),
            "formatCode": snapshot.format_code,
            "title": snapshot.title,
            "period": snapshot.period_value,
            "placeKind": snapshot.place_kind,
            "placeName": snapshot.place_name,
            "action": action,
            "fromState": _value(from_state),
            "toState": _value(to_state),
            "reason": reason,
        },
        recipient=recipient,
        occurred_at=occurred_at,
    )


def comparison_finished(
    *, run: Any, kind_label: str, counts: dict[str, int], occurred_at: datetime
) -> NewEvent:
    """A comparison (比对) has finished; the bureau reads its results."""
    opened = int(counts.get("CASE_OPENED", 0))
    return NewEvent(
        kind=EventKind.COMPARISON_FINISHED,
        jurisdiction_id=run.jurisdiction_id,
        object_type="ComparisonRun",
        object_id=str(run.id),
        summary=f"{kind_label}完成: 新开个案 {opened} 件"[:255],
        payload={
            "comparisonId": encode_global_id("ComparisonRun", run.id),
            "comparisonKind": _value(run.kind),
            "counts": dict(counts),
            "casesOpened": opened,
        },
        recipient=COUNTY,
        occurred_at=occurred_at,
    )


def target_at_risk(
    *,
    jurisdiction_id: uuid.UUID,
    target_key: str,
    metric: str,
    status: str,
    value: Any,
    threshold: Any,
    gap: int,
    period: str,
    summary: str,
    occurred_at: datetime,
) -> NewEvent:
    """A county target has fallen to at risk or missed (found by ``baoxue worker``; once per
    target, period and status)."""
    return NewEvent(
        kind=EventKind.TARGET_AT_RISK,
        jurisdiction_id=jurisdiction_id,
        object_type="Target",
        object_id=target_key[:64],
        summary=f"目标有风险: {summary}"[:255],
        payload={
            "metric": metric,
            "status": status,
            "value": None if value is None else str(value),
            "threshold": None if threshold is None else str(threshold),
            "gap": gap,
            "period": period,
            "summary": summary,
        },
        recipient=COUNTY,
        occurred_at=occurred_at,
        dedupe_key=f"target:{jurisdiction_id}:{target_key}:{period}:{status}"[:160],
    )


def webhook_disabled(
    *, endpoint: Any, failures: int, reason: str, occurred_at: datetime
) -> NewEvent:
    """An endpoint was switched off after failing ``failures`` times in a row: a notice to
    the administrator who registered it."""
    return NewEvent(
        kind=EventKind.WEBHOOK_DISABLED,
        jurisdiction_id=endpoint.jurisdiction_id,
        object_type="WebhookEndpoint",
        object_id=str(endpoint.id),
        summary=f"Webhook {endpoint.name or endpoint.url} 连续失败 {failures} 次, 已停用"[:255],
        payload={
            "webhookId": encode_global_id("WebhookEndpoint", endpoint.id),
            "url": endpoint.url,
            "consecutiveFailures": failures,
            "reason": reason,
        },
        recipient=Recipient(COUNTY.kind, "", account_id=endpoint.owner_id),
        occurred_at=occurred_at,
    )


def envelope(event: Any, *, delivery_id: Any, jurisdiction_code: str) -> dict[str, Any]:
    """The body every webhook delivery sends (before its subscription's ``data``): the event
    and the object it is about, by global id."""
    return {
        "eventId": str(event.id),
        "deliveryId": str(delivery_id),
        "kind": _value(event.kind),
        "occurredAt": _iso(event.occurred_at),
        "recordedAt": _iso(event.recorded_at),
        "jurisdiction": jurisdiction_code,
        "object": {
            "type": event.object_type,
            "id": encode_global_id(event.object_type, event.object_id),
        },
        "office": {"kind": _value(event.audience_kind), "name": event.audience_office},
        "summary": event.summary,
        "payload": event.payload,
    }


def subscription_variables(event: Any) -> dict[str, Any]:
    """The variables a subscription document is run with: ``$id`` (the object's global id),
    ``$kind`` and ``$eventId``; a document declares those it uses."""
    return {
        "id": encode_global_id(event.object_type, event.object_id),
        "kind": _value(event.kind),
        "eventId": str(event.id),
    }


def channel_message(event: Any, *, jurisdiction_code: str) -> Any:
    """What a plugin channel's ``render`` is given for ``event``."""
    from core.rules.specs import ChannelMessage

    return ChannelMessage(
        event_id=str(event.id),
        kind=_value(event.kind),
        jurisdiction_code=jurisdiction_code,
        summary=event.summary,
        office_kind=_value(event.audience_kind),
        office=event.audience_office,
        responsible_name=event.responsible_name,
        object_type=event.object_type,
        object_id=encode_global_id(event.object_type, event.object_id),
        occurred_at=_iso(event.occurred_at) or "",
        payload=dict(event.payload),
    )
