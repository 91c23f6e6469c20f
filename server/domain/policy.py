"""Call-next policies: which waiting ticket a window calls next (DESIGN §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from server.domain.model import CallPolicy, GreenMode, Priority, Ticket, TicketStatus, Window
from server.domain.stepback import is_away

# Appointments count as due from 15 minutes before their slot starts (check-in tolerance).
APPOINTMENT_EARLY = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Choice:
    """The ticket a window calls and the window's green-channel counter afterwards."""

    ticket: Ticket
    normal_since_green: int


def eligible(window: Window, tickets: Iterable[Ticket]) -> list[Ticket]:
    """Return the waiting tickets this window may call, in no particular order."""
    served = set(window.queues)
    return [
        t
        for t in tickets
        if t.status is TicketStatus.WAITING
        and (t.target_window == window.code or (t.target_window is None and t.queue in served))
    ]


def choose_next(window: Window, waiting: Sequence[Ticket], now: dt.datetime) -> Choice | None:
    """Pick the next ticket for `window` among `waiting`, or None when nothing is eligible.

    Order: tickets transferred to this very window, tickets transferred into its queues,
    appointments that are due, then green channel per the window's mode, then normal
    tickets per the window's policy.
    """
    # 暂离：an away ticket keeps its place but is not called until back (or timed out).
    candidates = [t for t in eligible(window, waiting) if not is_away(t, now)]
    if not candidates:
        return None
    for group in (
        [t for t in candidates if t.target_window == window.code],
        [t for t in candidates if t.transferred and t.target_window is None],
        [t for t in candidates if _appointment_due(t, now)],
    ):
        if group:
            return Choice(min(group, key=_by_rank), window.normal_since_green)
    green = [t for t in candidates if t.priority is Priority.GREEN]
    normal = [t for t in candidates if t.priority is not Priority.GREEN]
    if green and _green_turn(window, bool(normal)):
        return Choice(min(green, key=_by_rank), 0)
    if not normal:
        return None
    return Choice(_by_policy(window, normal, now), window.normal_since_green + 1)


def _green_turn(window: Window, normal_waiting: bool) -> bool:
    if window.green_mode is GreenMode.FIRST or not normal_waiting:
        return True
    return window.normal_since_green >= window.green_interleave


def _by_policy(window: Window, normal: list[Ticket], now: dt.datetime) -> Ticket:
    if window.policy is CallPolicy.ORDERED:
        for queue in window.queues:
            in_queue = [t for t in normal if t.queue == queue]
            if in_queue:
                return min(in_queue, key=_by_rank)
    if window.policy is CallPolicy.WEIGHTED:
        # Waiting time scaled by the queue's weight: a heavier queue is served sooner, but a
        # light queue's ticket still wins once it has waited long enough, so none starves.
        return max(normal, key=lambda t: (_waited(t, now) * window.weight(t.queue), -t.rank))
    return min(normal, key=_by_rank)


def _appointment_due(ticket: Ticket, now: dt.datetime) -> bool:
    if ticket.priority is not Priority.APPOINTMENT or ticket.appointment_start is None:
        return False
    return now >= ticket.appointment_start - APPOINTMENT_EARLY


def _waited(ticket: Ticket, now: dt.datetime) -> float:
    return max((now - ticket.issued_at).total_seconds(), 0.0) + 1.0


def _by_rank(ticket: Ticket) -> int:
    return ticket.rank


NORMAL_CLASS = 3


def queue_order_key(ticket: Ticket) -> tuple[int, int]:
    """Sort key of a queue's waiting line as people see it: priority classes, then arrival."""
    if ticket.target_window is not None or ticket.transferred:
        klass = 0
    elif ticket.priority is Priority.APPOINTMENT:
        klass = 1
    elif ticket.priority is Priority.GREEN:
        klass = 2
    else:
        klass = NORMAL_CLASS
    return (klass, ticket.rank)
