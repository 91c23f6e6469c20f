"""Read queries of the clerk pads: a clerk's day at a glance, the last service of a window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, select

from server.domain.model import Outcome, Ticket
from server.store import repo
from server.store.fast import Fast
from server.store.tables import calls, tickets, users

# Results of a call that end a service (a transfer or day end does not count as served).
SERVICE_RESULTS = (Outcome.ACCEPTED.value, Outcome.CONSULTED.value, Outcome.REJECTED.value)
RECENT_MATTERS = 5


@dataclass(frozen=True)
class ClerkDay:
    """What one clerk did on one business day (all windows), from the call records."""

    calls: int
    recalls: int
    accepted: int
    consulted: int
    rejected: int
    no_show: int
    transferred: int
    out_of_order: int
    avg_service_seconds: float | None


def clerk_day(conn: Connection, hall: str, day: dt.date, clerk: str) -> ClerkDay:
    """Count the clerk's calls, results and mean service time on `day`."""
    mine = (calls.c.hall == hall, calls.c.business_date == day, calls.c.clerk == clerk)
    total, recalls, out_of_order = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(calls.c.recalls), 0),
            func.coalesce(func.sum(case((calls.c.out_of_order.is_(True), 1), else_=0)), 0),
        ).where(*mine)
    ).one()
    by_result: dict[str, int] = {
        str(result): int(n)
        for result, n in conn.execute(
            select(calls.c.result, func.count())
            .where(*mine, calls.c.result.is_not(None))
            .group_by(calls.c.result)
        )
    }
    spans = conn.execute(
        select(calls.c.called_at, calls.c.ended_at).where(
            *mine, calls.c.result.in_(SERVICE_RESULTS)
        )
    ).all()
    durations = [(end - start).total_seconds() for start, end in spans if end is not None]
    return ClerkDay(
        calls=int(total),
        recalls=int(recalls),
        accepted=by_result.get(Outcome.ACCEPTED.value, 0),
        consulted=by_result.get(Outcome.CONSULTED.value, 0),
        rejected=by_result.get(Outcome.REJECTED.value, 0),
        no_show=by_result.get(Outcome.NO_SHOW.value, 0),
        transferred=by_result.get("transferred", 0),
        out_of_order=int(out_of_order),
        avg_service_seconds=sum(durations) / len(durations) if durations else None,
    )


def last_service(conn: Connection, hall: str, day: dt.date, window: str) -> Ticket | None:
    """The ticket whose service at `window` ended last today (for its 好差评 status)."""
    row = conn.execute(
        select(tickets)
        .join(calls, calls.c.ticket_id == tickets.c.id)
        .where(
            calls.c.hall == hall,
            calls.c.business_date == day,
            calls.c.window == window,
            calls.c.result.in_(SERVICE_RESULTS),
        )
        .order_by(calls.c.id.desc())
        .limit(1)
    ).first()
    return repo.ticket_from_row(row) if row else None


def recent_matters(conn: Connection, hall: str, day: dt.date, window: str) -> list[str]:
    """Matters recorded at `window` today, the latest first (the pad offers them first)."""
    latest = func.max(calls.c.id)  # call ids grow with time, also within one clock tick
    rows = conn.execute(
        select(tickets.c.matter, latest.label("last"))
        .join(calls, calls.c.ticket_id == tickets.c.id)
        .where(
            calls.c.hall == hall,
            calls.c.business_date == day,
            calls.c.window == window,
            calls.c.result.in_(SERVICE_RESULTS),
            tickets.c.matter.is_not(None),
        )
        .group_by(tickets.c.matter)
        .order_by(latest.desc())
        .limit(RECENT_MATTERS)
    )
    return [str(row.matter) for row in rows]


CARD = Fast(
    select(users.c.name, users.c.staff_no).where(users.c.username == bindparam("username"))
)  # every outcome reads it


def user_name(conn: Connection, username: str | None) -> str | None:
    """A staff member's display name (None for unknown users)."""
    card = staff_card(conn, username)
    return None if card is None else card["name"]


def staff_card(conn: Connection, username: str | None) -> dict[str, str | None] | None:
    """Name and 工号 of a staff member, as the window's evaluator shows them (None if unknown)."""
    if username is None:
        return None
    return card_from_rows(CARD.rows(conn, {"username": username}))


def card_from_rows(rows: list[tuple[Any, ...]]) -> dict[str, str | None] | None:
    """A staff card from the rows of CARD (None: no such user)."""
    return {"name": rows[0][0], "staff_no": rows[0][1]} if rows else None


def service_window(conn: Connection, ticket_id: str) -> tuple[str, str | None] | None:
    """(window, clerk) of the ticket's last call that ended a service, if any."""
    row = conn.execute(
        select(calls.c.window, calls.c.clerk)
        .where(calls.c.ticket_id == ticket_id, calls.c.result.in_(SERVICE_RESULTS))
        .order_by(calls.c.id.desc())
        .limit(1)
    ).first()
    return (row.window, row.clerk) if row else None
