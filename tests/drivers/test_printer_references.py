"""Printer bytes against the references (issue 17 items 7-9), source named beside each fixture."""

from __future__ import annotations

import dataclasses

from drivers.printer import PrinterStatus, TicketPrinter, parse, render_ticket
from drivers.printer.builder import JobBuilder
from drivers.printer.ops import Cut, Feed, QrCode, RasterImage
from drivers.printer.samples import standard_ticket
from drivers.profiles import Profile, list_profiles, load_profile
from drivers.sim import get_simulator
from drivers.sim.printer import PrinterSimulator

# SNBC BTP-R880NP Programming Manual §2.5 p.42-44 (manualshive.com/en/manual/snbc/btp-r880np/
# 1308890, pages 48-50): DLE EOT n "real-time status transmission … executes this command upon
# receiving it"; n = 4 paper roll sensor: bit 1 and bit 4 fixed 1, bit 0 and bit 7 fixed 0,
# 0x0C near end, 0x60 paper end (the Epson bits). p.45: GS r "is executed when the data in the
# receive buffer is processed … there may be a time lag".
DLE_EOT_4 = bytes.fromhex("10 04 04")
GS_R_1 = bytes.fromhex("1D 72 01")


def _snbc(name: str) -> tuple[TicketPrinter, PrinterSimulator]:
    url = f"sim://snbc-btp-r880np?name={name}"
    sim = get_simulator(url)
    assert isinstance(sim, PrinterSimulator)
    return TicketPrinter("snbc-btp-r880np", url), sim


def test_snbc_paper_status_is_dle_eot_4_with_the_epson_bits() -> None:
    p, sim = _snbc("paper")
    sim.set_paper("low")
    assert p.status() == PrinterStatus.PAPER_LOW
    assert DLE_EOT_4 in sim.received and GS_R_1 not in sim.received
    assert sim.status_byte(DLE_EOT_4) == 0x12 | 0x0C
    sim.set_paper("out")
    assert p.status() == PrinterStatus.PAPER_OUT
    assert sim.status_byte(DLE_EOT_4) == 0x12 | 0x0C | 0x60


def test_snbc_sees_paper_near_end_while_a_job_prints() -> None:
    # GS r 1 waited behind the queued job, so near end went unseen; DLE EOT 4 is real time
    p, sim = _snbc("busy")
    sim.set_queued_queries_silent()
    sim.set_paper("low")
    report = p.status_report()
    assert report.status == PrinterStatus.PAPER_LOW and report.detail == ""


def test_no_shipped_printer_asks_a_status_that_waits_behind_jobs() -> None:
    # a late queued reply can be read as the next DLE EOT 1 reply and refuse a ticket
    for profile in list_profiles("printer"):
        assert all(q.realtime for q in profile.printer_spec.status_queries), profile.id


def test_the_tm_t82iii_marks_its_unconfirmed_dots_and_dpi() -> None:
    # escpos-printer-db has no TM-T82III profile and Epson's spec sheet is not in our search
    # tool; Epson's TM-T81 specification (same China-market line; manualshive.com/en/manual/
    # epson/tm-t81/107646 page 11) gives 180 dpi, 512 dot positions, Font A 42 columns.
    profile = load_profile("epson-tm-t82iii")
    assert {"media.dpi", "media.dots", "media.columns"} <= set(profile.unverified)


def _with_layout(profile_id: str, **changes: int) -> Profile:
    profile = load_profile(profile_id)
    spec = dataclasses.replace(profile.printer_spec, **changes)
    return dataclasses.replace(profile, printer=spec)


def test_cutter_models_feed_what_the_profile_says_before_the_cut() -> None:
    # python-escpos cut() always sends ESC d 6 first; the profile's feed_before_cut must win
    for feed in (2, 4):
        data = render_ticket(
            standard_ticket(), _with_layout("epson-tm-t82iii", feed_before_cut=feed)
        )
        assert data.endswith(bytes((0x1B, 0x64, feed)) + b"\x1dV\x01"), feed
        ops = parse(data)
        assert isinstance(ops[-1], Cut) and ops[-2] == Feed(feed * 30)


def _qr_ops(profile: Profile) -> list[object]:
    job = JobBuilder(profile)
    job.line("办理进度随时查")
    job.qr("https://demo.yichuang.local/t/Q7m2xk9PaL4v")
    return list(parse(job.finish()))


def test_the_image_qr_has_a_four_module_quiet_zone() -> None:
    # ISO/IEC 18004 (quiet zone 4X on every side); python-qrcode's own default border is 4
    profile = load_profile("generic-escpos-80")
    box = profile.printer_spec.qr_image_box
    (image,) = [op for op in _qr_ops(profile) if isinstance(op, RasterImage)]
    rows = [
        image.data[r * (image.width // 8) : (r + 1) * (image.width // 8)]
        for r in range(image.height)
    ]
    blank = 0
    while blank < len(rows) and not any(rows[blank]):
        blank += 1
    assert blank >= 4 * box  # 4 modules of white above the finder pattern


def test_the_native_qr_gets_a_quiet_zone_above_it() -> None:
    profile = load_profile("epson-tm-t82iii")
    ops = _qr_ops(profile)
    at = next(i for i, op in enumerate(ops) if isinstance(op, QrCode))
    before = ops[at - 1]
    assert isinstance(before, Feed) and before.dots >= 4 * profile.printer_spec.qr_module
