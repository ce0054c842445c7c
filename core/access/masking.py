"""Masking of personal details: the one place that says what a caller without
``READ_PERSONAL_DETAILS`` sees instead of an ID number, a phone, an address or a guardian."""

from __future__ import annotations

#: Characters of an ID number a caller without the permission still sees: the division code.
ID_NUMBER_VISIBLE = 6


def mask_id_number(value: str | None) -> str | None:
    """``450381201503070035`` → ``450381************`` (only the division code is kept).

    Why only the division code: an 18-character number is division code (6), birth date (8),
    sequence (3, its last digit odd for men) and a check character derived from the other 17.
    ``birthDate`` and ``gender`` are shown to every caller and the household's place gives the
    division code in most cases, so they already fix 14 characters and the parity of the 17th.
    Each character of the last four that stays visible narrows what is left: the old mask kept
    all four and so gave the whole number away; the check character alone still cuts the 500
    possible sequences to about 45. With all four hidden, the visible parts and the other
    visible fields leave 500 equally likely numbers (1000 sequences, halved by the gender),
    which is the least any mask can leave once the birth date and gender are shown. The digits
    between the division code and the sequence are masked too, although ``birthDate`` repeats
    them, so that the masked value is useless on its own (exports, screenshots). Anything that
    answers yes or no for a full number (ID-number filters and search, ``verifyEnrolment``)
    needs a permission and counts against the caller's rate limit.
    """
    if not value:
        return value
    if len(value) != 18:
        # not an ID number's shape: nothing in it can be said to be safe to show
        return "*" * len(value)
    return value[:ID_NUMBER_VISIBLE] + "*" * (len(value) - ID_NUMBER_VISIBLE)


def mask_phone(value: str | None) -> str | None:
    """``13812345678`` → ``138****5678``: a mobile number (11 characters or more) keeps its first
    three and last four; a shorter one (a landline) only its last four, and one of fewer than
    eight characters nothing, so that at least four characters are always hidden."""
    if not value:
        return value
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) >= 8:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


def mask_address(value: str | None) -> str | None:
    """Keep the first six characters (county and town), hide the rest."""
    if not value:
        return value
    return value[:6] + "***" if len(value) > 6 else "***"


def mask_name(value: str | None) -> str | None:
    """``黄大明`` → ``黄**`` (surname kept)."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_student_number(value: str | None) -> str | None:
    """学籍号 ``G450381…`` is usually "G" + the ID number: the letter and the ID number's masked
    form (division code only), ``G450381************``. Any other shape is masked whole but for
    its first character, since nothing says which of its parts is derived from what."""
    if not value:
        return value
    if value[0].isalpha() and len(value) == 19:
        return value[0] + (mask_id_number(value[1:]) or "")
    if len(value) == 18:
        return mask_id_number(value)
    return value[0] + "*" * (len(value) - 1)


def mask_name_for_publication(value: str | None) -> str | None:
    """A name on a published list (公示): ``张小三`` → ``张*三``, ``张三`` → ``张*``,
    ``欧阳小明`` → ``欧**明``: the first and, from three characters, the last character kept,
    everything between hidden, so a family recognises its own child and nobody else learns
    the name."""
    if not value:
        return value
    if len(value) <= 2:
        return value[0] + "*" * (len(value) - 1)
    return value[0] + "*" * (len(value) - 2) + value[-1]
