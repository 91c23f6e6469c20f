"""The hall announcer (叫号播报): speaks each call once, in order, where the hall hears it.

Policy only; the audio is drivers.voice's. A call is spoken when this host holds the hall's
announcer lease and the hall is within its announcing hours. Calls in a snapshot (a fresh
start, or a gap too old for the log) are never spoken: they are history. Calls that reach a
standby are kept; when it takes over it speaks the ones the old announcer may have missed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from display.config import AnnouncerConfig

log = logging.getLogger("yichuang.display.announcer")
CALL_EVENTS = ("ticket.called", "ticket.recalled")
MISSED_LIMIT = 200


class Voice(Protocol):
    """What the announcer needs of drivers.voice: queue one announcement, return at once."""

    def announce(self, seq: int, number: str, window: str, recall: bool = False) -> object:
        """Speak "请 A012 号到 S03 号窗口办理" (with 重呼 for a recall); the result is unused."""


@dataclass(frozen=True)
class Call:
    """One call to speak."""

    seq: int
    number: str
    window: str
    recall: bool


class HallAnnouncer:
    """Turns live-feed calls into announcements, exactly once and in seq order."""

    def __init__(
        self,
        config: AnnouncerConfig,
        voice: Voice,
        *,
        timezone: str = "Asia/Shanghai",
        holds_lease: Callable[[], bool] = lambda: True,
        active: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.config, self.voice, self.holds_lease = config, voice, holds_lease
        # Set only under the lock by on_lease_change, so a take-over speaks the kept calls
        # before any newer one.
        self.active = active
        self.tz = ZoneInfo(timezone)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.seq = 0  # the newest seq seen on the feed
        self.spoken_seq = 0  # the newest seq handed to the voice (or let go by policy)
        self.spoken: list[Call] = []  # what was announced, in order
        self.skipped: list[tuple[Call, str]] = []  # (call, why) not announced
        self.missed: list[Call] = []  # seen while standing by
        self._lock = threading.RLock()

    def on_message(self, msg: dict[str, Any]) -> None:
        """Feed-thread entry: a snapshot sets the baseline, a call event is spoken or kept."""
        with self._lock:
            seq = int(msg.get("seq", 0))
            if msg.get("type") == "snapshot":
                self.seq = max(self.seq, seq)
                self.spoken_seq = max(self.spoken_seq, seq)  # history, not news
                self.missed.clear()
                return
            self.seq = max(self.seq, seq)
            call = _call_of(msg)
            if call is None or call.seq <= self.spoken_seq:
                return
            if not (self.active and self.holds_lease()):
                self.missed = [*self.missed, call][-MISSED_LIMIT:]
                return
            self._speak(call)

    def on_lease_change(self, active: bool, floor: int) -> None:
        """The lease was gained (speak what the old holder missed) or lost (stand by)."""
        with self._lock:
            self.active = active
            if not active:
                return
            backlog = [c for c in self.missed if c.seq > max(floor, self.spoken_seq)]
            self.missed.clear()
            if backlog:
                log.info("took over the announcer: %d missed calls to speak", len(backlog))
            for call in backlog:
                self._speak(call)

    def _speak(self, call: Call) -> None:
        self.spoken_seq = max(self.spoken_seq, call.seq)
        local = self.clock().astimezone(self.tz)
        if not self.config.in_hours(local):
            self.skipped.append((call, "outside_hours"))
            return
        try:
            self.voice.announce(call.seq, call.number, call.window, recall=call.recall)
        except Exception:  # a sound problem must not stop the feed
            log.exception("announcing %s failed", call)
            self.skipped.append((call, "voice_error"))
            return
        self.spoken.append(call)


def _call_of(msg: dict[str, Any]) -> Call | None:
    if msg.get("type") not in CALL_EVENTS:
        return None
    ticket = msg.get("ticket")
    if not isinstance(ticket, dict) or not ticket.get("number"):
        return None
    window = ticket.get("window") or (msg.get("window") or {}).get("code")
    if not window:
        return None
    return Call(int(msg["seq"]), ticket["number"], window, msg["type"] == "ticket.recalled")
