"""过号重排: putting a no-show ticket back into its queue (DESIGN §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from server.domain.errors import Conflict
from server.domain.model import Queue, Ticket, TicketStatus


def check_requeue(ticket: Ticket, queue: Queue, now: dt.datetime, today: dt.date) -> None:
    """Raise `Conflict(requeue_not_allowed)` with the reason when 过号取号 is not allowed."""
    rule = queue.requeue
    # The day first: at day end an old 过号 becomes `expired`, which is still "another day".
    if ticket.business_date != today:
        raise Conflict("requeue_not_allowed", "票号仅当天有效，请重新取号", {"reason": "other_day"})
    if ticket.status is not TicketStatus.NO_SHOW:
        raise Conflict(
            "requeue_not_allowed", "该号码未过号，无需过号取号", {"reason": "not_no_show"}
        )
    if ticket.requeue_count >= rule.max_times:
        raise Conflict(
            "requeue_not_allowed",
            f"该号码已过号重排 {ticket.requeue_count} 次，已达上限，请重新取号",
            {"reason": "max_times", "max_times": rule.max_times},
        )
    if ticket.no_show_at is None or now - ticket.no_show_at > dt.timedelta(
        minutes=rule.within_minutes
    ):
        raise Conflict(
            "requeue_not_allowed",
            f"过号已超过 {rule.within_minutes} 分钟，请重新取号",
            {"reason": "too_old", "within_minutes": rule.within_minutes},
        )


def still_eligible(ticket: Ticket, queue: Queue, now: dt.datetime) -> bool:
    """True while a no-show ticket could still be requeued (it then counts as active)."""
    rule = queue.requeue
    return (
        ticket.status is TicketStatus.NO_SHOW
        and ticket.requeue_count < rule.max_times
        and ticket.no_show_at is not None
        and now - ticket.no_show_at <= dt.timedelta(minutes=rule.within_minutes)
    )


def requeue_rank(line: Sequence[int], after: int, new_arrival_rank: int) -> int:
    """Return a rank that places a ticket behind the first `after` ranks of a sorted `line`.

    `line` holds the ranks of the queue's waiting tickets in call order. With fewer than
    `after` waiting the ticket goes to the back, like a new arrival.
    """
    if after <= 0 and line:
        return line[0] - 1
    if len(line) <= after:
        return new_arrival_rank
    for lower, upper in zip(line[after - 1 :], line[after:], strict=False):
        if upper - lower > 1:
            return (lower + upper) // 2
    # Every gap behind the N-th ticket is used up: go to the back rather than jump ahead.
    return new_arrival_rank
