"""Leases: roles that exactly one process per hall may hold at a time (the hall announcer).

A holder takes a lease for `ttl` seconds and renews it before it runs out; another process
gets it only once it has expired (or was released). Time is the server's clock, so holders
on different hosts never compare their own clocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update

from server.domain.errors import Conflict, Forbidden, NotFound
from server.protocol.views import iso
from server.services.context import Context, HallTx, run_in_hall
from server.store.tables import leases

MIN_TTL, MAX_TTL = 3, 600


@dataclass(frozen=True)
class Lease:
    """Who holds a role in a hall, since when and until when."""

    hall: str
    name: str
    holder: str
    acquired_at: dt.datetime
    expires_at: dt.datetime

    def live(self, now: dt.datetime) -> bool:
        """True while the lease has not run out."""
        return self.expires_at > now


def grant(
    current: Lease | None, hall: str, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta
) -> Lease:
    """The lease after `holder` asks for it: renewed, taken over, or refused (Conflict)."""
    if current is None or not current.live(now):
        return Lease(hall, name, holder, now, now + ttl)
    if current.holder == holder:
        return Lease(hall, name, holder, current.acquired_at, now + ttl)
    raise Conflict(
        "lease_held",
        f"{current.name} 已由 {current.holder} 担任，到期前不能接替",
        lease_view(current, now),
    )


def acquire(ctx: Context, hall: str, name: str, holder: str, ttl_seconds: int) -> dict[str, Any]:
    """Take or renew the lease `name` in `hall` for `ttl_seconds` (409 lease_held if taken)."""
    ttl = dt.timedelta(seconds=max(MIN_TTL, min(MAX_TTL, ttl_seconds)))

    def work(tx: HallTx) -> dict[str, Any]:
        current = _load(tx, name)
        lease = grant(current, hall, name, holder, tx.now, ttl)
        values = {
            "holder": lease.holder,
            "acquired_at": lease.acquired_at,
            "expires_at": lease.expires_at,
        }
        if current is None:
            tx.conn.execute(leases.insert().values(hall=hall, name=name, **values))
        else:
            tx.conn.execute(update(leases).where(*_key(hall, name)).values(**values))
        return lease_view(lease, tx.now)

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def release(
    ctx: Context, hall: str, name: str, holder: str | None, *, force: bool = False
) -> dict[str, Any]:
    """Give the lease up (its holder), or end it for anyone (`force`, supervisors)."""

    def work(tx: HallTx) -> dict[str, Any]:
        current = _load(tx, name)
        if current is None:
            raise NotFound("unknown_lease", f"{name} 当前无人担任")
        if not force and current.holder != holder:
            raise Forbidden("not_lease_holder", f"{name} 由 {current.holder} 担任，不能代为释放")
        tx.conn.execute(delete(leases).where(*_key(hall, name)))
        return {"hall": hall, "name": name, "holder": None, "released": current.holder}

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def current(ctx: Context, hall: str, name: str) -> dict[str, Any]:
    """The lease as it stands (404 unknown_lease when nobody ever held it or it was released)."""
    with ctx.db.read() as conn:
        ctx.layout(conn, hall)  # 404 for an unknown hall
        row = conn.execute(select(leases).where(*_key(hall, name))).first()
        if row is None:
            raise NotFound("unknown_lease", f"{name} 当前无人担任")
        return lease_view(_from_row(row), ctx.clock())


def lease_view(lease: Lease, now: dt.datetime) -> dict[str, Any]:
    """The lease as JSON, with whether it is still running."""
    return {
        "hall": lease.hall,
        "name": lease.name,
        "holder": lease.holder,
        "acquired_at": iso(lease.acquired_at),
        "expires_at": iso(lease.expires_at),
        "live": lease.live(now),
        "server_time": iso(now),
    }


def _load(tx: HallTx, name: str) -> Lease | None:
    row = tx.conn.execute(select(leases).where(*_key(tx.hall, name))).first()
    return None if row is None else _from_row(row)


def _from_row(row: Any) -> Lease:
    return Lease(row.hall, row.name, row.holder, row.acquired_at, row.expires_at)


def _key(hall: str, name: str) -> tuple[Any, Any]:
    return (leases.c.hall == hall, leases.c.name == name)
