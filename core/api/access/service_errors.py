"""Turn access-service errors into the API's error shapes."""

from __future__ import annotations

from core.access.errors import AccessError
from core.api.errors import ErrorCode, FieldError, bilingual

_CODES = {
    "INVALID": ErrorCode.INVALID,
    "REQUIRED": ErrorCode.REQUIRED,
    "NOT_FOUND": ErrorCode.NOT_FOUND,
    "DUPLICATE": ErrorCode.DUPLICATE,
    "UNAUTHENTICATED": ErrorCode.UNAUTHENTICATED,
    "LOCKED": ErrorCode.UNAUTHENTICATED,
    "RATE_LIMITED": ErrorCode.RATE_LIMITED,
    "FORBIDDEN": ErrorCode.FORBIDDEN,
}


def field_error(exc: AccessError) -> FieldError:
    return FieldError(
        code=_CODES.get(exc.code, ErrorCode.INVALID),
        field=exc.field,
        message=bilingual(exc.zh, exc.en),
    )
