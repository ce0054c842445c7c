"""身份证号 validation: length, characters, division code, birth date, MOD 11-2, gender."""

from datetime import date

import pytest

from core.people.enums import Gender
from core.people.resident_id import (
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
