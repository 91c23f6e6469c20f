"""Tickets and their calls, as one transaction sees them.

The hot statements are built once in `store.repo`; this class is the door the services go through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from server.domain.model import Ticket, TicketStatus
from server.store import clerk_queries, repo
from server.store.tables import calls, tickets

_LIVE = [TicketStatus.WAITING.value, TicketStatus.CALLED.value]


@dataclass(frozen=True)
class _Candidates:
    """Call-next's candidates read along with the hall lock, and when they hold."""

    window: str
    queues: tuple[str, ...]
    since: dt.datetime  # the instant they were read for
    until: dt.datetime | None  # the next 暂离 end of those lines (None: none)
    rows: list[dict[str, Any]]

    def fit(self, window: str, queues: Sequence[str], now: dt.datetime) -> bool:
        """Whether they are what call_candidates would read now."""
        return (
            window == self.window
            and tuple(queues) == self.queues
            and self.since <= now
            and (self.until is None or now < self.until)
        )


class TicketsRepo:
    """Tickets, waiting counts and calls of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # read along with the hall lock for the transaction's first use case (PostgreSQL)
        self._candidates: _Candidates | None = None
        self._rows: dict[str, dict[str, Any]] = {}
        # each queue's last number, read with the hall lock: numbers are counted here and
        # the counter row written behind, so an issue costs no round trip for its number
        self._numbers: tuple[str, dt.date, dict[str, int]] | None = None

    def prime_numbers(self, hall: str, day: dt.date, numbers: dict[str, int]) -> None:
        """Take a hall's numbers of the day, read along with its lock (PostgreSQL)."""
        self._numbers = (hall, day, dict(numbers))

    def forget_numbers(self) -> None:
        """A savepoint rolled back: the counters are read from the store again."""
        self._numbers = None

    def prime(
        self,
        rows: list[dict[str, Any]],
        candidates: tuple[str, Sequence[str], dt.datetime, dt.datetime | None] | None = None,
        candidate_rows: list[dict[str, Any]] | None = None,
    ) -> None:
        """Take ticket rows and call-next's candidates read along with the hall lock."""
        self._rows = {row["id"]: row for row in rows}
        if candidates is not None and candidate_rows is not None:
            window, queues, since, until = candidates
            self._candidates = _Candidates(window, tuple(queues), since, until, candidate_rows)

    def forget(self) -> None:
        """Drop what was read with the lock (it served the first use case, or is stale)."""
        self._candidates, self._rows = None, {}

    def get(self, ticket_id: str) -> Ticket | None:
        """A ticket by id."""
        row = self._rows.pop(ticket_id, None)
        if row is not None:
            return repo.ticket_from_row(row)
        return repo.get_ticket(self.conn, ticket_id)

    def find(self, hall: str, day: dt.date, number: str) -> Ticket | None:
        """A day's ticket by its printed number."""
        return repo.find_ticket(self.conn, hall, day, number)

    def add(self, ticket: Ticket) -> None:
        """Store a new ticket."""
        repo.insert_ticket(self.conn, ticket)

    def next_number(self, hall: str, day: dt.date, queue: str) -> int:
        """Allocate the next number of a queue for the day.

        Counted from the numbers read with the hall lock when there are some (the lock keeps
        every other writer of the hall's counters out), else an atomic upsert … returning.
        """
        primed = self._numbers
        if primed is None or primed[:2] != (hall, day):
            return repo.next_number(self.conn, hall, day, queue)
        number = primed[2][queue] = primed[2].get(queue, 0) + 1
        repo.set_number(self.conn, hall, day, queue, number)
        return number

    def count_issued(
        self,
        hall: str,
        day: dt.date,
        queue: str,
        between: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> int:
        """Tickets issued in a queue that day (optionally within an instant range).

        The whole day's count is the queue's last number when the numbers came with the
        hall lock: a number is taken only by the one use case that issues, in its own write.
        """
        primed = self._numbers
        if between is None and primed is not None and primed[:2] == (hall, day):
            return primed[2].get(queue, 0)
        return repo.count_issued(self.conn, hall, day, queue, between)

    def of_citizen(self, hall: str, day: dt.date, queue: str, id_hash: str) -> list[Ticket]:
        """A citizen's tickets of the day in a queue."""
        return repo.citizen_tickets(self.conn, hall, day, queue, id_hash)

    def call_candidates(
        self, hall: str, day: dt.date, queues: Sequence[str], window: str, now: dt.datetime
    ) -> list[Ticket]:
        """The few waiting tickets call-next picks from (heads of lines, transfers, bookings)."""
        primed, self._candidates = self._candidates, None
        if primed is not None and primed.fit(window, queues, now):
            return repo.candidate_tickets(primed.rows)
        return repo.call_candidates(self.conn, hall, day, queues, window, now)

    def waiting_for(
        self, hall: str, day: dt.date, queues: Sequence[str], window: str | None
    ) -> list[Ticket]:
        """Every waiting ticket of the queues, plus those transferred to `window`."""
        return repo.waiting_for(self.conn, hall, day, queues, window)

    def count_ahead(self, ticket: Ticket, klass: int) -> int:
        """Waiting tickets of the ticket's queue that stand before it."""
        return repo.count_ahead(self.conn, ticket, klass)

    def line_ranks(self, hall: str, day: dt.date, queue: str, limit: int) -> list[int]:
        """Ranks of the first `limit` waiting tickets of a queue."""
        return repo.line_ranks(self.conn, hall, day, queue, limit)

    def service_durations(self, hall: str, day: dt.date, queue: str) -> list[float]:
        """Seconds of the queue's last finished services that day."""
        return repo.service_durations(self.conn, hall, day, queue)

    def save(self, ticket: Ticket) -> None:
        """Store a changed ticket."""
        self.forget()
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

    def add_call(self, ticket: Ticket, *, out_of_order: bool) -> None:
        """Log a call of a ticket."""
        repo.insert_call(self.conn, ticket, out_of_order=out_of_order)

    def count_recall(self, ticket_id: str) -> None:
        """Count one more recall on the ticket's open call."""
        repo.count_recall(self.conn, ticket_id)

    def end_call(self, ticket_id: str, result: str, at: dt.datetime) -> None:
        """Close a ticket's open call with its result."""
        repo.end_call(self.conn, ticket_id, result, at)

    def clerk_day(self, hall: str, day: dt.date, clerk: str) -> clerk_queries.ClerkDay:
        """A clerk's figures of the day (served, average service time …)."""
        return clerk_queries.clerk_day(self.conn, hall, day, clerk)

    def last_service(self, hall: str, day: dt.date, window: str) -> Ticket | None:
        """The window's last finished service of the day."""
        return clerk_queries.last_service(self.conn, hall, day, window)

    def recent_matters(self, hall: str, day: dt.date, window: str) -> list[str]:
        """Matters the window served lately, most recent first."""
        return clerk_queries.recent_matters(self.conn, hall, day, window)

    def service_window(self, ticket_id: str) -> tuple[str, str | None] | None:
        """(window, clerk) of the ticket's last call that ended a service."""
        return clerk_queries.service_window(self.conn, ticket_id)

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
