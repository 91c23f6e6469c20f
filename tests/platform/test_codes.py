"""统一社会信用代码 (GB 32100-2015)，行政区划代码 and 事项编码 in the domain and the hall file."""

import tomllib

import pytest

from server.config import DEMO_HALL_FILE
from server.domain.codes import (
    USCC_WEIGHTS,
    catalog_problem,
    region_problem,
    uscc_check_char,
    uscc_problem,
)
from server.hallfile import load_hall_file, parse_hall
from server.tomlreader import ConfigError

# Published codes: the example of GB 32100-2015 itself and two companies' business licences
# (华为技术有限公司、深圳市腾讯计算机系统有限公司), as printed on their public registrations.
PUBLISHED = ["91350100M000100Y43", "914403001922038216", "9144030071526726XG"]


def test_the_weights_are_powers_of_three_modulo_31():
    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_carry_the_check_character_we_compute(code):
    assert uscc_check_char(code[:17]) == code[17]
    assert uscc_problem(code) is None


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y44", "check character"),
        ("91350100M0001O0Y43", "not allowed"),  # the letter O is not in the character set
        ("91990100M000100Y43", "region code"),
    ],
)
def test_a_wrong_code_says_what_is_wrong(code, words):
    problem = uscc_problem(code)
    assert problem is not None and words in problem


def test_region_codes_are_six_or_twelve_digits_of_a_province():
    assert region_problem("141000") is None
    assert region_problem("141002001001") is None
    assert "6 or 12 digits" in (region_problem("14100") or "")
    assert "province" in (region_problem("991000") or "")


def test_catalog_codes_are_plain_identifiers():
    assert catalog_problem("070200100100") is None
    assert catalog_problem("11141000MB1234567X4000000000001000") is None
    assert catalog_problem("事项") is not None and catalog_problem("12") is not None


def test_the_demo_hall_carries_valid_codes_on_every_matter():
    spec = load_hall_file(DEMO_HALL_FILE)
    assert spec.settings["region_code"] == "141000"
    assert all(m.catalog_code and m.department_code for m in spec.matters)
    assert all(uscc_problem(m.department_code or "") is None for m in spec.matters)
    assert len({m.catalog_code for m in spec.matters}) == len(spec.matters)


def demo() -> dict:
    return tomllib.loads(DEMO_HALL_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda d: d["hall"].update(region_code="14100X"), "region_code"),
        (
            lambda d: d["departments"][0].update(department_code="11141000526018150Y"),
            "department_code",
        ),
        (lambda d: d["matters"][0].update(catalog_code="x"), "catalog_code"),
        (lambda d: d["matters"][0].update(department="没有的部门"), "department"),
    ],
)
def test_a_hall_file_with_a_bad_code_is_refused_naming_the_key(change, key):
    data = demo()
    change(data)
    with pytest.raises(ConfigError) as err:
        parse_hall(data, "demo.toml")
    assert key in str(err.value)
