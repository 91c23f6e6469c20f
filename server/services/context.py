"""What every use case needs: the store, the clock, the key, the fan-out; and the hall tx.

A hall transaction is the unit of work of a write use case: it holds the hall's lock and
hands the use case the repositories of its transaction (`tx.devices`, `tx.tickets` …).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from server.domain.errors import NotFound
from server.domain.events import EventType
from server.domain.layout import Layout
from server.domain.model import Ticket, TicketStatus
from server.domain.numbering import business_date
from server.protocol.views import iso
from server.services import idempotency
from server.store.appointments_repo import AppointmentsRepo
from server.store.db import Database
from server.store.devices_repo import DevicesRepo
from server.store.halls_repo import Ahead, EventsRepo, HallsRepo, Locked
from server.store.idempotency import KeysRepo
from server.store.leases_repo import LeasesRepo
from server.store.sessions_repo import SessionsRepo
from server.store.tickets_repo import TicketsRepo
from server.store.unit import Repositories, SqlStore
from server.store.windows_repo import WindowsRepo

Clock = Callable[[], dt.datetime]


class Publisher(Protocol):
    """Where committed events go: the realtime hub."""

    def publish(self, hall: str, items: list[tuple[int, str]]) -> None:
        """Fan out (seq, json) pairs of one hall, in seq order."""


class Store(Protocol):
    """Units of work: read-only ones and write ones (the SQL store, or a fake in unit tests)."""

    is_sqlite: bool

    def read(self) -> AbstractContextManager[Repositories]:
        """A read-only unit of work."""

    def glance(self) -> AbstractContextManager[Repositories]:
        """Independent one-statement reads, outside any transaction."""

    def write(
        self, after_commit: Callable[[], None] | None = None
    ) -> AbstractContextManager[Repositories]:
        """A write unit of work; `after_commit` runs once it committed."""


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
    store: Store | None = None  # None: the database's own units of work
    units: Store = field(init=False)

    def __post_init__(self) -> None:
        self.units = self.store if self.store is not None else SqlStore(self.db)

    def layout(self, conn: Any, hall: str) -> Layout:
        """The hall's layout, read on `conn` when not cached (for the statistics and web pages)."""
        cached = self._layouts.get(hall)
        if cached is not None:
            return cached
        return self.layout_of(Repositories(conn), hall)

    def layout_of(self, repos: Repositories, hall: str) -> Layout:
        """The hall's layout (cached per process until the hall file is loaded again)."""
        cached = self._layouts.get(hall)
        if cached is not None:
            return cached
        layout = repos.halls.layout(hall)
        if layout is None:
            raise NotFound("unknown_hall", f"没有编号为 {hall} 的服务大厅")
        with self._lock:
            self._layouts[hall] = layout
        return layout

    def hall_layout(self, hall: str) -> Layout:
        """The hall's layout: cached, else read in a unit of its own (NotFound: no such hall)."""
        cached = self._layouts.get(hall)
        if cached is not None:
            return cached
        with self.units.read() as repos:
            return self.layout_of(repos, hall)

    def has_hall(self, hall: str) -> bool:
        """Whether the store knows the hall."""
        try:
            with self.units.read() as repos:
                self.layout_of(repos, hall)
        except NotFound:
            return False
        return True

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

    def __init__(self, ctx: Context, repos: Repositories, hall: str, last_seq: int) -> None:
        self.ctx, self.repos, self.hall = ctx, repos, hall
        self.layout = ctx.layout_of(repos, hall)
        self.now = ctx.clock()
        self.today = business_date(self.now, self.layout.timezone)
        self.seq = last_seq
        # (seq, type, body, the waiting-count changes so far or None for no counts)
        self._pending: list[tuple[int, str, dict[str, Any], dict[str, int] | None]] = []
        self._waiting: Counter[tuple[dt.date, str]] = Counter()
        self._stored: dict[str, int] | None = None
        self._primed = False  # repositories hold reads made with the lock (`Ahead`)
        self.published: list[tuple[int, str]] = []

    @property
    def conn(self) -> Any:
        """The raw connection, for the statistics package's own SQL (services use repositories)."""
        return self.repos.conn

    @property
    def keys(self) -> KeysRepo:
        """Idempotency keys of this transaction."""
        return self.repos.keys

    @property
    def halls(self) -> HallsRepo:
        """Hall rows of this transaction."""
        return self.repos.halls

    @property
    def tickets(self) -> TicketsRepo:
        """Tickets, waiting counts and calls of this transaction."""
        return self.repos.tickets

    @property
    def windows(self) -> WindowsRepo:
        """Windows of this transaction."""
        return self.repos.windows

    @property
    def events(self) -> EventsRepo:
        """The event log (write events with `emit`: they are logged at flush)."""
        return self.repos.events

    @property
    def devices(self) -> DevicesRepo:
        """Devices of this transaction."""
        return self.repos.devices

    @property
    def appointments(self) -> AppointmentsRepo:
        """Appointments of this transaction."""
        return self.repos.appointments

    @property
    def leases(self) -> LeasesRepo:
        """Leases of this transaction."""
        return self.repos.leases

    @property
    def sessions(self) -> SessionsRepo:
        """Staff accounts of this transaction."""
        return self.repos.sessions

    def take(self, locked: Locked) -> None:
        """Keep what was read along with the lock (unless the day turned while it waited)."""
        if locked.day != self.today:
            return
        self._stored = locked.waiting
        if locked.numbers is not None:
            self.repos.tickets.prime_numbers(self.hall, self.today, locked.numbers)
        if locked.windows is not None:
            self.repos.windows.prime(self.hall, locked.windows)
        if locked.audit_head is not None:
            self.repos.audit.prime(self.hall, locked.audit_head)
        ahead = locked.ahead
        if ahead is None:
            return
        candidates = None
        served = [r for r in locked.windows or [] if r["code"] == ahead.window]
        if locked.candidates is not None and served and ahead.now is not None:
            queues = list(served[0]["queues"])
            candidates = (ahead.window, queues, ahead.now, locked.candidates_until)
        self.repos.tickets.prime(locked.current, candidates, locked.candidates)
        self.repos.sessions.prime(locked.cards)
        self._primed = True

    def forget_ahead(self) -> None:
        """Drop what was read with the lock for the first use case (the next ones read anew)."""
        if self._primed:
            self._primed = False
            self.repos.tickets.forget()
            self.repos.sessions.forget()

    def mark(self) -> tuple[int, int, Counter[tuple[dt.date, str]]]:
        """Where this transaction stands, to undo one use case of a batch that failed."""
        return (self.seq, len(self._pending), Counter(self._waiting))

    def reset(self, mark: tuple[int, int, Counter[tuple[dt.date, str]]]) -> None:
        """Forget what happened since `mark` (its rows are rolled back to a savepoint)."""
        self.seq, pending, self._waiting = mark[0], mark[1], Counter(mark[2])
        del self._pending[pending:]

    def insert_ticket(self, ticket: Ticket) -> None:
        """Store a new ticket (and count it in its queue's waiting line)."""
        self.repos.tickets.add(ticket)
        self._count(ticket, +1)

    def save_ticket(self, before: Ticket, after: Ticket) -> None:
        """Store a changed ticket, moving it between waiting lines as its state says."""
        self.repos.tickets.save(after)
        self._count(before, -1)
        self._count(after, +1)

    def waiting(self, queue: str) -> int:
        """Tickets waiting in a queue today, as this transaction sees them."""
        return self._stored_counts().get(queue, 0) + self._waiting[(self.today, queue)]

    def _stored_counts(self) -> dict[str, int]:
        # Read once: the hall lock keeps other writers out and ours are only written at flush.
        if self._stored is None:
            self._stored = self.repos.tickets.waiting_by_queue(self.hall, self.today)
        return self._stored

    def _count(self, ticket: Ticket, sign: int) -> None:
        if ticket.status is TicketStatus.WAITING:
            self._waiting[(ticket.business_date, ticket.queue)] += sign

    def next_seq(self) -> int:
        """The seq the next emitted event will get."""
        return self.seq + 1

    def emit(self, kind: EventType, counts: bool = True, **body: Any) -> int:
        """Append an event to this transaction; returns its seq."""
        self.seq += 1
        # Each event carries the counts as they stand right after it, even when several
        # use cases share this transaction.
        changes = {q: n for (day, q), n in self._waiting.items() if day == self.today}
        self._pending.append((self.seq, kind.value, body, changes if counts else None))
        return self.seq

    def flush(self) -> None:
        """Write the pending events and the hall's seq (just before commit)."""
        if not self._pending:
            self.repos.tickets.adjust_waiting(self.hall, dict(self._waiting))
            return
        stored = self._stored_counts()
        rows = []
        for seq, kind, body, changes in self._pending:
            message = {"seq": seq, "type": kind, "at": iso(self.now), "hall": self.hall, **body}
            if changes is not None:
                message["queue_counts"] = {
                    q: stored.get(q, 0) + changes.get(q, 0) for q in self.layout.queues
                }
            text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
            rows.append(
                {"hall": self.hall, "seq": seq, "type": kind, "at": self.now, "payload": text}
            )
            self.published.append((seq, text))
        # The notice wakes every worker's relay on commit and carries the events to it.
        self.repos.events.append(
            self.hall, rows, self.seq, announce(self.published), dict(self._waiting)
        )


def announce(items: list[tuple[int, str]]) -> list[tuple[int, str]] | None:
    """What the other workers are told of a commit's events (a seam tests cut: None)."""
    return items


class Batch:
    """Use cases sharing one write transaction: one lock, one flush, one commit.

    The writer runs concurrent requests as a batch; each use case runs inside a
    savepoint, so one that fails is undone alone. On PostgreSQL a batch stays in one hall:
    holding two halls' locks at once could deadlock with another batch.
    """

    def __init__(self, ctx: Context, repos: Repositories, isolate: bool) -> None:
        self.ctx, self.repos, self.isolate = ctx, repos, isolate
        self.txs: dict[str, HallTx] = {}

    @classmethod
    @contextmanager
    def open(cls, ctx: Context, *, isolate: bool = False) -> Iterator[Batch]:
        """A batch on a fresh transaction; its events are published after the commit."""
        box: list[Batch] = []

        def publish() -> None:
            for tx in box[0].txs.values():
                if tx.published:
                    ctx.publisher.publish(tx.hall, tx.published)

        # the unit of work commits right after the block: the COMMIT rides with the last writes
        with (
            ctx.units.write(after_commit=publish) as repos,
            repos.writes_behind(then_commit=True),
        ):
            batch = cls(ctx, repos, isolate)
            box.append(batch)
            token = _active.set(batch)
            try:
                yield batch
                for tx in batch.txs.values():
                    tx.flush()
            finally:
                _active.reset(token)

    def run(self, hall: str, work: Callable[[HallTx], Any], ahead: Ahead | None = None) -> Any:
        """Run one use case in this batch (in its own savepoint when isolating).

        `ahead`: what the use case reads first, read along with the lock if it opens the
        hall's transaction (PostgreSQL).
        """
        tx = self.txs.get(hall)
        if tx is None:
            if self.txs and not self.ctx.units.is_sqlite:
                raise OtherHall(hall)
            layout = self.ctx.layout_of(self.repos, hall)  # NotFound for an unknown hall
            now = self.ctx.clock()
            if ahead is not None:
                ahead = replace(ahead, now=now)
            locked = self.repos.halls.lock(hall, business_date(now, layout.timezone), ahead)
            if locked is None:
                raise NotFound("unknown_hall", f"没有编号为 {hall} 的服务大厅")
            tx = self.txs[hall] = HallTx(self.ctx, self.repos, hall, locked.last_seq)
            tx.take(locked)
        claim = idempotency.take_claim()
        if claim is not None:
            work = idempotency.guarded(claim, work)
        try:
            if not self.isolate:
                return work(tx)
            mark = tx.mark()
            try:
                with self.repos.savepoint():
                    return work(tx)
            except BaseException:
                tx.reset(mark)
                raise
        finally:
            tx.forget_ahead()


class OtherHall(Exception):
    """A use case of another hall reached a PostgreSQL batch: run it in the next one."""

    def __init__(self, hall: str) -> None:
        super().__init__(hall)
        self.hall = hall


_active: contextvars.ContextVar[Batch | None] = contextvars.ContextVar(
    "yichuang_batch", default=None
)  # the batch running in this thread or greenlet


def active_batch() -> Batch | None:
    """The batch running in this thread or greenlet, if any."""
    return _active.get()


def run_in_hall(
    ctx: Context, hall: str, work: Callable[[HallTx], Any], ahead: Ahead | None = None
) -> Any:
    """Run `work` in a write transaction of `hall`; its events are published after commit.

    In the writer the transaction may be shared with other requests (a batch).
    `ahead` names what `work` reads first, to read along with the hall lock.
    """
    batch = active_batch()
    if batch is not None and batch.ctx is ctx:
        return batch.run(hall, work, ahead)
    with Batch.open(ctx) as single:
        return single.run(hall, work, ahead)
