"""The hall row (write lock, event seq, day-end mark) and its event log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, select, update

from server.domain.layout import Layout
from server.realtime.pg import notify
from server.store import repo
from server.store.layout import load_layout
from server.store.tables import events, halls


class HallsRepo:
    """The `halls` rows of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def lock(self, hall: str) -> int | None:
        """Take the hall's write lock and return its last event seq (None: no such hall)."""
        return repo.lock_hall(self.conn, hall)

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

    def append(self, hall: str, rows: list[dict[str, Any]], last_seq: int) -> None:
        """Log a hall's new events and its newest seq."""
        repo.insert_events(self.conn, rows)
        repo.set_last_seq(self.conn, hall, last_seq)

    def notify(self, hall: str) -> None:
        """Ring the hall's channel on PostgreSQL (sent on commit); SQLite has one process."""
        if self.conn.dialect.name != "sqlite":
            notify(self.conn, hall)

    def after(self, hall: str, since: int, limit: int) -> list[tuple[int, str]]:
        """(seq, payload) of events after `since`, in seq order."""
        return repo.events_after(self.conn, hall, since, limit)

    def first_kept_seq(self, hall: str) -> int | None:
        """The oldest seq still in the log."""
        return repo.first_kept_seq(self.conn, hall)

    def last_seq(self, hall: str) -> int:
        """The hall's newest seq."""
        return repo.last_seq(self.conn, hall)

    def prune(self, hall: str, before: dt.datetime) -> None:
        """Drop events older than `before` (clients that far behind resync from a snapshot)."""
        self.conn.execute(delete(events).where(events.c.hall == hall, events.c.at < before))
