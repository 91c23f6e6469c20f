"""The LED bridge: the live feed -> each window's LED sign (窗口屏).

A call shows the number in the sign's own format, a paused window 暂停服务, an open window
with nobody called the idle text. The bridge sends a sign only what changed; it re-sends a
sign's current text when the sign comes back after a power cut (it answers again) and every
`refresh_seconds` anyway (signs that never answer), and everything after its own restart
(the first snapshot). Sending never blocks: drivers.led queues frames on each bus's owner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from display.config import LedConfig, SignConfig
from server.client import HallState
from server.protocol.events import EventType, MessageType

log = logging.getLogger("yichuang.display.led")
PAUSED_TEXT = "暂停服务"
# drivers.led health states -> the device states of the v1 API
HEALTH_STATUS = {"ok": "ok", "unconfirmed": "ok", "no_reply": "offline", "offline": "offline"}


class Sign(Protocol):
    """What the bridge needs of a window sign (drivers.led.WindowSign)."""

    def show_call(self, number: str, window: str) -> None:
        """Show a called number."""

    def show_text(self, lines: Sequence[str]) -> None:
        """Show lines of text."""

    def show_idle(self, text: str = ...) -> None:
        """Show the idle text."""

    def check(self) -> None:
        """Ask the sign whether it is there."""

    def health(self) -> Any:
        """The last known health (with `.ok` and `.state`)."""


SignOpener = Callable[[SignConfig], Sign]


@dataclass(frozen=True)
class SignScreen:
    """What one window's sign should show."""

    kind: str  # call | paused | idle | closed
    lines: tuple[str, ...]
    number: str | None = None
    window: str = ""


def sign_screen(window: dict[str, Any], idle_text: str, closed_text: str) -> SignScreen:
    """The screen for a window's state (pure: the public window view in)."""
    code = window["code"]
    status = window.get("status")
    if status == "paused":
        reason = window.get("paused_reason")
        return SignScreen("paused", (PAUSED_TEXT, reason) if reason else (PAUSED_TEXT,))
    if status != "open":
        return SignScreen("closed", (closed_text,))
    number = window.get("current_number")
    if number:
        return SignScreen("call", (number,), number, code)
    return SignScreen("idle", (idle_text,))


def open_driver_sign(spec: SignConfig) -> Sign:
    """The real sign through drivers.led (imported here so tests can do without it)."""
    from drivers.led import open_sign

    sign: Sign = open_sign(spec.profile, spec.url, spec.address)
    return sign


class LedBridge:
    """Keeps every configured sign showing its window's state."""

    def __init__(
        self,
        config: LedConfig,
        *,
        opener: SignOpener = open_driver_sign,
        on_health: Callable[[str, str, str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config, self.clock, self.on_health = config, clock, on_health
        self.signs: dict[str, Sign] = {s.window: opener(s) for s in config.signs}
        self.state = HallState()
        self.wanted: dict[str, SignScreen] = {}
        self.sent: dict[str, SignScreen] = {}
        self.health: dict[str, str] = {}  # ok / offline / unknown per window
        self.sends = 0
        self._lock = threading.Lock()
        self._last_refresh = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def apply(self, msg: dict[str, Any]) -> None:
        """Fold one live-feed message and update the signs it concerns."""
        with self._lock:
            self.state.apply(msg)
            if msg.get("type") == MessageType.SNAPSHOT:
                for code in self.signs:
                    self._update(code, force=True)  # after our own restart: send everything
                return
            window = msg.get("window")
            if isinstance(window, dict) and window.get("code") in self.signs:
                recall = msg.get("type") == EventType.TICKET_RECALLED
                self._update(window["code"], force=recall)

    def tick(self) -> None:
        """Health checks and the periodic refresh (called every `health_seconds`)."""
        reports = []
        with self._lock:
            refresh = self.clock() - self._last_refresh >= self.config.refresh_seconds
            if refresh:
                self._last_refresh = self.clock()
            for code, sign in self.signs.items():
                came_back, report = self._check(code, sign)
                if refresh or came_back:
                    self._update(code, force=True)
                if report is None and refresh and self.health[code] != "unknown":
                    # said again now and then: the overview calls an old "ok" 未上报
                    report = (self.health[code], "")
                if report is not None:
                    reports.append((code, *report))
        if self.on_health is not None:  # outside the lock: it may talk to the server
            for code, status, detail in reports:
                self.on_health(code, status, detail)

    def start(self) -> LedBridge:
        """Run `tick` in a background thread."""
        self._thread = threading.Thread(target=self._run, name="led-bridge", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def showing(self, window: str) -> SignScreen | None:
        """What the bridge last sent to a window's sign."""
        with self._lock:
            return self.sent.get(window)

    def _run(self) -> None:
        while not self._stop.wait(self.config.health_seconds):
            try:
                self.tick()
            except Exception:  # a sign problem must never stop the bridge
                log.exception("LED bridge tick failed")

    def _update(self, code: str, *, force: bool = False) -> None:
        window = self.state.windows.get(code)
        if window is None:
            return
        screen = sign_screen(window, self.config.idle_text, self.config.closed_text)
        self.wanted[code] = screen
        if not force and self.sent.get(code) == screen:
            return
        self._send(code, screen)

    def _send(self, code: str, screen: SignScreen) -> None:
        sign = self.signs[code]
        try:
            if screen.kind == "call" and screen.number:
                sign.show_call(screen.number, screen.window)
            elif screen.kind in ("idle", "closed"):
                sign.show_idle(screen.lines[0])
            else:
                sign.show_text(list(screen.lines))
        except Exception:  # the driver queues; anything raised here is a bug, not a dead sign
            log.exception("sign of %s refused %s", code, screen)
            return
        self.sent[code] = screen
        self.sends += 1

    def _check(self, code: str, sign: Sign) -> tuple[bool, tuple[str, str] | None]:
        """Ping the sign; (it answers again after it did not, a health change to report)."""
        health = sign.health()
        status = HEALTH_STATUS.get(str(getattr(health, "state", "unknown")), "unknown")
        before = self.health.get(code, "unknown")
        self.health[code] = status
        try:
            sign.check()
        except Exception:
            log.exception("sign of %s: ping failed", code)
        report = None
        if status != before and status != "unknown":
            report = (status, str(getattr(health, "detail", "")))
        return before == "offline" and status == "ok", report
