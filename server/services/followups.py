"""差评整改：list, show, record 回访 and 整改，close; every step one transaction and one event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from server.domain import followups
from server.domain.errors import Invalid, NotFound
from server.domain.events import EventType
from server.domain.followups import Followup
from server.domain.lifecycle import EVALUATION_LEVELS
from server.domain.numbering import business_date
from server.protocol.views import iso
from server.services.context import Context, HallTx, run_in_hall
from server.services.ratings import event_body

STATUSES = ("open", "closed", "overdue")


def hall_minute(at: dt.datetime | None, timezone: str) -> str | None:
    """A time as people in the hall read it: 2026-12-06 08:36."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if at else None


def view(item: Followup, names: dict[str, str], timezone: str, today: dt.date) -> dict[str, Any]:
    """An item as the supervisor API and the admin page show it."""
    return {
        "id": item.id,
        "ticket": item.ticket_id,
        "number": item.number,
        "business_date": item.business_date.isoformat(),
        "window": item.window,
        "clerk": item.clerk,
        "clerk_name": names.get(item.clerk or "", item.clerk),
        "matter": item.matter,
        "level": item.level,
        "level_label": EVALUATION_LEVELS.get(item.level, str(item.level)),
        "reasons": list(item.reasons),
        "comment": item.comment,
        "opened_at": iso(item.opened_at),
        "opened_local": hall_minute(item.opened_at, timezone),
        "deadline": item.deadline.isoformat(),
        "status": item.status,
        "overdue": item.overdue(today),
        "callback": item.callback,
        "rectification": item.rectification,
        "closed_at": iso(item.closed_at),
        "closed_local": hall_minute(item.closed_at, timezone),
        "closed_by": item.closed_by,
        "close_note": item.close_note,
    }


def list_followups(ctx: Context, hall: str, status: str | None) -> dict[str, Any]:
    """GET …/followups?status=open|closed|overdue: the hall's items, earliest deadline first."""
    if status is not None and status not in STATUSES:
        raise Invalid(
            "invalid_status", "状态应为 open、closed 或 overdue", {"allowed": list(STATUSES)}
        )
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        today = business_date(ctx.clock(), layout.timezone)
        if status == "overdue":
            items = repos.followups.overdue(hall, today)
        else:
            items = repos.followups.of_hall(hall, status)
        names = _clerk_names(repos, items)
    rows = [view(i, names, layout.timezone, today) for i in items]
    return {
        "hall": hall,
        "items": rows,
        "open": sum(1 for r in rows if r["status"] == "open"),
        "overdue": sum(1 for r in rows if r["overdue"]),
    }


def show_followup(ctx: Context, hall: str, item_id: int) -> dict[str, Any]:
    """GET …/followups/{id}."""
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        item = _get(repos.followups.get(hall, item_id))
        names = _clerk_names(repos, [item])
    return view(item, names, layout.timezone, business_date(ctx.clock(), layout.timezone))


def record_callback(
    ctx: Context, hall: str, item_id: int, reached: bool, note: str, by: str
) -> dict[str, Any]:
    """POST …/followups/{id}/callback：回访 (reached or not, what was said)."""
    return _step(
        ctx,
        hall,
        item_id,
        EventType.FOLLOWUP_CALLED_BACK,
        lambda item, tx: followups.record_callback(item, reached, note, by, iso(tx.now) or ""),
    )


def record_rectification(
    ctx: Context, hall: str, item_id: int, note: str, by: str
) -> dict[str, Any]:
    """POST …/followups/{id}/rectification：整改 (what was done)."""
    return _step(
        ctx,
        hall,
        item_id,
        EventType.FOLLOWUP_RECTIFIED,
        lambda item, tx: followups.record_rectification(item, note, by, iso(tx.now) or ""),
    )


def close_followup(
    ctx: Context, hall: str, item_id: int, note: str | None, by: str
) -> dict[str, Any]:
    """POST …/followups/{id}/close: done once 回访 and 整改 are recorded."""
    return _step(
        ctx,
        hall,
        item_id,
        EventType.FOLLOWUP_CLOSED,
        lambda item, tx: followups.close(item, by, note, tx.now),
    )


def _step(
    ctx: Context,
    hall: str,
    item_id: int,
    kind: EventType,
    change: Callable[[Followup, HallTx], Followup],
) -> dict[str, Any]:
    def work(tx: HallTx) -> dict[str, Any]:
        item = change(_get(tx.repos.followups.get(hall, item_id)), tx)
        tx.repos.followups.save(item)
        tx.emit(kind, counts=False, **event_body(item))
        return view(item, _clerk_names(tx.repos, [item]), tx.layout.timezone, tx.today)

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def overdue_alerts(repos: Any, hall: str, today: dt.date) -> list[dict[str, Any]]:
    """Open items past their deadline, for the overview's alerts."""
    return [
        {
            "id": i.id,
            "number": i.number,
            "window": i.window,
            "deadline": i.deadline.isoformat(),
            "level_label": EVALUATION_LEVELS.get(i.level, str(i.level)),
        }
        for i in repos.followups.overdue(hall, today)
    ]


def _get(item: Followup | None) -> Followup:
    if item is None:
        raise NotFound("unknown_followup", "没有找到该整改事项")
    return item


def _clerk_names(repos: Any, items: list[Followup]) -> dict[str, str]:
    clerks = {i.clerk for i in items if i.clerk}
    return {c: repos.sessions.name_of(c) or c for c in clerks}
