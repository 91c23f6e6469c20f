"""The hall as a client sees it, folded from a snapshot and the events after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.protocol.events import TICKET_EVENTS, EventType, MessageType

LIVE_STATUSES = ("waiting", "called")


@dataclass
class HallState:
    """Windows, waiting counts, live tickets and recent calls; `apply` folds one message."""

    hall: str = ""
    seq: int = 0
    notice: str = ""
    windows: dict[str, dict[str, Any]] = field(default_factory=dict)
    queue_counts: dict[str, int] = field(default_factory=dict)
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)  # every ticket seen
    recent_calls: list[dict[str, Any]] = field(default_factory=list)  # newest first
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    recent_limit: int = 10

    def apply(self, msg: dict[str, Any]) -> None:
        """Fold a snapshot or an event into the state."""
        if msg.get("type") == MessageType.SNAPSHOT:
            self._reset(msg)
            return
        self.seq = max(self.seq, int(msg.get("seq", 0)))
        if "queue_counts" in msg:
            self.queue_counts = dict(msg["queue_counts"])
        window = msg.get("window")
        if isinstance(window, dict):
            self.windows[window["code"]] = window
        ticket = msg.get("ticket")
        if isinstance(ticket, dict) and msg.get("type") in TICKET_EVENTS:
            self.tickets[ticket["id"]] = ticket
        if msg.get("type") == EventType.TICKET_CALLED and isinstance(ticket, dict):
            call = {
                "window": ticket.get("window"),
                "called_at": ticket.get("called_at"),
                "ticket": ticket,
            }
            self.recent_calls = [call, *self.recent_calls][: self.recent_limit]
        if msg.get("type") == EventType.DEVICE_STATUS:
            device = msg["device"]
            self.devices[device["id"]] = device

    def waiting(self, queue: str | None = None) -> list[dict[str, Any]]:
        """Waiting tickets (optionally of one queue) in arrival order."""
        rows = [t for t in self.tickets.values() if t["status"] == "waiting"]
        if queue is not None:
            rows = [t for t in rows if t["queue"] == queue]
        return sorted(rows, key=lambda t: (t.get("issued_at") or "", t["number"]))

    def live_tickets(self) -> dict[str, dict[str, Any]]:
        """Tickets still waiting or called."""
        return {k: t for k, t in self.tickets.items() if t["status"] in LIVE_STATUSES}

    def _reset(self, snap: dict[str, Any]) -> None:
        self.hall = snap["hall"]
        self.seq = int(snap["seq"])
        self.notice = snap.get("notice", "")
        self.windows = {w["code"]: w for w in snap["windows"]}
        self.queue_counts = dict(snap["queue_counts"])
        self.tickets = {t["id"]: t for t in snap["tickets"]}
        self.recent_calls = list(snap.get("recent_calls", []))[: self.recent_limit]
        self.devices = {d["id"]: d for d in snap.get("devices", [])}
