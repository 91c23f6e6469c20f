"""Kiosk fixtures: the presenter on the real demo app (in process, fake clock), a fake printer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from drivers.errors import CoverOpen, DeviceOffline, PaperOut
from drivers.printer import AdviceSlip, TicketStub
from kiosk.config import KioskConfig
from kiosk.ports import Clocks, inline_runner
from kiosk.presenter import KioskPresenter
from server.client import HallClient
from tests.helpers import KIOSK, SCREENS, FakeClock

_FAULTS = {"paper_out": PaperOut, "cover_open": CoverOpen, "offline": DeviceOffline}


class FakePrinter:
    """Records what would be printed; `status` is set by the test."""

    def __init__(self) -> None:
        self.has_status = True
        self.status_value = "ok"
        self.jam_next = False
        self.tickets: list[TicketStub] = []
        self.advice: list[AdviceSlip] = []

    def status(self) -> tuple[str, str]:
        return self.status_value, ""

    def print_ticket(self, stub: TicketStub) -> None:
        if self.jam_next:  # the status said ok, then the job failed (paper ran out mid-job)
            self.jam_next, self.status_value = False, "paper_out"
        self._check()
        self.tickets.append(stub)

    def print_advice(self, slip: AdviceSlip) -> None:
        self._check()
        self.advice.append(slip)

    def _check(self) -> None:
        if self.status_value in _FAULTS:
            raise _FAULTS[self.status_value]()


class Switch(httpx.BaseTransport):
    """The in-process app behind a switch: `down = True` is a network failure."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.down = inner, False
        self.calls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return self.inner.handle_request(request)


class Monotonic:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


class Kiosk:
    """A presenter wired to the demo app, a fake printer and hand-moved clocks."""

    def __init__(self, client: TestClient, clock: FakeClock, **config: Any) -> None:
        self.client, self.clock = client, clock
        self.net = Switch(client._transport)
        self.mono = Monotonic()
        self.printer = FakePrinter()
        self.config = KioskConfig(server_url="http://testserver", token="demo-kiosk", **config)
        self.api = self.hall_client("demo-kiosk")
        self.p = KioskPresenter(
            self.config,
            self.api,
            self.printer,
            staff_api=lambda: self.hall_client(None),
            runner=inline_runner,
            clocks=Clocks(now=clock, monotonic=self.mono),
        )
        self.p.start()

    def hall_client(self, token: str | None) -> HallClient:
        return HallClient("http://testserver", "demo", token, transport=self.net)

    @property
    def s(self):
        return self.p.state

    def type(self, chars: str) -> None:
        for ch in chars:
            self.p.press_key(ch)

    def wait(self, seconds: float) -> None:
        """Let time pass (both clocks) and run the once-a-second tick."""
        self.mono.value += seconds
        self.clock.advance(seconds=seconds)
        self.p.tick()


@pytest.fixture
def kiosk(client: TestClient, clock: FakeClock) -> Iterator[Kiosk]:
    k = Kiosk(client, clock)
    yield k
    k.api.close()


def take(kiosk: Kiosk, queue: str, id_number: str) -> dict[str, Any] | None:
    """Choose a queue on the home page, type the ID, take the number; the ticket shown."""
    kiosk.p.home()
    kiosk.p.choose_queue(queue)
    kiosk.type(id_number)
    kiosk.p.take_number()
    return kiosk.s.ticket


def walk(kiosk: Kiosk, *labels: str) -> None:
    """Answer the guide's questions by their labels."""
    kiosk.p.open_guide()
    for text in labels:
        kiosk.p.guide_choose(kiosk.s.guide.options.index(text))


def device_statuses(client: TestClient) -> dict[str, str]:
    """The latest status per device as the server's event log has it."""
    events = client.get("/api/v1/halls/demo/events?since=0", headers=KIOSK).json()["events"]
    return {
        e["device"]["id"]: e["device"]["status"] for e in events if e["type"] == "device.status"
    }


def issued_numbers(client: TestClient) -> list[str]:
    """Numbers of every ticket.issued event so far."""
    events = client.get("/api/v1/halls/demo/events?since=0", headers=KIOSK).json()["events"]
    return [e["ticket"]["number"] for e in events if e["type"] == "ticket.issued"]


def open_window(qapp, qtbot, kiosk: Kiosk, width: int = 1280, height: int = 720):
    """A kiosk window of the station's screen size, drawing the presenter's state."""
    from kiosk.views.theme import install_font
    from kiosk.views.window import KioskWindow

    install_font(qapp)
    w = KioskWindow(kiosk.p, width, height)
    qtbot.addWidget(w)
    kiosk.p.subscribe(lambda _s: w.draw(kiosk.p.state))
    kiosk.p.tick()  # the clock
    w.draw(kiosk.p.state)
    w.show()
    return w


@pytest.fixture
def window(qapp, qtbot, kiosk: Kiosk):
    """The kiosk window at 1280×720 (the demo kiosk's size) drawing the presenter's state."""
    return open_window(qapp, qtbot, kiosk)


def shoot(window, name: str) -> None:
    """Save what the window shows as docs/screens/kiosk-<name>.png; it must fit 1280×720."""
    from PyQt6.QtWidgets import QApplication

    QApplication.processEvents()
    assert (window.width(), window.height()) == (1280, 720), f"{name} does not fit the screen"
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SCREENS / f"kiosk-{name}.png"))
