"""The per-request GraphQL context and the ``Info`` alias resolvers use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeAlias

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as _Info

from core.access.audit import WriteAudit
from core.access.caller import Caller
from core.api.dataloaders import Loaders
from core.language import DEFAULT_LANGUAGE, Language, preferred_language
from core.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """Everything a resolver may use for one request.

    ``clock`` is injectable so that tests can move time (deadlines, overdue cases) without
    sleeping. ``caller`` is who is asking; ``auth_failure`` says why presented credentials were
    refused. ``personal_reads`` collects the objects whose personal details were shown
    unmasked, for the audit log; ``write_audit`` is the audit entry of the mutation executing
    now, for its service to write with its change (:mod:`core.api.audit_extension`).
    """

    request: Request | None
    response: Response | None
    settings: Settings
    request_id: str
    caller: Caller = field(default_factory=Caller.anonymous)
    auth_failure: str = ""
    #: Built from ``caller`` when not given, so a context never reads unscoped.
    loaders: Loaders = None  # type: ignore[assignment]
    clock: Callable[[], datetime] = utc_now
    personal_reads: set[tuple[str, str]] = field(default_factory=set)
    write_audit: WriteAudit | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.loaders is None:
            self.loaders = Loaders(self.caller)

    def now(self) -> datetime:
        return self.clock()

    @property
    def language(self) -> Language:
        """The language of the messages this request reads (``Accept-Language``, zh default)."""
        request = self.request
        if request is None:
            return DEFAULT_LANGUAGE
        return preferred_language(request.headers.get("accept-language"))

    @property
    def client_address(self) -> str:
        """The address the request came from (empty for internal calls)."""
        request = self.request
        return request.client.host if request is not None and request.client else ""


Info: TypeAlias = _Info[Context, None]
