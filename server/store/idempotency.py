"""Idempotency keys: the stored answer of a keyed write, read and written by primary key."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from server.store.tables import idempotency_keys as keys

_GET = select(keys.c.fingerprint, keys.c.status, keys.c.body, keys.c.at).where(
    keys.c.hall == bindparam("hall"),
    keys.c.caller == bindparam("caller"),
    keys.c.key == bindparam("key"),
)
_PUT = keys.insert()
_DROP = delete(keys).where(
    keys.c.hall == bindparam("hall"),
    keys.c.caller == bindparam("caller"),
    keys.c.key == bindparam("key"),
)


def get(conn: Connection, hall: str, caller: str, key: str) -> Any:
    """The stored answer (fingerprint, status, body, at) of a key, or None."""
    return conn.execute(_GET, {"hall": hall, "caller": caller, "key": key}).first()


def put(
    conn: Connection,
    hall: str,
    caller: str,
    key: str,
    *,
    fingerprint: str,
    status: int,
    body: str,
    at: dt.datetime,
) -> None:
    """Remember the answer of a keyed write (in the transaction of the write itself)."""
    row = {"hall": hall, "caller": caller, "key": key, "fingerprint": fingerprint}
    conn.execute(_PUT, {**row, "status": status, "body": body, "at": at})


def drop(conn: Connection, hall: str, caller: str, key: str) -> None:
    """Forget one key (it expired and is about to be used again)."""
    conn.execute(_DROP, {"hall": hall, "caller": caller, "key": key})


def prune(conn: Connection, hall: str, before: dt.datetime) -> int:
    """Delete a hall's keys stored before `before`; returns how many."""
    gone = conn.execute(delete(keys).where(keys.c.hall == hall, keys.c.at < before))
    return gone.rowcount or 0


class KeysRepo:
    """The idempotency keys of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, hall: str, caller: str, key: str) -> Any:
        """The stored answer (fingerprint, status, body, at) of a key, or None."""
        return get(self.conn, hall, caller, key)

    def put(
        self,
        hall: str,
        caller: str,
        key: str,
        *,
        fingerprint: str,
        status: int,
        body: str,
        at: dt.datetime,
    ) -> None:
        """Remember the answer of a keyed write."""
        put(self.conn, hall, caller, key, fingerprint=fingerprint, status=status, body=body, at=at)

    def drop(self, hall: str, caller: str, key: str) -> None:
        """Forget one key."""
        drop(self.conn, hall, caller, key)

    def prune(self, hall: str, before: dt.datetime) -> int:
        """Delete a hall's keys stored before `before`; returns how many."""
        return prune(self.conn, hall, before)
