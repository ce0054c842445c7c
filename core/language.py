"""The language a client reads its errors in (语言): Chinese by default, English on request.

Every refusal is written in both languages (:class:`core.errors.DomainError` carries ``zh`` and
``en``); what a client sees as ``message`` is chosen from its ``Accept-Language`` header by
:func:`preferred_language`, and both texts travel beside it (``extensions.messages`` of a
top-level error, ``messages`` of a typed mutation error). The rest of the error - its code and
field - does not depend on the language.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]

#: What a client gets when it states no preference this server can serve.
DEFAULT_LANGUAGE: Language = "zh"
SUPPORTED: tuple[Language, ...] = ("zh", "en")


def preferred_language(accept_language: str | None) -> Language:
    """The supported language ranked highest by an ``Accept-Language`` header (RFC 9110).

    ``zh``, ``zh-CN``, ``zh-Hans`` … count as Chinese and ``en``, ``en-US`` … as English; a
    ``q`` of 0 refuses a language; ties go to the first listed; ``*`` and anything unparsable
    fall back to Chinese.
    """
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate((accept_language or "").split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        if primary not in SUPPORTED:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (-quality, position, primary)
        if best is None or candidate < best:
            best = candidate  # type: ignore[assignment]
    return best[2] if best is not None else DEFAULT_LANGUAGE


def in_language(language: str, zh: str, en: str) -> str:
    """``en`` for an English reader, ``zh`` otherwise."""
    return en if language == "en" else zh


def messages(zh: str, en: str) -> dict[str, str]:
    """Both texts, as errors carry them beside the chosen ``message``."""
    return {"zh": zh, "en": en}
