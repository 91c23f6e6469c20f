"""Ticket, notice and advice layouts as ESC/POS bytes, checked byte-wise and read back."""

from __future__ import annotations

import dataclasses

import pytest

from drivers.printer import (
    NOTICE_ACCEPTED,
    NOTICE_ONE_TIME,
    NOTICE_REJECTED,
    decode,
    parse,
    render_advice,
    render_notice,
    render_ticket,
)
from drivers.printer.builder import encode_text
from drivers.printer.decode import QrCode, RasterImage, TextLine
from drivers.printer.samples import sample_advice, sample_notice, standard_ticket
from drivers.profiles import load_profile

XP80 = load_profile("xprinter-xp80c")
XP58 = load_profile("xprinter-xp58")


def test_a_job_starts_with_reset_and_chinese_mode() -> None:
    assert render_ticket(standard_ticket(), XP80).startswith(b"\x1b\x40\x1c\x26")


def test_chinese_is_sent_as_gb18030_in_the_resident_font() -> None:
    data = render_ticket(standard_ticket(), XP80)
    assert "办理窗口：S01、S02、S03".encode("gb18030") in data
    assert "凭此票办理业务，票号当天有效".encode("gb18030") in data
    assert b"\x1dv0" not in data  # no raster anywhere on a native-QR printer


def test_the_number_is_scaled_with_gs_bang_and_reset_after() -> None:
    data80 = render_ticket(standard_ticket(), XP80)
    assert b"\x1d\x21\x33A012\n\x1d\x21\x00" in data80
    assert b"\x1d\x21\x22A012\n\x1d\x21\x00" in render_ticket(standard_ticket(), XP58)


def test_a_number_too_wide_for_the_paper_is_shrunk() -> None:
    stub = dataclasses.replace(standard_ticket(), number="ABCDEFGHIJK")
    data = render_ticket(stub, XP58)
    assert b"\x1d\x21\x11ABCDEFGHIJK\n" in data  # 11 x 3 = 33 > 32 columns, so 2x


def test_native_qr_only_where_the_profile_says_so() -> None:
    url = standard_ticket().qr_url
    native = render_ticket(standard_ticket(), XP80)
    assert b"\x1d(k" in native and url.encode() in native
    image = render_ticket(standard_ticket(), XP58)
    assert b"\x1d(k" not in image and b"\x1dv0\x03" in image  # GS v 0, 2x2 dots per pixel
    assert [type(op) for op in parse(image) if isinstance(op, RasterImage | QrCode)] == [
        RasterImage
    ]


def test_cut_follows_the_profile() -> None:
    # feed_before_cut (4) before the cut, not python-escpos' fixed ESC d 6 (issue 17 item 9)
    assert render_ticket(standard_ticket(), XP80).endswith(b"\x1bd\x04\x1dV\x01")  # partial
    gp80 = render_ticket(standard_ticket(), load_profile("gprinter-gp80"))
    assert gp80.endswith(b"\x1bd\x04\x1dV\x00")  # full cut only
    xp58 = render_ticket(standard_ticket(), XP58)
    assert xp58.endswith(b"\x1bd\x04") and b"\x1dV" not in xp58  # tear bar: feed only


def test_the_standard_80mm_stub_is_at_most_2kb() -> None:
    assert len(render_ticket(standard_ticket(), XP80)) <= 2048


def test_the_stub_reads_back_with_every_design_field() -> None:
    text = decode(render_ticket(standard_ticket(), XP80))
    for expected in (
        "示例市政务服务中心",
        "统一取号小票",
        "A012",
        "办理业务：不动产登记（二手房买卖过户）",
        "办理窗口：S01、S02、S03",
        "申 请 人：张*",
        "证件号码：141002****029X",
        "等待人数：6 人，预计约 18 分钟",
        "取号时间：2024-05-06 09:12",
        "过号后请于自助取号机选择【过号取号】",
        "[QR https://demo.yichuang.local/t/Q7m2xk9PaL4v]",
        "[切纸]",
    ):
        assert expected in text, expected


def test_requeued_and_green_tickets_say_so_under_the_hall_name() -> None:
    assert "过号重排" in decode(render_ticket(standard_ticket("requeued"), XP80))
    assert "绿色通道" in decode(render_ticket(standard_ticket("green"), XP58))
    with pytest.raises(ValueError, match="variant"):
        dataclasses.replace(standard_ticket(), variant="vip")


def test_no_lines_overflow_the_58mm_paper() -> None:
    for op in parse(render_ticket(standard_ticket(), XP58)):
        if isinstance(op, TextLine):
            width = sum(
                (1 if ord(c) < 0x80 else 2) * s.style.width for s in op.segments for c in s.text
            )
            assert width <= 32, op.text


@pytest.mark.parametrize("title", [NOTICE_ACCEPTED, NOTICE_REJECTED, NOTICE_ONE_TIME])
def test_each_outcome_notice_prints_its_title_fields_and_body(title: str) -> None:
    text = decode(render_notice(sample_notice(title), XP80))
    assert title in text and "编号：SL-20240506-0012" in text
    assert "证件号码：141002****029X" in text and "申请人签收" in text


def test_the_advice_slip_says_no_number_is_needed_and_where_to_go() -> None:
    text = decode(render_advice(sample_advice(), XP58))
    assert "可全程网办，无需取号" in text and "办理事项：个人社保缴费证明打印" in text
    assert "示例市政务服务网" in text


def test_control_characters_in_data_never_become_commands() -> None:
    stub = dataclasses.replace(standard_ticket(), applicant_masked="张\x1b@\x1dV\x00*")
    data = render_ticket(stub, XP80)
    assert data.count(b"\x1b@") == 1 and data.count(b"\x1dV") == 1


def test_four_byte_gb18030_needs_the_profile_to_allow_it() -> None:
    rare = "𠀀"  # CJK Ext. B: a four-byte GB18030 code
    assert encode_text(rare, "gb18030", 2) is None
    assert encode_text(rare, "gb18030", 4) == rare.encode("gb18030")
    assert encode_text("张三", "gbk", 2) == "张三".encode("gbk")


def test_a_line_the_font_cannot_carry_is_printed_as_a_picture() -> None:
    stub = dataclasses.replace(standard_ticket(), applicant_masked="𠀀*")
    ops = parse(render_ticket(stub, XP80))
    assert any(isinstance(op, RasterImage) and op.height == 24 for op in ops)
    assert "申 请 人" not in decode(render_ticket(stub, XP80))


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(18, "预计约 18 分钟"), (60, "预计约 1 小时"), (125, "预计约 2 小时 5 分钟")],
)
def test_a_long_wait_is_printed_in_hours(minutes: int, said: str) -> None:
    stub = dataclasses.replace(standard_ticket(), estimated_wait_min=minutes)
    assert f"等待人数：6 人，{said}" in decode(render_ticket(stub, XP80))
