"""The outbox in the store: subscribers and their cursors, dead letters, sent keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, update

from server.domain.outbox import DeadLetter, Subscriber
from server.store.tables import events, outbox_dead_letters, outbox_sent_keys, outbox_subscribers

_SUB_FIELDS = [f.name for f in fields(Subscriber)]
_subs, _dead, _sent = outbox_subscribers, outbox_dead_letters, outbox_sent_keys


def _subscriber(row: Any) -> Subscriber:
    values = {k: getattr(row, k) for k in _SUB_FIELDS}
    values["events"] = tuple(values["events"])
    values["options"] = dict(values["options"] or {})
    return Subscriber(**values)


def _key(hall: str, name: str) -> list[Any]:
    return [_subs.c.hall == hall, _subs.c.name == name]


class OutboxRepo:
    """The outbox tables of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- subscribers ---

    def all(self) -> list[Subscriber]:
        """Every subscriber of every hall."""
        rows = self.conn.execute(select(_subs).order_by(_subs.c.hall, _subs.c.name))
        return [_subscriber(r) for r in rows]

    def in_hall(self, hall: str) -> list[Subscriber]:
        """A hall's subscribers, by name."""
        rows = self.conn.execute(select(_subs).where(_subs.c.hall == hall).order_by(_subs.c.name))
        return [_subscriber(r) for r in rows]

    def get(self, hall: str, name: str) -> Subscriber | None:
        """One subscriber, or None."""
        row = self.conn.execute(select(_subs).where(*_key(hall, name))).first()
        return None if row is None else _subscriber(row)

    def add(self, sub: Subscriber) -> None:
        """Store a new subscriber."""
        values = asdict(sub)
        values["events"] = list(sub.events)
        self.conn.execute(_subs.insert().values(**values))

    def change(self, hall: str, name: str, **values: Any) -> None:
        """Change some columns of a subscriber."""
        if "events" in values:
            values["events"] = list(values["events"])
        self.conn.execute(update(_subs).where(*_key(hall, name)).values(**values))

    def advance(self, hall: str, name: str, expected: int, **values: Any) -> bool:
        """Move the cursor on from `expected` (False: someone else moved it meanwhile)."""
        done = self.conn.execute(
            update(_subs).where(*_key(hall, name), _subs.c.cursor == expected).values(**values)
        )
        return done.rowcount == 1

    def remove(self, hall: str, name: str) -> None:
        """Delete a subscriber with its dead letters and sent keys."""
        self.conn.execute(delete(_subs).where(*_key(hall, name)))
        self.conn.execute(delete(_dead).where(_dead.c.hall == hall, _dead.c.subscriber == name))
        self.conn.execute(delete(_sent).where(_sent.c.hall == hall, _sent.c.subscriber == name))

    def min_cursor(self, hall: str) -> int | None:
        """The lowest cursor of the hall's subscribers (None: no subscribers)."""
        value: int | None = self.conn.execute(
            select(func.min(_subs.c.cursor)).where(_subs.c.hall == hall)
        ).scalar()
        return value

    # --- the event log as the outbox reads it ---

    def events_after(
        self, hall: str, since: int, limit: int
    ) -> list[tuple[int, str, dt.datetime, str]]:
        """(seq, type, at, payload) of events after `since`, in seq order."""
        query = (
            select(events.c.seq, events.c.type, events.c.at, events.c.payload)
            .where(events.c.hall == hall, events.c.seq > since)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [(r.seq, r.type, r.at, r.payload) for r in self.conn.execute(query)]

    def backlog(
        self, hall: str, since: int, types: Iterable[str] | None
    ) -> tuple[int, dt.datetime | None]:
        """How many events after `since` (of `types`; None: all) and when the oldest was made."""
        cond = [events.c.hall == hall, events.c.seq > since]
        if types is not None:
            cond.append(events.c.type.in_(list(types)))
        count, oldest = self.conn.execute(
            select(func.count(), func.min(events.c.at)).where(and_(*cond))
        ).one()
        return int(count), oldest

    # --- sent keys ---

    def sent(self, hall: str, name: str, keys: list[str]) -> set[str]:
        """Which of `keys` were sent to the subscriber already."""
        if not keys:
            return set()
        query = select(_sent.c.key).where(
            _sent.c.hall == hall, _sent.c.subscriber == name, _sent.c.key.in_(keys)
        )
        return set(self.conn.execute(query).scalars())

    def mark_sent(self, hall: str, name: str, sent: list[tuple[str, int]], at: dt.datetime) -> None:
        """Remember (key, seq) pairs as sent."""
        if sent:
            rows = [
                {"hall": hall, "subscriber": name, "key": k, "seq": s, "at": at} for k, s in sent
            ]
            self.conn.execute(_sent.insert(), rows)

    def forget_sent(self, hall: str, name: str, after_seq: int) -> None:
        """Forget the keys sent by events after `after_seq` (a replay sends them again)."""
        self.conn.execute(
            delete(_sent).where(
                _sent.c.hall == hall, _sent.c.subscriber == name, _sent.c.seq > after_seq
            )
        )

    def prune_sent(self, hall: str, before: dt.datetime) -> None:
        """Forget keys sent before `before`."""
        self.conn.execute(delete(_sent).where(_sent.c.hall == hall, _sent.c.at < before))

    # --- dead letters ---

    def bury(self, letter: DeadLetter) -> None:
        """Store a dead letter (its id is assigned by the store)."""
        values = asdict(letter)
        del values["id"]
        self.conn.execute(_dead.insert().values(**values))

    def dead_letters(self, hall: str, name: str, limit: int = 50) -> list[DeadLetter]:
        """The subscriber's newest dead letters first."""
        query = (
            select(_dead)
            .where(_dead.c.hall == hall, _dead.c.subscriber == name)
            .order_by(_dead.c.id.desc())
            .limit(limit)
        )
        return [
            DeadLetter(**{f.name: getattr(r, f.name) for f in fields(DeadLetter)})
            for r in self.conn.execute(query)
        ]

    def dead_count(self, hall: str, name: str) -> int:
        """How many dead letters the subscriber has."""
        query = select(func.count()).where(_dead.c.hall == hall, _dead.c.subscriber == name)
        return int(self.conn.execute(query).scalar_one())

    def last_seq_before(self, hall: str, before: dt.datetime) -> int | None:
        """The newest seq of an event made before `before`."""
        value: int | None = self.conn.execute(
            select(func.max(events.c.seq)).where(events.c.hall == hall, events.c.at < before)
        ).scalar()
        return value
