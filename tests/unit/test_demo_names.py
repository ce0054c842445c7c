"""Chinese numerals in the demo's school names (第一百零一小学): a county of a million pupils
numbers more than ninety-nine schools of one kind."""

import pytest

from core.demo.names import chinese_number


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (2345, "二千三百四十五"),
    ],
)
def test_chinese_number(n, text):
    assert chinese_number(n) == text


@pytest.mark.parametrize("n", [0, 10000, -3])
def test_chinese_number_outside_its_range_is_refused(n):
    with pytest.raises(ValueError):
        chinese_number(n)
