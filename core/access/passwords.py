"""Password policy for staff accounts (密码规则): the one check every new password passes.

A password must be at least :data:`MIN_PASSWORD_LENGTH` characters, must not be one of the
common passwords shipped in ``common_passwords.txt`` (compared ignoring case, and also with
trailing digits and punctuation stripped, so ``woaini1314`` and ``Password2026!`` are both
refused), must not contain the username, and must not be one character repeated. A refusal is
``INVALID`` on the field that carried the password, with the reason in Chinese and English.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from core.errors import DomainError, ErrorCode

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128

_TAIL = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of refused passwords, lower-cased."""
    text = resources.files("core.access").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _is_common(password: str) -> bool:
    lowered = password.lower()
    words = common_passwords()
    if lowered in words:
        return True
    stem = _TAIL.sub("", lowered)
    return len(stem) >= 4 and stem in words


def check_password(password: str, *, username: str = "", field: str = "password") -> None:
    """Refuse a password that breaks the policy (``INVALID`` on ``field``)."""

    def refuse(zh: str, en: str) -> DomainError:
        return DomainError(ErrorCode.INVALID, zh, en, field=field)

    if len(password) < MIN_PASSWORD_LENGTH:
        raise refuse(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位",
            f"password must be at least {MIN_PASSWORD_LENGTH} characters",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise refuse(
            f"密码至多 {MAX_PASSWORD_LENGTH} 位",
            f"password must be at most {MAX_PASSWORD_LENGTH} characters",
        )
    if len(set(password)) == 1:
        raise refuse("密码不能由同一个字符重复组成", "password must not repeat one character")
    if _is_common(password):
        raise refuse(
            "密码过于常见, 容易被猜中, 请换一个",
            "password is too common and easily guessed; choose another",
        )
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        raise refuse("密码不能包含用户名", "password must not contain the username")
