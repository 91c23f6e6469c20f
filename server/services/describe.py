"""Reading a ticket for people: windows that serve it, people ahead, minutes to wait."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from server.domain.estimate import estimated_minutes, mean_service_minutes
from server.domain.model import Ticket, TicketStatus, Window, WindowStatus
from server.domain.policy import queue_order_key
from server.protocol.views import full_ticket
from server.security import ticket_secret
from server.services.context import Context
from server.store import repo
from server.store.layout import Layout


def serving_windows(windows: list[Window], queue: str) -> list[Window]:
    """Windows whose served queues include `queue`, in display order."""
    return [w for w in windows if queue in w.queues]


def progress_url(ctx: Context, ticket_id: str) -> str:
    """The ticket's secret progress page (printed as the stub's QR code)."""
    return f"{ctx.public_base_url}/t/{ticket_id}?s={ticket_secret(ctx.secret, ticket_id)}"


def describe(
    ctx: Context,
    conn: Connection,
    layout: Layout,
    ticket: Ticket,
    *,
    staff: bool,
    today: dt.date,
    windows: list[Window] | None = None,
) -> dict[str, Any]:
    """The full ticket JSON, with the waiting estimate computed now."""
    if windows is None:
        windows = repo.list_windows(conn, ticket.hall)
    serving = serving_windows(windows, ticket.queue)
    ahead: int | None = None
    minutes: int | None = None
    if ticket.status is TicketStatus.WAITING and ticket.business_date == today:
        ahead = repo.count_ahead(conn, ticket, queue_order_key(ticket)[0])
        queue = layout.queues.get(ticket.queue)
        default = queue.service_minutes if queue else 5.0
        mean = mean_service_minutes(
            repo.service_durations(conn, ticket.hall, today, ticket.queue), default
        )
        open_count = sum(1 for w in serving if w.status is WindowStatus.OPEN)
        minutes = estimated_minutes(ahead, mean, open_count or len(serving))
    return full_ticket(
        ticket,
        layout,
        windows=[w.code for w in serving],
        waiting_ahead=ahead,
        estimated_wait_min=minutes,
        progress_url=progress_url(ctx, ticket.id),
        staff=staff,
    )
