"""OpenTelemetry spans for GraphQL operations, switched on by ``BAOXUE_TRACING=true``.

Strawberry's ``OpenTelemetryExtension`` opens a span per operation (``GraphQL Query: <name>``)
with child spans for parsing, validation and each resolver. It would record the query text
and every resolver's arguments — passwords and ID numbers included — so here the query is
recorded redacted (:func:`core.log_redaction.redact`: the request's values and literals are
``***``) and arguments by name only. The tracer provider and exporter are the deployment's:
``opentelemetry-instrument baoxue serve`` (``pip install 'baoxue[tracing]'`` and an exporter)
configures them from the standard ``OTEL_*`` variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.log_redaction import redact


def tracing_extension() -> type:
    """The schema extension; start-up stops with one line when OpenTelemetry is missing."""
    try:
        from strawberry.extensions.tracing import OpenTelemetryExtension
        from strawberry.extensions.tracing.opentelemetry import LifecycleStep
    except ImportError:
        raise SystemExit(
            "配置错误 / invalid setting: BAOXUE_TRACING=true needs OpenTelemetry: "
            "pip install 'baoxue[tracing]'"
        ) from None

    def names_only(args: dict[str, Any], info: Any) -> dict[str, Any]:
        return dict.fromkeys(args, "***")

    class RedactedTracing(OpenTelemetryExtension):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(arg_filter=names_only, **kwargs)

        def on_operation(self) -> Iterator[None]:
            steps = super().on_operation()
            next(steps)
            span = self._span_holder[LifecycleStep.OPERATION]
            span.set_attribute("query", redact(self.execution_context.query or ""))
            yield
            next(steps, None)

    return RedactedTracing
