import datetime as dt

import pytest

from server.domain.errors import Invalid
from server.domain.identity import (
    age_on,
    check_digit,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
)
from tests.helpers import valid_id


def test_a_valid_18_digit_number_is_accepted_and_upper_cased():
    number = "11010519491231002x"
    assert normalize_id_number(number) == "11010519491231002X"


def test_a_wrong_check_digit_is_refused_with_a_chinese_message():
    number = valid_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(Invalid) as err:
        normalize_id_number(wrong)
    assert err.value.code == "invalid_id_number"
    assert "校验位" in err.value.message


TODAY = dt.date(2026, 11, 24)


def with_check_digit(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.mark.parametrize(
    "raw, hint",
    [
        ("1234", "18 位"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100AX", "数字"),
        (with_check_digit("00000019800101123"), "地区代码"),
        (with_check_digit("10999919800101123"), "地区代码"),
        ("000000800101123", "地区代码"),
        (with_check_digit("11010520261125123"), "晚于今天"),
        (with_check_digit("11010530000101123"), "晚于今天"),
        (with_check_digit("11010518991231123"), "早于 1900"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(raw, hint):
    with pytest.raises(Invalid) as err:
        normalize_id_number(raw, TODAY)
    assert err.value.code == "invalid_id_number"
    assert hint in err.value.message


def test_a_citizen_born_today_or_on_the_first_day_of_1900_is_accepted():
    for first17 in ("11010520261124123", "65000019000101123"):
        number = with_check_digit(first17)
        assert normalize_id_number(number, TODAY) == number


def test_a_15_digit_legacy_number_is_its_18_digit_form():
    # GB 11643: insert the century "19" after the region code, then add the check character.
    assert normalize_id_number("110105491231002") == "11010519491231002X"
    assert normalize_id_number("110105900101100") == normalize_id_number("110105199001011005")


def test_check_digit_follows_gb11643():
    # The standard's worked example: 11010519491231002 -> X
    assert check_digit("11010519491231002") == "X"


def test_age_is_counted_in_whole_years():
    number = valid_id("19611125")
    assert age_on(number, dt.date(2026, 11, 24)) == 64
    assert age_on(number, dt.date(2026, 11, 25)) == 65


def test_masks_keep_only_what_the_stub_shows():
    assert mask_id_number("14100219800101029X") == "141002****029X"
    assert mask_name("张三") == "张*"
    assert mask_name("王小明") == "王**"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("") is None
    assert mask_name("王") == "*" and mask_name(" 王 ") == "*"
    assert mask_phone("13812345678") == "138****5678"
