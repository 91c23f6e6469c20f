"""转移 rules: which windows receive a transfer, and when a ticket stops waiting for one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from server.domain.model import Ticket, TicketStatus, Window, WindowStatus

DEFAULT_FALLBACK_MINUTES = 10


def fallback_minutes(settings: Mapping[str, Any]) -> int:
    """The hall's `transfer_fallback_minutes` (from its settings)."""
    return int(settings.get("transfer_fallback_minutes", DEFAULT_FALLBACK_MINUTES))


def receives_transfers(window: Window) -> bool:
    """True when a clerk is serving at the window (signed in, not paused) and it has queues."""
    return window.status is WindowStatus.OPEN and bool(window.queues)


def stranded(ticket: Ticket, open_windows: Iterable[str], now: dt.datetime, minutes: int) -> bool:
    """True when a ticket sent to a window has waited `minutes` and that window is not open.

    Such a ticket may then be called by any window of its queue, so a window nobody opens
    never strands a citizen (the ticket keeps its place at the head of the queue).
    """
    if ticket.status is not TicketStatus.WAITING or ticket.target_window is None:
        return False
    if ticket.target_window in set(open_windows):
        return False
    since = ticket.transferred_at or ticket.issued_at
    return now - since >= dt.timedelta(minutes=minutes)


def release_stranded(
    tickets: Sequence[Ticket], open_windows: Iterable[str], now: dt.datetime, minutes: int
) -> list[Ticket]:
    """The tickets as the windows of their queue see them: stranded ones lose their target."""
    serving = set(open_windows)
    return [
        replace(t, target_window=None) if stranded(t, serving, now, minutes) else t for t in tickets
    ]
