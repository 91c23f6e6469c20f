"""The citizen's live progress page: the ticket's public state, recomputed as the hall moves.

A page holds one ticket; its `waiting_ahead` changes with other tickets' events. The line of a
queue is read once per hall event for every page that follows it (`Lines`), so a thousand open
pages cost one query per event, not a thousand.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from server.domain.estimate import estimated_minutes
from server.domain.model import Ticket, TicketStatus, WindowStatus
from server.domain.numbering import business_date
from server.domain.policy import queue_order_key
from server.services import ratings
from server.services.context import Context
from server.services.describe import _mean_service_minutes, describe

# The fields of the ticket a progress page shows (a subset of the ticket JSON: public state).
PAGE_FIELDS = (
    "id",
    "hall",
    "hall_name",
    "number",
    "queue",
    "queue_name",
    "matter_name",
    "windows",
    "status",
    "window",
    "outcome",
    "waiting_ahead",
    "estimated_wait_min",
    "issued_at",
    "called_at",
    "call_count",
    "recalls",
    "applicant_masked",
    "requeue_count",
    "transferred",
    "target_window",
    "away_until",
    "step_backs",
    "evaluation_requested",
    "evaluation_level",
    "rating_reasons",
    "followup_rating",
)


@dataclass(frozen=True)
class PageState:
    """What the page shows, and what the stream needs to keep it current cheaply."""

    view: dict[str, Any]
    queue: str
    key: tuple[int, int]  # the ticket's place in its line (class, rank)
    waiting: bool
    today: dt.date


def page_view(view: dict[str, Any], notice: str, sms: bool) -> dict[str, Any]:
    """The page's message: the ticket's public state, the hall's notice line, the SMS opt-in."""
    page = {name: view.get(name) for name in PAGE_FIELDS if name in view}
    page["notice"] = notice
    page["sms"] = sms
    return page


def load(ctx: Context, ticket_id: str) -> PageState:
    """The page state read now (a page's first message, and after its own ticket changed)."""
    with ctx.units.read() as repos:
        ticket = repos.tickets.get(ticket_id)
        if ticket is None:
            from server.domain.errors import NotFound

            raise NotFound("unknown_ticket", "没有找到该票号")
        layout = ctx.layout_of(repos, ticket.hall)
        today = business_date(ctx.clock(), layout.timezone)
        view = describe(ctx, repos, layout, ticket, staff=False, today=today)
        # The stream is the owner's: it offers the 追评 as the owner's GET does.
        view["followup_rating"] = ratings.followup_view(repos, layout, ticket, ctx.clock())
        sms = repos.notify.phone_of(ticket.id) is not None
        notice = str(layout.settings.get("notice") or "")
        return PageState(
            view=page_view(view, notice, sms),
            queue=ticket.queue,
            key=queue_order_key(ticket),
            waiting=_counted(ticket, today),
            today=today,
        )


def _counted(ticket: Ticket, today: dt.date) -> bool:
    return ticket.status is TicketStatus.WAITING and ticket.business_date == today


@dataclass
class _Line:
    seq: int
    keys: list[tuple[int, int]]
    mean: float
    open_windows: int
    serving: int


class Lines:
    """Per process: each queue's waiting line as of a hall seq, shared by every open page."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._lines: dict[tuple[str, str], _Line] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self.reads = 0  # how many times a line was read (tests and the bench look)
        # The server loop's asyncio locks, one per line: one page reads, the others wait.
        self.waits: dict[tuple[str, str], Any] = {}

    def ahead(self, hall: str, queue: str, seq: int, key: tuple[int, int]) -> tuple[int, int]:
        """(people ahead, minutes) of a ticket with `key`, from the line as of `seq` or later."""
        line = self._line(hall, queue, seq)
        ahead = bisect.bisect_left(line.keys, key)
        minutes = estimated_minutes(ahead, line.mean, line.open_windows or line.serving)
        return ahead, minutes

    def fresh(self, hall: str, queue: str, seq: int) -> bool:
        """True when the line as of `seq` (or later) is in hand: no read needed."""
        line = self._lines.get((hall, queue))
        return line is not None and line.seq >= seq

    def _line(self, hall: str, queue: str, seq: int) -> _Line:
        slot = (hall, queue)
        line = self._lines.get(slot)
        if line is not None and line.seq >= seq:
            return line
        with self._guard:
            lock = self._locks.setdefault(slot, threading.Lock())
        with lock:  # one thread reads the line; the pages waiting for it share the answer
            line = self._lines.get(slot)
            if line is None or line.seq < seq:
                line = self._lines[slot] = self._read(hall, queue, seq)
            return line

    def _read(self, hall: str, queue: str, seq: int) -> _Line:
        self.reads += 1
        with self.ctx.units.read() as repos:
            layout = self.ctx.layout_of(repos, hall)
            today = business_date(self.ctx.clock(), layout.timezone)
            waiting = repos.tickets.waiting_for(hall, today, [queue], None)
            keys = sorted(queue_order_key(t) for t in waiting if t.queue == queue)
            windows = [w for w in repos.windows.serving(hall) if queue in w[2]]
            opened = sum(1 for _, status, _ in windows if status == WindowStatus.OPEN.value)
            mean = _mean_service_minutes(self.ctx, repos, layout, queue, today)
        return _Line(seq, keys, mean, opened, len(windows))


def refreshed(lines: Lines, state: PageState, hall: str, seq: int) -> PageState:
    """The state with people ahead and minutes recomputed from the shared line."""
    if not state.waiting:
        return state
    ahead, minutes = lines.ahead(hall, state.queue, seq, state.key)
    view = {**state.view, "waiting_ahead": ahead, "estimated_wait_min": minutes}
    return PageState(view, state.queue, state.key, state.waiting, state.today)


def monotonic() -> float:
    """The stream's throttle clock (a seam for tests)."""
    return time.monotonic()
