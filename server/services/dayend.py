"""Time-driven work: day end (expire yesterday's tickets, close windows) and tidal schedules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from server.domain import lifecycle
from server.domain.events import EventType
from server.domain.model import WindowStatus
from server.domain.numbering import local_time
from server.protocol.views import public_ticket, window_view
from server.services import idempotency, outbox_delivery
from server.services.context import Context, HallTx, run_in_hall
from server.services.windows import change_queues


def close_day(ctx: Context, hall: str, keep_days: int = 7) -> int:
    """Expire tickets left from earlier business days and close windows; returns expirations.

    Runs once per business day and hall (idempotent); tickets ended as 过号 stay 过号.
    """

    def work(tx: HallTx) -> int:
        if tx.halls.closed_date(hall) == tx.today:
            return 0
        stale = tx.tickets.left_before(hall, tx.today)
        for before in stale:
            ticket = lifecycle.expire(before, tx.now)
            tx.save_ticket(before, ticket)
            tx.tickets.end_call(ticket.id, "expired", tx.now)
            tx.emit(EventType.TICKET_EXPIRED, ticket=public_ticket(ticket, tx.layout))
        for window in tx.windows.in_hall(hall):
            if window.status is not WindowStatus.CLOSED or window.current_ticket:
                window = replace(
                    window,
                    status=WindowStatus.CLOSED,
                    clerk=None,
                    current_ticket=None,
                    paused_reason=None,
                    normal_since_green=0,
                )
                tx.windows.save(hall, window)
                tx.emit(EventType.WINDOW_CLOSED, window=window_view(window, None))
        # SMS alert numbers are kept for the business day only (docs/notify.md).
        tx.repos.notify.forget_before(hall, tx.today)
        tx.halls.mark_closed(hall, tx.today)
        keep_after = outbox_delivery.guard_prune(tx.repos, hall, tx.now)
        tx.events.prune(hall, tx.now - dt.timedelta(days=keep_days), keep_after)
        idempotency.prune(tx)
        return len(stale)

    result: int = run_in_hall(ctx, hall, work)
    return result


def apply_schedules(ctx: Context, hall: str) -> list[str]:
    """Apply each tidal window's schedule entry that is due; returns the windows changed."""

    def work(tx: HallTx) -> list[str]:
        now = local_time(tx.now, tx.layout.timezone)
        changed = []
        for window, schedule, applied in tx.windows.schedules(hall):
            due = [(at, qs) for at, qs in schedule if dt.time.fromisoformat(at) <= now]
            if not due:
                continue
            at, queues = due[-1]
            mark = f"{tx.today.isoformat()}T{at}"
            if applied == mark:
                continue
            tx.windows.mark_schedule(hall, window.code, mark)
            if list(window.queues) != list(queues):
                change_queues(tx, window, list(queues))
                changed.append(window.code)
        return changed

    result: list[str] = run_in_hall(ctx, hall, work)
    return result


def schedule_times(ctx: Context, hall: str) -> list[str]:
    """The local times ("09:00") of every tidal schedule entry of the hall, sorted."""
    with ctx.units.read() as repos:
        schedules = repos.windows.schedules(hall)
    return sorted({at for _, schedule, _ in schedules for at, _ in schedule})


def halls_in_store(ctx: Context) -> list[str]:
    """Codes of every hall in the store."""
    with ctx.units.read() as repos:
        return repos.halls.codes()
