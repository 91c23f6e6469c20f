"""Width-aware layout: a hanzi takes two columns; lines never overflow the paper."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.printer.layout import clean, display_width, label_value, rule, wrap


def test_a_hanzi_is_two_columns_and_ascii_one() -> None:
    assert display_width("A012") == 4
    assert display_width("办理窗口：S01") == 13
    assert display_width("【过号取号】") == 12


def test_sixteen_hanzi_fill_a_58mm_line_and_twenty_four_an_80mm_line() -> None:
    text = "一" * 30
    assert [display_width(line) for line in wrap(text, 32)] == [32, 28]
    assert [display_width(line) for line in wrap(text, 48)] == [48, 12]


def test_a_short_bracketed_term_moves_to_the_next_line_whole() -> None:
    assert wrap("过号后请于自助取号机选择【过号取号】", 32) == [
        "过号后请于自助取号机选择",
        "【过号取号】",
    ]


def test_a_line_never_starts_with_a_closing_mark() -> None:
    lines = wrap("一二三四五六七八九十一二三四五六，七八", 32)
    assert all(not line.startswith("，") for line in lines)
    assert "".join(lines) == "一二三四五六七八九十一二三四五六，七八"


def test_ascii_words_are_not_split() -> None:
    # a word longer than the line is cut hard; the others move whole
    assert wrap("scan https://a.example/t/abc please", 20) == [
        "scan",
        "https://a.example/t/",
        "abc please",
    ]
    assert wrap("办理进度 online now", 12) == ["办理进度", "online now"]


def test_continuation_lines_are_indented_under_the_value() -> None:
    lines = label_value("办理业务：", "不动产登记（二手房买卖过户）及抵押权注销登记", 32)
    assert lines[0].startswith("办理业务：不动产")
    assert all(line.startswith(" " * 10) for line in lines[1:])
    assert all(display_width(line) <= 32 for line in lines)


def test_control_characters_cannot_reach_the_printer() -> None:
    assert clean("张\x1b@三\n") == "张 @三 "


def test_a_rule_spans_the_paper() -> None:
    assert rule(48) == "-" * 48 and display_width(rule(32, "—")) <= 32


@given(
    st.text(alphabet=st.sampled_from(list("请到号窗口办理，【】ABC 0123-.")), max_size=120),
    st.integers(min_value=8, max_value=64),
)
def test_wrapped_lines_fit_and_keep_every_visible_character(text: str, columns: int) -> None:
    lines = wrap(text, columns)
    assert all(display_width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
