"""Engine set-up for SQLite (WAL, one writer at a time) and PostgreSQL, and migrations."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Database:
    """One engine plus the write discipline of its backend."""

    def __init__(self, url: str, *, pool: tuple[int, int] = (20, 20)) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        # SQLite has one writer; a process lock hands the turn over without SQLite's busy
        # back-off sleeps, and keeps commit order equal to publish order.
        self.write_lock = threading.Lock() if self.is_sqlite else None
        self.engine = _sqlite_engine(url) if self.is_sqlite else _pg_engine(url, *pool)
        self._local = threading.local()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (a consistent snapshot for the whole block)."""
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self, after_commit: Callable[[], None] | None = None) -> Iterator[Connection]:
        """A write transaction: commits on success, rolls back on any exception.

        `after_commit` runs once the commit succeeded and, on SQLite, before the write lock
        is released, so that what it publishes leaves in commit order.
        """
        active = getattr(self._local, "active", None)
        if active is not None:
            # Already writing on this thread (a batch): nest in a savepoint of the same
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
            self._local.active = (conn, callbacks)
            try:
                with conn.begin():
                    yield conn
            finally:
                self._local.active = None
            for callback in [*callbacks, after_commit]:
                if callback is not None:
                    callback()

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


def _sqlite_engine(url: str) -> Engine:
    # LIFO pooling hands the writer thread the same connection, whose page cache is warm.
    # hide_parameters: a failed statement's log line must not carry names or password hashes.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_use_lifo=True,
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
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-8192")  # 8 MB of page cache per connection
        cur.execute("PRAGMA mmap_size=268435456")  # read pages by mmap, not read() calls
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _pg_engine(url: str, pool_size: int, overflow: int) -> Engine:
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=overflow,
        pool_pre_ping=True,
        hide_parameters=True,
    )
