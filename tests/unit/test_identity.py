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


@pytest.mark.parametrize(
    "raw, hint",
    [("1234", "18 位"), ("11010519491331002X", "出生日期"), ("1101051949123100AX", "数字")],
)
def test_malformed_numbers_say_what_is_wrong(raw, hint):
    with pytest.raises(Invalid) as err:
        normalize_id_number(raw)
    assert hint in err.value.message


def test_a_15_digit_legacy_number_is_accepted():
    assert normalize_id_number("110105491231002") == "110105491231002"


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
    assert mask_phone("13812345678") == "138****5678"
