"""The door to the store: a transaction and the repositories it hands the services.

A unit of work is one database transaction; its repositories all run on that transaction's
connection, so a use case that touches tickets, windows and the event log commits them at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import Any

from sqlalchemy import Connection

from server.store.appointments_repo import AppointmentsRepo
from server.store.audit_repo import AuditRepo, SecurityRepo
from server.store.cases_repo import CasesRepo
from server.store.db import Database
from server.store.devices_repo import DevicesRepo
from server.store.fast import behind, plain, writes_behind
from server.store.followups_repo import FollowupsRepo
from server.store.halls_repo import EventsRepo, HallsRepo
from server.store.idempotency import KeysRepo
from server.store.leases_repo import LeasesRepo
from server.store.notify_repo import NotifyRepo
from server.store.outbox_repo import OutboxRepo
from server.store.personal_repo import PersonalRepo
from server.store.ratings_repo import RatingsRepo
from server.store.sessions_repo import SessionsRepo
from server.store.stepback_repo import StepBackRepo
from server.store.tickets_repo import TicketsRepo
from server.store.windows_repo import WindowsRepo


class Repositories:
    """The repositories of one transaction (each made on first use: most use cases need two)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: what happens inside is undone alone if it raises."""
        pending = behind(self.conn)
        try:
            if pending is None:
                with _savepoint_now(self.conn):
                    yield
            else:
                with _savepoint_behind(self.conn, pending):
                    yield
        except BaseException:
            if "windows" in self.__dict__:  # made already: its reads may predate the rollback
                self.windows.forget()
            if "audit" in self.__dict__:
                self.audit.forget()
            if "tickets" in self.__dict__:  # its numbers may count a rolled-back ticket
                self.tickets.forget_numbers()
            raise

    def writes_behind(self, *, then_commit: bool = False) -> AbstractContextManager[None]:
        """Writes nobody reads back wait for the next round trip (PostgreSQL: fast.py)."""
        return writes_behind(self.conn, then_commit=then_commit)

    @cached_property
    def halls(self) -> HallsRepo:
        """Hall rows: the write lock, the layout, the day-end mark."""
        return HallsRepo(self.conn)

    @cached_property
    def events(self) -> EventsRepo:
        """The event log."""
        return EventsRepo(self.conn)

    @cached_property
    def tickets(self) -> TicketsRepo:
        """Tickets, waiting counts and calls."""
        return TicketsRepo(self.conn)

    @cached_property
    def windows(self) -> WindowsRepo:
        """Windows."""
        return WindowsRepo(self.conn)

    @cached_property
    def devices(self) -> DevicesRepo:
        """Devices and peripherals."""
        return DevicesRepo(self.conn)

    @cached_property
    def appointments(self) -> AppointmentsRepo:
        """Appointments."""
        return AppointmentsRepo(self.conn)

    @cached_property
    def sessions(self) -> SessionsRepo:
        """Staff accounts, sessions and failed sign-ins."""
        return SessionsRepo(self.conn)

    @cached_property
    def keys(self) -> KeysRepo:
        """Idempotency keys."""
        return KeysRepo(self.conn)

    @cached_property
    def leases(self) -> LeasesRepo:
        """Leases."""
        return LeasesRepo(self.conn)

    @cached_property
    def ratings(self) -> RatingsRepo:
        """追评 and what the 好差评 adapters read about a rated service."""
        return RatingsRepo(self.conn)

    @cached_property
    def followups(self) -> FollowupsRepo:
        """差评整改 items."""
        return FollowupsRepo(self.conn)

    @cached_property
    def audit(self) -> AuditRepo:
        """The audit trail (append, read, prune: never edit)."""
        return AuditRepo(self.conn)

    @cached_property
    def security(self) -> SecurityRepo:
        """A hall's security settings."""
        return SecurityRepo(self.conn)

    @cached_property
    def personal(self) -> PersonalRepo:
        """Citizens' personal fields (retention, a person's own records)."""
        return PersonalRepo(self.conn)

    @cached_property
    def notify(self) -> NotifyRepo:
        """The SMS notifier's opted-in phones."""
        return NotifyRepo(self.conn)

    @cached_property
    def stepback(self) -> StepBackRepo:
        """Lines behind a ticket (延后 N 位)."""
        return StepBackRepo(self.conn)

    @cached_property
    def outbox(self) -> OutboxRepo:
        """Outbox subscribers, dead letters and sent keys."""
        return OutboxRepo(self.conn)

    @cached_property
    def cases(self) -> CasesRepo:
        """Cases (办件) and their steps."""
        return CasesRepo(self.conn)


_savepoints = itertools.count(1)


@contextmanager
def _savepoint_now(conn: Connection) -> Iterator[None]:
    """A savepoint on the driver's cursor: SQLAlchemy's `begin_nested` costs more than it."""
    name = f"yc_{next(_savepoints)}"
    plain(conn, f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        plain(conn, f"ROLLBACK TO SAVEPOINT {name}")
        plain(conn, f"RELEASE SAVEPOINT {name}")
        raise
    plain(conn, f"RELEASE SAVEPOINT {name}")


@contextmanager
def _savepoint_behind(conn: Connection, pending: list[tuple[str, Any]]) -> Iterator[None]:
    """A savepoint whose SAVEPOINT and RELEASE wait with the writes.

    A use case that reads nothing after its writes costs no round trip for it, and one that
    ends before anything of it left needs no savepoint at all.
    """
    name = f"yc_{next(_savepoints)}"
    marker = (f"SAVEPOINT {name}", None)
    pending.append(marker)
    try:
        yield
    except BaseException:
        if any(item is marker for item in pending):  # nothing of it left: forget it
            del pending[next(i for i, item in enumerate(pending) if item is marker) :]
        else:  # everything waiting came after the savepoint
            pending.clear()
            conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {name}")
        raise
    if any(item is marker for item in pending):
        pending.remove(marker)  # all of it still waits: the savepoint is not needed
    else:
        pending.append((f"RELEASE SAVEPOINT {name}", None))


class SqlStore:
    """Units of work over the database: read-only ones and write ones."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.is_sqlite = db.is_sqlite

    @contextmanager
    def read(self) -> Iterator[Repositories]:
        """A read-only unit of work (one consistent snapshot)."""
        with self.db.read() as conn:
            yield Repositories(conn)

    @contextmanager
    def glance(self) -> Iterator[Repositories]:
        """Independent one-statement reads, each on what is committed (no transaction)."""
        with self.db.glance() as conn:
            yield Repositories(conn)

    @contextmanager
    def write(self, after_commit: Callable[[], None] | None = None) -> Iterator[Repositories]:
        """A write unit of work: commits on success, rolls back on any exception."""
        with self.db.write(after_commit=after_commit) as conn:
            yield Repositories(conn)
