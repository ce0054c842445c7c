"""身份证号 validation: length, characters, division code, birth date, MOD 11-2, gender."""

import itertools
from datetime import date

import pytest

from core.people.enums import Gender
from core.people.resident_id import (
    ResidentId,
    ResidentIdError,
    check_character,
    make_resident_id,
    parse_resident_id,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("number", "born", "gender"),
    [
        # The GB 11643 worked example and numbers published as valid samples.
        ("11010519491231002X", date(1949, 12, 31), Gender.FEMALE),
        ("450381201503070035", date(2015, 3, 7), Gender.MALE),
    ],
)
def test_valid_numbers_parse(number: str, born: date, gender: Gender) -> None:
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed.birth_date == born
    assert parsed.gender is gender
    assert parsed.division_code == number[:6]


def test_x_check_character_accepted_in_lower_case() -> None:
    assert parse_resident_id("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_check_character_values() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("45038120150307003") == "5"
    # Every remainder maps to one character: 0..10 -> 1 0 X 9 8 7 6 5 4 3 2
    assert {check_character(f"{n:017d}") for n in range(0, 400)} <= set("10X98765432")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("45038120150307003", "LENGTH"),
        ("4503812015030700355", "LENGTH"),
        ("", "LENGTH"),
        ("45038120150307003A", "CHARACTERS"),
        ("4503812015O307003X", "CHARACTERS"),
        ("990381201503070035", "DIVISION_CODE"),
        ("450381201502300035", "BIRTH_DATE"),  # 30 February
        ("450381202712010035", "BIRTH_DATE"),  # in the future
        ("450381201503070036", "CHECKSUM"),
        ("11010519491231002Y", "CHARACTERS"),
        ("110105194912310021", "CHECKSUM"),
    ],
)
def test_invalid_numbers_name_the_reason(number: str, code: str) -> None:
    with pytest.raises(ResidentIdError) as err:
        parse_resident_id(number, today=TODAY)
    assert err.value.code == code
    assert "身份证号" in str(err.value) and "resident ID" in str(err.value)


def test_gender_from_sequence_parity() -> None:
    for seq in range(0, 20):
        number = make_resident_id("500153", date(2014, 9, 1), seq)
        parsed = parse_resident_id(number, today=TODAY)
        assert parsed.gender is (Gender.MALE if seq % 2 else Gender.FEMALE)


def test_generated_numbers_round_trip() -> None:
    number = make_resident_id("210302", date(2012, 2, 29), 517)
    assert number.startswith("21030220120229517")
    assert parse_resident_id(number, today=TODAY).birth_date == date(2012, 2, 29)


# -- held against the standard itself (closing what mutation testing found) -------------------


def _remainder(first17: str) -> int:
    """ISO 7064 MOD 11-2 written out from the standard, independently of the module: the
    weight of position i (1-based from the left) is 2**(18 - i) mod 11."""
    return sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17)) % 11


def _mod_11_2(first17: str) -> str:
    """The check value (12 - remainder) mod 11, with 10 written as X."""
    value = (12 - _remainder(first17)) % 11
    return "X" if value == 10 else str(value)


#: 17-digit strings that weigh every position alone, then the first to give each remainder.
_SINGLE_POSITIONS = ["0" * i + "1" + "0" * (16 - i) for i in range(17)]
_EVERY_REMAINDER = [
    next(f"{n:017d}" for n in itertools.count() if _remainder(f"{n:017d}") == r) for r in range(11)
]
_MIXED = [f"{(n * 7_919_3) % 10**17:017d}" for n in range(1, 200)]


def test_check_character_follows_iso_7064_mod_11_2() -> None:
    for first17 in _SINGLE_POSITIONS + _EVERY_REMAINDER + _MIXED:
        assert check_character(first17) == _mod_11_2(first17), first17


def test_every_check_character_occurs() -> None:
    # each of the 11 characters is the answer for some remainder: a table with two characters
    # swapped gives the wrong one for both
    assert {check_character(f) for f in _EVERY_REMAINDER} == set("10X98765432")


@pytest.mark.parametrize("first17", ["1234", "1" * 18, "1234567890123456A", ""])
def test_check_character_needs_exactly_17_digits(first17: str) -> None:
    with pytest.raises(ValueError, match=r"^need exactly 17 digits$"):
        check_character(first17)


#: The province-level codes of GB/T 2260, and 71 台湾, 81 香港, 82 澳门.
GB_T_2260_PROVINCES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82"
).split()


@pytest.mark.parametrize("province", GB_T_2260_PROVINCES)
def test_every_province_code_is_accepted(province: str) -> None:
    number = make_resident_id(f"{province}0102", date(2014, 9, 1), 21)
    assert parse_resident_id(number, today=TODAY).division_code == f"{province}0102"


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "60",
                                      "66", "70", "72", "80", "83", "91", "99"])  # fmt: skip
def test_a_number_outside_every_province_is_refused(province: str) -> None:
    with pytest.raises(ResidentIdError) as err:
        parse_resident_id(make_resident_id(f"{province}0102", date(2014, 9, 1), 21), today=TODAY)
    assert err.value.code == "DIVISION_CODE"


@pytest.mark.parametrize(
    ("division", "valid"),
    [
        ("450000", True),  # the province itself
        ("450100", True),  # a prefecture-level city
        ("450381", True),  # a county
        ("450012", False),  # a county code under no prefecture ("00" then not "00")
        ("450010", False),
        ("450001", False),
    ],
)
def test_a_county_needs_its_prefecture(division: str, valid: bool) -> None:
    number = make_resident_id(division, date(2014, 9, 1), 21)
    if valid:
        assert parse_resident_id(number, today=TODAY).division_code == division
    else:
        with pytest.raises(ResidentIdError) as err:
            parse_resident_id(number, today=TODAY)
        assert err.value.code == "DIVISION_CODE"


@pytest.mark.parametrize(
    ("number", "zh", "en"),
    [
        (None, "应为 18 位, 实为 0 位", "must be 18 characters long, got 0"),
        (" 4503812015 ", "应为 18 位, 实为 10 位", "must be 18 characters long, got 10"),
        (
            "45038120150307003A",
            "前 17 位须为数字, 末位须为数字或 X",
            "the first 17 characters must be digits and the last a digit or X",
        ),
        (
            "990381201503070035",
            "行政区划代码 990381 不是有效的区划代码格式",
            "division code 990381 is not a valid administrative division code",
        ),
        (
            "450381201502300035",
            "出生日期 20150230 不是真实日期",
            "birth date 20150230 is not a real date",
        ),
        (
            "450381202712010035",
            "出生日期 2027-12-01 超出合理范围",
            "birth date 2027-12-01 is out of range",
        ),
        (
            "450381201503070036",
            "校验码错误 (应为 5)",
            "check character is wrong (expected 5)",
        ),
    ],
)
def test_each_refusal_says_why_in_chinese_and_english(number, zh: str, en: str) -> None:
    with pytest.raises(ResidentIdError) as err:
        parse_resident_id(number, today=TODAY)
    assert (err.value.message_zh, err.value.message_en) == (zh, en)
    assert str(err.value) == f"身份证号无效: {zh} / invalid resident ID: {en}"


def test_the_birth_date_may_be_today_and_no_later() -> None:
    born = date(2015, 3, 7)
    number = make_resident_id("450381", born, 35)
    assert parse_resident_id(number, today=born).birth_date == born
    with pytest.raises(ResidentIdError) as err:
        parse_resident_id(number, today=date(2015, 3, 6))
    assert err.value.code == "BIRTH_DATE"


def test_today_is_the_callers_or_the_real_one() -> None:
    # born after the caller's "today" but long before the real one: refused all the same
    number = make_resident_id("450381", date(2021, 6, 1), 35)
    with pytest.raises(ResidentIdError):
        parse_resident_id(number, today=date(2020, 1, 1))
    # without a "today", the real date: a number of 2015 is fine
    assert parse_resident_id("450381201503070035").birth_date == date(2015, 3, 7)


def test_births_from_1900_on() -> None:
    first = make_resident_id("110105", date(1900, 1, 1), 11)
    assert parse_resident_id(first, today=TODAY).birth_date == date(1900, 1, 1)
    with pytest.raises(ResidentIdError) as err:
        parse_resident_id(make_resident_id("110105", date(1899, 12, 31), 11), today=TODAY)
    assert err.value.code == "BIRTH_DATE"


def test_the_parts_of_a_number() -> None:
    parsed = parse_resident_id("11010519491231002x", today=TODAY)
    assert parsed == ResidentId(
        number="11010519491231002X",
        division_code="110105",
        birth_date=date(1949, 12, 31),
        sequence="002",
        gender=Gender.FEMALE,
    )
    assert len({parsed, parse_resident_id("11010519491231002X", today=TODAY)}) == 1
