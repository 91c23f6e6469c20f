"""PostgreSQL's hot statements on libpq's pipeline (server/store/wire.py): prepared once per
connection and kept, in the connection's own transaction, failing as a cursor fails."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack

import psycopg
import pytest
from sqlalchemy import BigInteger, Integer, bindparam, column, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.store import db as db_module
from server.store.fast import Fast, send
from server.store.tables import halls
from tests.pgschema import BACKEND

pytestmark = [
    pytest.mark.pg,
    pytest.mark.skipif(BACKEND != "pg", reason="libpq's pipeline and prepared statements"),
]
ECHO = Fast(
    select(
        bindparam("n", type_=Integer).label("n"),
        bindparam("name").label("name"),
        bindparam("day").label("day"),
    )
)
LEVEL = Fast(select(text("current_setting('transaction_isolation')")))
OURS = "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'yc\\_%%'"


def _ours(conn) -> int:
    return conn.exec_driver_sql(OURS).scalar_one()


def test_prepared_statements_outlive_rollbacks_and_savepoints(client):
    """psycopg dropped every prepared statement after a ROLLBACK; the pool's connections
    are told not to, so a statement is prepared once per connection however often the
    transactions around it roll back."""
    engine = client.app.state.services.ctx.db.engine
    with engine.connect() as conn:
        assert ECHO.first(conn, {"n": 1, "name": "一窗", "day": dt.date(2026, 12, 6)}) == (
            1,
            "一窗",
            dt.date(2026, 12, 6),
        )
        prepared = _ours(conn)
        assert prepared >= 1
        conn.rollback()
        for i in range(20):  # psycopg's own statements reach its prepare threshold (5)
            conn.execute(select(halls.c.code).where(halls.c.code == f"h{i % 2}"))
        with conn.begin_nested() as inner:
            assert ECHO.first(conn, {"n": 2, "name": "x", "day": dt.date(2026, 1, 1)})[0] == 2
            inner.rollback()  # ROLLBACK TO SAVEPOINT
        conn.rollback()
        assert ECHO.first(conn, {"n": 3, "name": "y", "day": dt.date(2026, 1, 2)})[0] == 3
        assert _ours(conn) == prepared


def test_a_failed_statement_raises_its_own_error_and_the_connection_goes_on(client):
    engine = client.app.state.services.ctx.db.engine
    duplicate = Fast(halls.insert(), ["code", "name", "last_seq"])
    with engine.connect() as conn:
        with conn.begin():
            code = conn.execute(select(halls.c.code)).scalars().first()
        with pytest.raises(IntegrityError), conn.begin():
            duplicate.run(conn, {"code": code, "name": "重复", "last_seq": 0})
        with pytest.raises(DBAPIError) as failed, conn.begin():
            Fast(select(text("1 / 0"))).rows(conn, {})
        assert isinstance(failed.value.orig, psycopg.errors.DivisionByZero)
        assert ECHO.first(conn, {"n": 4, "name": "z", "day": dt.date(2026, 1, 3)})[0] == 4


def test_a_value_the_driver_refuses_after_waiting_writes_fails_before_anything_is_sent(client):
    """A NUL in a text is refused while dumping: the writes before it in the pipeline are not
    sent, and the connection leaves pipeline mode (it was left busy in it, for good)."""
    engine = client.app.state.services.ctx.db.engine
    with engine.connect() as conn:
        conn.begin()
        waiting = ("SELECT 1", None), (ECHO._for(conn).sql, {"n": 1, "name": "a\x00b", "day": None})
        with pytest.raises(DBAPIError) as refused:
            send(conn, list(waiting))
        assert isinstance(refused.value.orig, psycopg.DataError)
        conn.rollback()
        assert ECHO.first(conn, {"n": 5, "name": "好", "day": dt.date(2026, 1, 4)})[0] == 5


def test_a_statement_prepared_in_a_failed_pipeline_is_prepared_again(client):
    """The PREPARE rode in a pipeline that failed before it: it is not taken as done."""
    engine = client.app.state.services.ctx.db.engine
    later = Fast(select(column("n")).select_from(text("(SELECT 41 + :k AS n) AS t")))
    with engine.connect() as conn:
        conn.begin()
        trips = ("SELECT 1 / 0", None), (later._for(conn).sql, {"k": 1})
        with pytest.raises(DBAPIError):
            send(conn, list(trips))
        conn.rollback()
        assert later.scalar(conn, {"k": 1}) == 42


def test_each_transaction_keeps_its_isolation_level(client):
    db = client.app.state.services.ctx.db
    with db.read() as conn:
        assert LEVEL.scalar(conn, {}) == "repeatable read"
    with db.write() as conn:
        assert LEVEL.scalar(conn, {}) == "read committed"
    with db.glance() as conn:  # autocommit: no BEGIN is sent
        assert LEVEL.scalar(conn, {}) == "read committed"
        raw = conn.connection.dbapi_connection
        assert raw.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_a_parameter_of_another_type_gets_its_own_statement(client):
    """psycopg dumps 5 as int2 and 70,000 as int4, and None untyped: each shape is prepared."""
    engine = client.app.state.services.ctx.db.engine
    maybe = Fast(select(bindparam("v", type_=BigInteger).label("v")))
    with engine.connect() as conn:
        assert [maybe.scalar(conn, {"v": v}) for v in (5, 70_000, None, 5, 3_000_000_000)] == [
            5,
            70_000,
            None,
            5,
            3_000_000_000,
        ]


def test_a_connection_that_broke_in_use_is_not_handed_out_again(client):
    """No ping on every checkout: a connection killed under its user fails that statement
    (the store is unavailable: a 503 to the client), and the pool replaces it."""
    engine = client.app.state.services.ctx.db.engine
    with engine.connect() as conn, engine.connect() as other:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        conn.rollback()
        other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        other.commit()
        with pytest.raises(DBAPIError) as failed:
            ECHO.first(conn, {"n": 1, "name": "x", "day": dt.date(2026, 1, 1)})
        assert isinstance(failed.value.orig, psycopg.OperationalError)
        assert conn.invalidated
    with engine.connect() as conn:
        assert ECHO.first(conn, {"n": 2, "name": "y", "day": dt.date(2026, 1, 1)})[0] == 2
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != pid


def test_a_connection_that_rested_is_checked_before_use(client, monkeypatch):
    """One that died while pooled (PostgreSQL restarted overnight) never reaches a request."""
    monkeypatch.setattr(db_module, "PING_AFTER_SECONDS", 0.0)
    engine = client.app.state.services.ctx.db.engine
    with engine.connect() as doomed, engine.connect() as other:
        pid = doomed.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        doomed.rollback()
        other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        other.commit()
    # Every connection resting in the pool at once, so the dead one is among them. (Not
    # engine.dispose(): a connection the app's relay held meanwhile went back to the
    # discarded pool and was collected unclosed, a ResourceWarning at the end of the run.)
    with ExitStack() as stack:
        for _ in range(engine.pool.checkedin()):
            conn = stack.enter_context(engine.connect())
            assert ECHO.first(conn, {"n": 3, "name": "z", "day": dt.date(2026, 1, 1)})[0] == 3
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != pid


def test_a_statement_through_sqlalchemy_in_a_greenlet_lends_the_loop_back(client):
    """A staff session or device token read on the loop waited in psycopg's blocking select,
    and the loop's other requests with it: now the loop goes on while PostgreSQL works."""
    import asyncio

    from server.store import green

    engine = client.app.state.services.ctx.db.engine

    def slow_read() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 7 FROM pg_sleep(0.3)")).scalar_one()

    async def scenario() -> tuple[int, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        got = await green.run(slow_read)
        ticker.cancel()
        return got, ticks

    got, ticks = asyncio.run(scenario())
    assert got == 7
    assert ticks >= 10  # 0 while psycopg blocked the loop for the 0.3 s


def test_a_read_cancelled_while_it_waits_closes_its_connection(client):
    """The statement may still run: its connection must not go back to the pool as it is."""
    import asyncio

    from server.store import green

    engine = client.app.state.services.ctx.db.engine
    used = []

    def slow_read() -> None:
        with engine.connect() as conn:
            used.append(conn.connection.dbapi_connection)
            conn.execute(text("SELECT pg_sleep(5)"))

    async def scenario() -> None:
        task = asyncio.ensure_future(green.run(slow_read))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert used and used[0].closed
    with engine.connect() as conn:  # the pool goes on with a sound connection
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
