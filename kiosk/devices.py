"""The kiosk's peripherals through drivers/: the ticket printer and the ID-card reader.

Apps never speak bytes (DESIGN §2 rule 2); these adapters only translate the drivers'
objects into what the presenter understands, and poll them from background threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from drivers.errors import DeviceError
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
    """An ID-card reader: the next card placed on it, or None after `timeout` seconds."""

    def read_card(self, timeout: float) -> tuple[str, str] | None:
        """(name, ID number) of a card, or None."""

    def health(self) -> str:
        """The reader's health: ok, offline or unknown."""

    def close(self) -> None:
        """Release the port."""


class DriverCardReader:
    """drivers.idcard's reader as a CardReader."""

    def __init__(self, profile_id: str, url: str) -> None:
        from drivers import idcard

        self._reader: Any = idcard.open_reader(profile_id, url)

    def read_card(self, timeout: float) -> tuple[str, str] | None:
        """Wait for a card; (name, ID number) or None."""
        card = self._reader.read_card(timeout)
        if card is None:
            return None
        return str(card.name), str(card.id_number)

    def health(self) -> str:
        """What the reader says about itself."""
        return str(self._reader.health())

    def close(self) -> None:
        """Release the port."""
        self._reader.close()


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
    """Wait for cards; report the reader's health when it changes."""
    last: list[str] = []

    def step() -> float:
        detail = ""
        try:
            card = reader.read_card(0.5)
            health = reader.health()
        except DeviceError as exc:
            card, health, detail = None, "offline", exc.message
        if not last or last[0] != health:
            last[:] = [health]
            on_health(health, detail)
        if card is not None:
            on_card(*card)
        return 0.0 if health == "ok" else 2.0  # a read waits by itself; a dead port backs off

    return Poller("kiosk-idcard", step, 0.0).start()
