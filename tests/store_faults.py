"""Store faults for tests: the write lock held by another connection, a full disk."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator

from sqlalchemy import event

from server.store.tables import metadata


@contextlib.contextmanager
def held_locked(db) -> Iterator[None]:
    """Another connection holds the store's write lock (a backup, a stuck tool …)."""
    with db.engine.connect() as other:
        if db.is_sqlite:
            other = other.execution_options(sqlite_begin="IMMEDIATE")
            with other.begin():
                yield
        else:
            with other.begin():
                names = ", ".join(t.name for t in metadata.sorted_tables)
                other.exec_driver_sql(f"LOCK TABLE {names}, alembic_version IN EXCLUSIVE MODE")
                yield


@contextlib.contextmanager
def disk_full(db) -> Iterator[None]:
    """Every write the store tries fails the way a full disk fails it."""
    full = sqlite3.OperationalError("database or disk is full")
    with failing_writes(db, full, "DiskFull", "could not extend file: No space left on device"):
        yield


@contextlib.contextmanager
def failing_writes(db, sqlite_error: Exception, pg_error: str, text: str = "") -> Iterator[None]:
    """Every INSERT, UPDATE and DELETE raises the driver's error (psycopg's by class name)."""

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", statement, re.IGNORECASE):
            if db.is_sqlite:
                raise sqlite_error
            import psycopg

            raise getattr(psycopg.errors, pg_error)(text or pg_error)
        return statement, parameters

    event.listen(db.engine, "before_cursor_execute", refuse, retval=True)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse)
