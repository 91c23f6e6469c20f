"""What every use case needs: the store, the clock, the key, the fan-out; and the hall tx."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection

from server.domain.errors import NotFound
from server.domain.events import EventType
from server.domain.model import Ticket, TicketStatus
from server.domain.numbering import business_date
from server.protocol.views import iso
from server.realtime.pg import notify
from server.store import repo
from server.store.db import Database
from server.store.layout import Layout, load_layout

Clock = Callable[[], dt.datetime]


class Publisher(Protocol):
    """Where committed events go: the realtime hub."""

    def publish(self, hall: str, items: list[tuple[int, str]]) -> None:
        """Fan out (seq, json) pairs of one hall, in seq order."""


def utc_now() -> dt.datetime:
    """The real clock."""
    return dt.datetime.now(dt.UTC)


@dataclass
class Context:
    """Dependencies of the services; one per server process."""

    db: Database
    secret: bytes
    publisher: Publisher
    clock: Clock = utc_now
    public_base_url: str = "http://127.0.0.1:8000"
    estimates: dict[tuple[str, str, str], tuple[float, float]] = field(default_factory=dict)
    snapshots: dict[str, tuple[int, str]] = field(default_factory=dict)
    _snapshot_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _layouts: dict[str, Layout] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def layout(self, conn: Connection, hall: str) -> Layout:
        """The hall's layout (cached per process until the hall file is loaded again)."""
        cached = self._layouts.get(hall)
        if cached is not None:
            return cached
        layout = load_layout(conn, hall)
        if layout is None:
            raise NotFound("unknown_hall", f"没有编号为 {hall} 的服务大厅")
        with self._lock:
            self._layouts[hall] = layout
        return layout

    def snapshot_lock(self, hall: str) -> threading.Lock:
        """The lock that makes one thread build a hall's snapshot while others wait."""
        with self._lock:
            return self._snapshot_locks.setdefault(hall, threading.Lock())

    def forget_layouts(self) -> None:
        """Drop cached layouts after a hall file was (re)loaded."""
        with self._lock:
            self._layouts.clear()


class HallTx:
    """One write transaction in one hall: lock, change, append events, commit, publish."""

    def __init__(self, ctx: Context, conn: Connection, hall: str, last_seq: int) -> None:
        self.ctx, self.conn, self.hall = ctx, conn, hall
        self.layout = ctx.layout(conn, hall)
        self.now = ctx.clock()
        self.today = business_date(self.now, self.layout.timezone)
        self.seq = last_seq
        self._pending: list[tuple[int, str, dict[str, Any], bool]] = []
        self._waiting: Counter[tuple[dt.date, str]] = Counter()
        self.published: list[tuple[int, str]] = []

    def insert_ticket(self, ticket: Ticket) -> None:
        """Store a new ticket (and count it in its queue's waiting line)."""
        repo.insert_ticket(self.conn, ticket)
        self._count(ticket, +1)

    def save_ticket(self, before: Ticket, after: Ticket) -> None:
        """Store a changed ticket, moving it between waiting lines as its state says."""
        repo.save_ticket(self.conn, after)
        self._count(before, -1)
        self._count(after, +1)

    def waiting(self, queue: str) -> int:
        """Tickets waiting in a queue today, as this transaction sees them."""
        stored = repo.waiting_by_queue(self.conn, self.hall, self.today).get(queue, 0)
        return stored + self._waiting[(self.today, queue)]

    def _count(self, ticket: Ticket, sign: int) -> None:
        if ticket.status is TicketStatus.WAITING:
            self._waiting[(ticket.business_date, ticket.queue)] += sign

    def next_seq(self) -> int:
        """The seq the next emitted event will get."""
        return self.seq + 1

    def emit(self, kind: EventType, counts: bool = True, **body: Any) -> int:
        """Append an event to this transaction; returns its seq."""
        self.seq += 1
        self._pending.append((self.seq, kind.value, body, counts))
        return self.seq

    def flush(self) -> None:
        """Write the pending events and the hall's seq (just before commit)."""
        repo.adjust_waiting(self.conn, self.hall, dict(self._waiting))
        if not self._pending:
            return
        counts = repo.waiting_by_queue(self.conn, self.hall, self.today)
        counts = {q: counts.get(q, 0) for q in self.layout.queues}
        rows = []
        for seq, kind, body, with_counts in self._pending:
            message = {"seq": seq, "type": kind, "at": iso(self.now), "hall": self.hall, **body}
            if with_counts:
                message["queue_counts"] = counts
            text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
            rows.append(
                {"hall": self.hall, "seq": seq, "type": kind, "at": self.now, "payload": text}
            )
            self.published.append((seq, text))
        repo.insert_events(self.conn, rows)
        repo.set_last_seq(self.conn, self.hall, self.seq)
        if not self.ctx.db.is_sqlite:
            notify(self.conn, self.hall)  # wakes the relays of every worker on commit


def run_in_hall(ctx: Context, hall: str, work: Callable[[HallTx], Any]) -> Any:
    """Run `work` in one write transaction of `hall` and publish its events after commit."""
    box: list[HallTx] = []

    def publish() -> None:
        if box and box[0].published:
            ctx.publisher.publish(hall, box[0].published)

    with ctx.db.write(after_commit=publish) as conn:
        last = repo.lock_hall(conn, hall)
        if last is None:
            raise NotFound("unknown_hall", f"没有编号为 {hall} 的服务大厅")
        tx = HallTx(ctx, conn, hall, last)
        box.append(tx)
        result = work(tx)
        tx.flush()
    return result
