"""Citizens' personal fields in tickets and appointments: clearing by age, a person's own rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from server.store.tables import appointments, rating_followups, second_ratings, tickets

_NAME_FIELDS = {"applicant_name": None, "phone": None, "id_masked": None}


class PersonalRepo:
    """Personal fields of one transaction's tickets and appointments."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def clear_names(self, hall: str, before_day: dt.date, before_time: dt.datetime) -> int:
        """Clear names, phones and masked IDs: tickets before a day, appointments before a time."""
        t = self.conn.execute(
            update(tickets)
            .where(
                tickets.c.hall == hall,
                tickets.c.business_date < before_day,
                or_(
                    tickets.c.applicant_name.is_not(None),
                    tickets.c.phone.is_not(None),
                    tickets.c.id_masked.is_not(None),
                ),
            )
            .values(**_NAME_FIELDS)
        ).rowcount
        a = self.conn.execute(
            update(appointments)
            .where(
                appointments.c.hall == hall,
                appointments.c.slot_end < before_time,
                or_(
                    appointments.c.applicant_name.is_not(None),
                    appointments.c.phone.is_not(None),
                    appointments.c.id_masked.is_not(None),
                ),
            )
            .values(**_NAME_FIELDS)
        ).rowcount
        return int(t or 0) + int(a or 0)

    def clear_id_hashes(self, hall: str, before_day: dt.date, before_time: dt.datetime) -> int:
        """Clear ID hashes of tickets before a day and of appointments whose slot ended."""
        t = self.conn.execute(
            update(tickets)
            .where(
                tickets.c.hall == hall,
                tickets.c.business_date < before_day,
                tickets.c.id_hash.is_not(None),
            )
            .values(id_hash=None)
        ).rowcount
        a = self.conn.execute(
            update(appointments)
            .where(
                appointments.c.hall == hall,
                appointments.c.slot_end < before_time,
                appointments.c.id_hash.is_not(None),
            )
            .values(id_hash=None)
        ).rowcount
        return int(t or 0) + int(a or 0)

    def of_person(self, hall: str, id_hash: str) -> dict[str, list[dict[str, Any]]]:
        """A person's tickets (with their ratings) and appointments in a hall."""
        found_tickets = self.conn.execute(
            select(
                tickets.c.id,
                tickets.c.business_date,
                tickets.c.queue,
                tickets.c.number,
                tickets.c.status,
                tickets.c.matter,
                tickets.c.applicant_name,
                tickets.c.id_masked,
                tickets.c.phone,
                tickets.c.issued_at,
                tickets.c.finished_at,
                tickets.c.window,
                tickets.c.outcome,
                tickets.c.evaluation_level,
                tickets.c.evaluation_comment,
                tickets.c.evaluated_at,
            )
            .where(tickets.c.hall == hall, tickets.c.id_hash == id_hash)
            .order_by(tickets.c.issued_at)
        )
        found_appointments = self.conn.execute(
            select(
                appointments.c.code,
                appointments.c.queue,
                appointments.c.slot_start,
                appointments.c.slot_end,
                appointments.c.applicant_name,
                appointments.c.id_masked,
                appointments.c.phone,
                appointments.c.status,
                appointments.c.ticket_id,
            )
            .where(appointments.c.hall == hall, appointments.c.id_hash == id_hash)
            .order_by(appointments.c.slot_start)
        )
        mine = select(tickets.c.id).where(tickets.c.hall == hall, tickets.c.id_hash == id_hash)
        found_followups = self.conn.execute(
            select(
                rating_followups.c.ticket_id,
                rating_followups.c.number,
                rating_followups.c.business_date,
                rating_followups.c.level,
                rating_followups.c.comment,
                rating_followups.c.deadline,
                rating_followups.c.status,
                rating_followups.c.closed_at,
            )
            .where(rating_followups.c.hall == hall, rating_followups.c.ticket_id.in_(mine))
            .order_by(rating_followups.c.opened_at)
        )
        found_second = self.conn.execute(
            select(
                second_ratings.c.ticket_id,
                second_ratings.c.level,
                second_ratings.c.comment,
                second_ratings.c.rated_at,
            )
            .where(second_ratings.c.hall == hall, second_ratings.c.ticket_id.in_(mine))
            .order_by(second_ratings.c.rated_at)
        )
        return {
            "tickets": [dict(r._mapping) for r in found_tickets],
            "appointments": [dict(r._mapping) for r in found_appointments],
            "followups": [dict(r._mapping) for r in found_followups],
            "second_ratings": [dict(r._mapping) for r in found_second],
        }

    def erase_person(
        self, hall: str, id_hash: str, before_day: dt.date, now: dt.datetime
    ) -> tuple[int, int]:
        """Erase a person's personal fields where no rule needs them (tickets, appointments).

        Today's tickets keep theirs (the per-ID limit of the day and the clerk's notice need
        them), and so do booked appointments still to come (checking in matches the ID).
        """
        erased = {**_NAME_FIELDS, "id_hash": None, "evaluation_comment": None}
        past = select(tickets.c.id).where(
            tickets.c.hall == hall,
            tickets.c.id_hash == id_hash,
            tickets.c.business_date < before_day,
        )
        # The citizen's own words go with the tickets; an open 差评整改 item keeps its comment
        # until it is closed (the supervisor still works on it).
        self.conn.execute(
            update(second_ratings)
            .where(second_ratings.c.hall == hall, second_ratings.c.ticket_id.in_(past))
            .values(comment=None)
        )
        self.conn.execute(
            update(rating_followups)
            .where(
                rating_followups.c.hall == hall,
                rating_followups.c.ticket_id.in_(past),
                rating_followups.c.status == "closed",
            )
            .values(comment=None)
        )
        t = self.conn.execute(
            update(tickets)
            .where(
                tickets.c.hall == hall,
                tickets.c.id_hash == id_hash,
                tickets.c.business_date < before_day,
            )
            .values(**erased)
        ).rowcount
        a = self.conn.execute(
            update(appointments)
            .where(
                appointments.c.hall == hall,
                appointments.c.id_hash == id_hash,
                or_(
                    appointments.c.status != "booked",
                    and_(appointments.c.status == "booked", appointments.c.slot_end < now),
                ),
            )
            .values(**_NAME_FIELDS, id_hash=None)
        ).rowcount
        return int(t or 0), int(a or 0)
