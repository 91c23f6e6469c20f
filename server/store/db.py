"""Engine set-up for SQLite (WAL, one writer at a time) and PostgreSQL, and migrations."""

from __future__ import annotations

import contextlib
import contextvars
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server.store.fast import behind, send
from server.store.green_pg import GreenConnection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
PROBE_SECONDS = 2.0  # /readyz waits at most this long for the write turn and the locks
PING_AFTER_SECONDS = 10.0  # PostgreSQL: a pooled connection idle this long is checked first
_RESTED = "yichuang.rested_at"  # the pool record's info: when the connection came back
# Locked past the busy timeout, disk full, I/O error, connection lost, pool exhausted: the
# store cannot take the request now, and the same request may well succeed in a moment.
UNAVAILABLE = (OperationalError, PoolTimeout)
# SQLite reports a bad statement as an OperationalError too; these are the store's own states.
_SQLITE_STATES = ("locked", "busy", "full", "disk i/o", "unable to open", "readonly", "malformed")


class StoreUnavailable(Exception):
    """The store could not be reached or written in time (see `UNAVAILABLE` for the rest)."""


def is_store_failure(exc: BaseException) -> bool:
    """True when the store itself failed (retry later), False for a bug in a statement."""
    if isinstance(exc, OperationalError) and type(exc.orig).__module__ == "sqlite3":
        return any(state in str(exc.orig).lower() for state in _SQLITE_STATES)
    return isinstance(exc, (*UNAVAILABLE, StoreUnavailable))


def describe_failure(exc: BaseException) -> str:
    """One line naming the store's complaint (the driver's message, never SQL or parameters)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return first[:200]


def startup_failure(exc: BaseException, url: str) -> str:
    """The one line `yichuang serve` prints when the store cannot be opened or written."""
    where = make_url(url).render_as_string(hide_password=True)
    return (
        f"数据库无法打开或写入（{describe_failure(exc)}）：请检查磁盘是否已满、数据目录是否可写、"
        f"数据库是否被其他程序锁定或可以连接；数据库：{where}"
    )


class Database:
    """One engine plus the write discipline of its backend."""

    def __init__(
        self, url: str, *, pool: tuple[int, int] = (20, 20), busy_timeout: float = 30.0
    ) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        # SQLite has one writer; a process lock hands the turn over without SQLite's busy
        # back-off sleeps, and keeps commit order equal to publish order.
        # re-entrant: the loop's writer holds it across a batch whose units of work take it
        self.write_lock = threading.RLock() if self.is_sqlite else None
        self.busy_timeout = busy_timeout
        self.pool_capacity = sum(pool)  # connections the pool holds at most (PostgreSQL)
        self.engine = (
            _sqlite_engine(url, busy_timeout)
            if self.is_sqlite
            else _pg_engine(url, *pool, busy_timeout)
        )
        # the write open in this thread or greenlet (PostgreSQL's batches run in greenlets)
        self._active: contextvars.ContextVar[tuple[Connection, list[Callable[[], None]]] | None]
        self._active = contextvars.ContextVar(f"yichuang_write_{id(self)}", default=None)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot for the whole block)."""
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def glance(self) -> Iterator[Connection]:
        """Reads that need no common snapshot: on PostgreSQL no BEGIN and no COMMIT.

        Each statement sees what was committed when it ran (autocommit). A staff request's
        session look-up is one such read, on every request: three round trips become one.
        """
        if self.is_sqlite:  # BEGIN costs SQLite nothing worth saving
            with self.read() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def write(self, after_commit: Callable[[], None] | None = None) -> Iterator[Connection]:
        """A write transaction: commits on success, rolls back on any exception.

        `after_commit` runs once the commit succeeded and, on SQLite, before the write lock
        is released, so that what it publishes leaves in commit order.
        """
        active = self._active.get()
        if active is not None:
            # Already writing on this thread or greenlet (a batch): nest in a savepoint of the same
            # transaction rather than wait for a lock this thread holds itself.
            outer, pending = active
            with outer.begin_nested():
                yield outer
            if after_commit is not None:
                pending.append(after_commit)
            return
        with self.write_lock or nullcontext(), self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            callbacks: list[Callable[[], None]] = []
            token = self._active.set((conn, callbacks))
            try:
                with conn.begin():
                    yield conn
            finally:
                self._active.reset(token)
            for callback in [*callbacks, after_commit]:
                if callback is not None:
                    callback()

    def probe_write(self) -> None:
        """Store one harmless write, waiting at most PROBE_SECONDS; raises when it cannot."""
        wait = min(PROBE_SECONDS, self.busy_timeout)
        if self.write_lock is not None and not self.write_lock.acquire(timeout=wait):
            raise StoreUnavailable("the write turn did not come in time")
        try:
            with self.engine.connect() as conn:
                # The driver's own connection: a PRAGMA through SQLAlchemy would open a
                # transaction before the BEGIN IMMEDIATE it must precede.
                raw = conn.connection.driver_connection if self.is_sqlite else None
                if raw is not None:
                    conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                    raw.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
                try:
                    with conn.begin():
                        if raw is None:
                            conn.execute(text(f"SET LOCAL lock_timeout = {int(wait * 1000)}"))
                        # A real write (SQLite rewrites the row's page), of a row that exists.
                        conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
                finally:
                    if raw is not None:
                        raw.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        finally:
            if self.write_lock is not None:
                self.write_lock.release()

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision (Alembic)."""
        from alembic import command
        from alembic.config import Config

        if self.is_sqlite:
            database = make_url(self.url).database
            if database and database != ":memory:":
                create_private_file(Path(database))
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def pool_limits(workers: int, max_connections: int) -> tuple[int, int]:
    """(pool size, overflow) per worker: all workers' pools and LISTENs fit the budget."""
    per_worker = max(2, max_connections // max(1, workers)) - 1  # one is the LISTEN connection
    pool = max(1, min(20, per_worker // 2))
    return pool, max(0, min(20, per_worker - pool))


def private_dir(path: Path) -> None:
    """Create `path` (and parents) as a directory only the server's user may enter."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    # An existing data dir made with the usual 0755 is tightened; one that is not ours (a
    # shared parent) is left as the operator made it.
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (in a 0700 folder) unless it exists; tighten it if so.

    SQLite gives the -wal and -shm files the mode of the database file, so they follow.
    """
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


_BEGIN = {mode: f"BEGIN {mode}" for mode in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")}


def _sqlite_engine(url: str, busy_timeout: float) -> Engine:
    # LIFO pooling hands the writer the same connection, whose page cache is warm.
    # hide_parameters: a failed statement's log line must not carry names or password hashes.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        pool_use_lifo=True,
        # Enough connections that none is closed on return: a new one costs its PRAGMAs
        # and a cold page cache (the default five overflowed under eight windows' reads).
        pool_size=16,
        max_overflow=48,
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook emit BEGIN itself (the pysqlite recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.execute("PRAGMA cache_size=-8192")  # 8 MB of page cache per connection
        cur.execute("PRAGMA mmap_size=268435456")  # read pages by mmap, not read() calls
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        # On the driver itself: SQLAlchemy's execute costs more than SQLite's BEGIN.
        raw: Any = conn.connection.dbapi_connection
        try:
            raw.execute(_BEGIN[mode])
        except sqlite3.Error as exc:  # "database is locked": wrapped as SQLAlchemy would
            raise DBAPIError.instance(
                _BEGIN[mode], (), exc, sqlite3.Error, dialect=conn.dialect
            ) from exc

    return engine


def _pg_engine(url: str, pool_size: int, overflow: int, busy_timeout: float) -> Engine:
    # A write waiting on a lock longer than SQLite's busy timeout gives up the same way
    # (added to any `options` of the URL, which connect_args would otherwise replace).
    given = make_url(url).query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    options = f"{given} -c lock_timeout={int(busy_timeout * 1000)}".strip()
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=overflow,
        hide_parameters=True,
        # psycopg's own prepared statements off: it drops every prepared statement of the
        # connection (DEALLOCATE ALL) after any ROLLBACK, ours among them (server/store/wire.py
        # prepares the hot statements itself)
        connect_args={"options": options, "prepare_threshold": None},
    )

    @event.listens_for(engine, "do_connect")
    def _lending(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        # its statements lend the loop back while they wait, inside a greenlet (green_pg.py)
        return GreenConnection.connect(*cargs, **cparams)

    # A connection that rested in the pool a while is checked before use (PostgreSQL may have
    # restarted meanwhile); one in steady use is not: a check is a round trip, on every
    # request. One that broke in use is dropped when its statement fails (fast.send).
    @event.listens_for(engine, "checkin")
    def _rested(_dbapi_conn: Any, record: Any) -> None:
        record.info[_RESTED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _still_there(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        rested = record.info.get(_RESTED)
        if rested is None or time.monotonic() - rested < PING_AFTER_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # what a dead connection raises depends on how it died
            raise DisconnectionError(describe_failure(exc)) from exc

    @event.listens_for(engine, "before_execute")
    def _writes_first(conn: Connection, *_: Any) -> None:
        # A statement through SQLAlchemy goes after the writes waiting for a round trip.
        pending = behind(conn)
        if pending:
            send(conn, pending)

    return engine
