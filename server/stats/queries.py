"""Reads of the raw rows statistics fold: calls, tickets, walk-ins, streamed in pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from server.stats.periods import Period
from server.store.tables import (
    calls,
    cases,
    devices,
    reported_volumes,
    tickets,
    users,
    walk_ins,
    windows,
)

PAGE = 2000  # rows fetched per round trip while streaming


@dataclass(frozen=True)
class WindowInfo:
    """A window as reports label it (inactive windows included: history may name them)."""

    code: str
    name: str
    area: str
    queues: tuple[str, ...]  # served now
    position: int
    active: bool
    all_queues: tuple[str, ...] = ()  # served at some time of day (tidal windows change)


def window_infos(conn: Connection, hall: str) -> dict[str, WindowInfo]:
    """Every window of the hall, in display order."""
    rows = conn.execute(select(windows).where(windows.c.hall == hall).order_by(windows.c.position))
    infos = {}
    for r in rows:
        served = [*r.queues, *r.config.get("home_queues", [])]
        for _, queues in r.config.get("schedule", []):
            served.extend(queues)
        infos[r.code] = WindowInfo(
            r.code,
            r.name,
            r.area,
            tuple(r.queues),
            r.position,
            r.active,
            tuple(dict.fromkeys(served)),
        )
    return infos


def user_names(conn: Connection, hall: str) -> dict[str, str]:
    """Display names of the hall's staff by username."""
    rows = conn.execute(select(users.c.username, users.c.name).where(users.c.hall == hall))
    return {username: name for username, name in rows}


def in_period(table: Any, hall: str, period: Period) -> list[Any]:
    """WHERE conditions: rows of a table with hall and business_date columns in the period."""
    return [
        table.c.hall == hall,
        table.c.business_date >= period.start,
        table.c.business_date <= period.end,
    ]


def _stream(conn: Connection, stmt: Any) -> Iterator[Any]:
    # On the statement, not the connection: Connection.execution_options() changes the
    # connection itself, and every later query of the read would stream too.
    yield from conn.execute(stmt.execution_options(yield_per=PAGE))


def call_rows(conn: Connection, hall: str, period: Period) -> Iterator[Any]:
    """Every call in the period with its ticket's number and evaluation, in call order."""
    stmt = (
        select(
            calls.c.id,
            calls.c.ticket_id,
            calls.c.business_date,
            calls.c.queue,
            calls.c.window,
            calls.c.clerk,
            calls.c.called_at,
            calls.c.recalls,
            calls.c.out_of_order,
            calls.c.ended_at,
            calls.c.result,
            tickets.c.number,
            tickets.c.priority,
            tickets.c.issued_at,
            tickets.c.first_called_at,
            tickets.c.evaluation_requested,
            tickets.c.evaluation_level,
            tickets.c.matter,
            cases.c.case_no,
        )
        .join(tickets, tickets.c.id == calls.c.ticket_id)
        .outerjoin(cases, cases.c.ticket_id == calls.c.ticket_id)
        .where(
            *in_period(calls, hall, period),
        )
        .order_by(calls.c.id)
    )
    return _stream(conn, stmt)


_TICKET_COLUMNS = select(
    tickets.c.id,
    tickets.c.business_date,
    tickets.c.queue,
    tickets.c.status,
    tickets.c.priority,
    tickets.c.requeue_count,
    tickets.c.issued_at,
    tickets.c.first_called_at,
    tickets.c.matter,
)


@dataclass(frozen=True)
class TicketRow:
    """A ticket of the period and where its first call happened (None when never called)."""

    id: str
    business_date: dt.date
    queue: str
    status: str
    priority: str
    requeue_count: int
    issued_at: dt.datetime
    first_called_at: dt.datetime | None
    first_window: str | None
    first_clerk: str | None
    first_queue: str | None
    matter: str | None = None


def ticket_rows(conn: Connection, hall: str, period: Period) -> Iterator[TicketRow]:
    """Every ticket issued in the period, with the window, clerk and queue of its first call.

    The first call's queue is the queue the ticket was issued in: a transfer changes the
    ticket's queue, and only a called ticket can be transferred. First calls are looked up
    one business day at a time (a ticket is only called on its own day): memory stays at a
    day's worth, and no join is left to a planner whose statistics may be stale after a
    bulk load.
    """
    stmt = _TICKET_COLUMNS.where(*in_period(tickets, hall, period)).order_by(
        tickets.c.business_date, tickets.c.issued_at
    )
    day: dt.date | None = None
    firsts: dict[str, Any] = {}
    for row in _stream(conn, stmt):
        if row.business_date != day:
            day = row.business_date
            firsts = _first_calls(conn, hall, day)
        first = firsts.get(row.id)
        yield TicketRow(
            id=row.id,
            business_date=row.business_date,
            queue=row.queue,
            status=row.status,
            priority=row.priority,
            requeue_count=row.requeue_count,
            issued_at=row.issued_at,
            first_called_at=row.first_called_at,
            first_window=first.window if first else None,
            first_clerk=first.clerk if first else None,
            first_queue=first.queue if first else None,
            matter=row.matter,
        )


def _first_calls(conn: Connection, hall: str, day: dt.date) -> dict[str, Any]:
    rows = conn.execute(
        select(calls.c.ticket_id, calls.c.window, calls.c.clerk, calls.c.queue)
        .where(calls.c.hall == hall, calls.c.business_date == day)
        .order_by(calls.c.id.desc())
    )
    # Newest first, so the oldest call of each ticket is the one left in the dict.
    return {r.ticket_id: r for r in rows}


def walk_in_rows(conn: Connection, hall: str, period: Period) -> Iterator[Any]:
    """Work recorded without a ticket (未叫号即办理) in the period."""
    stmt = (
        select(walk_ins)
        .where(
            *in_period(walk_ins, hall, period),
        )
        .order_by(walk_ins.c.id)
    )
    return _stream(conn, stmt)


def _services(
    conn: Connection, hall: str, period: Period, *more: Any, where: Any, by: Any
) -> list[Any]:
    """Date, number, window and clerk (plus `more` columns) of the period's matching tickets."""
    base = (tickets.c.business_date, tickets.c.number, tickets.c.window, tickets.c.clerk)
    stmt = select(*base, *more).where(*in_period(tickets, hall, period), *where).order_by(by)
    return list(conn.execute(stmt))


def unrated_services(
    conn: Connection, hall: str, period: Period, finished_before: dt.datetime
) -> list[Any]:
    """Services of the period that asked for a rating, got none, and ended before a time."""
    return _services(
        conn,
        hall,
        period,
        tickets.c.outcome,
        tickets.c.finished_at,
        where=(
            tickets.c.evaluation_requested.is_(True),
            tickets.c.evaluation_level.is_(None),
            tickets.c.finished_at < finished_before,
        ),
        by=tickets.c.finished_at,
    )


def poor_ratings(conn: Connection, hall: str, period: Period) -> list[Any]:
    """Services rated 不满意 or 非常不满意 in the period (差评，to be followed up)."""
    return _services(
        conn,
        hall,
        period,
        tickets.c.evaluation_level,
        tickets.c.evaluation_comment,
        tickets.c.evaluation_reasons,
        tickets.c.evaluated_at,
        where=(tickets.c.evaluation_level <= 2,),
        by=tickets.c.evaluated_at,
    )


def reported(conn: Connection, hall: str, month: str) -> list[Any]:
    """Department-reported volumes of a month, by window."""
    return list(
        conn.execute(
            select(reported_volumes)
            .where(reported_volumes.c.hall == hall, reported_volumes.c.month == month)
            .order_by(reported_volumes.c.window)
        )
    )


def device_rows(conn: Connection, hall: str) -> list[Any]:
    """The hall's active devices and their last reported health."""
    return list(
        conn.execute(
            select(devices)
            .where(devices.c.hall == hall, devices.c.active.is_(True))
            .order_by(devices.c.id)
        )
    )
