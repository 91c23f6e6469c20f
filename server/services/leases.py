"""Leases: roles that exactly one process per hall may hold at a time (the hall announcer).

A holder takes a lease for `ttl` seconds and renews it before it runs out; another process
gets it only once it has expired (or was released). Time is the server's clock, so holders
on different hosts never compare their own clocks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.domain.errors import Conflict, Forbidden, NotFound
from server.domain.records import Lease
from server.protocol.views import iso
from server.services.context import Context, HallTx, run_in_hall

__all__ = ["Lease", "acquire", "current", "grant", "lease_view", "release"]

MIN_TTL, MAX_TTL = 3, 600


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
        current = tx.leases.get(hall, name)
        lease = grant(current, hall, name, holder, tx.now, ttl)
        tx.leases.put(lease, new=current is None)
        return lease_view(lease, tx.now)

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def release(
    ctx: Context, hall: str, name: str, holder: str | None, *, force: bool = False
) -> dict[str, Any]:
    """Give the lease up (its holder), or end it for anyone (`force`, supervisors)."""

    def work(tx: HallTx) -> dict[str, Any]:
        current = tx.leases.get(hall, name)
        if current is None:
            raise NotFound("unknown_lease", f"{name} 当前无人担任")
        if not force and current.holder != holder:
            raise Forbidden("not_lease_holder", f"{name} 由 {current.holder} 担任，不能代为释放")
        tx.leases.delete(hall, name)
        return {"hall": hall, "name": name, "holder": None, "released": current.holder}

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def current(ctx: Context, hall: str, name: str) -> dict[str, Any]:
    """The lease as it stands (404 unknown_lease when nobody ever held it or it was released)."""
    with ctx.units.read() as repos:
        ctx.layout_of(repos, hall)  # 404 for an unknown hall
        lease = repos.leases.get(hall, name)
    if lease is None:
        raise NotFound("unknown_lease", f"{name} 当前无人担任")
    return lease_view(lease, ctx.clock())


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
