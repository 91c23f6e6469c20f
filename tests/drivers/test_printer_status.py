"""Printer status and fault injection: paper, cover, cutter, silence, garbage, unplugging."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.errors import CoverOpen, DeviceOffline, PaperOut, ProtocolError
from drivers.printer import PrinterStatus, TicketPrinter
from drivers.printer.samples import standard_ticket
from drivers.profiles import clear_cache, profiles_dir
from drivers.sim import get_simulator
from drivers.sim.printer import PrinterSimulator

URL = "sim://xprinter-xp80c?name=kiosk1"


def printer(
    url: str = URL, profile: str = "xprinter-xp80c"
) -> tuple[TicketPrinter, PrinterSimulator]:
    sim = get_simulator(url)
    assert isinstance(sim, PrinterSimulator)
    return TicketPrinter(profile, url), sim


def test_a_healthy_printer_reports_ok_and_prints_the_ticket() -> None:
    p, sim = printer()
    assert p.status() == "ok"
    p.print_ticket(standard_ticket())
    assert "A012" in sim.text and "办理窗口：S01、S02、S03" in sim.text
    assert sim.cuts == 1


def test_status_asks_dle_eot_one_to_four() -> None:
    p, sim = printer()
    p.status()
    assert sim.received == bytes.fromhex("10 04 01 10 04 02 10 04 03 10 04 04")


def test_paper_out_printer_refuses_to_print() -> None:
    p, sim = printer()
    sim.set_paper("out")
    assert p.status() == PrinterStatus.PAPER_OUT
    with pytest.raises(PaperOut) as info:
        p.print_ticket(standard_ticket())
    assert "缺纸" in info.value.message
    assert b"A012" not in sim.received and sim.last_job() == []


def test_paper_out_answers_the_published_reply_bytes() -> None:
    # (0x1A, 0x32, 0x7E) for DLE EOT 1, 2 and 4 of an out-of-paper printer
    # (docs.rs hardless-http-dialects PrinterStatus::from_dle_eot, hardware research §1.6)
    _, sim = printer()
    sim.set_paper("out")
    assert [sim.status_byte(bytes((0x10, 0x04, n))) for n in (1, 2, 4)] == [0x1A, 0x32, 0x7E]


def test_cover_open_gives_cover_open_status_and_error() -> None:
    p, sim = printer()
    sim.set_cover_open()
    assert p.status() == PrinterStatus.COVER_OPEN
    with pytest.raises(CoverOpen, match="上盖"):
        p.print_ticket(standard_ticket())
    sim.set_cover_open(False)
    p.print_ticket(standard_ticket())
    assert "A012" in sim.text


def test_a_silent_printer_is_unknown_never_ok_and_refuses_to_print() -> None:
    p, sim = printer()
    sim.set_silent()
    assert p.status() == PrinterStatus.UNKNOWN
    with pytest.raises(DeviceOffline, match="无应答"):
        p.print_ticket(standard_ticket())


def test_paper_near_end_still_prints_where_the_sensor_exists() -> None:
    p, sim = printer()
    sim.set_paper("low")
    assert p.status() == PrinterStatus.PAPER_LOW
    p.print_ticket(standard_ticket())
    assert "A012" in sim.text


def test_a_printer_without_near_end_sensor_reports_ok_when_low() -> None:
    p, sim = printer("sim://xprinter-xp58", "xprinter-xp58")
    sim.set_paper("low")
    assert p.status() == PrinterStatus.OK


def test_cutter_jam_is_reported_and_stops_printing() -> None:
    p, sim = printer()
    sim.set_cutter_error()
    assert p.status() == PrinterStatus.CUTTER_ERROR
    with pytest.raises(DeviceOffline, match="切刀"):
        p.print_ticket(standard_ticket())


def test_a_reply_with_wrong_fixed_bits_is_unknown_and_a_protocol_error() -> None:
    p, sim = printer()
    sim.set_corrupt_replies()
    report = p.status_report()
    assert report.status == PrinterStatus.UNKNOWN and report.invalid_reply
    with pytest.raises(ProtocolError):
        p.print_ticket(standard_ticket())


def test_stale_garbage_on_the_line_is_not_taken_for_a_status() -> None:
    p, sim = printer()
    sim.inject(b"\x00\xff\x7e")
    assert p.status() == PrinterStatus.OK


def test_an_unplugged_printer_is_offline() -> None:
    p, sim = printer()
    sim.set_connected(False)
    assert p.status() == PrinterStatus.OFFLINE
    with pytest.raises(DeviceOffline):
        p.print_ticket(standard_ticket())
    sim.set_connected(True)
    assert p.status() == PrinterStatus.OK  # the connection is reopened


def test_snbc_paper_end_comes_from_dle_eot_4_with_the_epson_bits() -> None:
    p, sim = printer("sim://snbc-btp-r880np", "snbc-btp-r880np")
    sim.set_paper("low")
    assert p.status() == PrinterStatus.PAPER_LOW
    assert sim.received.endswith(bytes.fromhex("10 04 04"))
    assert sim.status_byte(bytes.fromhex("10 04 04")) == 0x1E
    sim.set_paper("out")
    assert p.status() == PrinterStatus.PAPER_OUT
    assert sim.status_byte(bytes.fromhex("10 04 04")) == 0x7E


QUEUED = """inherits = "generic-escpos-80"
vendor = "T"
name = "A printer whose paper sensor is read with GS r 1"
notes = "test profile: a queued (non-real-time) paper query, SNBC-style bits"

[status.paper]
command = "1D 72 01"
realtime = false
valid_mask = 0x90
valid_value = 0x00
paper_low = 0x03
paper_out = 0x0C
"""


@pytest.fixture
def queued_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A copy of the shipped profiles plus one with a non-real-time status query."""
    root = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), root)
    (root / "printers" / "test-queued.toml").write_text(QUEUED, encoding="utf-8")
    monkeypatch.setenv("YICHUANG_PROFILES_DIR", str(root))
    clear_cache()
    yield "test-queued"
    clear_cache()


def test_a_busy_printer_still_reports_from_its_real_time_replies(queued_profile: str) -> None:
    p, sim = printer(f"sim://{queued_profile}?name=busy", queued_profile)
    sim.set_queued_queries_silent()  # GS r 1 waits behind the stub still printing
    report = p.status_report()
    assert report.status == PrinterStatus.OK and "非实时" in report.detail
    sim.set_paper("out")  # DLE EOT 2 carries paper end in real time
    assert p.status() == PrinterStatus.PAPER_OUT
    sim.set_paper("ok")
    sim.set_silent()  # nothing answers at all: never "ok"
    assert p.status() == PrinterStatus.UNKNOWN


def test_a_missing_device_is_offline_not_ok(tmp_path) -> None:
    p = TicketPrinter("xprinter-xp80c", str(tmp_path / "ttyUSB9"))
    report = p.status_report()
    assert report.status == PrinterStatus.OFFLINE and "找不到设备" in report.detail
