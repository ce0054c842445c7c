"""Keeping secrets and personal data out of the log.

Two layers, both applied by :class:`core.request_log.JsonFormatter` to every line it writes
(tracebacks included):

* the values of the request being served: every string in its variables and every string
  literal in its query (a password, an ID number, a name searched for) is replaced by ``***``
  wherever it appears — in an exception message, a traceback, an ``extra`` field;
* patterns that are secrets or personal data whatever their origin: resident ID numbers,
  mobile phone numbers, API keys (``bx_…``), bearer tokens (JWTs) and ``password`` values.

The request's values are remembered for the duration of one GraphQL execution
(:func:`remembering`), in a context variable, so concurrent requests never see each other's.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

MASK = "***"
#: Shorter values are not replaced: they would blank out ordinary words of the log.
MIN_LENGTH = 4

_PATTERNS = [
    re.compile(r"bx_[0-9a-f]{8}_[A-Za-z0-9_\-]+"),  # an API key
    re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),  # a JWT
    re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])"),  # a resident ID number
    re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"),  # a mobile phone number
    re.compile(r"(?i)(password[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|\S+)"),
]
_STRING_LITERAL = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')

_values: ContextVar[tuple[str, ...]] = ContextVar("baoxue_log_redactions", default=())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def request_values(query: str | None, variables: Any) -> tuple[str, ...]:
    """The strings of a request that must not be logged: variable values and literals."""
    found = set(_strings(variables))
    for literal in _STRING_LITERAL.findall(query or ""):
        found.add(literal.strip('"'))
    return tuple(sorted((v for v in found if len(v) >= MIN_LENGTH), key=len, reverse=True))


@contextlib.contextmanager
def remembering(values: Iterable[str]) -> Iterator[None]:
    token = _values.set(tuple(values))
    try:
        yield
    finally:
        _values.reset(token)


def redact(text: str) -> str:
    """``text`` without the current request's values and without secret-shaped strings."""
    for value in _values.get():
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        else:
            text = pattern.sub(MASK, text)
    return text
