"""追评 (a citizen's second rating) and the 差评整改 item a poor rating opens."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from server.domain import followups, lifecycle
from server.domain.errors import Forbidden, NotFound
from server.domain.events import EventType
from server.domain.model import Ticket
from server.protocol.views import iso, public_ticket, rating_reasons
from server.services.context import Context, HallTx, run_in_hall
from server.services.describe import describe
from server.stats.periods import work_calendar
from server.store.ratings_repo import SecondRating

PHONE, EVALUATOR = "phone", "evaluator"  # where a rating was given (the adapters' channel)


def refuse_staff(role: str | None) -> None:
    """Staff never submit or alter a rating (GB/T 39734: no forcing or interfering)."""
    if role in ("clerk", "supervisor", "admin"):
        raise Forbidden("staff_cannot_rate", "工作人员不能代替群众评价或修改评价")


def channel_of(role: str | None) -> str:
    """The channel of a rating: the window's evaluator device, else the citizen's phone."""
    return EVALUATOR if role == EVALUATOR else PHONE


def followup_view(repos: Any, layout: Any, ticket: Ticket, now: Any) -> dict[str, Any] | None:
    """What the citizen's page needs to offer a 追评：allowed until when, and the level given."""
    if ticket.evaluated_at is None:
        return None
    days = int(layout.settings.get("followup_rating_days", 15))
    second = repos.ratings.second(ticket.id)
    until = ticket.evaluated_at + dt.timedelta(days=days)
    allowed = second is None and days > 0 and now <= until
    return {
        "allowed": allowed,
        "reasons": rating_reasons(layout) if allowed else [],  # what the 追评 form offers
        "until": until.astimezone(ZoneInfo(layout.timezone)).strftime("%Y-%m-%d %H:%M"),
        "level": second.level if second is not None else None,
    }


def open_if_poor(
    tx: HallTx, ticket: Ticket, level: int, reasons: tuple[str, ...], comment: str | None
) -> None:
    """A rating of 1 or 2 opens a 差评整改 item (one per ticket), due in N working days."""
    if tx.repos.followups.of_ticket(ticket.id) is not None:
        return
    days = int(tx.layout.settings.get("poor_rating_followup_days", 5))
    deadline = work_calendar(tx.layout.settings).add_working_days(tx.today, days)
    item = followups.open_followup(ticket, level, reasons, comment, tx.now, deadline)
    if item is None:
        return
    item_id = tx.repos.followups.add(item)
    tx.emit(EventType.FOLLOWUP_OPENED, counts=False, **event_body(item, item_id))


def event_body(item: followups.Followup, item_id: int | None = None) -> dict[str, Any]:
    """What a 差评整改 event carries: no free text (the live feed reaches every screen)."""
    return {
        "followup": {
            "id": item_id if item_id is not None else item.id,
            "ticket": item.ticket_id,
            "number": item.number,
            "window": item.window,
            "matter": item.matter,
            "level": item.level,
            "deadline": item.deadline.isoformat(),
            "status": item.status,
            "reached": item.callback["reached"] if item.callback else None,
            "rectified": item.rectification is not None,
            "closed_at": iso(item.closed_at),
        }
    }


def add_second_rating(
    ctx: Context,
    ticket_id: str,
    level: int,
    comment: str | None,
    reasons: list[str] | None,
    *,
    channel: str,
    owner: bool,
) -> dict[str, Any]:
    """追评：one more rating within the hall's window for it, kept beside the first."""
    with ctx.units.read() as repos:
        found = repos.tickets.get(ticket_id)
    if found is None:
        raise NotFound("unknown_ticket", "没有找到该票号")

    def work(tx: HallTx) -> dict[str, Any]:
        ticket = tx.tickets.get(ticket_id)
        assert ticket is not None
        days = int(tx.layout.settings.get("followup_rating_days", 15))
        has = tx.repos.ratings.second(ticket_id) is not None
        allowed = rating_reasons(tx.layout)
        picked = followups.check_second_rating(ticket, has, level, reasons, allowed, tx.now, days)
        tx.repos.ratings.add_second(
            SecondRating(ticket_id, ticket.hall, level, comment, picked, channel, tx.now)
        )
        tx.emit(
            EventType.EVALUATION_FOLLOWED_UP,
            counts=False,
            ticket=public_ticket(ticket, tx.layout),
            level=level,
            level_label=lifecycle.EVALUATION_LEVELS[level],
            channel=channel,
            assess_number=2,
        )
        open_if_poor(tx, ticket, level, picked, comment)
        view = describe(ctx, tx, tx.layout, ticket, staff=False, today=tx.today, owner=owner)
        view["followup_rating"] = followup_view(tx.repos, tx.layout, ticket, tx.now)
        return view

    result: dict[str, Any] = run_in_hall(ctx, found.hall, work)
    return result
