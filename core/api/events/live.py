"""GraphQL subscriptions (实时订阅) for dashboards, over WebSocket (graphql-transport-ws):
``inboxChanges`` (the caller's inbox: new items, read and acknowledged, counts) and
``caseChanges`` (cases in the caller's scope: opened, stepped, escalated, closed, overdue).

Each notice from the :class:`~core.events.broker.Broker` names a committed row; it is read
here as the subscriber, through the same scope rules and loaders as a query (``myInbox``,
``node(id:)``), so a subscriber sees exactly what a query would show them, masked the same way,
and its personal-detail reads are audited per delivery. Before each delivery, and every
``BAOXUE_SUBSCRIPTION_CHECK_SECONDS`` while idle, the caller's session or key is re-read
(:func:`core.access.authentication.recheck`): when it has ended the socket is closed with
4401 and the reason in both languages.
"""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from starlette.websockets import WebSocketState

from core.access.authentication import recheck
from core.api.audit_extension import record_personal_reads
from core.api.cases.types import Case
from core.api.context import Context, Info
from core.api.dataloaders import Loaders
from core.api.enums import graphql_enum
from core.api.events.types import EventKind, InboxCounts, InboxItem
from core.api.node import load_nodes
from core.cases.models import Case as CaseRow
from core.errors import DomainError, ErrorCode
from core.events import inbox as inbox_service
from core.events.broker import Broker
from core.events.enums import InboxChangeKind
from core.events.models import OutboxEvent

graphql_enum(InboxChangeKind, "收件箱变化类别")

#: Close codes of graphql-transport-ws: a refused connection_init (the protocol's Forbidden),
#: and a connection whose session ended while it was open (Unauthorized: log in again).
CLOSE_REFUSED = 4403
CLOSE_SESSION_ENDED = 4401
#: A WebSocket close reason holds at most 123 bytes of UTF-8.
MAX_REASON_BYTES = 123


def close_reason(text: str) -> str:
    """``text`` cut to what a close frame may carry, on a character boundary."""
    return text.encode()[:MAX_REASON_BYTES].decode(errors="ignore")


@dataclass(frozen=True)
class LiveConnection:
    """What a WebSocket connection's subscriptions need: the broker, how often an idle
    subscription re-checks its session."""

    broker: Broker
    check_seconds: float


async def _close(context: Context, failure: str) -> None:
    """Close the connection (once, whichever subscription noticed), then wait to be
    cancelled: the protocol handler ends every operation when the socket goes."""
    socket = context.request
    if not context.extra.get("closing"):
        context.extra["closing"] = True
        if socket is not None and socket.application_state == WebSocketState.CONNECTED:  # type: ignore[attr-defined]
            await socket.close(code=CLOSE_SESSION_ENDED, reason=close_reason(failure))  # type: ignore[attr-defined]
    await asyncio.Event().wait()


async def _still_standing(context: Context) -> None:
    """Re-read the caller (its role and place may have changed); close the socket when its
    session has ended. Fresh loaders: nothing read for an earlier delivery is reused."""
    standing = await recheck(context.caller, context.now())
    if standing.caller is None:
        await _close(context, standing.failure)
        return
    context.caller = standing.caller
    context.loaders = Loaders(standing.caller)


def _connection(info: Info) -> LiveConnection:
    """The WebSocket connection's live feed; a subscription sent over HTTP is refused."""
    live = info.context.extra.get("live")
    if not isinstance(live, LiveConnection):
        raise DomainError(
            ErrorCode.INVALID,
            "订阅须通过 WebSocket (graphql-transport-ws) 发送",
            "subscriptions go over WebSocket (graphql-transport-ws), not HTTP",
        )
    return live


async def _notices(info: Info, operation: str) -> AsyncGenerator[dict[str, Any] | None, None]:
    """Every notice of the broker, after the caller was re-checked; None when the caller was
    re-checked while nothing happened (the generator's consumers skip it)."""
    context = info.context
    live = _connection(info)
    async with live.broker.subscription() as queue:
        while True:
            try:
                notice: dict[str, Any] | None = await asyncio.wait_for(
                    queue.get(), live.check_seconds
                )
            except TimeoutError:
                notice = None
            await record_personal_reads(context, operation)  # what the last delivery showed
            await _still_standing(context)
            yield notice


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@strawberry.type(description="收件箱的一次变化")
class InboxChange:
    change: InboxChangeKind = strawberry.field(description="变化类别")
    item: InboxItem | None = strawberry.field(description="涉及的条目 (SNAPSHOT 与 RESYNC 为空)")

    @strawberry.field(description="变化之后的收件箱计数")
    async def counts(self, info: Info) -> InboxCounts:
        found = await inbox_service.counts(info.context.caller)
        return InboxCounts(total=found["total"], unread=found["unread"])


@strawberry.type(description="本人范围内一个个案的一次变化")
class CaseChange:
    kind: EventKind = strawberry.field(description="事件类型")
    occurred_at: datetime.datetime = strawberry.field(description="发生时间")
    summary: str = strawberry.field(description="摘要 (不含个人信息)")
    actor_label: str = strawberry.field(description="操作者")
    audience_office: str = strawberry.field(description="下一步负责的单位")
    case: Case = strawberry.field(description="个案 (与查询一样受本人范围与脱敏规则限制)")


CASE_KINDS = frozenset(
    {
        EventKind.CASE_OPENED,
        EventKind.CASE_STEP,
        EventKind.CASE_ESCALATED,
        EventKind.CASE_CLOSED,
        EventKind.CASE_DEADLINE_PASSED,
    }
)


@strawberry.type(
    name="Subscription",
    description="实时订阅 (WebSocket /graphql, graphql-transport-ws; 见 docs/subscriptions.md)",
)
class LiveSubscription:
    @strawberry.subscription(
        description=(
            "我的收件箱的变化 (实时): 先发一次 SNAPSHOT (当前计数), 之后每个新条目、"
            "本人已读或签收各发一次; RESYNC 表示可能漏收, 请重新读取 myInbox"
        )
    )
    async def inbox_changes(self, info: Info) -> AsyncGenerator[InboxChange, None]:
        _connection(info)
        caller = info.context.caller
        account = inbox_service.require_account(caller)
        yield InboxChange(change=InboxChangeKind.SNAPSHOT, item=None)
        async for notice in _notices(info, "inboxChanges"):
            if notice is None:
                continue
            caller = info.context.caller
            kind = notice.get("type")
            if kind == "overflow":
                yield InboxChange(change=InboxChangeKind.RESYNC, item=None)
                continue
            if kind == "event":
                event_id = _uuid(notice.get("id"))
                change = InboxChangeKind.NEW
            elif kind == "receipt" and notice.get("account") == str(account):
                event_id = _uuid(notice.get("event"))
                change = InboxChangeKind(notice.get("change"))
            else:
                continue
            item = (
                await inbox_service.inbox(caller).filter(id=event_id).first() if event_id else None
            )
            if item is not None:
                yield InboxChange(change=change, item=item)  # type: ignore[arg-type]

    @strawberry.subscription(
        description=(
            "本人范围内个案的变化 (实时): 新建、办理步骤、上报上一级、办结、逾期; "
            "个案与查询一样受范围与脱敏规则限制"
        )
    )
    async def case_changes(
        self,
        info: Info,
        kinds: Annotated[
            list[EventKind] | None,
            strawberry.argument(description="只要这些事件类型 (省略: 全部个案事件)"),
        ] = None,
    ) -> AsyncGenerator[CaseChange, None]:
        _connection(info)
        wanted = {k for k in (kinds or CASE_KINDS) if k in CASE_KINDS}
        async for notice in _notices(info, "caseChanges"):
            if notice is None or notice.get("type") != "event":
                continue
            if notice.get("objectType") != "Case" or notice.get("kind") not in wanted:
                continue
            scope = info.context.caller.scope
            if scope is None or str(scope.jurisdiction_id) != notice.get("jurisdiction"):
                continue  # another county's: not even read
            event_id = _uuid(notice.get("id"))
            event = await OutboxEvent.get_or_none(id=event_id) if event_id else None
            if event is None:
                continue
            (case,) = await load_nodes(info, CaseRow, [event.object_id])
            if case is None:  # outside the caller's scope, as node(id:) would say
                continue
            yield CaseChange(
                kind=event.kind,
                occurred_at=event.occurred_at,
                summary=event.summary,
                actor_label=event.actor_label,
                audience_office=event.audience_office,
                case=case,  # type: ignore[arg-type]
            )
