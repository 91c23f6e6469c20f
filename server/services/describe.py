"""Reading a ticket for people: windows that serve it, people ahead, minutes to wait."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Protocol

from server.domain.estimate import estimated_minutes, mean_service_minutes
from server.domain.layout import Layout
from server.domain.model import Ticket, TicketStatus, WindowStatus
from server.domain.policy import queue_order_key
from server.domain.transfer import fallback_minutes, stranded
from server.protocol.views import full_ticket
from server.security import ticket_secret
from server.services.context import Context
from server.store.tickets_repo import TicketsRepo
from server.store.windows_repo import WindowsRepo

ESTIMATE_SECONDS = 10.0


class Door(Protocol):
    """What describing a ticket reads: a unit of work's (or a hall transaction's) repositories."""

    @property
    def tickets(self) -> TicketsRepo:
        """Tickets."""

    @property
    def windows(self) -> WindowsRepo:
        """Windows."""


def progress_url(ctx: Context, ticket_id: str) -> str:
    """The ticket's secret progress page (printed as the stub's QR code)."""
    return f"{ctx.public_base_url}/t/{ticket_id}?s={ticket_secret(ctx.secret, ticket_id)}"


def describe(
    ctx: Context,
    repos: Door,
    layout: Layout,
    ticket: Ticket,
    *,
    staff: bool,
    today: dt.date,
    owner: bool = False,
    ahead: int | None = None,
) -> dict[str, Any]:
    """The full ticket JSON, with the waiting estimate computed now.

    `owner` is true only for whoever holds (or just received) the ticket's secret: the 201 of
    its issue, a caller that presented the secret, a kiosk after the citizen proved ownership.
    Everyone else gets `progress_url` (and, unless staff, `id_masked`) as null.

    `ahead` may be given when the caller already knows it (a new normal ticket stands
    behind everyone waiting), saving a count over the line.
    """
    windows = repos.windows.serving(ticket.hall)
    serving = [(code, status) for code, status, qs in windows if ticket.queue in qs]
    if _waits_for_window(ctx, layout, ticket, windows):
        # 转移 to a window: that window serves it, not every window of its queue.
        serving = [(c, s) for c, s in serving if c == ticket.target_window] or [
            (str(ticket.target_window), WindowStatus.CLOSED.value)
        ]
    minutes: int | None = None
    if ticket.status is not TicketStatus.WAITING or ticket.business_date != today:
        ahead = None
    else:
        if ahead is None:
            ahead = repos.tickets.count_ahead(ticket, queue_order_key(ticket)[0])
        open_count = sum(1 for _, status in serving if status == WindowStatus.OPEN.value)
        mean = _mean_service_minutes(ctx, repos, layout, ticket.queue, today)
        minutes = estimated_minutes(ahead, mean, open_count or len(serving))
    return full_ticket(
        ticket,
        layout,
        windows=[code for code, _ in serving],
        waiting_ahead=ahead,
        estimated_wait_min=minutes,
        progress_url=progress_url(ctx, ticket.id) if owner else None,
        staff=staff,
        owner=owner,
    )


def _waits_for_window(
    ctx: Context, layout: Layout, ticket: Ticket, windows: list[tuple[str, str, list[str]]]
) -> bool:
    """True while a ticket sent to a window is still for that window alone."""
    if ticket.target_window is None or ticket.status is not TicketStatus.WAITING:
        return False
    open_windows = {code for code, status, _ in windows if status == WindowStatus.OPEN.value}
    return not stranded(ticket, open_windows, ctx.clock(), fallback_minutes(layout.settings))


def _mean_service_minutes(
    ctx: Context, repos: Door, layout: Layout, queue: str, today: dt.date
) -> float:
    # An estimate in minutes need not be fresher than a few seconds; cached per queue.
    key = (layout.code, today.isoformat(), queue)
    hit = ctx.estimates.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[1] < ESTIMATE_SECONDS:
        return hit[0]
    configured = layout.queues[queue].service_minutes if queue in layout.queues else 5.0
    durations = repos.tickets.service_durations(layout.code, today, queue)
    mean = mean_service_minutes(durations, configured)
    ctx.estimates[key] = (mean, now)
    return mean
