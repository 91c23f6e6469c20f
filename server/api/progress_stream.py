"""The progress page's server-sent events: the ticket's state at once, then as it changes.

Fed by the hall's in-process hub (which the PostgreSQL relay feeds across workers). The
ticket's own events reach the page straight from the event (a call shows within the
event's fan-out); other events of the hall refresh people ahead at most once a second.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from server.api.deps import Services
from server.protocol.events import CALL_EVENTS
from server.services import progress

KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing an idle stream
REFRESH_S = 1.0  # people ahead are recomputed at most this often per page
RETRY_MS = 1000  # how soon the browser reconnects after losing the stream
_TRANSFER = '"type":"ticket.transferred"'  # leaves one line for another


async def _refresh(
    lines: progress.Lines, state: progress.PageState, hall: str, seq: int
) -> progress.PageState:
    """People ahead from the shared line; one page reads a stale line while the rest wait."""
    if not lines.fresh(hall, state.queue, seq):
        lock = lines.waits.setdefault((hall, state.queue), asyncio.Lock())
        async with lock:
            if not lines.fresh(hall, state.queue, seq):
                await run_in_threadpool(lines.ahead, hall, state.queue, seq, state.key)
    return progress.refreshed(lines, state, hall, seq)  # from the line in hand: no read


def lines_of(services: Services) -> progress.Lines:
    """The process's shared queue lines (made on first use)."""
    lines = getattr(services, "progress_lines", None)
    if lines is None:
        lines = progress.Lines(services.ctx)
        services.progress_lines = lines  # type: ignore[attr-defined]
    return lines


def message(view: dict[str, Any]) -> str:
    """One SSE message carrying the page's state."""
    return "data: " + json.dumps(view, ensure_ascii=False, separators=(",", ":")) + "\n\n"


def _merge(view: dict[str, Any], text: str, ticket_id: str) -> dict[str, Any]:
    """The view with the ticket's new public state from its own event (no store read)."""
    try:
        ticket = json.loads(text).get("ticket") or {}
    except ValueError:
        return view
    if ticket.get("id") != ticket_id:
        return view
    merged = {**view, **{k: v for k, v in ticket.items() if k in progress.PAGE_FIELDS}}
    if merged.get("status") != "waiting":
        merged["waiting_ahead"] = merged["estimated_wait_min"] = None
    return merged


def _is_call(text: str) -> bool:
    """Whether an event calls (or recalls) its ticket (a cheap look, no parsing)."""
    return any(f'"type":"{kind.value}"' in text for kind in CALL_EVENTS)


def _moves(text: str, queue: str) -> bool:
    """Whether an event may change a waiting line of `queue` (a cheap look, no parsing)."""
    return f'"queue":"{queue}"' in text or '"type":"window.' in text or _TRANSFER in text


async def stream_ticket(services: Services, ticket_id: str, hall: str) -> AsyncIterator[str]:
    """Yield the page's SSE lines until the browser goes away."""
    ctx, lines = services.ctx, lines_of(services)
    sub = services.hub.subscribe(hall)
    getter: asyncio.Future[tuple[int, str]] | None = None
    try:
        state = await run_in_threadpool(progress.load, ctx, ticket_id)
        shown = message(state.view)
        yield f"retry: {RETRY_MS}\n\n" + shown
        seq, due, last = 0, None, 0.0
        while True:
            wait = KEEPALIVE_S if due is None else max(0.0, due - progress.monotonic())
            # One getter outlives the timeouts: cancelling a get that just won would drop it.
            getter = getter or asyncio.ensure_future(sub.inbox.get())
            done, _ = await asyncio.wait({getter}, timeout=wait)
            items: list[tuple[int, str]] = []
            if done:
                items.append(getter.result())
                getter = None
                while not sub.inbox.empty():
                    items.append(sub.inbox.get_nowait())
            if sub.overflowed:  # fell behind: start afresh from the store
                services.hub.unsubscribe(sub)
                sub = services.hub.subscribe(hall)
                if getter is not None:
                    getter.cancel()
                    getter = None
                items.append((seq, ticket_id))
            own = [text for s, text in items if ticket_id in text]
            seq = max([seq, *(s for s, _ in items)])
            # Only events of its own queue (or of windows) move the page's line.
            items = [(s, text) for s, text in items if _moves(text, state.queue)]
            if own:
                # The call goes out at once from its event; every other change of the ticket
                # waits for the read below (an event lacks what the page derives, e.g. 追评).
                quick = state.view
                for text in own:
                    if _is_call(text):
                        quick = _merge(quick, text, ticket_id)
                if message(quick) != shown:
                    shown = message(quick)
                    yield shown
                state = await run_in_threadpool(progress.load, ctx, ticket_id)
                due = None
            elif items and state.waiting and due is None:
                due = max(progress.monotonic(), last + REFRESH_S)
            if due is not None and progress.monotonic() >= due:
                # read as of the newest event here: every page behind it shares the read
                state = await _refresh(lines, state, hall, max(seq, services.hub.last_seq(hall)))
                due, last = None, progress.monotonic()
            if message(state.view) != shown:
                shown = message(state.view)
                yield shown
            elif not items and due is None:
                yield ": keepalive\n\n"
    finally:
        if getter is not None:
            getter.cancel()
        services.hub.unsubscribe(sub)
