"""The ESC/POS decoder the simulator and the tests share; and the receipt picture."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from drivers.printer import EscPosParser, TicketPrinter, decode, parse, render_ticket
from drivers.printer.decode import Cut, QrCode, Reset, StatusRequest, Style, TextLine, Unknown
from drivers.printer.samples import standard_ticket
from drivers.profiles import load_profile
from drivers.sim import get_simulator
from drivers.sim.printer import PrinterSimulator

TICKET = render_ticket(standard_ticket(), load_profile("xprinter-xp80c"))


def test_gb18030_two_and_four_byte_codes_decode_in_chinese_mode() -> None:
    data = b"\x1b@\x1c&" + "号𠀀A".encode("gb18030") + b"\n"
    assert decode(data) == "号𠀀A"


def test_outside_chinese_mode_high_bytes_are_single_byte_code_page() -> None:
    assert decode(b"\x1c.\x9c\n") == "£"


def test_styles_and_alignment_are_tracked_per_segment() -> None:
    ops = parse(b"\x1ba\x01\x1d!\x33A012\n\x1d!\x00ok\n")
    big, small = (op for op in ops if isinstance(op, TextLine))
    assert big.align == "center" and big.segments[0].style == Style(4, 4, False)
    assert small.segments[0].style == Style()


def test_native_qr_is_rebuilt_from_gs_paren_k() -> None:
    qrs = [op for op in parse(TICKET) if isinstance(op, QrCode)]
    assert qrs == [QrCode("https://demo.yichuang.local/t/Q7m2xk9PaL4v", 6, "M", "center")]


def test_status_queries_cut_and_unknown_commands_are_reported() -> None:
    ops = parse(b"\x10\x04\x01\x1dr\x01\x1dV\x01\x1b\x7f")
    assert ops[:3] == [
        StatusRequest(b"\x10\x04\x01"),
        StatusRequest(b"\x1dr\x01"),
        Cut(partial=True),
    ]
    assert isinstance(ops[3], Unknown)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(TICKET)), max_size=12))
def test_bytes_split_anywhere_decode_the_same(cuts: list[int]) -> None:
    parser = EscPosParser()
    ops = []
    points = [0, *sorted(cuts), len(TICKET)]
    for start, end in itertools.pairwise(points):
        ops += parser.feed(TICKET[start:end])
    assert ops + parser.flush() == parse(TICKET)


def test_the_simulator_keeps_one_job_per_reset() -> None:
    sim = get_simulator("sim://xprinter-xp80c")
    assert isinstance(sim, PrinterSimulator)
    sim.feed(TICKET)
    sim.feed(b"\x1b@\x1c&second\n")
    assert len(sim.jobs) == 2 and sim.text == "second"
    assert isinstance(parse(TICKET)[0], Reset)


def test_the_simulated_printer_draws_the_receipt_to_png(tmp_path: Path) -> None:
    url = "sim://xprinter-xp58?name=png"
    TicketPrinter("xprinter-xp58", url).print_ticket(standard_ticket())
    sim = get_simulator(url)
    assert isinstance(sim, PrinterSimulator)
    path = sim.render_png(tmp_path / "ticket.png")
    image = Image.open(path).convert("L")
    assert image.width == 384 + 32 and 600 < image.height < 1400
    dark = sum(image.histogram()[:128])
    assert 0.03 < dark / (image.width * image.height) < 0.4  # ink, but mostly paper


@pytest.mark.parametrize("profile_id", ["xprinter-xp58", "xprinter-xp80c"])
def test_the_printed_qr_code_scans_back_to_the_progress_url(
    profile_id: str, tmp_path: Path
) -> None:
    """A real QR reader (zxing-cpp) scans the receipt picture: image QR and native QR alike."""
    url = f"sim://{profile_id}?name=scan"
    stub = standard_ticket()
    TicketPrinter(profile_id, url).print_ticket(stub)
    sim = get_simulator(url)
    assert isinstance(sim, PrinterSimulator)
    image = Image.open(sim.render_png(tmp_path / "ticket.png")).convert("L")
    found = zxingcpp.read_barcodes(image)
    assert [code.text for code in found] == [stub.qr_url]
