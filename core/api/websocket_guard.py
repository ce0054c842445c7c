"""What an operation over WebSocket may be: a subscription, held to the same limits as a
query.

Strawberry runs a subscription even when an extension has already answered it (the input
limits, the cost limit set ``execution_context.result`` before execution, which stops a query
or a mutation), so this extension, listed after them, turns such an answer into an error the
subscription ends with. Queries and mutations are refused over WebSocket: they go over HTTP,
where the rate limits, body limits and request log apply; a subscription sent over HTTP is
refused too.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from core.api.errors import coded_error


class WebSocketGuard(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        over_socket = isinstance(getattr(ctx.context, "request", None), WebSocket)
        try:
            kind = ctx.operation_type
        except Exception:  # a document that did not parse: validation has answered it
            kind = None
        if over_socket and kind is not None and kind is not OperationType.SUBSCRIPTION:
            raise coded_error(
                "WebSocket 只用于订阅 (subscription); 查询与变更请用 HTTP POST",
                "only subscriptions go over WebSocket; send queries and mutations by HTTP POST",
                code="BAD_REQUEST",
            )
        if kind is OperationType.SUBSCRIPTION and not over_socket and not ctx.result:
            ctx.result = ExecutionResult(
                data=None,
                errors=[
                    coded_error(
                        "订阅须通过 WebSocket (graphql-transport-ws) 发送",
                        "subscriptions go over WebSocket (graphql-transport-ws), not HTTP",
                        code="BAD_REQUEST",
                    )
                ],
            )
        elif kind is OperationType.SUBSCRIPTION and ctx.result and ctx.result.errors:
            error = ctx.result.errors[0]
            raise error if isinstance(error, GraphQLError) else GraphQLError(str(error))
        yield
