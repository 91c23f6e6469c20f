"""Appointments (统一预约) in the store: room in a slot, one per ID and day, check-in."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Connection, func, select, update

from server.domain.records import Appointment
from server.store.tables import appointments

_FIELDS = [f.name for f in dataclasses.fields(Appointment)]


class AppointmentsRepo:
    """The `appointments` table of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, appointment: Appointment) -> None:
        """Store a new booking."""
        self.conn.execute(appointments.insert().values(**dataclasses.asdict(appointment)))

    def booked(self, hall: str, queue: str, start: dt.datetime) -> int:
        """Bookings of a slot that still hold a place."""
        count = self.conn.execute(
            select(func.count()).where(
                appointments.c.hall == hall,
                appointments.c.queue == queue,
                appointments.c.slot_start == start,
                appointments.c.status != "cancelled",
            )
        ).scalar_one()
        return int(count)

    def slot_of(
        self, hall: str, queue: str, id_hash: str, start: dt.datetime, end: dt.datetime
    ) -> dt.datetime | None:
        """The slot this ID number holds in the queue between `start` and `end`, if any."""
        at: dt.datetime | None = self.conn.execute(
            select(appointments.c.slot_start).where(
                appointments.c.hall == hall,
                appointments.c.queue == queue,
                appointments.c.id_hash == id_hash,
                appointments.c.slot_start >= start,
                appointments.c.slot_start < end,
                appointments.c.status != "cancelled",
            )
        ).scalar()
        return at

    def queue_of(self, hall: str, code: str) -> str | None:
        """The queue an appointment code was booked in."""
        queue = self.conn.execute(
            select(appointments.c.queue).where(
                appointments.c.code == code, appointments.c.hall == hall
            )
        ).scalar()
        return None if queue is None else str(queue)

    def get(self, hall: str, code: str) -> Appointment | None:
        """An appointment of the hall by its code."""
        row = self.conn.execute(
            select(appointments).where(appointments.c.code == code, appointments.c.hall == hall)
        ).first()
        return None if row is None else Appointment(**{f: row._mapping[f] for f in _FIELDS})

    def check_in(self, code: str, ticket_id: str) -> None:
        """Mark an appointment checked in with the ticket it produced."""
        self.conn.execute(
            update(appointments)
            .where(appointments.c.code == code)
            .values(status="checked_in", ticket_id=ticket_id)
        )
