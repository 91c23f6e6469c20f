"""What a clerk pad shows next to its buttons: the window's context and the reason lists."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from server.domain import policy, stepback
from server.domain.errors import NotFound
from server.domain.identity import mask_name
from server.domain.layout import Layout
from server.domain.lifecycle import EVALUATION_LEVELS
from server.domain.model import Outcome, Ticket, Window, WindowStatus
from server.domain.numbering import business_date
from server.domain.transfer import fallback_minutes, receives_transfers, release_stranded
from server.protocol.views import iso, public_ticket, window_view
from server.services.context import Context
from server.services.describe import Door, describe
from server.services.windows import PAUSE_REASONS
from server.store.clerk_queries import ClerkDay
from server.store.unit import Repositories

UPCOMING = 6
# 不予受理 reasons offered on the pads (the clerk may add free text to any of them).
REJECTION_REASONS = (
    "申请材料不齐全或不符合法定形式",
    "申请事项不属于本中心受理范围",
    "申请人不具备申请资格",
    "申请事项依法不需要取得行政许可",
    "超过法定申请期限",
    "申请人未能提供有效身份证明",
)
# Reasons a clerk picks when pausing；签退待处理 is set by the system, not chosen.
CLERK_PAUSE_REASONS = tuple(r for r in PAUSE_REASONS if r != "签退待处理")


def rejection_reasons(ctx: Context, hall: str) -> dict[str, Any]:
    """The 不予受理 reasons offered in `hall` (404 for an unknown hall)."""
    with ctx.units.read() as repos:
        ctx.layout_of(repos, hall)
    return {"reasons": list(REJECTION_REASONS), "free_text": True}


def window_choices(ctx: Context, hall: str, username: str) -> dict[str, Any]:
    """The windows a clerk may pick: free, taken (by whom) or the clerk's own."""
    with ctx.units.read() as repos:
        ctx.layout_of(repos, hall)
        rows = []
        for w in repos.windows.in_hall(hall):
            who = _person(w.clerk, repos.sessions.name_of(w.clerk)) if w.clerk else None
            rows.append(
                {
                    **window_view(w, None),
                    "clerk": who,
                    "mine": w.clerk == username and w.status is not WindowStatus.CLOSED,
                }
            )
        return {"windows": rows}


def window_context(ctx: Context, hall: str, code: str, username: str) -> dict[str, Any]:
    """Everything a pad at `code` shows for `username`, from one consistent read."""
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        now = ctx.clock()
        today = business_date(now, layout.timezone)
        window = repos.windows.get(hall, code)
        if window is None:
            raise NotFound("unknown_window", f"没有编号为 {code} 的窗口")
        current = repos.tickets.get(window.current_ticket) if window.current_ticket else None
        windows = repos.windows.in_hall(hall)
        open_windows = {w.code for w in windows if w.status is WindowStatus.OPEN}
        fallback = fallback_minutes(layout.settings)
        waiting = release_stranded(
            repos.tickets.waiting_for(hall, today, window.queues, window.code),
            open_windows,
            now,
            fallback,
        )
        counts = repos.tickets.waiting_by_queue(hall, today)
        day = repos.tickets.clerk_day(hall, today, username)
        last = repos.tickets.last_service(hall, today, code)
        recent = repos.tickets.recent_matters(hall, today, code)
        return {
            "hall": hall,
            "hall_name": layout.name,
            "business_date": today.isoformat(),
            "server_time": iso(now),
            "seq": repos.events.last_seq(hall),
            "window": window_view(window, current.number if current else None),
            "clerk": _person(window.clerk, repos.sessions.name_of(window.clerk)),
            "me": {
                **_person(username, repos.sessions.name_of(username)),
                "signed_in_here": window.clerk == username,
            },
            "current": _current(ctx, repos, layout, current, now, today),
            "queues": [
                {"code": q, "name": layout.queue_name(q), "waiting": counts.get(q, 0)}
                for q in window.queues
            ],
            "waiting_total": len(policy.eligible(window, waiting)),
            "next": next_views(window, waiting, now, layout),
            "today": _day_view(day),
            "last_service": _service_view(last, repos),
            "pause_reasons": list(CLERK_PAUSE_REASONS),
            "matters": _matters(layout, window, recent),
            "transfer_targets": {
                "queues": [{"code": q, "name": n.name} for q, n in layout.queues.items()],
                "windows": [_target(repos, w) for w in windows if w.code != code],
                "fallback_minutes": fallback,
            },
        }


def next_views(
    window: Window, waiting: Sequence[Ticket], now: dt.datetime, layout: Layout
) -> list[dict[str, Any]]:
    """The pad's 等候 list: the tickets in call order, then those away (暂离), each labelled."""
    away = [t for t in policy.eligible(window, waiting) if stepback.is_away(t, now)]
    views = []
    for t in upcoming(window, waiting, now) + sorted(away, key=lambda t: t.rank):
        view = public_ticket(t, layout)
        label = stepback.standing(t, now, layout.timezone)
        if label:
            view["standing"] = label  # 暂离至 09:40 / 已延后 1 次
        views.append(view)
    return views


def upcoming(
    window: Window, waiting: Sequence[Ticket], now: dt.datetime, limit: int = UPCOMING
) -> list[Ticket]:
    """The next `limit` tickets in the order this window would call them (policy replayed)."""
    left = {t.id: t for t in waiting}
    picked: list[Ticket] = []
    while len(picked) < limit:
        choice = policy.choose_next(window, list(left.values()), now)
        if choice is None:
            break
        picked.append(choice.ticket)
        del left[choice.ticket.id]
        window = dataclasses.replace(window, normal_since_green=choice.normal_since_green)
    return picked


def _current(
    ctx: Context,
    repos: Door,
    layout: Layout,
    ticket: Ticket | None,
    now: dt.datetime,
    today: dt.date,
) -> dict[str, Any] | None:
    if ticket is None:
        return None
    view = describe(ctx, repos, layout, ticket, staff=True, today=today)
    queue = layout.queues.get(ticket.queue)
    waited_until = ticket.first_called_at or now
    view.update(
        waited_seconds=int((waited_until - ticket.issued_at).total_seconds()),
        serving_seconds=int((now - ticket.called_at).total_seconds()) if ticket.called_at else 0,
        recall_limit=queue.recall_limit if queue else 3,
    )
    return view


def _matters(layout: Layout, window: Window, recent: list[str]) -> list[dict[str, Any]]:
    """The matters of the window's queues for the 受理 / 不予受理 picker, recent ones first."""
    served = [m for m in layout.matters.values() if m.queue in window.queues]
    rank = {code: i for i, code in enumerate(recent)}
    served.sort(key=lambda m: rank.get(m.code, len(rank)))
    return [
        {
            "code": m.code,
            "name": m.name,
            "queue": m.queue,
            "department": m.department,
            "recent": m.code in rank,
        }
        for m in served
    ]


def _target(repos: Repositories, w: Window) -> dict[str, Any]:
    """A window a ticket may be sent to: open means a clerk serves there now."""
    return {
        "code": w.code,
        "name": w.name,
        "status": w.status.value,
        "queues": list(w.queues),
        "open": receives_transfers(w),
        "clerk_name": repos.sessions.name_of(w.clerk) if w.clerk else None,
    }


def _person(username: str | None, name: str | None) -> dict[str, Any]:
    return {"username": username, "name": name or username}


def _day_view(day: ClerkDay) -> dict[str, Any]:
    view: dict[str, Any] = dataclasses.asdict(day)
    seconds = day.avg_service_seconds
    view["avg_service_seconds"] = round(seconds) if seconds is not None else None
    view["avg_service_min"] = round(seconds / 60, 1) if seconds is not None else None
    return view


def _service_view(ticket: Ticket | None, repos: Repositories) -> dict[str, Any] | None:
    if ticket is None:
        return None
    level = ticket.evaluation_level
    # the case its 受理 opened: the pad then offers the 申请材料交接确认单
    case = repos.cases.of_ticket(ticket.id) if ticket.outcome is Outcome.ACCEPTED else None
    return {
        "case_no": case.case_no if case else None,
        "id": ticket.id,
        "number": ticket.number,
        "applicant_masked": mask_name(ticket.applicant_name),
        "outcome": ticket.outcome.value if ticket.outcome else None,
        "finished_at": iso(ticket.finished_at),
        "evaluation_requested": ticket.evaluation_requested,
        "evaluation_level": level,
        "evaluation_label": EVALUATION_LEVELS.get(level) if level is not None else None,
    }
