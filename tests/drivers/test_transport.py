"""The transport seam over real lines: TCP (socket://), a pseudo-terminal, files, loop://."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest

from drivers.errors import DeviceNotFound, DeviceOffline
from drivers.printer import PrinterStatus, TicketPrinter, decode
from drivers.printer.samples import standard_ticket
from drivers.sim import get_simulator
from drivers.sim.printer import PrinterSimulator
from drivers.sim.serve import SimPty, SimServer
from drivers.transport import open_transport, read_until_quiet


def test_loop_url_echoes_what_is_written() -> None:
    t = open_transport("loop://", timeout=0.1)
    t.write(b"\xa5\x68\xae")
    assert t.read(16) == b"\xa5\x68\xae"
    assert t.read(16, 0.01) == b""
    t.close()


def test_a_printer_over_tcp_answers_status_and_prints() -> None:
    sim = get_simulator("sim://xprinter-xp80c?name=tcp")
    server = SimServer(sim)
    try:
        p = TicketPrinter("xprinter-xp80c", server.url)
        assert p.status() == PrinterStatus.OK
        p.print_ticket(standard_ticket())
        p.close()
        assert isinstance(sim, PrinterSimulator)
        assert _wait_for(lambda: "A012" in sim.text)
        sim.set_paper("out")
        assert TicketPrinter("xprinter-xp80c", server.url).status() == PrinterStatus.PAPER_OUT
    finally:
        server.close()


def test_a_printer_on_a_serial_device_path_uses_pyserial_end_to_end() -> None:
    sim = get_simulator("sim://epson-tm-t88v-sc?name=pty")
    pty = SimPty(sim)
    try:
        p = TicketPrinter("epson-tm-t88v-sc", pty.path)
        sim.set_cover_open()
        assert p.status() == PrinterStatus.COVER_OPEN
        sim.set_cover_open(False)
        p.print_ticket(standard_ticket())
        p.close()
        assert _wait_for(lambda: b"\x1dV\x01" in sim.received)
    finally:
        pty.close()


def test_a_closed_tcp_port_is_offline() -> None:
    with pytest.raises(DeviceOffline):
        open_transport("socket://127.0.0.1:9", timeout=0.2)


def test_a_missing_serial_device_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(DeviceNotFound) as info:
        open_transport(str(tmp_path / "ttyUSB7"))
    assert info.value.message == "找不到设备"


def test_a_file_url_records_the_job_and_never_answers(tmp_path: Path) -> None:
    out = tmp_path / "job.bin"
    p = TicketPrinter("xprinter-xp80c", f"file://{out}", check_status=False)
    p.print_ticket(standard_ticket())
    assert p.status() == PrinterStatus.UNKNOWN
    p.close()
    assert "A012" in decode(out.read_bytes())


def test_a_device_node_that_stops_taking_bytes_is_offline_not_a_hang(tmp_path: Path) -> None:
    node = tmp_path / "lp0"
    os.mkfifo(node)  # like usblp with the printer stalled: nobody drains the other end
    transport = open_transport(f"file://{node}", timeout=0.1)
    transport.write_timeout = 0.2  # type: ignore[attr-defined]
    started = time.monotonic()
    with pytest.raises(DeviceOffline):
        transport.write(b"x" * 1_000_000)
    assert time.monotonic() - started < 2.0
    transport.close()


def test_a_device_node_that_drains_slowly_gets_every_byte(tmp_path: Path) -> None:
    node = tmp_path / "lp0"
    os.mkfifo(node)
    transport = open_transport(f"file://{node}", timeout=0.5)
    reader = os.open(node, os.O_RDONLY | os.O_NONBLOCK)
    got = bytearray()

    def drain_slowly() -> None:
        while len(got) < 300_000:
            time.sleep(0.01)
            with contextlib.suppress(BlockingIOError):
                got.extend(os.read(reader, 65536))

    thread = threading.Thread(target=drain_slowly)
    thread.start()
    transport.write(b"y" * 300_000)
    thread.join(5)
    transport.close()
    os.close(reader)
    assert bytes(got) == b"y" * 300_000


def test_usb_without_pyusb_or_device_is_not_found() -> None:
    with pytest.raises(DeviceNotFound):
        open_transport("usb://0483:070b")


def test_read_until_quiet_collects_a_reply_sent_in_pieces() -> None:
    sim = get_simulator("sim://xprinter-xp80c?name=pieces")
    t = open_transport("sim://xprinter-xp80c?name=pieces", timeout=0.2)
    sim.inject(b"\x01\x02")
    sim.inject(b"\x03")
    assert read_until_quiet(t, 16, 0.2) == b"\x01\x02\x03"


def _wait_for(predicate, timeout: float = 2.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False
