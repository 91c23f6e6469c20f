"""Statements on the driver's cursor give what SQLAlchemy gives, errors and listeners included."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from server.store import repo
from server.store.fast import Fast
from server.store.tables import tickets, windows
from tests.helpers import issue
from tests.store_faults import failing_writes


def test_rows_are_the_same_as_sqlalchemys_with_dates_utc_times_json_and_flags(client):
    issued = issue(client, queue="A")
    db = client.app.state.services.ctx.db
    for stmt in (select(tickets).where(tickets.c.id == issued["id"]), select(windows)):
        with db.engine.connect() as conn:
            expected = [dict(r._mapping) for r in conn.execute(stmt)]
            got = Fast(stmt).mappings(conn, {})
        assert got == expected
    with db.engine.connect() as conn:
        ticket = repo.get_ticket(conn, issued["id"])
        got_ticket = repo.ticket_from_row(conn.execute(select(tickets)).first())
    assert ticket == got_ticket
    assert isinstance(ticket.business_date, dt.date)
    assert ticket.issued_at.tzinfo is dt.UTC


def test_writes_keep_the_transaction_and_roll_back_with_it(client):
    issued = issue(client, queue="A")
    db = client.app.state.services.ctx.db
    with db.engine.connect() as conn:
        with conn.begin() as tx:
            ticket = repo.get_ticket(conn, issued["id"])
            assert ticket is not None
            repo.save_ticket(conn, ticket.__class__(**{**ticket.__dict__, "recalls": 7}))
            assert repo.get_ticket(conn, issued["id"]).recalls == 7  # type: ignore[union-attr]
            tx.rollback()
        assert repo.get_ticket(conn, issued["id"]).recalls == 0  # type: ignore[union-attr]


def test_a_failing_write_raises_sqlalchemys_error_through_the_listeners(client):
    issued = issue(client, queue="A")
    db = client.app.state.services.ctx.db
    full = sqlite3.OperationalError("database or disk is full")
    with failing_writes(db, full, "DiskFull"), db.engine.connect() as conn, conn.begin():
        ticket = repo.get_ticket(conn, issued["id"])
        assert ticket is not None
        with pytest.raises(DBAPIError):
            repo.save_ticket(conn, ticket)


def test_the_counts_read_with_the_hall_lock_are_those_its_last_holder_committed(client):
    """On PostgreSQL the lock and the reads share a round trip: the reads must wait for it."""
    import threading

    from server.domain.numbering import business_date
    from server.services.context import HallTx

    issue(client, queue="A")
    ctx = client.app.state.services.ctx
    with ctx.units.read() as repos:
        day = business_date(ctx.clock(), ctx.layout_of(repos, "demo").timezone)
    holding, done = threading.Event(), threading.Event()

    def first_holder() -> None:
        with ctx.units.write() as repos:
            assert repos.halls.lock("demo", day) is not None
            repos.tickets.adjust_waiting("demo", {(day, "A"): 5})
            holding.set()
            done.wait(0.5)  # the second writer is queued behind the lock by now

    thread = threading.Thread(target=first_holder)
    thread.start()
    assert holding.wait(10)
    with ctx.units.write() as repos:
        locked = repos.halls.lock("demo", day)
        assert locked is not None
        tx = HallTx(ctx, repos, "demo", locked.last_seq)
        tx.take(locked)
        assert tx.waiting("A") == 6
        assert [code for code, _, _ in repos.windows.serving("demo")][:2] == ["S01", "S02"]
    thread.join()


def test_a_write_waiting_for_a_round_trip_fails_the_read_it_leaves_with(client):
    """On PostgreSQL a write within writes_behind leaves with the next read: its error too."""
    from server.store.fast import writes_behind

    issued = issue(client, queue="A")
    db = client.app.state.services.ctx.db
    with db.engine.connect() as conn:
        with pytest.raises(DBAPIError), conn.begin(), writes_behind(conn):
            ticket = repo.get_ticket(conn, issued["id"])
            assert ticket is not None
            repo.insert_ticket(conn, ticket)  # the same id again: refused, here or below
            repo.get_ticket(conn, issued["id"])
        count = conn.execute(select(tickets.c.id).where(tickets.c.id == issued["id"])).all()
    assert len(count) == 1


def test_writes_left_waiting_are_sent_at_the_end_of_the_block(client):
    from server.store.fast import writes_behind

    issued = issue(client, queue="A")
    db = client.app.state.services.ctx.db
    with db.engine.connect() as conn:
        with conn.begin(), writes_behind(conn):
            ticket = repo.get_ticket(conn, issued["id"])
            assert ticket is not None
            repo.save_ticket(conn, ticket.__class__(**{**ticket.__dict__, "recalls": 3}))
        assert repo.get_ticket(conn, issued["id"]).recalls == 3  # type: ignore[union-attr]
