"""The hall row (write lock, event seq, day-end mark) and its event log."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, text, update

from server.domain.layout import Layout
from server.realtime.pg import CHANNEL, notice
from server.store import repo  # events_after stays there: the relay reads it, and imports no repo
from server.store.audit_repo import HEAD_FOR_UPDATE, head_from_row
from server.store.clerk_queries import CARD, card_from_rows
from server.store.fast import Fast, together
from server.store.layout import load_layout
from server.store.tables import events, halls
from server.store.windows_repo import HALL_WINDOWS, window_rows

_LOCK_SQLITE = select(halls.c.last_seq).where(halls.c.code == bindparam("hall"))
_LOCK_FOR_UPDATE = _LOCK_SQLITE.with_for_update()
_SET_SEQ = update(halls).where(halls.c.code == bindparam("b_hall"))
_INSERT_EVENTS = events.insert()
# PostgreSQL: the events, the hall's seq and the notice in one round trip (the hall lock is
# held until commit, so every round trip under it slows the hall's other writers). The rows
# travel as one JSON text: psycopg quotes a TEXT[] of event payloads element by element in
# Python (7 % of a worker's time in the profile), json.dumps does it in C.
# The waiting-count changes of the transaction ride along too.
_LOGGED = """WITH logged AS (
    INSERT INTO events (hall, seq, type, at, payload)
    SELECT :hall, e.seq, e.type, e.at, e.payload FROM json_to_recordset(CAST(:rows AS JSON))
        AS e(seq BIGINT, type VARCHAR, at TIMESTAMP, payload TEXT)
), counted AS (
    INSERT INTO waiting_counts (hall, business_date, queue, waiting)
    SELECT :hall, w.day, w.queue, w.delta FROM json_to_recordset(CAST(:deltas AS JSON))
        AS w(day DATE, queue VARCHAR, delta INTEGER)
    ON CONFLICT (hall, business_date, queue)
    DO UPDATE SET waiting = waiting_counts.waiting + excluded.waiting
)"""
_APPEND_PG = Fast(text(_LOGGED + " UPDATE halls SET last_seq = :last WHERE code = :hall"))
_APPEND_NOTIFY_PG = Fast(
    text(
        _LOGGED + ", moved AS (UPDATE halls SET last_seq = :last WHERE code = :hall)"
        f" SELECT pg_notify({CHANNEL}, :notice)"
    )
)
_FAST_LOCK_SQLITE = Fast(_LOCK_SQLITE)
_FAST_LOCK_FOR_UPDATE = Fast(_LOCK_FOR_UPDATE)
# PostgreSQL: the lock and the reads every hall transaction makes next (the waiting counts,
# the windows serving, the audit chain's head), in one round trip under the lock instead of
# four; the first use case's own first reads (`Ahead`) ride along.
_LOCK_AND_READ_PG = [
    _FAST_LOCK_FOR_UPDATE,
    Fast(repo.WAITING_COUNTS),
    Fast(HALL_WINDOWS),
    Fast(HEAD_FOR_UPDATE),
    Fast(repo.DAY_NUMBERS),
]
_FAST_SET_SEQ = Fast(_SET_SEQ, ["last_seq"])
# Call-next's candidates keep one generic plan: left to choose, PostgreSQL planned them anew
# on every call (its generic estimate never beat the custom plans'), half a millisecond under
# the hall lock. Only for them: generic plans for every prepared statement lengthened a
# 300-hall run's p99 from 47-181 ms to 200-957 ms. Set and reset in the lock's pipeline.
_PLAN_CACHE = Fast(text("SELECT set_config('plan_cache_mode', :mode, true)"))
_FAST_INSERT_EVENTS = Fast(_INSERT_EVENTS, ["hall", "seq", "type", "at", "payload"])
_FIRST_SEQ = select(func.min(events.c.seq)).where(events.c.hall == bindparam("hall"))


def lock_hall(conn: Connection, hall: str) -> int | None:
    """Take the hall's write lock for this transaction and return its last event seq.

    The one row lock of the system: every write in a hall goes through it, so numbering,
    call-next and the event seq are exactly-once and commit in seq order. On SQLite the
    IMMEDIATE transaction already holds the database write lock.
    """
    query = _FAST_LOCK_SQLITE if conn.dialect.name == "sqlite" else _FAST_LOCK_FOR_UPDATE
    seq = query.scalar(conn, {"hall": hall})
    return None if seq is None else int(seq)


def set_last_seq(conn: Connection, hall: str, seq: int) -> None:
    """Store the hall's newest event seq."""
    _FAST_SET_SEQ.run(conn, {"b_hall": hall, "last_seq": seq})


def insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append events to the log."""
    if rows:
        _FAST_INSERT_EVENTS.run(conn, rows)


def first_kept_seq(conn: Connection, hall: str) -> int | None:
    """The oldest event seq still in the log."""
    return conn.execute(_FIRST_SEQ, {"hall": hall}).scalar()


def last_seq(conn: Connection, hall: str) -> int:
    """The hall's newest event seq."""
    return int(conn.execute(_LOCK_SQLITE, {"hall": hall}).scalar_one())


@dataclass(frozen=True)
class Ahead:
    """What the first use case of a hall transaction reads first, to read with the lock.

    Each round trip under the hall lock is time the hall's other writers wait, so call-next
    sends its candidates and an outcome its called ticket and clerk along with the lock.
    """

    window: str
    now: dt.datetime | None = None  # the instant the candidates are read for (set by the lock)
    candidates: bool = False  # call-next: the heads of the window's lines
    current: bool = False  # the ticket the window has called
    clerk: str | None = None  # whose staff card (name, 工号)


@dataclass
class Locked:
    """A hall locked for this transaction: its last seq, and what was read with the lock."""

    last_seq: int
    day: dt.date | None = None  # the business date of `waiting` (None: nothing was read)
    waiting: dict[str, int] = field(default_factory=dict)
    windows: list[dict[str, Any]] | None = None  # the hall's active windows' rows
    audit_head: dict[str, Any] | None = None  # its audit chain's head, locked (None: no chain)
    ahead: Ahead | None = None
    candidates: list[dict[str, Any]] | None = None  # rows, for `ahead.now`
    candidates_until: dt.datetime | None = None  # right until then (the next 暂离 end)
    current: list[dict[str, Any]] = field(default_factory=list)  # the called ticket's row
    cards: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # by username
    numbers: dict[str, int] | None = None  # each queue's last number that day


def _ahead_reads(hall: str, day: dt.date, ahead: Ahead | None) -> list[tuple[Fast, dict[str, Any]]]:
    """The statements `ahead` asks for, in the order `_take_ahead` reads their answers."""
    if ahead is None:
        return []
    at = {"hall": hall, "day": day, "window": ahead.window, "now": ahead.now}
    reads: list[tuple[Fast, dict[str, Any]]] = []
    if ahead.candidates:
        reads += [
            (_PLAN_CACHE, {"mode": "force_generic_plan"}),
            (repo.CANDIDATES_OF_WINDOW, at),
            (repo.NEXT_AWAY_END, at),
            (_PLAN_CACHE, {"mode": "auto"}),
        ]
    if ahead.current:
        reads.append((repo.CURRENT_OF_WINDOW, {"hall": hall, "window": ahead.window}))
    if ahead.clerk is not None:
        reads.append((CARD, {"username": ahead.clerk}))
    return reads


def _take_ahead(found: Locked, ahead: Ahead, answers: list[list[tuple[Any, ...]]]) -> None:
    found.ahead = ahead
    rest = iter(answers)
    if ahead.candidates:
        next(rest)  # the plan mode set before them
        found.candidates = repo.ticket_rows(next(rest))
        found.candidates_until = next(rest)[0][0]
        next(rest)  # and set back after them
    if ahead.current:
        found.current = repo.ticket_rows(next(rest))
    if ahead.clerk is not None:
        found.cards[ahead.clerk] = card_from_rows(next(rest))


class HallsRepo:
    """The `halls` rows of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def lock(self, hall: str, day: dt.date, ahead: Ahead | None = None) -> Locked | None:
        """Take the hall's write lock (None: no such hall), with what is read along with it.

        On PostgreSQL the day's waiting counts and numbers, the hall's windows, the head of
        its audit chain (locked: a staff write appends to it) and what `ahead` names come in
        the same round trip; SQLite has no round trips to save, and they are read when first needed.
        """
        if self.conn.dialect.name == "sqlite":
            seq = lock_hall(self.conn, hall)
            return None if seq is None else Locked(seq)
        params = {"hall": hall, "day": day}
        reads = [(fast, params) for fast in _LOCK_AND_READ_PG]
        extra = _ahead_reads(hall, day, ahead)
        answers = together(self.conn, reads + extra)
        locked, counts, rows, head, numbers = answers[:5]
        if not locked:
            return None
        waiting = {queue: int(n) for queue, n in counts if n}
        audit_head = head_from_row(head[0]) if head else None
        day_numbers = {queue: int(n) for queue, n in numbers}
        found = Locked(
            int(locked[0][0]), day, waiting, window_rows(rows), audit_head, numbers=day_numbers
        )
        if ahead is not None:
            _take_ahead(found, ahead, answers[5:])
        return found

    def layout(self, hall: str) -> Layout | None:
        """The hall's layout, or None when the hall does not exist."""
        return load_layout(self.conn, hall)

    def codes(self) -> list[str]:
        """Codes of every hall in the store."""
        return [r for (r,) in self.conn.execute(select(halls.c.code))]

    def closed_date(self, hall: str) -> dt.date | None:
        """The last business date whose day end ran."""
        day: dt.date | None = self.conn.execute(
            select(halls.c.closed_date).where(halls.c.code == hall)
        ).scalar()
        return day

    def mark_closed(self, hall: str, day: dt.date) -> None:
        """Remember that the day end of `day` ran."""
        self.conn.execute(update(halls).where(halls.c.code == hall).values(closed_date=day))


class EventsRepo:
    """The event log of one transaction: append in seq order, read back, prune."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(
        self,
        hall: str,
        rows: list[dict[str, Any]],
        last_seq: int,
        announce: list[tuple[int, str]] | None,
        waiting: dict[tuple[dt.date, str], int],
    ) -> None:
        """Log a hall's new events, its newest seq and its waiting-count changes.

        On PostgreSQL in one round trip that also rings the hall's channel: `announce` is what
        the notice carries (sent on commit); None sends no notice. SQLite has one process,
        which publishes its own commits.
        """
        if self.conn.dialect.name == "sqlite" or not rows:
            repo.adjust_waiting(self.conn, hall, waiting)
            insert_events(self.conn, rows)
            set_last_seq(self.conn, hall, last_seq)
            return
        logged = [
            {
                "seq": r["seq"],
                "type": r["type"],
                "at": r["at"].astimezone(dt.UTC).replace(tzinfo=None).isoformat(),
                "payload": r["payload"],
            }
            for r in rows
        ]
        changes = [
            {"day": day.isoformat(), "queue": queue, "delta": delta}
            for (day, queue), delta in waiting.items()
            if delta
        ]
        params = {
            "hall": hall,
            "last": last_seq,
            "rows": json.dumps(logged, ensure_ascii=False),
            "deltas": json.dumps(changes, ensure_ascii=False),
        }
        if announce is None:
            _APPEND_PG.run(self.conn, params)
        else:
            _APPEND_NOTIFY_PG.run(self.conn, {**params, "notice": notice(hall, announce)})

    def after(self, hall: str, since: int, limit: int) -> list[tuple[int, str]]:
        """(seq, payload) of events after `since`, in seq order."""
        return repo.events_after(self.conn, hall, since, limit)

    def first_kept_seq(self, hall: str) -> int | None:
        """The oldest seq still in the log."""
        return first_kept_seq(self.conn, hall)

    def last_seq(self, hall: str) -> int:
        """The hall's newest seq."""
        return last_seq(self.conn, hall)

    def prune(self, hall: str, before: dt.datetime, keep_after: int | None = None) -> None:
        """Drop events older than `before` (clients that far behind resync from a snapshot).

        Events after `keep_after` stay: an outbox subscriber has not had them yet.
        """
        cond = [events.c.hall == hall, events.c.at < before]
        if keep_after is not None:
            cond.append(events.c.seq <= keep_after)
        self.conn.execute(delete(events).where(*cond))
