"""Hot-path statements run straight on the driver's cursor, in the connection's transaction.

SQLAlchemy Core spends 40–100 µs of Python on each execute (cache key, execution context,
result wrapping) around a statement that SQLite runs in 5–10 µs, and a ticket issue runs a
dozen. A `Fast` statement is compiled by SQLAlchemy once per dialect, with its bind and
result processors (dates on SQLite, UTC datetimes, JSON); each run only converts the values
and calls the cursor. It runs in the same transaction as everything else on the connection,
passes `before_cursor_execute` listeners as SQLAlchemy would (the fault-injection tests use
them), and raises SQLAlchemy's wrapped errors, so callers see no difference. Statements with
expanding IN lists or server-side defaults stay on the ordinary path.

On PostgreSQL a statement does not go through a psycopg cursor either: it leaves on libpq's
pipeline, prepared once per connection (server/store/wire.py). `together` sends several
reads in one pipeline, for the few places where waiting for each answer in turn would keep
a lock held longer (the hall lock and the reads made right after it).

Within `writes_behind`, on PostgreSQL, the writes nobody reads back (`Fast.run`) do not wait
for their answers: they leave with the next read, in one psycopg pipeline, or at the end of
the block. The hall lock is held until commit, so each round trip saved is time another
writer of the hall does not wait. A write that fails then fails the read it rode with, or the
end of the block: the transaction is lost either way, as it would have been.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from server.store import wire

Processor = Callable[[Any], Any] | None
BEHIND = "yichuang.writes_behind"  # conn.info: the writes waiting for a round trip


class _Compiled:
    """One statement compiled for one dialect."""

    def __init__(self, stmt: ClauseElement, dialect: Dialect, keys: list[str] | None) -> None:
        compiled: Any = stmt.compile(dialect=dialect, column_keys=keys)
        self.sql: str = compiled.string
        self.positional: bool = compiled.positional
        self.order: list[str] = list(compiled.positiontup or [])
        self.defaults = {
            name: bind.value
            for name, bind in compiled.binds.items()
            if bind.value is not None and not bind.required and bind.callable is None
        }
        escaped = getattr(compiled, "escaped_bind_names", None) or {}
        self.rename: dict[str, str] = dict(escaped)
        self.binds: dict[str, Processor] = dict(compiled._bind_processors)
        self.results: list[Processor] = [
            col.type._cached_result_processor(dialect, None) for col in compiled._result_columns
        ]
        self.any_result = any(p is not None for p in self.results)
        self.base_error = dialect.loaded_dbapi.Error
        self.dialect = dialect

    def args(self, params: Mapping[str, Any]) -> Any:
        values = {**self.defaults, **params} if self.defaults else dict(params)
        for name, process in self.binds.items():
            if process is not None and name in values:
                values[name] = process(values[name])
        if self.positional:
            return tuple(values[name] for name in self.order)
        if self.rename:
            return {self.rename.get(k, k): v for k, v in values.items()}
        return values

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        if not self.any_result:
            return tuple(raw)
        return tuple(v if p is None else p(v) for p, v in zip(self.results, raw, strict=True))


class Fast:
    """A statement to run on the driver's cursor (see the module docstring)."""

    def __init__(self, stmt: ClauseElement, keys: Sequence[str] | None = None) -> None:
        self.stmt = stmt
        self.keys = list(keys) if keys is not None else None  # the columns an INSERT/UPDATE sets
        self._compiled: dict[str, _Compiled] = {}
        self._names: list[str] | None = None

    def _for(self, conn: Connection) -> _Compiled:
        dialect = conn.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.stmt, dialect, self.keys)
        return compiled

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run and fetch every row (processed as SQLAlchemy would)."""
        c = self._for(conn)
        if c.dialect.name == "postgresql":  # the writes waiting go first, in the same round trip
            driver, results = send(conn, behind(conn) or [], _checked(conn, c, c.args(params)))
            return [c.row(r) for r in wire.rows(driver, results[-1])]
        cursor = self._execute(conn, c, c.args(params), many=False)
        try:
            return [c.row(r) for r in cursor.fetchall()] if cursor.description else []
        finally:
            cursor.close()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or None."""
        rows = self.rows(conn, params)
        return rows[0] if rows else None

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None."""
        row = self.first(conn, params)
        return row[0] if row else None

    def run(self, conn: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> int:
        """Run a write (a list of parameter sets: executemany); the rows it touched.

        -1 within `writes_behind`: the write waits for a round trip, nothing is known yet.
        """
        c = self._for(conn)
        pending = behind(conn)
        if pending is not None:
            for one in [params] if isinstance(params, Mapping) else params:
                pending.append(_checked(conn, c, c.args(one)))
            return -1
        if c.dialect.name == "postgresql":
            sets = [params] if isinstance(params, Mapping) else params
            _, results = send(conn, [_checked(conn, c, c.args(one)) for one in sets])
            return sum(r.command_tuples or 0 for r in results)
        if isinstance(params, Mapping):
            cursor = self._execute(conn, c, c.args(params), many=False)
        else:
            cursor = self._execute(conn, c, [c.args(p) for p in params], many=True)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _execute(self, conn: Connection, c: _Compiled, args: Any, *, many: bool) -> Any:
        """SQLite: run on the driver's cursor (PostgreSQL's statements go through `send`)."""
        if not conn.in_transaction():
            conn.begin()  # what SQLAlchemy's autobegin does before its first statement
        dbapi_conn: Any = conn.connection.dbapi_connection
        cursor = dbapi_conn.cursor()
        sql = c.sql
        try:
            sql, args = _listened(conn, cursor, sql, args, many=many)
            if many:
                cursor.executemany(sql, args)
            else:
                cursor.execute(sql, args)
        except c.base_error as exc:
            cursor.close()
            raise DBAPIError.instance(
                sql, args, exc, c.base_error, hide_parameters=True, dialect=c.dialect
            ) from exc
        except BaseException:
            cursor.close()
            raise
        return cursor

    def mappings(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rows as {column key: value}."""
        names = self._names
        if names is None:
            names = self._names = [c.key for c in self.stmt.selected_columns]  # type: ignore[attr-defined]
        return [dict(zip(names, row, strict=True)) for row in self.rows(conn, params)]


def plain(conn: Connection, sql: str) -> None:
    """Run one statement without parameters or rows (SAVEPOINT …) on the driver's cursor."""
    if not conn.in_transaction():
        conn.begin()
    base = conn.dialect.loaded_dbapi.Error
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        sql, _ = _listened(conn, cursor, sql, (), many=False)
        cursor.execute(sql)
    except base as exc:
        raise DBAPIError.instance(sql, (), exc, base, dialect=conn.dialect) from exc
    finally:
        cursor.close()


def _listened(conn: Connection, cursor: Any, sql: str, args: Any, *, many: bool) -> Any:
    """(sql, args) after the `before_cursor_execute` listeners, as SQLAlchemy would call them."""
    if conn._has_events or conn.engine._has_events:
        for listen in conn.dispatch.before_cursor_execute:
            sql, args = listen(conn, cursor, sql, args, None, many)
    return sql, args


def _checked(conn: Connection, c: _Compiled, args: Any) -> tuple[str, Any]:
    """(sql, args) of a statement that waits, through the listeners (which may refuse it)."""
    try:
        sql, args = _listened(conn, None, c.sql, args, many=False)
    except c.base_error as exc:
        raise DBAPIError.instance(
            c.sql, args, exc, c.base_error, hide_parameters=True, dialect=c.dialect
        ) from exc
    return sql, args


def behind(conn: Connection) -> list[tuple[str, Any]] | None:
    """The writes waiting for a round trip (None: outside `writes_behind`)."""
    if conn.dialect.name != "postgresql":
        return None
    pending: list[tuple[str, Any]] | None = conn.info.get(BEHIND)
    return pending


@contextmanager
def writes_behind(conn: Connection, *, then_commit: bool = False) -> Iterator[None]:
    """Within, on PostgreSQL, `Fast.run` leaves with the next read or at the end.

    `then_commit`: the block ends the transaction, so the COMMIT leaves in the same round
    trip as the last writes; the driver then sees the transaction ended, and the caller's own
    commit costs nothing. A COMMIT that fails raises here, before anyone is answered.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    pending: list[tuple[str, Any]] = []
    conn.info[BEHIND] = pending
    try:
        yield
        if pending:
            if then_commit and not conn.in_nested_transaction():  # not a savepoint's end
                pending.append(("COMMIT", None))
            send(conn, pending)
    finally:
        conn.info.pop(BEHIND, None)  # on an error the transaction rolls back: drop them


def send(
    conn: Connection, pending: list[tuple[str, Any]], read: tuple[str, Any] | None = None
) -> tuple[Any, list[Any]]:
    """PostgreSQL: the waiting writes, then `read`, in one pipeline; the driver and results."""
    if not conn.in_transaction():
        conn.begin()
    driver: Any = conn.connection.dbapi_connection
    statements = list(pending)
    pending.clear()
    if read is not None:
        statements.append(read)
    if not statements:
        return driver, []
    try:
        return driver, wire.run(driver, statements)
    except conn.dialect.loaded_dbapi.Error as exc:
        if driver.broken or driver.closed:  # the pool must not hand this connection out again
            conn.invalidate(exc)
        raise _pipeline_error(conn, exc, statements[0]) from exc


def _pipeline_error(conn: Connection, exc: Exception, first: tuple[str, Any]) -> Exception:
    """SQLAlchemy's error for a failed pipeline, named after its first statement."""
    base = conn.dialect.loaded_dbapi.Error
    sql, args = first
    return DBAPIError.instance(sql, args, exc, base, hide_parameters=True, dialect=conn.dialect)


def together(
    conn: Connection, reads: Sequence[tuple[Fast, Mapping[str, Any]]]
) -> list[list[tuple[Any, ...]]]:
    """PostgreSQL: the writes waiting, then several reads, in one pipeline; the rows of each.

    Under READ COMMITTED each statement takes its own snapshot, so a read after a
    `FOR UPDATE` sees what the lock's previous holder committed.
    """
    compiled = [(fast._for(conn), params) for fast, params in reads]
    checked = [_checked(conn, c, c.args(params)) for c, params in compiled]
    pending = behind(conn) or []
    writes = len(pending)
    driver, results = send(conn, [*pending, *checked])
    pending.clear()
    return [
        [c.row(r) for r in wire.rows(driver, result)]
        for result, (c, _) in zip(results[writes:], compiled, strict=True)
    ]
