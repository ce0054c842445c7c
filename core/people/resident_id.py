"""居民身份证号码 (GB 11643-1999): parsing, validation and the MOD 11-2 check character.

An 18-character number is a 6-digit division code, an 8-digit birth date (YYYYMMDD), a 3-digit
sequence whose last digit is odd for men and even for women, and a check character (0–9 or X)
computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.errors import DomainError, ErrorCode
from core.people.enums import Gender

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

#: First two digits of every province-level division (GB/T 2260), plus 71 台湾, 81 香港, 82 澳门.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip


class ResidentIdError(ValueError):
    """A resident ID number that is not valid; ``reason`` says why in Chinese and English."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"身份证号无效: {message_zh} / invalid resident ID: {message_en}")


@dataclass(frozen=True)
class ResidentId:
    """A parsed, valid resident ID number."""

    number: str
    division_code: str
    birth_date: date
    sequence: str
    gender: Gender


def check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_resident_id(raw: str, *, today: date | None = None) -> ResidentId:
    """Validate ``raw`` and return its parts; raise :class:`ResidentIdError` naming the reason.

    A lower-case ``x`` is accepted and normalised to ``X``; surrounding spaces are ignored.
    """
    number = (raw or "").strip().upper()
    if len(number) != 18:
        raise ResidentIdError(
            "LENGTH",
            f"应为 18 位, 实为 {len(number)} 位",
            f"must be 18 characters long, got {len(number)}",
        )
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ResidentIdError(
            "CHARACTERS",
            "前 17 位须为数字, 末位须为数字或 X",
            "the first 17 characters must be digits and the last a digit or X",
        )
    division = number[:6]
    if division[:2] not in PROVINCE_CODES or (division[2:4] == "00" and division[4:] != "00"):
        raise ResidentIdError(
            "DIVISION_CODE",
            f"行政区划代码 {division} 不是有效的区划代码格式",
            f"division code {division} is not a valid administrative division code",
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ResidentIdError(
            "BIRTH_DATE",
            f"出生日期 {number[6:14]} 不是真实日期",
            f"birth date {number[6:14]} is not a real date",
        ) from None
    today = today or date.today()
    if born > today or born.year < 1900:
        raise ResidentIdError(
            "BIRTH_DATE",
            f"出生日期 {born.isoformat()} 超出合理范围",
            f"birth date {born.isoformat()} is out of range",
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise ResidentIdError(
            "CHECKSUM",
            f"校验码错误 (应为 {expected})",
            f"check character is wrong (expected {expected})",
        )
    sequence = number[14:17]
    gender = Gender.MALE if int(sequence[2]) % 2 == 1 else Gender.FEMALE
    return ResidentId(number, division, born, sequence, gender)


def make_resident_id(division_code: str, born: date, sequence: int) -> str:
    """Build a valid number (used by the demo generator and tests). ``sequence`` is 0–999."""
    first17 = f"{division_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def checked_resident_id(
    raw: str, *, field: str, today: date | None = None, prefix: str = ""
) -> ResidentId:
    """:func:`parse_resident_id` for a client's input: a number that is not valid is an
    ``INVALID`` :class:`~core.errors.DomainError` on ``field`` giving the reason (length,
    characters, division code, birth date or check character). The one check of every ID
    number a request names (``verifyEnrolment``, the ``idNumber`` filter)."""
    try:
        return parse_resident_id(raw, today=today)
    except ResidentIdError as exc:
        raise DomainError(
            ErrorCode.INVALID, prefix + exc.message_zh, prefix + exc.message_en, field=field
        ) from None
