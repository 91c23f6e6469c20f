"""The SMS notifier's own table: the mobile numbers citizens opted in with, per ticket.

The numbers are kept here and nowhere else: not in tickets, events, logs or exports. The SMS
format reads them in the outbox's transaction to address the gateway.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, func, select

from server.domain.cases import CaseState
from server.store.tables import cases, notify_phones, tickets

# States in which a department may still ask for 补正
OPEN_CASE_STATES = tuple(
    state.value
    for state in (CaseState.OPENED, CaseState.HANDED_OVER, CaseState.SIGNED, CaseState.CORRECTION)
)


class NotifyRepo:
    """Opted-in phones of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def opt_in(self, ticket_id: str, hall: str, day: dt.date, phone: str, now: dt.datetime) -> None:
        """Keep `phone` for the ticket's alerts (a second opt-in replaces the number)."""
        self.forget(ticket_id)
        self.conn.execute(
            notify_phones.insert().values(
                ticket_id=ticket_id, hall=hall, business_date=day, phone=phone, created_at=now
            )
        )

    def forget(self, ticket_id: str) -> None:
        """Opt a ticket out: its number is deleted."""
        self.conn.execute(delete(notify_phones).where(notify_phones.c.ticket_id == ticket_id))

    def forget_before(self, hall: str, day: dt.date) -> int:
        """Delete the numbers of earlier business days (day end); returns how many.

        A ticket whose 受理 opened a case still awaiting its decision keeps its number: the
        department may ask for 补正，and the citizen is told. It goes at the day end after.
        """
        waiting_cases = select(cases.c.ticket_id).where(
            cases.c.hall == hall,
            cases.c.ticket_id.is_not(None),
            cases.c.state.in_(OPEN_CASE_STATES),
        )
        result = self.conn.execute(
            delete(notify_phones).where(
                notify_phones.c.hall == hall,
                notify_phones.c.business_date < day,
                notify_phones.c.ticket_id.not_in(waiting_cases),
            )
        )
        return int(result.rowcount or 0)

    def tickets_of_phone(self, hall: str, day: dt.date, phone: str) -> int:
        """How many of the day's tickets a number is opted in for (the per-phone limit)."""
        count = self.conn.execute(
            select(func.count()).where(
                notify_phones.c.hall == hall,
                notify_phones.c.business_date == day,
                notify_phones.c.phone == phone,
            )
        ).scalar_one()
        return int(count)

    def phone_of(self, ticket_id: str) -> str | None:
        """The number a ticket opted in with, if any."""
        return self.conn.execute(
            select(notify_phones.c.phone).where(notify_phones.c.ticket_id == ticket_id)
        ).scalar_one_or_none()

    def live_opted_in(self, hall: str, day: dt.date) -> list[tuple[str, str]]:
        """(ticket id, phone) of the day's opted-in tickets that may still get a message."""
        rows = self.conn.execute(
            select(notify_phones.c.ticket_id, notify_phones.c.phone)
            .join(tickets, tickets.c.id == notify_phones.c.ticket_id)
            .where(
                notify_phones.c.hall == hall,
                notify_phones.c.business_date == day,
                tickets.c.status.in_(("waiting", "called", "no_show")),
            )
            .order_by(tickets.c.rank)
        )
        return [(row.ticket_id, row.phone) for row in rows]
