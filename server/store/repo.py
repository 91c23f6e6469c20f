"""Repositories: rows <-> domain objects, and the queries the services need."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.domain.model import (
    CallPolicy,
    GreenMode,
    Outcome,
    Priority,
    Source,
    Ticket,
    TicketStatus,
    Window,
    WindowStatus,
)
from server.store.tables import calls, counters, events, halls, tickets, windows

_TICKET_FIELDS = [f.name for f in dataclasses.fields(Ticket)]
_ENUMS: dict[str, Any] = {
    "status": TicketStatus,
    "priority": Priority,
    "source": Source,
    "outcome": Outcome,
}


def lock_hall(conn: Connection, hall: str) -> int | None:
    """Take the hall's write lock for this transaction and return its last event seq.

    The one row lock of the system: every write in a hall goes through it, so numbering,
    call-next and the event seq are exactly-once and commit in seq order. On SQLite the
    IMMEDIATE transaction already holds the database write lock.
    """
    query = select(halls.c.last_seq).where(halls.c.code == hall)
    if conn.dialect.name != "sqlite":
        query = query.with_for_update()
    return conn.execute(query).scalar_one_or_none()


def set_last_seq(conn: Connection, hall: str, seq: int) -> None:
    """Store the hall's newest event seq."""
    conn.execute(update(halls).where(halls.c.code == hall).values(last_seq=seq))


def ticket_from_row(row: Row[Any] | Any) -> Ticket:
    """Build a Ticket from a tickets row."""
    data = {name: row._mapping[name] for name in _TICKET_FIELDS}
    for name, enum in _ENUMS.items():
        if data[name] is not None:
            data[name] = enum(data[name])
    return Ticket(**data)


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    """Column values of a Ticket."""
    values = {name: getattr(ticket, name) for name in _TICKET_FIELDS}
    for name in _ENUMS:
        if values[name] is not None:
            values[name] = values[name].value
    return values


def get_ticket(conn: Connection, ticket_id: str) -> Ticket | None:
    """Load one ticket by id."""
    row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    return ticket_from_row(row) if row else None


def find_ticket(conn: Connection, hall: str, day: dt.date, number: str) -> Ticket | None:
    """Load a ticket by its printed number on a business day."""
    row = conn.execute(
        select(tickets).where(
            tickets.c.hall == hall, tickets.c.business_date == day, tickets.c.number == number
        )
    ).first()
    return ticket_from_row(row) if row else None


def insert_ticket(conn: Connection, ticket: Ticket) -> None:
    """Insert a new ticket."""
    conn.execute(tickets.insert().values(**ticket_values(ticket)))


def save_ticket(conn: Connection, ticket: Ticket) -> None:
    """Write every field of a changed ticket."""
    values = ticket_values(ticket)
    del values["id"]
    conn.execute(update(tickets).where(tickets.c.id == ticket.id).values(**values))


def tickets_in(
    conn: Connection, hall: str, day: dt.date, statuses: Iterable[TicketStatus]
) -> list[Ticket]:
    """The day's tickets of a hall in the given states, in rank order."""
    rows = conn.execute(
        select(tickets)
        .where(
            tickets.c.hall == hall,
            tickets.c.business_date == day,
            tickets.c.status.in_([s.value for s in statuses]),
        )
        .order_by(tickets.c.rank)
    )
    return [ticket_from_row(r) for r in rows]


def waiting_for(
    conn: Connection, hall: str, day: dt.date, queues: Sequence[str], window: str | None
) -> list[Ticket]:
    """Waiting tickets in the given queues, plus those transferred to `window` itself."""
    cond: ColumnElement[bool] = tickets.c.queue.in_(list(queues))
    if window is not None:
        cond = cond | (tickets.c.target_window == window)
    rows = conn.execute(
        select(tickets)
        .where(
            tickets.c.hall == hall,
            tickets.c.business_date == day,
            tickets.c.status == TicketStatus.WAITING.value,
            cond,
        )
        .order_by(tickets.c.rank)
    )
    return [ticket_from_row(r) for r in rows]


def queue_counts(conn: Connection, hall: str, day: dt.date) -> dict[str, int]:
    """Waiting tickets per queue."""
    rows = conn.execute(
        select(tickets.c.queue, func.count())
        .where(
            tickets.c.hall == hall,
            tickets.c.business_date == day,
            tickets.c.status == TicketStatus.WAITING.value,
        )
        .group_by(tickets.c.queue)
    )
    return {queue: count for queue, count in rows}


def count_issued(
    conn: Connection,
    hall: str,
    day: dt.date,
    queue: str,
    between: tuple[dt.datetime, dt.datetime] | None = None,
) -> int:
    """Tickets issued today in a queue (optionally within an instant range)."""
    query = select(func.count()).where(
        tickets.c.hall == hall, tickets.c.business_date == day, tickets.c.queue == queue
    )
    if between is not None:
        query = query.where(tickets.c.issued_at >= between[0], tickets.c.issued_at < between[1])
    return int(conn.execute(query).scalar_one())


def citizen_tickets(
    conn: Connection, hall: str, day: dt.date, queue: str, id_hash: str
) -> list[Ticket]:
    """The citizen's tickets today in a queue."""
    rows = conn.execute(
        select(tickets).where(
            tickets.c.hall == hall,
            tickets.c.business_date == day,
            tickets.c.queue == queue,
            tickets.c.id_hash == id_hash,
        )
    )
    return [ticket_from_row(r) for r in rows]


def next_number(conn: Connection, hall: str, day: dt.date, queue: str) -> int:
    """Allocate the next number of a queue for the day, atomically (upsert ... returning)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(counters).values(hall=hall, business_date=day, queue=queue, last_number=1)
    upsert = stmt.on_conflict_do_update(
        index_elements=[counters.c.hall, counters.c.business_date, counters.c.queue],
        set_={"last_number": counters.c.last_number + 1},
    ).returning(counters.c.last_number)
    return int(conn.execute(upsert).scalar_one())


def service_durations(conn: Connection, hall: str, day: dt.date, queue: str) -> list[float]:
    """Seconds of the last 20 finished services in a queue today (for the wait estimate)."""
    rows = conn.execute(
        select(calls.c.called_at, calls.c.ended_at)
        .where(
            calls.c.hall == hall,
            calls.c.business_date == day,
            calls.c.queue == queue,
            calls.c.result.in_([o.value for o in Outcome if o is not Outcome.NO_SHOW]),
        )
        .order_by(calls.c.id.desc())
        .limit(20)
    )
    return [(end - start).total_seconds() for start, end in rows if end is not None]


def window_from_row(row: Row[Any] | Any) -> Window:
    """Build a Window (rules + runtime state) from a windows row."""
    m = row._mapping
    cfg = m["config"]
    return Window(
        code=m["code"],
        name=m["name"],
        area=m["area"],
        queues=tuple(m["queues"]),
        policy=CallPolicy(cfg.get("policy", "fifo")),
        weights=tuple((cfg.get("weights") or {}).items()),
        green_mode=GreenMode(cfg.get("green_mode", "first")),
        green_interleave=int(cfg.get("green_interleave", 3)),
        status=WindowStatus(m["status"]),
        clerk=m["clerk"],
        current_ticket=m["current_ticket"],
        paused_reason=m["paused_reason"],
        normal_since_green=m["normal_since_green"],
    )


def get_window(conn: Connection, hall: str, code: str) -> Window | None:
    """Load one active window."""
    row = conn.execute(
        select(windows).where(
            windows.c.hall == hall, windows.c.code == code, windows.c.active.is_(True)
        )
    ).first()
    return window_from_row(row) if row else None


def list_windows(conn: Connection, hall: str) -> list[Window]:
    """All active windows of a hall in display order."""
    rows = conn.execute(
        select(windows)
        .where(windows.c.hall == hall, windows.c.active.is_(True))
        .order_by(windows.c.position)
    )
    return [window_from_row(r) for r in rows]


def save_window(conn: Connection, hall: str, window: Window) -> None:
    """Write a window's runtime state."""
    conn.execute(
        update(windows)
        .where(windows.c.hall == hall, windows.c.code == window.code)
        .values(
            queues=list(window.queues),
            status=window.status.value,
            clerk=window.clerk,
            current_ticket=window.current_ticket,
            paused_reason=window.paused_reason,
            normal_since_green=window.normal_since_green,
        )
    )


def insert_call(conn: Connection, ticket: Ticket, *, out_of_order: bool) -> None:
    """Record that a ticket was called to its window."""
    assert ticket.window is not None and ticket.called_at is not None
    conn.execute(
        calls.insert().values(
            hall=ticket.hall,
            ticket_id=ticket.id,
            business_date=ticket.business_date,
            queue=ticket.queue,
            window=ticket.window,
            clerk=ticket.clerk,
            called_at=ticket.called_at,
            out_of_order=out_of_order,
        )
    )


def end_call(conn: Connection, ticket_id: str, result: str, at: dt.datetime) -> None:
    """Close the open call of a ticket with its result."""
    conn.execute(
        update(calls)
        .where(calls.c.ticket_id == ticket_id, calls.c.ended_at.is_(None))
        .values(ended_at=at, result=result)
    )


def count_recall(conn: Connection, ticket_id: str) -> None:
    """Count a recall on the ticket's open call."""
    conn.execute(
        update(calls)
        .where(calls.c.ticket_id == ticket_id, calls.c.ended_at.is_(None))
        .values(recalls=calls.c.recalls + 1)
    )


def insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append events to the log."""
    if rows:
        conn.execute(events.insert(), rows)


def events_after(conn: Connection, hall: str, since: int, limit: int) -> list[tuple[int, str]]:
    """(seq, payload) of events after `since`, in seq order."""
    rows = conn.execute(
        select(events.c.seq, events.c.payload)
        .where(events.c.hall == hall, events.c.seq > since)
        .order_by(events.c.seq)
        .limit(limit)
    )
    return [(int(seq), payload) for seq, payload in rows]


def first_kept_seq(conn: Connection, hall: str) -> int | None:
    """The oldest event seq still in the log."""
    return conn.execute(select(func.min(events.c.seq)).where(events.c.hall == hall)).scalar()


def last_seq(conn: Connection, hall: str) -> int:
    """The hall's newest event seq."""
    return int(conn.execute(select(halls.c.last_seq).where(halls.c.code == hall)).scalar_one())
