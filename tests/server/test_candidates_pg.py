"""PostgreSQL's call-next statements: the short candidates pick what the portable UNION picks,
and the reads sent along with the hall lock are those the use case would make after it."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from sqlalchemy import event, update

from server.store import clerk_queries, repo, wire
from server.store.halls_repo import Ahead, HallsRepo
from server.store.tables import tickets, windows
from tests.helpers import issue, login, window
from tests.pgschema import BACKEND

pytestmark = [
    pytest.mark.pg,
    pytest.mark.skipif(
        BACKEND != "pg", reason="PostgreSQL's own statements (LATERAL, reads sent with the lock)"
    ),
]
QUEUES = ["A", "C", "Z", "D", "F", "B"]


def _mixed_lines(client, clock, rng: random.Random) -> dt.date:
    """Tickets in every kind of line a call-next meets; returns their business date."""
    ids = [issue(client, queue=rng.choice(QUEUES))["id"] for _ in range(120)]
    now = clock()
    db = client.app.state.services.ctx.db
    with db.write() as conn:
        for ticket_id in ids:
            change = rng.choice(["none", "green", "appointment", "transfer", "to_window", "away"])
            values = {
                "green": {"priority": "green"},
                "appointment": {"priority": "appointment"},
                "transfer": {"transferred": True},
                "to_window": {"transferred": True, "target_window": rng.choice(["S01", "S02"])},
                "away": {"away_until": now + dt.timedelta(minutes=rng.choice([-5, 5, 9]))},
            }.get(change)
            if values:
                conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))
        return conn.execute(tickets.select().limit(1)).first().business_date


def test_the_lateral_statement_finds_the_same_candidates_as_the_union(client, clock):
    day = _mixed_lines(client, clock, random.Random(14))
    now = clock()
    db = client.app.state.services.ctx.db
    with db.read() as conn:
        for served in (["A"], ["A", "C"], QUEUES[:4], QUEUES, ["NONE"]):
            for window in ("S01", "S02", "S09"):
                portable = repo._candidates_statement(len(served)).mappings(
                    conn,
                    {
                        "hall": "demo",
                        "day": day,
                        "window": window,
                        "now": now,
                        **{f"q{i}": q for i, q in enumerate(served)},
                    },
                )
                short = repo.call_candidates(conn, "demo", day, served, window, now)
                assert sorted(t.id for t in short) == sorted({r["id"] for r in portable}), (
                    served,
                    window,
                )
                assert short or served == ["NONE"]


def test_the_reads_sent_with_the_hall_lock_are_what_the_use_case_would_read(client, clock):
    day = _mixed_lines(client, clock, random.Random(7))
    now = clock()
    db = client.app.state.services.ctx.db
    for served in (["A"], ["A", "C"], QUEUES[:4], QUEUES):
        with db.write() as conn:
            conn.execute(
                update(windows)
                .where(windows.c.hall == "demo", windows.c.code == "S01")
                .values(queues=served, current_ticket=None)
            )
        with db.write() as conn:
            ahead = Ahead("S01", now, candidates=True, current=True, clerk="clerk01")
            locked = HallsRepo(conn).lock("demo", day, ahead)
            assert locked is not None and locked.ahead == ahead
            read = repo.call_candidates(conn, "demo", day, served, "S01", now)
            assert repo.candidate_tickets(locked.candidates) == read
            away = [
                r.away_until
                for r in conn.execute(
                    tickets.select().where(
                        tickets.c.status == "waiting",
                        tickets.c.queue.in_(served),
                        tickets.c.away_until > now,
                    )
                )
            ]
            assert locked.candidates_until == (min(away) if away else None)
            assert locked.current == []  # the window has called nobody
            assert locked.cards == {"clerk01": clerk_queries.staff_card(conn, "clerk01")}


def test_the_called_ticket_comes_with_the_hall_lock(client, clock):
    day = _mixed_lines(client, clock, random.Random(8))
    db = client.app.state.services.ctx.db
    with db.write() as conn:
        called = conn.execute(tickets.select().where(tickets.c.status == "waiting")).first()
        conn.execute(
            update(windows)
            .where(windows.c.hall == "demo", windows.c.code == "S02")
            .values(current_ticket=called.id)
        )
    with db.write() as conn:
        locked = HallsRepo(conn).lock("demo", day, Ahead("S02", clock(), current=True))
        assert locked is not None
        assert [repo.ticket_from_row(r) for r in locked.current] == [
            repo.get_ticket(conn, called.id)
        ]


@pytest.fixture
def trips(client, monkeypatch):
    """Round trips, as they happen: the hall lock's, other pipelines and plain statements."""
    counted: list[str] = []
    real_run = wire.run

    def run(conn, statements):
        locks = any("FOR UPDATE" in sql and "FROM halls" in sql for sql, _ in statements)
        counted.append("lock and reads" if locks else "pipeline")
        return real_run(conn, statements)

    def statement(conn, cursor, *_):
        # through SQLAlchemy's own execute, not the pipelines; the relay's reads of the
        # event log run on their own thread and are none of the request's
        if cursor is not None and threading.current_thread().name != "pg-relay":
            counted.append("statement")

    monkeypatch.setattr(wire, "run", run)
    engine = client.app.state.services.ctx.db.engine
    event.listen(engine, "before_cursor_execute", statement)
    yield counted
    event.remove(engine, "before_cursor_execute", statement)


def test_call_next_and_its_outcome_make_two_round_trips_under_the_hall_lock(client, trips):
    """The lock and the first reads, then the writes and the COMMIT: nothing in between."""
    for _ in range(3):
        issue(client, queue="A")
    staff = login(client, "clerk01")
    window(client, staff, "S01", "sign-in")
    for action, body in (("call-next", {}), ("outcome", {"outcome": "consulted"})):
        trips.clear()
        assert window(client, staff, "S01", action, **body).status_code == 200
        lock = trips.index("lock and reads")
        assert trips[lock:] == ["lock and reads", "pipeline"], (action, trips)


def test_an_issue_takes_its_number_without_a_round_trip_of_its_own(client, trips):
    """The day's numbers come with the hall lock; the counter is written with the ticket."""
    assert issue(client, queue="A")["number"] == "A001"
    trips.clear()
    assert [issue(client, queue="A")["number"] for _ in range(2)] == ["A002", "A003"]
    assert trips == ["lock and reads", "pipeline"] * 2, trips


def test_an_issue_that_reads_its_queue_s_service_times_adds_one_round_trip(client, trips):
    """The wait estimate's read (once per queue every few seconds) goes with the writes waiting
    in one pipeline; through SQLAlchemy it was a flush of them and a statement of its own."""
    issue(client, queue="A")
    client.app.state.services.ctx.estimates.clear()
    trips.clear()
    assert issue(client, queue="A")["estimated_wait_min"] is not None
    assert trips == ["lock and reads", "pipeline", "pipeline"], trips


def test_the_call_next_reads_are_planned_once_per_connection(client, clock):
    """PostgreSQL planned the candidates anew on every call-next (a custom plan each time, half
    a millisecond under the hall lock): read with the lock they keep their generic plan, and
    the transaction's other statements are left to PostgreSQL's own choice."""
    day = _mixed_lines(client, clock, random.Random(3))
    engine = client.app.state.services.ctx.db.engine
    with engine.connect() as conn:
        for i in range(8):
            with conn.begin():
                ahead = Ahead(window=f"S0{i % 2 + 1}", candidates=True, now=clock())
                assert HallsRepo(conn).lock("demo", day, ahead).candidates is not None
                mode = conn.exec_driver_sql("SHOW plan_cache_mode").scalar_one()
                assert mode == "auto"
        plans = conn.exec_driver_sql(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE name LIKE 'yc\\_%%' AND (statement LIKE '%%LATERAL%%'"
            " OR statement LIKE '%%min(t.away_until)%%')"
        ).all()
    assert len(plans) == 2
    assert all(generic == 8 and custom == 0 for generic, custom in plans), plans
