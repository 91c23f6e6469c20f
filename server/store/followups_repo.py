"""差评整改 items in the store: one per poorly rated ticket, open until a supervisor closes it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select, update

from server.domain.followups import Followup
from server.store.tables import rating_followups

_FIELDS = [f.name for f in dataclasses.fields(Followup)]


def _from_row(row: Any) -> Followup:
    m = dict(row._mapping)
    m["reasons"] = tuple(m["reasons"] or ())
    return Followup(**{k: m[k] for k in _FIELDS})


class FollowupsRepo:
    """The `rating_followups` table of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, item: Followup) -> int:
        """Store a new item; returns its id."""
        values = dataclasses.asdict(item)
        values.pop("id")
        values["reasons"] = list(item.reasons)
        result = self.conn.execute(rating_followups.insert().values(**values))
        key = result.inserted_primary_key
        return int(key[0]) if key else 0

    def get(self, hall: str, item_id: int) -> Followup | None:
        """An item by id."""
        row = self.conn.execute(
            select(rating_followups).where(
                rating_followups.c.hall == hall, rating_followups.c.id == item_id
            )
        ).first()
        return _from_row(row) if row is not None else None

    def of_ticket(self, ticket_id: str) -> Followup | None:
        """The item a ticket opened, if any."""
        row = self.conn.execute(
            select(rating_followups).where(rating_followups.c.ticket_id == ticket_id)
        ).first()
        return _from_row(row) if row is not None else None

    def save(self, item: Followup) -> None:
        """Store an item's changed steps."""
        values = dataclasses.asdict(item)
        values["reasons"] = list(item.reasons)
        self.conn.execute(
            update(rating_followups)
            .where(rating_followups.c.id == item.id)
            .values(**{k: v for k, v in values.items() if k != "id"})
        )

    def of_hall(self, hall: str, status: str | None = None, limit: int = 500) -> list[Followup]:
        """A hall's items, the earliest deadline first."""
        query = select(rating_followups).where(rating_followups.c.hall == hall)
        if status is not None:
            query = query.where(rating_followups.c.status == status)
        query = query.order_by(rating_followups.c.deadline, rating_followups.c.id).limit(limit)
        return [_from_row(r) for r in self.conn.execute(query)]

    def overdue(self, hall: str, today: dt.date) -> list[Followup]:
        """Open items whose deadline has passed."""
        query = (
            select(rating_followups)
            .where(
                rating_followups.c.hall == hall,
                rating_followups.c.status == "open",
                rating_followups.c.deadline < today,
            )
            .order_by(rating_followups.c.deadline, rating_followups.c.id)
        )
        return [_from_row(r) for r in self.conn.execute(query)]

    def opened_between(self, hall: str, start: dt.date, end: dt.date) -> list[Followup]:
        """Items of services on business dates `start` … `end`."""
        query = (
            select(rating_followups)
            .where(
                rating_followups.c.hall == hall,
                rating_followups.c.business_date >= start,
                rating_followups.c.business_date <= end,
            )
            .order_by(rating_followups.c.id)
        )
        return [_from_row(r) for r in self.conn.execute(query)]

    def count_open(self, hall: str) -> int:
        """Open items of a hall."""
        return int(
            self.conn.execute(
                select(func.count()).where(
                    rating_followups.c.hall == hall, rating_followups.c.status == "open"
                )
            ).scalar_one()
        )
