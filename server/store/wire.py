"""PostgreSQL: the hot statements sent on libpq's pipeline with psycopg's C adapters, no cursor.

A psycopg cursor costs 60–150 µs of Python per statement around work its C extension does in
a few: the cursor and its adapters map, the query conversion, the prepare manager's
bookkeeping, the pipeline's generators, the result's column descriptions. On PostgreSQL that
was a third of a staff request's time (`python -m bench.profile`), much of it under the hall
lock. Here a batch of statements goes out as one libpq pipeline: each statement is prepared
once per connection (so PostgreSQL keeps its plan, as psycopg's prepared statements did), its
parameters are dumped and its rows loaded by psycopg's own Transformer (the same adapters,
so the same values as a cursor gives), and the round trip waits in `select`, without the GIL.

The transaction is the connection's own, as psycopg would open it: a BEGIN with the
connection's isolation level goes first when none is open (none in autocommit). A failed
statement raises psycopg's error for it, as a cursor would, and leaves the transaction failed
for its owner to roll back.
"""

from __future__ import annotations

import contextlib
import re
import select
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import Connection, errors, pq
from psycopg.abc import Buffer
from psycopg.adapt import PyFormat, Transformer

from server.store import green

_PLACEHOLDER = re.compile(rb"%\((\w+)\)s|%%")
_OK = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)


Statement = tuple[str, Mapping[str, Any] | None]  # (SQL in psycopg's %(name)s style, values)


class _Query:
    """One SQL text converted once: $n placeholders, and the names they take in order."""

    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def number(m: re.Match[bytes]) -> bytes:
            if m[0] == b"%%":
                return b"%"
            name = m[1].decode()
            if name not in names:
                names.append(name)
            return b"$%d" % (names.index(name) + 1)

        self.text = _PLACEHOLDER.sub(number, sql.encode())
        self.names = names
        self.formats = [PyFormat.AUTO] * len(names)


class _Session:
    """What one connection keeps: its transformer and the statements it has prepared."""

    def __init__(self, conn: Connection[Any]) -> None:
        self.tx = Transformer.from_context(conn)
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}


_queries: dict[str, _Query] = {}
_sessions: weakref.WeakKeyDictionary[Connection[Any], _Session] = weakref.WeakKeyDictionary()
_names = iter(range(1, 1 << 62))


def run(conn: Connection[Any], statements: Sequence[Statement]) -> list[pq.abc.PGresult]:
    """Send `statements` in one pipeline (after a BEGIN if needed); their results, in order.

    Raises the first failed statement's psycopg error once the pipeline is read to its end.
    """
    session = _sessions.get(conn)
    if session is None:
        session = _sessions[conn] = _Session(conn)
    pg = conn.pgconn
    # Every parameter is dumped before anything is sent: a value the driver refuses (a NUL in
    # a text) then fails the call while the connection is still idle, not mid-pipeline.
    dumped = [_dump(session, sql, values) for sql, values in statements]
    answers: list[bool] = []  # per result to come: whether it answers a statement
    prepared: list[tuple[bytes, tuple[int, ...]]] = []
    pg.enter_pipeline_mode()
    try:
        if _begin(conn, pg):
            answers.append(False)
        for statement in dumped:
            key = _send(session, pg, statement)
            if key is not None:
                prepared.append(key)
                answers.append(False)
            answers.append(True)
        pg.pipeline_sync()
        results = _read(pg)
    except BaseException:
        with contextlib.suppress(Exception):  # read what was sent, to leave the pipeline
            pg.pipeline_sync()
            _read(pg)
            pg.exit_pipeline_mode()
        if pg.pipeline_status != pq.PipelineStatus.OFF:
            conn.close()  # unusable mid-pipeline: the pool must not hand it out again
        raise
    pg.exit_pipeline_mode()
    failed = next((r for r in results if r.status not in _OK), None)
    if failed is not None:
        for key in prepared:  # a statement prepared in a failed pipeline may not exist
            session.prepared.pop(key, None)
        raise errors.error_from_result(failed, encoding=conn.info.encoding)
    return [r for r, answer in zip(results, answers, strict=True) if answer]


def rows(conn: Connection[Any], result: pq.abc.PGresult) -> list[tuple[Any, ...]]:
    """The rows of a result as tuples of Python values (none for a command)."""
    if result.status != pq.ExecStatus.TUPLES_OK:
        return []
    tx = _sessions[conn].tx
    tx.set_pgresult(result)
    return tx.load_rows(0, result.ntuples, tuple)


def _begin(conn: Connection[Any], pg: pq.abc.PGconn) -> bool:
    if conn.autocommit or pg.transaction_status != pq.TransactionStatus.IDLE:
        return False
    command = b"BEGIN"
    if conn.isolation_level is not None:
        command += b" ISOLATION LEVEL " + conn.isolation_level.name.replace("_", " ").encode()
    if conn.read_only is not None:
        command += b" READ ONLY" if conn.read_only else b" READ WRITE"
    pg.send_query_params(command, None)
    return True


@dataclass(frozen=True)
class _Dumped:
    """One statement ready to send: its query and its parameters as the driver dumped them."""

    query: _Query
    params: Sequence[Buffer | None] | None = None
    types: tuple[int, ...] = ()
    formats: Sequence[pq.Format] | None = None


def _dump(session: _Session, sql: str, values: Mapping[str, Any] | None) -> _Dumped:
    query = _queries.get(sql)
    if query is None:
        query = _queries[sql] = _Query(sql)
    if not query.names:
        return _Dumped(query)
    assert values is not None
    tx = session.tx
    params = tx.dump_sequence([values[n] for n in query.names], query.formats)
    return _Dumped(query, params, tuple(tx.types or ()), list(tx.formats or ()))


def _send(
    session: _Session, pg: pq.abc.PGconn, statement: _Dumped
) -> tuple[bytes, tuple[int, ...]] | None:
    """Queue one statement; the key of its prepared statement if it is prepared now (first)."""
    query = statement.query
    if statement.params is None:
        pg.send_query_params(query.text, None)
        return None
    key = (query.text, statement.types)
    name = session.prepared.get(key)
    fresh = name is None
    if name is None:
        name = session.prepared[key] = b"yc_%d" % next(_names)
        pg.send_prepare(name, query.text, param_types=key[1])
    pg.send_query_prepared(name, statement.params, param_formats=statement.formats)
    return key if fresh else None


def _read(pg: pq.abc.PGconn) -> list[pq.abc.PGresult]:
    """Flush the pipeline and read a result per message sent, up to the sync."""
    while pg.flush():  # what the socket did not take yet; read meanwhile, lest both sides wait
        _wait(pg.socket, write=True)
        pg.consume_input()
    results: list[pq.abc.PGresult] = []
    while True:
        while pg.is_busy():
            _wait(pg.socket)
            pg.consume_input()
        result = pg.get_result()
        if result is None:
            continue  # the end of one message's results
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return results
        results.append(result)


def _wait(fd: int, *, write: bool = False) -> None:
    """Until PostgreSQL answered (with `write`: or takes more); on the loop, lending it back."""
    if green.inside():  # a batch on the loop
        green.wait(green.ready(fd, write=write))
    elif write:
        select.select([fd], [fd], [])
    else:
        select.select([fd], [], [])
