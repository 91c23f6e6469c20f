"""Composition root: one live feed per display host, fanned out to the TV, signs and announcer.

Everything here is plain threads; the Qt TV lives in display.views and is started by
`run_tv`, which hands messages to the GUI thread through a signal.
"""

from __future__ import annotations

import logging
import queue
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from display.announcer import HallAnnouncer, Voice
from display.config import AnnouncerConfig, DisplayConfig
from display.lease import LeaseKeeper, LeaseRefused, default_holder
from display.led_bridge import LedBridge, SignOpener, open_driver_sign
from server.client import ApiError, HallClient, HallLayout, LiveFeed
from server.client.layout import DEFAULT_PAUSE_S, DEFAULT_REPEATS

log = logging.getLogger("yichuang.display")
Handler = Callable[[dict[str, Any]], None]
RETRY_MAX = 0.5  # seconds between reconnects: a restarted server is back on screen within 2 s


class Display:
    """The headless part of a display host: live feed, LED bridge, announcer and its lease."""

    def __init__(
        self,
        config: DisplayConfig,
        *,
        led: bool = True,
        announce: bool = True,
        voice: Voice | None = None,
        sign_opener: SignOpener = open_driver_sign,
        client: HallClient | None = None,
    ) -> None:
        self.config = config
        srv = config.server
        self.client = client or HallClient(srv.url, srv.hall, srv.token)
        self.layout: HallLayout | None = None
        self.handlers: list[Handler] = []
        self.status_handlers: list[Callable[[str], None]] = []
        self.reporter = HealthReporter(self.client)
        self.led: LedBridge | None = None
        if led and config.led.signs:
            self.led = LedBridge(config.led, opener=sign_opener, on_health=self.reporter.report)
            self.handlers.append(self.led.apply)
        self.announcer: HallAnnouncer | None = None
        self.lease: LeaseKeeper | None = None
        self.refused: LeaseRefused | None = None  # another host announces; we do not
        self._voice = voice
        self._announce = announce and config.announcer.enabled
        self.feed = LiveFeed(
            srv.url,
            srv.hall,
            srv.token,
            self._dispatch,
            on_status=self._status,
            retry_max=RETRY_MAX,
        )

    def start(self) -> Display:
        """Read the layout, take the announcer lease (or stand by, or refuse), start the feed."""
        self.load_layout()
        if self._announce:
            self._start_announcer()
        if self.led is not None:
            self.led.start()
        self.reporter.start()
        self.feed.start()
        return self

    def stop(self) -> None:
        """Stop everything; the lease is released so a standby takes over at once."""
        self.feed.stop()
        if self.led is not None:
            self.led.stop()
        if self.lease is not None:
            self.lease.stop()
        close = getattr(self._voice, "close", None)
        if callable(close):
            close()
        self.reporter.stop()
        self.client.close()

    def load_layout(self) -> HallLayout | None:
        """GET /halls/{hall} (names, time zone); None while the server cannot be reached."""
        try:
            self.layout = self.client.layout()
        except ApiError as exc:
            log.warning("hall layout not loaded yet: %s", exc.message)
        else:
            self._tell_voice(self.layout)
        return self.layout

    def _tell_voice(self, layout: HallLayout) -> None:
        """Hand the hall's repeats and pause to the voice (the hall file says how often)."""
        set_repeat = getattr(self._voice, "set_repeat", None)
        if callable(set_repeat):
            set_repeat(layout.announce_repeats, layout.announce_pause_s)

    def _start_announcer(self) -> None:
        cfg = self.config.announcer
        if self._voice is None:
            self._voice = build_voice(cfg)
            if self.layout is not None:
                self._tell_voice(self.layout)
        timezone = self.layout.timezone if self.layout else self.config.timezone
        announcer = HallAnnouncer(cfg, self._voice, timezone=timezone, active=False)
        self.lease = LeaseKeeper(
            self.client,
            default_holder("display"),
            cfg.lease_seconds,
            seq_now=lambda: announcer.seq,
            on_change=announcer.on_lease_change,
        )
        announcer.holds_lease = self.lease.holds
        announcer.clock = self.lease.server_now  # a call's age and the hours by the server
        try:
            self.lease.first_try(refuse=cfg.on_conflict == "refuse")
        except LeaseRefused as exc:
            log.error("%s", exc)
            self.refused = exc
            self.lease = None
            return
        self.lease.start()
        self.announcer = announcer
        self.handlers.append(announcer.on_message)

    def _dispatch(self, msg: dict[str, Any]) -> None:
        for handler in self.handlers:
            try:
                handler(msg)
            except Exception:  # one part failing must not starve the others
                log.exception("display handler failed on seq %s", msg.get("seq"))

    def _status(self, status: str) -> None:
        if status in ("connected", "resynced") and self.layout is None:
            threading.Thread(target=self.load_layout, daemon=True).start()
        if status == "resynced" and self.lease is not None:
            # After an outage longer than the lease the calls since are kept until it is
            # held again: renew at once so speech follows the screen, not a renewal tick.
            self.lease.renew_soon()
        for handler in self.status_handlers:
            handler(status)


class HealthReporter:
    """Sends sign health changes to the server (`<display id>.sign-S01`) off the feed thread."""

    def __init__(self, client: HallClient) -> None:
        self.client = client
        self.device: str | None = None
        self._queue: queue.SimpleQueue[tuple[str, str, str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def report(self, window: str, status: str, detail: str) -> None:
        """Queue one report; never blocks."""
        self._queue.put((window, status, detail))

    def start(self) -> None:
        """Send reports in a background thread."""
        self._thread = threading.Thread(target=self._run, name="sign-health", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the thread."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            window, status, detail = item
            try:
                if self.device is None:
                    self.device = str(self.client.me()["name"])
                self.client.device_status(f"{self.device}.sign-{window}", status, detail or None)
            except ApiError as exc:  # the server may be down; the next change reports again
                log.info("sign health of %s not reported: %s", window, exc.message)


def build_voice(cfg: AnnouncerConfig) -> Voice:
    """drivers.voice's announcer for the configured engine, sink, chime and volume."""
    from drivers.voice import Announcer, NullSink, WavFileSink

    sink: Any
    if cfg.sink == "null":
        sink = NullSink()
    elif cfg.sink.startswith("wav:"):
        sink = WavFileSink(Path(cfg.sink[4:]))
    else:
        from drivers.voice import AplaySink

        sink = AplaySink()
    announcer: Voice = Announcer(
        _engine(cfg),
        sink,
        chime=cfg.chime,
        volume=cfg.volume,
        repeat=DEFAULT_REPEATS,  # until the hall layout says otherwise
        pause=DEFAULT_PAUSE_S,
    )
    return announcer


def _engine(cfg: AnnouncerConfig) -> Any:
    """The clip set (built once with espeak-ng when missing), or espeak-ng itself."""
    from drivers.voice import ClipEngine, EspeakEngine, build_clips, default_clip_dir

    if cfg.engine == "espeak":
        return EspeakEngine()
    clip_dir = Path(cfg.clip_dir) if cfg.clip_dir else default_clip_dir()
    if not (clip_dir / "请.wav").is_file() and shutil.which("espeak-ng"):
        log.info("building the voice clip set in %s (once)", clip_dir)
        build_clips(clip_dir)
    return ClipEngine(clip_dir)


def run_tv(display: Display, *, fullscreen: bool, argv: list[str] | None = None) -> int:
    """Open the TV window on this host's screen and run until it is closed."""
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from display.presenter import ScreenPresenter
    from display.views.feed import FeedSignals
    from display.views.tv import TvScreen

    app = QApplication.instance() or QApplication(argv or ["yichuang-display"])
    presenter = ScreenPresenter(display.config.screen, display.layout)
    signals = FeedSignals()
    signals.message.connect(presenter.apply)
    signals.status.connect(presenter.set_status)
    display.handlers.insert(0, signals.send_message)
    display.status_handlers.append(signals.send_status)
    shown_on = app.primaryScreen() if fullscreen else None  # a 1366×768 TV gets it all in scale
    size = (shown_on.size().width(), shown_on.size().height()) if shown_on else None
    screen = TvScreen(display.config.screen.layout, display.config.screen.recent, size=size)

    def redraw() -> None:
        if presenter.layout is None and display.layout is not None:
            presenter.set_layout(display.layout)
        screen.show_view(presenter.view())

    timer = QTimer()
    timer.timeout.connect(redraw)
    timer.start(250)  # the clock, and the blink of a new call (two per second)
    # Ctrl-C / systemctl stop: Python handlers run between Qt events (the timer above).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    display.start()
    redraw()
    if fullscreen:
        screen.showFullScreen()
    else:
        screen.show()
    try:
        return int(app.exec())
    finally:
        timer.stop()
        display.stop()
