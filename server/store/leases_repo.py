"""Leases (roles one process per hall holds at a time) in the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from server.domain.records import Lease
from server.store.tables import leases


def _key(hall: str, name: str) -> tuple[Any, Any]:
    return (leases.c.hall == hall, leases.c.name == name)


class LeasesRepo:
    """The `leases` table of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, hall: str, name: str) -> Lease | None:
        """The lease as stored (live or run out), or None."""
        row = self.conn.execute(select(leases).where(*_key(hall, name))).first()
        if row is None:
            return None
        return Lease(row.hall, row.name, row.holder, row.acquired_at, row.expires_at)

    def put(self, lease: Lease, *, new: bool) -> None:
        """Store a granted lease (`new` when no row existed for it)."""
        values = {
            "holder": lease.holder,
            "acquired_at": lease.acquired_at,
            "expires_at": lease.expires_at,
        }
        if new:
            self.conn.execute(leases.insert().values(hall=lease.hall, name=lease.name, **values))
        else:
            self.conn.execute(update(leases).where(*_key(lease.hall, lease.name)).values(**values))

    def delete(self, hall: str, name: str) -> None:
        """End a lease."""
        self.conn.execute(delete(leases).where(*_key(hall, name)))
