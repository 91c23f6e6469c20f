"""The hall announcer (叫号播报): speaks each call once, in order, where the hall hears it.

Policy only; the audio is drivers.voice's. A call is spoken when this host holds the hall's
announcer lease and the hall is within its announcing hours. Calls in a snapshot (a fresh
start, or a gap too old for the log) are never spoken: they are history. Calls that reach a
standby, or arrive while the lease has lapsed, are kept; when the lease is held again the ones
the old announcer may have missed are spoken. A call is stale, and let go, when it is older
than `max_age_seconds` when its turn comes, or when a later event took its ticket away from
the window that called it (finished, 过号, transferred): the TV still shows it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from display.config import AnnouncerConfig
from server.protocol.events import CALL_EVENTS, EventType, MessageType

log = logging.getLogger("yichuang.display.announcer")
MISSED_LIMIT = 200
FAILED_SEQ = re.compile(r"^seq (\d+):")  # drivers.voice's render failures name the call's seq


class Voice(Protocol):
    """What the announcer needs of drivers.voice: queue one announcement, return at once."""

    def announce(self, seq: int, number: str, window: str, recall: bool = False) -> object:
        """Queue "请 A012 号到 S03 号窗口办理" (重呼 for a recall); False when it refuses."""


@dataclass(frozen=True)
class Call:
    """One call to speak."""

    seq: int
    number: str
    window: str
    recall: bool
    ticket: str = ""  # the ticket's id, to follow what later events do to it
    at: dt.datetime | None = None  # when the server made the call

    def place(self) -> tuple[str, str]:
        """Where the call sends the citizen: (ticket status, window)."""
        return ("called", self.window)


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
        self.floor = 0  # calls up to this seq were the previous holder's to speak
        self.tz = ZoneInfo(timezone)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.seq = 0  # the newest seq seen on the feed
        self.spoken_seq = 0  # the newest seq handed to the voice (or let go by policy)
        self.spoken: list[Call] = []  # what the voice accepted and did not report failed
        self.skipped: list[tuple[Call, str]] = []  # (call, why) not announced
        self.errors: list[str] = []  # the voice's failures, as it reported them
        self.missed: list[Call] = []  # seen while not holding the lease
        self._places: dict[str, tuple[str, str]] = {}  # ticket -> (status, window) of kept calls
        self._errors_seen = 0
        self._lock = threading.RLock()

    def on_message(self, msg: dict[str, Any]) -> None:
        """Feed-thread entry: a snapshot sets the baseline, a call event is spoken or kept."""
        with self._lock:
            self.check_voice()
            seq = int(msg.get("seq", 0))
            self.seq = max(self.seq, seq)
            if msg.get("type") == MessageType.SNAPSHOT:
                self.spoken_seq = max(self.spoken_seq, seq)  # history, not news
                self.missed.clear()
                self._places.clear()
                return
            self._follow(msg)
            call = _call_of(msg)
            if call is None or call.seq <= self.spoken_seq:
                return
            if not (self.active and self.holds_lease()):
                self._keep(call)
                return
            self._speak_kept()  # kept while the lease had lapsed: they come first
            self._speak(call)

    def on_lease_change(self, active: bool, floor: int) -> None:
        """The lease was gained (speak what the old holder missed) or lost (stand by)."""
        with self._lock:
            self.active = active
            if active:
                self.floor = max(self.floor, floor)
                self._speak_kept()

    def check_voice(self) -> list[str]:
        """Take the voice's new failures: log them and move their calls to `skipped`."""
        with self._lock:
            reported = getattr(self.voice, "errors", None)
            if not isinstance(reported, list):
                return []
            new = [str(e) for e in reported[self._errors_seen :]]
            self._errors_seen += len(new)
            for message in new:
                log.error("announcement not played: %s", message)
                self.errors.append(message)
                self._unspeak(message)
            return new

    def _follow(self, msg: dict[str, Any]) -> None:
        ticket = msg.get("ticket")
        if isinstance(ticket, dict) and ticket.get("id") in self._places:
            self._places[ticket["id"]] = (str(ticket.get("status")), str(ticket.get("window")))

    def _keep(self, call: Call) -> None:
        self.missed = [*self.missed, call][-MISSED_LIMIT:]
        self._places[call.ticket] = call.place()

    def _speak_kept(self) -> None:
        backlog = [c for c in self.missed if c.seq > max(self.floor, self.spoken_seq)]
        places, self._places = self._places, {}
        self.missed.clear()
        if backlog:
            log.info("announcing %d calls kept while the lease was not held", len(backlog))
        for call in backlog:
            if places.get(call.ticket, call.place()) != call.place():
                self._skip(call, "stale")
            else:
                self._speak(call)

    def _speak(self, call: Call) -> None:
        self.spoken_seq = max(self.spoken_seq, call.seq)
        now = self.clock()
        if not self.config.in_hours(now.astimezone(self.tz)):
            self._skip(call, "outside_hours")
            return
        if call.at is not None and (now - call.at).total_seconds() > self.config.max_age_seconds:
            self._skip(call, "stale")
            return
        try:
            accepted = self.voice.announce(call.seq, call.number, call.window, recall=call.recall)
        except Exception:  # a sound problem must not stop the feed
            log.exception("announcing %s failed", call)
            self._skip(call, "voice_error")
            return
        if accepted is False:
            log.warning("the voice refused %s", call)
            self._skip(call, "voice_refused")
            return
        self.spoken.append(call)

    def _skip(self, call: Call, why: str) -> None:
        log.info("not announcing %s %s (seq %d): %s", call.number, call.window, call.seq, why)
        self.skipped.append((call, why))

    def _unspeak(self, message: str) -> None:
        m = FAILED_SEQ.match(message)
        failed = [c for c in self.spoken if m is not None and c.seq == int(m.group(1))]
        for call in failed:
            self.spoken.remove(call)
            self.skipped.append((call, "voice_error"))


def _call_of(msg: dict[str, Any]) -> Call | None:
    if msg.get("type") not in CALL_EVENTS:
        return None
    ticket = msg.get("ticket")
    if not isinstance(ticket, dict) or not ticket.get("number"):
        return None
    window = ticket.get("window") or (msg.get("window") or {}).get("code")
    if not window:
        return None
    return Call(
        int(msg["seq"]),
        ticket["number"],
        window,
        msg["type"] == EventType.TICKET_RECALLED,
        ticket=str(ticket.get("id") or ticket["number"]),
        at=_instant(msg.get("at")),
    )


def _instant(value: object) -> dt.datetime | None:
    """An event's `at` (ISO 8601, Z) as an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
