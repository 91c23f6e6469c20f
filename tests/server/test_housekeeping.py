"""Housekeeping opens a transaction only when something is due (a province has 1,000 halls)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from server.app import run_housekeeping
from tests.helpers import TZ, login


@contextmanager
def statements(db) -> Iterator[list[str]]:
    """The statements this thread runs meanwhile (not the outbox's or the relay's)."""
    seen: list[str] = []
    me = threading.get_ident()

    def note(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me:
            seen.append(" ".join(statement.split())[:60])
        return statement, parameters

    event.listen(db.engine, "before_cursor_execute", note, retval=True)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_a_tick_with_nothing_due_only_lists_the_halls(client):
    services = client.app.state.services
    with statements(services.ctx.db) as seen:
        run_housekeeping(services)
    work = [s for s in seen if not s.startswith("BEGIN")]  # SQLite's read transaction
    assert work == ["SELECT halls.code FROM halls"], seen


def test_each_piece_of_work_runs_when_it_comes_due(make_client, clock):
    client = make_client(clock)
    services = client.app.state.services
    db = services.ctx.db
    clock.now = dt.datetime(2026, 11, 24, 12, 5, tzinfo=TZ)  # S26's afternoon entry is due
    with statements(db) as seen:
        run_housekeeping(services)
    assert any(s.startswith("UPDATE windows SET schedule_mark") for s in seen), seen
    hall = client.get("/api/v1/halls/demo", headers=login(client)).json()
    assert next(w for w in hall["windows"] if w["code"] == "S26")["queues"] == ["B"]
    clock.advance(hours=1)  # the silent peripherals are looked for once an hour
    with statements(db) as seen:
        run_housekeeping(services)
    assert any(s.startswith("DELETE FROM devices") for s in seen), seen
    assert not any("schedule_mark" in s for s in seen), seen
    clock.advance(days=1)  # a new business date: the day end runs
    with statements(db) as seen:
        run_housekeeping(services)
    assert any(s.startswith("UPDATE halls SET closed_date") for s in seen), seen
