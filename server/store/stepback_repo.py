"""The part of a waiting line behind a ticket, for 延后 N 位."""

from __future__ import annotations

from sqlalchemy import Connection, select

from server.domain.model import Ticket
from server.store.tables import tickets


class StepBackRepo:
    """Reads of one transaction that place a ticket further back in its line."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ranks_behind(self, ticket: Ticket, limit: int) -> list[int]:
        """Ranks of the next `limit` waiting tickets behind `ticket` in its line (same class)."""
        rows = self.conn.execute(
            select(tickets.c.rank)
            .where(
                tickets.c.hall == ticket.hall,
                tickets.c.business_date == ticket.business_date,
                tickets.c.status == "waiting",
                tickets.c.queue == ticket.queue,
                tickets.c.priority == ticket.priority.value,
                tickets.c.target_window.is_(None),
                tickets.c.transferred.is_(False),
                tickets.c.rank > ticket.rank,
            )
            .order_by(tickets.c.rank)
            .limit(limit)
        )
        return [int(rank) for (rank,) in rows]
