"""What a caller without READ_PERSONAL_DETAILS sees instead of each personal detail: every
shape each mask handles, with the exact masked value."""

from __future__ import annotations

import pytest

from core.access.masking import (
    ID_NUMBER_VISIBLE,
    mask_address,
    mask_id_number,
    mask_name,
    mask_name_for_publication,
    mask_phone,
    mask_student_number,
)

MASKS = [
    mask_id_number,
    mask_phone,
    mask_address,
    mask_name,
    mask_student_number,
    mask_name_for_publication,
]


@pytest.mark.parametrize("mask", MASKS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("empty", [None, ""])
def test_nothing_stays_nothing(mask, empty) -> None:
    assert mask(empty) == empty


def test_an_id_number_keeps_only_its_division_code() -> None:
    assert ID_NUMBER_VISIBLE == 6
    assert mask_id_number("450381201503070035") == "450381************"
    assert mask_id_number("11010519491231002X") == "110105************"


@pytest.mark.parametrize("value", ["4503812015030700", "4503812015030700351", "X", "12345"])
def test_a_value_not_shaped_like_an_id_number_is_hidden_whole(value: str) -> None:
    assert mask_id_number(value) == "*" * len(value)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("07733123456", "077****3456"),
        ("+8613812345678", "+86*******5678"),
        ("0773312345", "******2345"),  # a landline keeps only its last four
        ("12345678", "****5678"),
        ("1234567", "*******"),  # was shown whole: at least four characters stay hidden
        ("123456", "******"),
        ("1", "*"),
    ],
)
def test_a_phone_keeps_at_most_its_first_three_and_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("荔浦市青山镇青山村12号", "荔浦市青山镇***"),
        ("荔浦市青山镇x", "荔浦市青山镇***"),
        ("荔浦市青山镇", "***"),  # six characters or fewer: nothing is shown
        ("青山村", "***"),
        ("a", "***"),
    ],
)
def test_an_address_keeps_the_county_and_town(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("黄大明", "黄**"), ("韦一", "韦*"), ("欧阳娜娜", "欧***"), ("黄", "黄")]
)
def test_a_name_keeps_its_surname(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("G450381201503070035", "G450381************"),  # "G" + the ID number
        ("g450381201503070035", "g450381************"),
        ("450381201503070035", "450381************"),  # the ID number alone
        ("1450381201503070035", "1******************"),  # 19 characters, not a letter first
        ("G45038120150307", "G**************"),  # any other shape
        ("GX", "G*"),
        ("G", "G"),
    ],
)
def test_a_student_number_is_masked_like_the_id_number_it_holds(number: str, masked: str) -> None:
    assert mask_student_number(number) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张小三", "张*三"),
        ("张三", "张*"),
        ("欧阳小明", "欧**明"),
        ("黄", "黄"),
        ("欧阳娜娜子", "欧***子"),
    ],
)
def test_a_published_name_keeps_its_first_and_last_character(name: str, masked: str) -> None:
    assert mask_name_for_publication(name) == masked
