"""The hall TV's state and what it shows, without Qt: fed live-feed messages, gives a ScreenView.

The presenter runs on one thread (the GUI thread in the app, the feed thread in tests). It
folds messages with the shared `HallState`, keeps the newest call to flash, and records
every call it showed so tests can check that none was missed, repeated or reordered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from display.config import ScreenConfig
from display.viewmodel import (
    IDLE_TEXT,
    PAUSED_TEXT,
    CallLine,
    QueueCount,
    ScreenView,
    WindowTile,
    hall_date,
)
from server.client import HallState
from server.client.layout import HallLayout
from server.protocol.events import CALL_EVENTS, EventType, MessageType


class ScreenPresenter:
    """Folds the live feed into what the hall TV shows."""

    def __init__(
        self,
        options: ScreenConfig,
        layout: HallLayout | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.options = options
        self.layout = layout
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.state = HallState(recent_limit=50)
        self.recent: list[CallLine] = []  # newest first, already filtered by area
        self.latest: CallLine | None = None
        self.latest_at: dt.datetime | None = None
        self.shown: list[CallLine] = []  # every call flashed, in the order it came
        self.online = False
        self.status = "connecting"
        self.hall_name = layout.name if layout else ""

    def set_layout(self, layout: HallLayout) -> None:
        """Use a (newer) hall layout for names of areas and queues."""
        self.layout = layout
        self.hall_name = layout.name

    def set_status(self, status: str) -> None:
        """The feed's connection status: connected, resynced or disconnected."""
        self.status = status
        self.online = status in ("connected", "resynced")

    def apply(self, msg: dict[str, Any]) -> None:
        """Fold one snapshot or event."""
        self.state.apply(msg)
        if msg.get("type") == MessageType.SNAPSHOT:
            self._from_snapshot(msg)
            return
        if msg.get("type") == EventType.TICKET_TRANSFERRED:
            self._transferred(msg)
            return
        if msg.get("type") not in CALL_EVENTS or not isinstance(msg.get("ticket"), dict):
            return
        ticket = msg["ticket"]
        window = ticket.get("window") or (msg.get("window") or {}).get("code", "")
        if not self._in_area(window):
            return
        line = CallLine(
            number=ticket["number"],
            window=window,
            seq=int(msg.get("seq", 0)),
            recall=msg["type"] == EventType.TICKET_RECALLED,
            name=ticket.get("applicant_masked"),
        )
        self.latest, self.latest_at = line, self.clock()
        self.shown.append(line)
        if not line.recall:
            self.recent = [line, *self.recent][: self.options.recent]

    def _transferred(self, msg: dict[str, Any]) -> None:
        """A ticket sent to a window: listed with the recent calls (no flash, no voice)."""
        ticket, window = msg.get("ticket"), msg.get("to_window")
        if not isinstance(ticket, dict) or not window or not self._in_area(window):
            return
        line = CallLine(
            number=ticket["number"],
            window=str(window),
            seq=int(msg.get("seq", 0)),
            name=ticket.get("applicant_masked"),
            transfer=True,
        )
        kept = [c for c in self.recent if c.number != line.number]
        self.recent = [line, *kept][: self.options.recent]

    def view(self, now: dt.datetime | None = None) -> ScreenView:
        """What to draw at `now`."""
        now = now or self.clock()
        local = now.astimezone(ZoneInfo(self._timezone()))
        return ScreenView(
            title=self._title(),
            layout=self.options.layout,
            latest=self.latest,
            flash_on=self._flash_on(now),
            recent=tuple(self.recent),
            windows=tuple(self._tiles()),
            queues=tuple(self._queues()),
            notice=self.state.notice or (self.layout.notice if self.layout else ""),
            date_text=hall_date(local),
            time_text=f"{local:%H:%M:%S}",
            online=self.online,
            status_text="" if self.online else "网络连接中断，正在重新连接…",
        )

    def flashing(self, now: dt.datetime | None = None) -> bool:
        """True while the newest call is still flashing."""
        if self.latest_at is None:
            return False
        elapsed = ((now or self.clock()) - self.latest_at).total_seconds()
        return 0 <= elapsed < self.options.flash_seconds

    def _flash_on(self, now: dt.datetime) -> bool:
        if not self.flashing(now) or self.latest_at is None:
            return False
        # Two blinks a second; the first half-second after the call is "on".
        return int((now - self.latest_at).total_seconds() * 2) % 2 == 0

    def _from_snapshot(self, snap: dict[str, Any]) -> None:
        self.hall_name = snap.get("hall_name") or self.hall_name
        lines = []
        for call in snap.get("recent_calls", []):
            ticket = call.get("ticket") or {}
            window = call.get("window") or ticket.get("window") or ""
            if ticket.get("number") and self._in_area(window):
                lines.append(
                    CallLine(ticket["number"], window, 0, False, ticket.get("applicant_masked"))
                )
        self.recent = lines[: self.options.recent]
        if self.latest is None and self.recent:
            self.latest = self.recent[0]  # shown, but not flashed again

    def _in_area(self, window: str) -> bool:
        if not self.options.areas:
            return True
        info = self.state.windows.get(window)
        return info is not None and info.get("area") in self.options.areas

    def _tiles(self) -> list[WindowTile]:
        areas = self.options.areas
        return [
            window_tile(w)
            for w in self.state.windows.values()
            if not areas or w.get("area") in areas
        ]

    def _queues(self) -> list[QueueCount]:
        counts = self.state.queue_counts
        if self.layout is None:
            return [QueueCount(q, q, n) for q, n in counts.items()]
        return [
            QueueCount(q.code, q.name, int(counts.get(q.code, 0)))
            for q in self.layout.queues
            if not self.options.areas or q.area in self.options.areas
        ]

    def _title(self) -> str:
        if self.options.title:
            return self.options.title
        hall = self.layout.name if self.layout else self.hall_name or self.state.hall
        if self.layout and len(self.options.areas) == 1:
            area = self.layout.areas.get(self.options.areas[0])
            return f"{hall} · {area}" if area else hall
        return hall

    def _timezone(self) -> str:
        return self.layout.timezone if self.layout else "Asia/Shanghai"


def window_tile(w: dict[str, Any]) -> WindowTile:
    """How one window looks on the TV (pure: the window view in, a tile out)."""
    status = w.get("status", "closed")
    number = w.get("current_number")
    if status == "paused":
        return WindowTile(w["code"], w["name"], "paused", None, PAUSED_TEXT, w.get("paused_reason"))
    if status != "open":
        return WindowTile(w["code"], w["name"], "closed", None, PAUSED_TEXT)
    if number:
        return WindowTile(w["code"], w["name"], "serving", number, number)
    return WindowTile(w["code"], w["name"], "idle", None, IDLE_TEXT)
