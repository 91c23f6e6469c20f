"""Tickets, their calls and the windows that call them, as one transaction sees them.

The statements shared with the call and issue paths stay in `store.repo` (being split further);
these classes are the door the services go through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select, update

from server.domain.model import Ticket, TicketStatus, Window
from server.store import repo
from server.store.tables import calls, tickets, windows

_LIVE = [TicketStatus.WAITING.value, TicketStatus.CALLED.value]


class TicketsRepo:
    """Tickets, waiting counts and calls of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, ticket_id: str) -> Ticket | None:
        """A ticket by id."""
        return repo.get_ticket(self.conn, ticket_id)

    def add(self, ticket: Ticket) -> None:
        """Store a new ticket."""
        repo.insert_ticket(self.conn, ticket)

    def save(self, ticket: Ticket) -> None:
        """Store a changed ticket."""
        repo.save_ticket(self.conn, ticket)

    def in_states(self, hall: str, day: dt.date, statuses: Iterable[TicketStatus]) -> list[Ticket]:
        """The day's tickets in the given states, in rank order."""
        return repo.tickets_in(self.conn, hall, day, statuses)

    def left_before(self, hall: str, day: dt.date) -> list[Ticket]:
        """Tickets of earlier business days still waiting or called (day end expires them)."""
        rows = self.conn.execute(
            select(tickets).where(
                tickets.c.hall == hall, tickets.c.business_date < day, tickets.c.status.in_(_LIVE)
            )
        )
        return [repo.ticket_from_row(r) for r in rows]

    def numbers(self, ids: list[str]) -> dict[str, str]:
        """Ticket numbers by id."""
        if not ids:
            return {}
        rows = self.conn.execute(
            select(tickets.c.id, tickets.c.number).where(tickets.c.id.in_(ids))
        )
        return {row.id: row.number for row in rows}

    def waiting_by_queue(self, hall: str, day: dt.date) -> dict[str, int]:
        """Waiting tickets per queue, from the maintained counts."""
        return repo.waiting_by_queue(self.conn, hall, day)

    def adjust_waiting(self, hall: str, deltas: dict[tuple[dt.date, str], int]) -> None:
        """Add a transaction's changes to the waiting counts."""
        repo.adjust_waiting(self.conn, hall, deltas)

    def end_call(self, ticket_id: str, result: str, at: dt.datetime) -> None:
        """Close a ticket's open call with its result."""
        repo.end_call(self.conn, ticket_id, result, at)

    def recent_calls(
        self, hall: str, day: dt.date, limit: int
    ) -> list[tuple[str, dt.datetime, Ticket]]:
        """(window, called at, ticket) of the day's latest calls, newest first."""
        rows = self.conn.execute(
            select(calls.c.window.label("call_window"), calls.c.called_at.label("call_at"), tickets)
            .join(tickets, tickets.c.id == calls.c.ticket_id)
            .where(calls.c.hall == hall, calls.c.business_date == day)
            .order_by(calls.c.id.desc())
            .limit(limit)
        )
        return [(row.call_window, row.call_at, repo.ticket_from_row(row)) for row in rows]


class WindowsRepo:
    """Windows of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, hall: str, code: str) -> Window | None:
        """One active window."""
        return repo.get_window(self.conn, hall, code)

    def in_hall(self, hall: str) -> list[Window]:
        """All active windows of a hall in display order."""
        return repo.list_windows(self.conn, hall)

    def save(self, hall: str, window: Window) -> None:
        """Write a window's runtime state."""
        repo.save_window(self.conn, hall, window)

    def schedules(self, hall: str) -> list[tuple[Window, list[Any], str | None]]:
        """(window, tidal schedule, last applied mark) of every active window."""
        rows = self.conn.execute(
            select(windows).where(windows.c.hall == hall, windows.c.active.is_(True))
        ).all()
        return [
            (repo.window_from_row(r), r.config.get("schedule", []), r.schedule_mark) for r in rows
        ]

    def mark_schedule(self, hall: str, code: str, mark: str) -> None:
        """Remember the schedule entry last applied to a window."""
        self.conn.execute(
            update(windows)
            .where(windows.c.hall == hall, windows.c.code == code)
            .values(schedule_mark=mark)
        )
