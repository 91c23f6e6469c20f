"""The live feed's read side: snapshots, backlogs after a seq, and the hall layout."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from server.domain.layout import Layout
from server.domain.model import TicketStatus, Window
from server.domain.numbering import business_date
from server.domain.records import Device
from server.protocol.views import iso, public_ticket, window_view
from server.services.context import Context
from server.store.unit import Repositories

PAGE = 500


def snapshot(ctx: Context, hall: str) -> dict[str, Any]:
    """The hall's current state and the seq it reflects (one consistent read)."""
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        seq = repos.events.last_seq(hall)
        now = ctx.clock()
        today = business_date(now, layout.timezone)
        live = repos.tickets.in_states(hall, today, (TicketStatus.WAITING, TicketStatus.CALLED))
        numbers = {t.id: t.number for t in live}
        windows = repos.windows.in_hall(hall)
        counts = repos.tickets.waiting_by_queue(hall, today)
        return {
            "seq": seq,
            "type": "snapshot",
            "at": iso(now),
            "hall": hall,
            "hall_name": layout.name,
            "business_date": today.isoformat(),
            "notice": layout.settings.get("notice", ""),
            "windows": [window_view(w, numbers.get(w.current_ticket or "")) for w in windows],
            "queue_counts": {q: counts.get(q, 0) for q in layout.queues},
            "tickets": [public_ticket(t, layout) for t in live],
            "recent_calls": _recent_calls(repos, layout, today),
            "devices": [_device_view(d) for d in repos.devices.active(hall)],
        }


def snapshot_text(ctx: Context, hall: str) -> tuple[int, str]:
    """The snapshot as JSON text, built once per hall and seq however many clients ask.

    Every change appends an event, so the seq pins the state: when all screens of a hall
    reconnect at once (a server restart), one snapshot serves them all.
    """
    with ctx.snapshot_lock(hall):
        with ctx.units.read() as repos:
            seq = repos.events.last_seq(hall)
        cached = ctx.snapshots.get(hall)
        if cached is not None and cached[0] == seq:
            return cached
        snap = snapshot(ctx, hall)
        entry = (int(snap["seq"]), json.dumps(snap, ensure_ascii=False, separators=(",", ":")))
        ctx.snapshots[hall] = entry
        return entry


def backlog(ctx: Context, hall: str, since: int | None) -> tuple[dict[str, Any] | None, int]:
    """How a polling client catches up: (a snapshot, its seq) or (None, since)."""
    if not needs_snapshot(ctx, hall, since):
        return None, int(since or 0)
    snap = snapshot(ctx, hall)
    return snap, int(snap["seq"])


def needs_snapshot(ctx: Context, hall: str, since: int | None) -> bool:
    """True when a client at `since` cannot catch up from the log alone."""
    if since is None:
        return True
    with ctx.units.read() as repos:
        ctx.layout_of(repos, hall)
        last = repos.events.last_seq(hall)
        first = repos.events.first_kept_seq(hall)
    too_old = first is not None and since < first - 1
    return not (0 <= since <= last) or too_old


def events_after(ctx: Context, hall: str, since: int, limit: int = PAGE) -> list[tuple[int, str]]:
    """A page of logged events after `since`."""
    with ctx.units.read() as repos:
        return repos.events.after(hall, since, limit)


def poll(ctx: Context, hall: str, since: int | None, limit: int) -> dict[str, Any]:
    """The polling fallback: events after `since` (or a snapshot when it is too old)."""
    snap, after = backlog(ctx, hall, since)
    if snap is not None:
        return {"snapshot": snap, "events": [], "last_seq": after}
    page = events_after(ctx, hall, after, limit)
    return {
        "snapshot": None,
        "events": [json.loads(text) for _, text in page],
        "last_seq": page[-1][0] if page else after,
    }


def hall_view(ctx: Context, hall: str) -> dict[str, Any]:
    """GET /halls/{hall}: areas, queues, windows, matters, guide tree and waiting counts."""
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        today = business_date(ctx.clock(), layout.timezone)
        windows = repos.windows.in_hall(hall)
        counts = repos.tickets.waiting_by_queue(hall, today)
        numbers = _current_numbers(repos, windows)
        return {
            "code": layout.code,
            "name": layout.name,
            "timezone": layout.timezone,
            "business_date": today.isoformat(),
            "seq": repos.events.last_seq(hall),
            "settings": layout.settings,
            "areas": [{"code": c, "name": n} for c, n in layout.areas],
            "queues": [_queue_view(layout, q, windows, counts) for q in layout.queues],
            "windows": [window_view(w, numbers.get(w.code)) for w in windows],
            "matters": [
                {"code": m.code, "name": m.name, "queue": m.queue, "department": m.department}
                for m in layout.matters.values()
            ],
            "guide": layout.guide,
            "waiting_counts": {q: counts.get(q, 0) for q in layout.queues},
        }


def _queue_view(
    layout: Layout, code: str, windows: list[Window], counts: dict[str, int]
) -> dict[str, Any]:
    q = layout.queues[code]
    return {
        "code": q.code,
        "name": q.name,
        "prefix": q.prefix,
        "area": q.area,
        "kind": q.kind.value,
        "green_channel": q.green_channel,
        "hours": [f"{s:%H:%M}-{e:%H:%M}" for s, e in q.hours],
        "alert_waiting": q.alert_waiting,
        "appointments": q.appointment_capacity > 0,
        "appointment_slot_minutes": q.appointment_slot_minutes,
        "windows": [w.code for w in windows if code in w.queues],
        "waiting": counts.get(code, 0),
    }


def _current_numbers(repos: Repositories, windows: list[Window]) -> dict[str, str]:
    by_id = repos.tickets.numbers([w.current_ticket for w in windows if w.current_ticket])
    return {w.code: by_id[w.current_ticket] for w in windows if w.current_ticket in by_id}


def _recent_calls(repos: Repositories, layout: Layout, today: dt.date) -> list[dict[str, Any]]:
    limit = int(layout.settings.get("recent_calls", 8))
    return [
        {"window": window, "called_at": iso(at), "ticket": public_ticket(ticket, layout)}
        for window, at, ticket in repos.tickets.recent_calls(layout.code, today, limit)
    ]


def _device_view(d: Device) -> dict[str, Any]:
    return {
        "id": d.id,
        "kind": d.kind,
        "name": d.name,
        "status": d.status,
        "detail": d.detail,
        "window": d.window,
        "status_at": iso(d.status_at),
    }
