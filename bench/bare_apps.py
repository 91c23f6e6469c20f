"""The floors' ASGI apps: one INSERT, or one "take the next waiting row", per request.

Served by the same uvicorn as the server (`uvicorn.run(..., factory=True)` with the server's
worker count), so the gap between a floor and the server is our code, not the stack under it.
Standard library and psycopg only: nothing of the server is imported.

    POST /          INSERT INTO floor_insert (body) VALUES (<request body>)   -> 201
    POST /take/<q>  UPDATE floor_line SET status = 'called' of the lowest waiting id of
                    queue <q> (picked by a partial index) RETURNING id         -> 200, 404
                    when the queue is empty

`floor_app()` reads BENCH_FLOOR_DB: a SQLite file path or a libpq URI (postgresql://…).
The tables are created and filled by `prepare_sqlite` / `prepare_pg` before the server starts.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from typing import Any

SCHEMA = [
    "CREATE TABLE floor_insert (id {serial} PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE floor_line (id {serial} PRIMARY KEY, queue INTEGER NOT NULL,"
    " status TEXT NOT NULL)",
    "CREATE INDEX floor_line_waiting ON floor_line (queue, id) WHERE status = 'waiting'",
]
INSERT = "INSERT INTO floor_insert (body) VALUES ({p})"
TAKE = (
    "UPDATE floor_line SET status = 'called' WHERE id = (SELECT id FROM floor_line"
    " WHERE queue = {p} AND status = 'waiting' ORDER BY id LIMIT 1{lock}) RETURNING id"
)


def prepare_sqlite(path: str, queues: int, rows: int) -> None:
    """Create the floor tables in a fresh SQLite file with `rows` waiting rows."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    for sql in SCHEMA:
        db.execute(sql.format(serial="INTEGER"))
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO floor_line (queue, status) VALUES (?, 'waiting')",
        ((i % queues,) for i in range(rows)),
    )
    db.execute("COMMIT")
    db.close()


def prepare_pg(conninfo: str, queues: int, rows: int) -> None:
    """Create the floor tables in the (fresh) schema of `conninfo` with `rows` waiting rows."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as db:
        for sql in SCHEMA:
            db.execute(sql.format(serial="BIGSERIAL"))
        db.execute(
            "INSERT INTO floor_line (queue, status)"
            " SELECT g %% %s, 'waiting' FROM generate_series(0, %s - 1) g",
            (queues, rows),
        )
        db.execute("ANALYZE floor_line")


async def _body(receive: Any) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BareSQLite:
    """One autocommit statement per request on one SQLite connection (WAL, synchronous=NORMAL).

    The statement runs on the event loop: no thread hop, no lock, the least a request can
    cost on SQLite (the server's settings: WAL and synchronous=NORMAL).
    """

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.insert = INSERT.format(p="?")
        self.take = TAKE.format(p="?", lock="")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await _body(receive)
        if scope["path"].startswith("/take/"):
            row = self.db.execute(self.take, (int(scope["path"][6:]),)).fetchone()
            await _answer(send, 200 if row else 404, b'{"id":%d}' % row[0] if row else b"{}")
            return
        self.db.execute(self.insert, (body.decode(),))
        await _answer(send, 201, b'{"ok":true}')


class BarePG:
    """One autocommit statement per request on a pool of async psycopg connections.

    Each worker opens `size` connections at start-up (the server runs 8 writer threads per
    worker); a request takes one, runs its statement (one commit, one WAL flush) and returns it.
    The take locks its row with FOR UPDATE SKIP LOCKED, as the server's call-next does.
    """

    def __init__(self, conninfo: str, size: int = 8) -> None:
        self.conninfo, self.size = conninfo, size
        self.pool: asyncio.Queue[Any] = asyncio.Queue()
        self.insert = INSERT.format(p="%s")
        self.take = TAKE.format(p="%s", lock=" FOR UPDATE SKIP LOCKED")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _body(receive)
        take = scope["path"].startswith("/take/")
        conn = await self.pool.get()
        try:
            if take:
                cur = await conn.execute(self.take, (int(scope["path"][6:]),))
                row = await cur.fetchone()
            else:
                await conn.execute(self.insert, (body.decode(),))
        finally:
            self.pool.put_nowait(conn)
        if not take:
            await _answer(send, 201, b'{"ok":true}')
        else:
            await _answer(send, 200 if row else 404, b'{"id":%d}' % row[0] if row else b"{}")

    async def _lifespan(self, receive: Any, send: Any) -> None:
        import psycopg

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for _ in range(self.size):
                    conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
                    self.pool.put_nowait(conn)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                while not self.pool.empty():
                    await self.pool.get_nowait().close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def floor_app() -> BareSQLite | BarePG:
    """The uvicorn factory: BENCH_FLOOR_DB names the store."""
    target = os.environ["BENCH_FLOOR_DB"]
    if target.startswith("postgresql://"):
        return BarePG(target)
    return BareSQLite(target)
