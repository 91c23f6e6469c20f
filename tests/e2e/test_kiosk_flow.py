"""The kiosk end to end: a real server process, the kiosk presenter, the simulated printer and
ID-card reader through drivers/ (sim:// URLs), the live feed and the device watches.

The hall is the demo hall with its own secrets (the server refuses demo secrets outside
demo mode) and without the 潮汐 schedule, so queue B is served by S13、S14、S15 at any hour
the test runs (S26 joins B after 12:00 in the demo).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.printer import decode
from drivers.sim import get_simulator
from kiosk.config import KioskConfig
from kiosk.devices import DriverCardReader, KioskPrinter, Poller, watch_card_reader, watch_printer
from kiosk.ports import inline_runner
from kiosk.presenter import KioskPresenter
from kiosk.state import Field, Screen
from server.client import HallClient, LiveFeed
from server.config import DEMO_HALL_FILE
from tests.helpers import valid_id
from tests.live_server import ServerProcess, password_hash

pytestmark = pytest.mark.db  # the server process inherits the PostgreSQL pass's schema

TOKEN = "kiosk-e2e-7f3a9c"
CITIZEN_ID = valid_id("19500101")  # 110105195001011234


def hall_file(tmp: Path) -> Path:
    """The demo hall with non-demo secrets and no tidal schedule."""
    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    text = re.sub(r"\n\[\[windows\.tidal\]\]\nat = \"[0-9:]+\"\nqueues = \[[^\]]*\]\n", "\n", text)
    text = re.sub(r'password_hash = "[^"]+"', f'password_hash = "{password_hash()}"', text)
    # Every published demo token (kiosk, display, evaluator, online, integration …).
    text = re.sub(r'token = "demo-([a-z]+)"', r'token = "\1-e2e-7f3a9c"', text)
    path = tmp / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Station:
    """The kiosk's parts as the app wires them, without the Qt window."""

    presenter: KioskPresenter
    printer_url: str
    reader_url: str
    server: ServerProcess
    api: HallClient

    @property
    def state(self):
        return self.presenter.state

    def printer_sim(self):
        return get_simulator(self.printer_url)

    def reader_sim(self):
        return get_simulator(self.reader_url)


def wait_for(check: Callable[[], bool], seconds: float, heartbeat: KioskPresenter | None = None):
    """Poll `check` until true (running the kiosk's heartbeat as its timer would)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if heartbeat is not None:
            heartbeat.heartbeat()
        if check():
            return time.monotonic() - (deadline - seconds)
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    server = ServerProcess(tmp_path / "data", [hall_file(tmp_path)]).start()
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    printer_url = f"sim://xprinter-xp80c?name={name}"
    reader_url = f"sim://ga467-sam-reader?name={name}"
    config = KioskConfig(server_url=server.url, token=TOKEN, printer_url=printer_url)
    api = HallClient(server.url, "demo", TOKEN, timeout=2.0)
    printer = KioskPrinter(config.printer_profile, printer_url)
    presenter = KioskPresenter(
        config,
        api,
        printer,
        staff_api=lambda: HallClient(server.url, "demo", timeout=2.0),
        runner=inline_runner,
    )
    presenter.start()
    reader = DriverCardReader("ga467-sam-reader", reader_url)
    watches: list[Poller] = [
        watch_printer(printer, presenter.printer_changed, config.status_interval_s),
        watch_card_reader(
            reader,
            presenter.card_read,
            lambda status, detail: presenter.report(config.idcard_device, status, detail),
        ),
    ]
    feed = LiveFeed(
        server.url, "demo", TOKEN, presenter.on_live, on_status=presenter.on_live_status
    ).start()
    try:
        yield Station(presenter, printer_url, reader_url, server, api)
    finally:
        feed.stop(timeout=2)
        for watch in watches:
            watch.stop()
        reader.close()
        printer.close()
        api.close()
        server.stop()


def devices_on_server(api: HallClient) -> dict[str, str]:
    """The latest status of every device, from the server's event log."""
    events = api.events(since=0)["events"]
    devices = [e["device"] for e in events if e["type"] == "device.status"]
    return {d["id"]: d["status"] for d in devices}


def walk_to_second_hand_house(p: KioskPresenter) -> None:
    p.open_guide()
    for label in ("不动产", "买卖过户", "二手房"):
        p.guide_choose(p.state.guide.options.index(label))


def test_citizen_walks_the_guide_reads_the_card_and_gets_b001_on_paper(station: Station):
    p = station.presenter
    assert p.state.screen is Screen.HOME and p.state.server_ok
    walk_to_second_hand_house(p)
    assert p.state.screen is Screen.IDENTIFY and p.state.selection.matter == "bdc-mmgh"
    station.reader_sim().insert_card("张三丰", CITIZEN_ID)
    wait_for(lambda: p.state.entry(Field.ID) == CITIZEN_ID, 3)
    assert p.state.name == "张三丰"
    mark = len(station.printer_sim().received)
    p.take_number()
    assert p.state.screen is Screen.TICKET and p.state.ticket["number"] == "B001"
    stub = decode(station.printer_sim().received[mark:])
    assert "B001" in stub and "二手房买卖转移登记" in stub
    assert "办理窗口：S13、S14、S15" in stub
    assert "等待人数：0 人" in stub
    assert "110105****1234" in stub and CITIZEN_ID not in stub
    assert "申 请 人：张**" in stub and "张三丰" not in stub
    wait_for(lambda: p.state.counts.get("B") == 1, 3)  # the live feed's waiting count
    assert devices_on_server(station.api)["kiosk-1.idcard"] == "ok"


def test_the_next_citizen_gets_b002_and_the_stub_counts_the_one_waiting_ahead(station: Station):
    p, sim = station.presenter, station.printer_sim()
    walk_to_second_hand_house(p)
    station.reader_sim().insert_card("张三丰", CITIZEN_ID)
    wait_for(lambda: p.state.entry(Field.ID) == CITIZEN_ID, 3)
    p.take_number()
    assert p.state.ticket["number"] == "B001"
    p.home()  # 完成: the next citizen, who types the ID number
    p.choose_queue("B")
    mark = len(sim.received)
    for ch in valid_id("19620315", seq="456"):
        p.press_key(ch)
    p.take_number()
    assert p.state.screen is Screen.TICKET and p.state.ticket["number"] == "B002"
    assert p.state.ticket["waiting_ahead"] == 1
    stub = decode(sim.received[mark:])
    assert "B002" in stub and "B001" not in stub
    assert "等待人数：1 人" in stub  # B001 is still waiting ahead
    assert "办理窗口：S13、S14、S15" in stub


def test_paper_out_stops_issuing_within_two_seconds_and_refill_resumes(station: Station):
    p, sim = station.presenter, station.printer_sim()
    sim.set_paper("out")
    took = wait_for(lambda: p.state.paused == "paper_out", 2)
    assert took < 2
    wait_for(lambda: devices_on_server(station.api).get("kiosk-1.printer") == "paper_out", 2)
    p.choose_queue("B")
    assert p.state.screen is Screen.HOME  # no ticket is offered
    sim.set_paper("ok")
    wait_for(lambda: p.state.paused is None, 2)
    wait_for(lambda: devices_on_server(station.api).get("kiosk-1.printer") == "ok", 2)
    p.choose_queue("B")
    p.focus(Field.ID)
    for ch in CITIZEN_ID:
        p.press_key(ch)
    p.take_number()
    assert p.state.ticket["number"] == "B001"


def test_server_unreachable_prints_nothing_and_the_kiosk_recovers_by_itself(station: Station):
    p, sim = station.presenter, station.printer_sim()
    p.choose_queue("A")
    for ch in CITIZEN_ID:
        p.press_key(ch)
    station.server.kill9()
    mark = len(sim.received)
    p.take_number()
    assert p.state.screen is Screen.IDENTIFY and not p.state.server_ok
    # whether the live feed noticed first (paused) or the request failed, the kiosk says so
    assert p.state.message.text.startswith("无法连接服务器")
    assert "A001" not in decode(sim.received[mark:])  # status queries only, no stub
    station.server.start()
    wait_for(lambda: p.state.server_ok, 10, heartbeat=p)
    p.take_number()
    assert p.state.ticket["number"] == "A001"
    assert "A001" in decode(sim.received[mark:])
