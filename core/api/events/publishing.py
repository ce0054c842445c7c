"""Each GraphQL operation is one unit of work of the live feed: what its mutations committed
is published to subscribers when it ends (:func:`core.events.live.publishing`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from core.events.live import publishing


class PublishCommitted(SchemaExtension):
    """Publish, after the operation, the events and receipts its transactions committed."""

    async def on_operation(self) -> AsyncIterator[None]:
        extra = getattr(self.execution_context.context, "extra", None) or {}
        async with publishing(extra.get("broker")):
            yield
