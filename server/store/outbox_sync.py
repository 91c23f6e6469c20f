"""Load a hall file's `[[subscribers]]` into the store, keeping each one's cursor and state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from server.domain.outbox import Subscriber
from server.hallfile import HallSpec
from server.store.halls_repo import last_seq
from server.store.outbox_repo import OutboxRepo


def sync_subscribers(conn: Connection, spec: HallSpec) -> None:
    """Create, update or drop the hall file's subscribers (those made through the API stay).

    A new subscriber starts at the hall's newest event: it gets what happens from now on,
    and a replay sends it older events that the log still holds.
    """
    repo = OutboxRepo(conn)
    have = {s.name: s for s in repo.in_hall(spec.code)}
    for s in spec.subscribers:
        values = {
            "url": s.url,
            "secret": s.secret,
            "events": s.events,
            "format": s.format,
            "options": dict(s.options),
            "source": "file",
        }
        if s.name in have:
            repo.change(spec.code, s.name, **values)
        else:
            repo.add(
                Subscriber(
                    hall=spec.code,
                    name=s.name,
                    url=s.url,
                    secret=s.secret,
                    events=s.events,
                    format=s.format,
                    options=dict(s.options),
                    source="file",
                    cursor=last_seq(conn, spec.code),
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
    named = {s.name for s in spec.subscribers}
    for name, sub in have.items():
        if sub.source == "file" and name not in named:
            repo.remove(spec.code, name)
