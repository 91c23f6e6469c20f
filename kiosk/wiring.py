"""Puts the kiosk together: SDK client, live feed, device watches, presenter and window.

The presenter runs server and printer work on background threads; every change is drawn on
the Qt thread through one queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PyQt6.QtCore import QObject, QTimer, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut

from drivers.errors import DeviceError
from drivers.profiles import ProfileError
from kiosk.config import KioskConfig
from kiosk.devices import (
    CardReader,
    DriverCardReader,
    KioskPrinter,
    Poller,
    watch_card_reader,
    watch_printer,
)
from kiosk.ports import Printer, Runner, thread_runner
from kiosk.presenter import KioskPresenter
from kiosk.views.window import KioskWindow
from server.client import HallClient, LiveFeed

log = logging.getLogger("yichuang.kiosk")
TICK_MS = 1000
HEARTBEAT_MS = 3000
# The card the demo's F2 key puts on the simulated reader (born 1950: 绿色通道 by age).
DEMO_CARD = ("张三丰", "110105195001011234")


class KioskApp(QObject):
    """The running kiosk; `close()` stops the threads it started."""

    changed = pyqtSignal()

    def __init__(
        self,
        config: KioskConfig,
        *,
        printer: Printer | None = None,
        reader: CardReader | None = None,
        runner: Runner = thread_runner,
        live: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.api = HallClient(config.server_url, config.hall, config.token, timeout=3.0)
        self.printer = printer or KioskPrinter(config.printer_profile, config.printer_url)
        self.presenter = KioskPresenter(
            config,
            self.api,
            self.printer,
            staff_api=lambda: HallClient(config.server_url, config.hall, timeout=5.0),
            runner=runner,
        )
        self.window = KioskWindow(self.presenter, config.width, config.height)
        self.changed.connect(lambda: self.window.draw(self.presenter.state))
        self.presenter.subscribe(lambda _state: self.changed.emit())
        self.pollers: list[Poller] = []
        self.feed: LiveFeed | None = None
        self.reader = reader
        self._live = live
        self._timers: list[QTimer] = []
        self.window.draw(self.presenter.state)

    def start(self) -> None:
        """Connect to the server and start watching the devices."""
        self.presenter.start()
        if self._live:
            self.feed = LiveFeed(
                self.config.server_url,
                self.config.hall,
                self.config.token,
                on_message=self.presenter.on_live,
                on_status=self.presenter.on_live_status,
            ).start()
        if isinstance(self.printer, KioskPrinter):
            watch = watch_printer(
                self.printer, self.presenter.printer_changed, self.config.status_interval_s
            )
            self.pollers.append(watch)
        self._start_reader()
        self._every(TICK_MS, self.presenter.tick)
        self._every(HEARTBEAT_MS, self.presenter.heartbeat)

    def _start_reader(self) -> None:
        cfg = self.config
        if self.reader is None and cfg.idcard_profile and cfg.idcard_url:
            try:
                self.reader = DriverCardReader(cfg.idcard_profile, cfg.idcard_url)
            except (DeviceError, ProfileError) as exc:  # typed ID numbers still work
                log.warning("ID-card reader %s unavailable: %s", cfg.idcard_url, exc)
                self.presenter.report(cfg.idcard_device, "offline", str(exc))
        if self.reader is not None:
            self.pollers.append(
                watch_card_reader(
                    self.reader,
                    self.presenter.card_read,
                    lambda status, detail: self.presenter.report(cfg.idcard_device, status, detail),
                )
            )

    def enable_demo_card(self) -> None:
        """Demo only: F2 places a sample ID card on the simulated reader."""
        url = self.config.idcard_url or ""
        if not url.startswith("sim://"):
            return

        def insert() -> None:
            from drivers.sim import get_simulator

            sim: object = get_simulator(url)
            sim.insert_card(*DEMO_CARD)  # type: ignore[attr-defined]

        QShortcut(QKeySequence("F2"), self.window).activated.connect(insert)

    def _every(self, ms: int, fn: Callable[[], None]) -> None:
        timer = QTimer(self)
        timer.timeout.connect(fn)
        timer.start(ms)
        self._timers.append(timer)

    def show(self) -> None:
        """Full screen on a kiosk, a window of the configured size elsewhere."""
        if self.config.fullscreen:
            self.window.showFullScreen()
        else:
            self.window.resize(self.config.width, self.config.height)
            self.window.show()

    def close(self) -> None:
        """Stop timers, feed and device watches; release the connections."""
        for timer in self._timers:
            timer.stop()
        if self.feed is not None:
            self.feed.stop(timeout=2.0)
        for poller in self.pollers:
            poller.stop()
        if self.reader is not None:
            self.reader.close()
        if isinstance(self.printer, KioskPrinter):
            self.printer.close()
        self.api.close()
