"""Time-driven work: day end (expire yesterday's tickets, close windows) and tidal schedules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import delete, select, update

from server.domain import lifecycle
from server.domain.events import EventType
from server.domain.model import TicketStatus, WindowStatus
from server.domain.numbering import local_time
from server.protocol.views import public_ticket, window_view
from server.services import idempotency
from server.services.context import Context, HallTx, run_in_hall
from server.services.windows import change_queues
from server.store import repo
from server.store.tables import events, halls, tickets, windows


def close_day(ctx: Context, hall: str, keep_days: int = 7) -> int:
    """Expire tickets left from earlier business days and close windows; returns expirations.

    Runs once per business day and hall (idempotent); tickets ended as 过号 stay 过号.
    """

    def work(tx: HallTx) -> int:
        closed = tx.conn.execute(select(halls.c.closed_date).where(halls.c.code == hall)).scalar()
        if closed == tx.today:
            return 0
        rows = tx.conn.execute(
            select(tickets).where(
                tickets.c.hall == hall,
                tickets.c.business_date < tx.today,
                tickets.c.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]),
            )
        )
        stale = [repo.ticket_from_row(r) for r in rows]
        for before in stale:
            ticket = lifecycle.expire(before, tx.now)
            tx.save_ticket(before, ticket)
            repo.end_call(tx.conn, ticket.id, "expired", tx.now)
            tx.emit(EventType.TICKET_EXPIRED, ticket=public_ticket(ticket, tx.layout))
        for window in repo.list_windows(tx.conn, hall):
            if window.status is not WindowStatus.CLOSED or window.current_ticket:
                window = replace(
                    window,
                    status=WindowStatus.CLOSED,
                    clerk=None,
                    current_ticket=None,
                    paused_reason=None,
                    normal_since_green=0,
                )
                repo.save_window(tx.conn, hall, window)
                tx.emit(EventType.WINDOW_CLOSED, window=window_view(window, None))
        tx.conn.execute(update(halls).where(halls.c.code == hall).values(closed_date=tx.today))
        horizon = tx.now - dt.timedelta(days=keep_days)
        tx.conn.execute(delete(events).where(events.c.hall == hall, events.c.at < horizon))
        idempotency.prune(tx)
        return len(stale)

    result: int = run_in_hall(ctx, hall, work)
    return result


def apply_schedules(ctx: Context, hall: str) -> list[str]:
    """Apply each tidal window's schedule entry that is due; returns the windows changed."""

    def work(tx: HallTx) -> list[str]:
        now = local_time(tx.now, tx.layout.timezone)
        changed = []
        rows = tx.conn.execute(
            select(windows).where(windows.c.hall == hall, windows.c.active.is_(True))
        ).all()
        for row in rows:
            due = [
                (at, qs)
                for at, qs in row.config.get("schedule", [])
                if dt.time.fromisoformat(at) <= now
            ]
            if not due:
                continue
            at, queues = due[-1]
            mark = f"{tx.today.isoformat()}T{at}"
            if row.schedule_mark == mark:
                continue
            tx.conn.execute(
                update(windows)
                .where(windows.c.hall == hall, windows.c.code == row.code)
                .values(schedule_mark=mark)
            )
            if list(row.queues) != list(queues):
                change_queues(tx, repo.window_from_row(row), list(queues))
                changed.append(row.code)
        return changed

    result: list[str] = run_in_hall(ctx, hall, work)
    return result


def halls_in_store(ctx: Context) -> list[str]:
    """Codes of every hall in the store."""
    with ctx.db.read() as conn:
        return [r for (r,) in conn.execute(select(halls.c.code))]
