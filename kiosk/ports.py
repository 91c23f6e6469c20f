"""The seams the presenter talks through: the server API, the printer, a job runner, clocks.

The real ones are `server.client.HallClient`, `kiosk.devices.KioskPrinter` and a thread per
job; unit tests pass fakes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from drivers.printer import AdviceSlip, TicketStub
from server.client import HallLayout

# Printer states in which a ticket may be printed (paper_low still prints; staff are told).
PRINTABLE = frozenset({"ok", "paper_low"})

Job = Callable[[], None]
Runner = Callable[[Job], None]


class Api(Protocol):
    """The part of HallClient the kiosk uses."""

    def layout(self) -> HallLayout:
        """Layout, guide tree, waiting counts."""

    def issue(self, *, idempotency_key: str | None = None, **body: Any) -> dict[str, Any]:
        """Take a number (a retry with the same key gets the same ticket)."""

    def settle(self, key: str) -> dict[str, Any]:
        """What became of an issue sent with `key` (ApiError 404: nothing)."""

    def cancel(self, ticket_id: str, secret: str | None = None) -> dict[str, Any]:
        """Give up a ticket (with its owner secret)."""

    def find(self, number: str, id_number: str | None = None) -> dict[str, Any]:
        """Today's ticket by its printed number."""

    def ticket(self, ticket_id: str, secret: str | None = None) -> dict[str, Any]:
        """A ticket with its waiting estimate."""

    def requeue(self, ticket_id: str, secret: str | None = None) -> dict[str, Any]:
        """过号取号 (with the stub's secret, the reply carries it for the new stub)."""

    def step_back(
        self,
        ticket_id: str,
        places: int,
        secret: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """延后 N 位."""

    def away(
        self,
        ticket_id: str,
        minutes: int,
        secret: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """暂离 M minutes."""

    def come_back(self, ticket_id: str, secret: str | None = None) -> dict[str, Any]:
        """我回来了."""

    def device_status(self, device: str, status: str, detail: str | None = None) -> dict[str, Any]:
        """Report a device's health."""

    def close(self) -> None:
        """Release the connection."""


class StaffApi(Api, Protocol):
    """A client a guide signs in with (帮办、绿色通道 confirmation, reprint)."""

    def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in; the client then acts as that user."""

    def logout(self) -> None:
        """End the guide's session."""


class Printer(Protocol):
    """The ticket printer as the kiosk sees it."""

    has_status: bool  # False: the model cannot say whether it has paper

    def status(self) -> tuple[str, str]:
        """(ok|paper_low|paper_out|cover_open|cutter_error|offline|unknown, detail)."""

    def print_ticket(self, stub: TicketStub) -> None:
        """Print a stub; raises drivers.errors.DeviceError instead of printing when it cannot."""

    def print_advice(self, slip: AdviceSlip) -> None:
        """Print an advice slip (可全程网办)."""


def thread_runner(job: Job) -> None:
    """Run a job in its own daemon thread (the Qt app: keeps the screen responsive)."""
    threading.Thread(target=job, daemon=True, name="kiosk-job").start()


def inline_runner(job: Job) -> None:
    """Run a job at once (unit tests, scripted end-to-end runs)."""
    job()


@dataclass
class Clocks:
    """Wall time (for the clock and ages) and a monotonic time (for timeouts)."""

    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    monotonic: Callable[[], float] = field(default=time.monotonic)
