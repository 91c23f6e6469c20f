"""The kiosk's peripherals through drivers/: the ticket printer and the ID-card reader.

Apps never speak bytes (DESIGN §2 rule 2); these adapters only translate the drivers'
objects into what the presenter understands, and poll them from background threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from drivers.errors import DeviceError
from drivers.idcard import IdCardReader
from drivers.printer import AdviceSlip, TicketPrinter, TicketStub

log = logging.getLogger("yichuang.kiosk.devices")


class KioskPrinter:
    """drivers.printer.TicketPrinter as the presenter's Printer port."""

    def __init__(self, profile_id: str, url: str) -> None:
        self._printer = TicketPrinter(profile_id, url)
        self.has_status = self._printer.profile.supports("status")

    def status(self) -> tuple[str, str]:
        """(status, detail) straight from DLE EOT; silence is "unknown", never "ok"."""
        report = self._printer.status_report()
        return report.status.value, report.detail

    def print_ticket(self, stub: TicketStub) -> None:
        """Print a stub (the driver refuses with PaperOut/CoverOpen/DeviceOffline)."""
        self._printer.print_ticket(stub)

    def print_advice(self, slip: AdviceSlip) -> None:
        """Print an advice slip."""
        self._printer.print_advice(slip)

    def close(self) -> None:
        """Release the connection."""
        self._printer.close()


class CardReader(Protocol):
    """An ID-card reader: the card placed on it (read once), or None."""

    poll_interval: float

    def read_card(self) -> tuple[str, str] | None:
        """(name, ID number) of a newly placed card; raises DeviceError when it does not answer."""

    def close(self) -> None:
        """Release the port."""


class DriverCardReader:
    """drivers.idcard.IdCardReader (GA 467 SAM frames) as a CardReader."""

    def __init__(self, profile_id: str, url: str) -> None:
        self._reader = IdCardReader(profile_id, url)
        self.poll_interval = self._reader.spec.poll_interval_ms / 1000

    def read_card(self) -> tuple[str, str] | None:
        """The card on the reader, once per placement."""
        card = self._reader.read_card()
        return None if card is None else (card.name, card.id_number)

    def close(self) -> None:
        """Release the port."""
        self._reader.close()

    def reset(self) -> None:
        """Close the port after an error; the next read reopens it."""
        self._reader.close_port()


class Poller:
    """Runs `step()` again and again in a daemon thread until stopped (errors are logged).

    `step` may return how long to wait before the next run (a dead reader waits longer).
    """

    def __init__(self, name: str, step: Callable[[], float | None], interval: float) -> None:
        self.name, self.step, self.interval = name, step, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> Poller:
        """Begin polling."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait: float | None = None
            try:
                wait = self.step()
            except Exception:  # one bad reading must not end the watch
                log.exception("%s failed", self.name)
            self._stop.wait(self.interval if wait is None else wait)


def watch_printer(
    printer: KioskPrinter, on_status: Callable[[str, str], None], interval: float
) -> Poller:
    """Poll the printer's status and hand every reading to `on_status(status, detail)`."""

    def step() -> None:
        on_status(*printer.status())

    return Poller("kiosk-printer", step, interval).start()


def watch_card_reader(
    reader: CardReader,
    on_card: Callable[[str, str], None],
    on_health: Callable[[str, str], None],
) -> Poller:
    """Poll the reader for cards; report its health (ok / offline) whenever it changes."""
    last: list[str] = []

    def step() -> float:
        card, health, detail = None, "ok", ""
        try:
            card = reader.read_card()
        except DeviceError as exc:
            health, detail = "offline", exc.message
            reset = getattr(reader, "reset", None)
            if reset is not None:
                reset()
        if last != [health]:
            last[:] = [health]
            on_health(health, detail)
        if card is not None:
            on_card(*card)
        return reader.poll_interval if health == "ok" else 2.0  # a dead port backs off

    return Poller("kiosk-idcard", step, 0.0).start()
