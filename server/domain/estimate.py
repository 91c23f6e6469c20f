"""Waiting estimates: people ahead (exact) and minutes (from service times and open windows)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from server.domain.model import Ticket
from server.domain.policy import queue_order_key


def people_ahead(ticket: Ticket, line: Sequence[Ticket]) -> int:
    """Count waiting tickets of the same queue that stand before `ticket` in its line."""
    key = queue_order_key(ticket)
    return sum(1 for t in line if t.id != ticket.id and queue_order_key(t) < key)


def estimated_minutes(ahead: int, service_minutes: float, windows_serving: int) -> int:
    """Estimate minutes until the call: the people ahead shared among the serving windows.

    `service_minutes` is the mean of recent services in the queue (or its configured
    default); `windows_serving` counts open windows that serve the queue, at least one.
    """
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service_minutes / max(windows_serving, 1))


def mean_service_minutes(durations_s: Sequence[float], default: float) -> float:
    """Mean of recent service durations in minutes, or the default when there are none."""
    useful = [d for d in durations_s if d > 0]
    if not useful:
        return default
    return sum(useful) / len(useful) / 60.0
