"""Ticket and window state transitions; each returns the new value or raises a DomainError."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from server.domain.errors import Conflict, Forbidden, Invalid
from server.domain.model import Outcome, Ticket, TicketStatus, Window, WindowStatus

ENDED_STATUSES = frozenset(
    {TicketStatus.FINISHED, TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.EXPIRED}
)
EVALUATION_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
POOR_LEVELS = frozenset({1, 2})  # 不满意、非常不满意: a reason is required


def call(ticket: Ticket, window: Window, now: dt.datetime) -> Ticket:
    """Call a waiting ticket to `window`."""
    if ticket.status is not TicketStatus.WAITING:
        raise Conflict("ticket_not_waiting", f"{ticket.number} 当前不在等候中，无法叫号")
    return replace(
        ticket,
        status=TicketStatus.CALLED,
        call_count=ticket.call_count + 1,
        recalls=0,
        called_at=now,
        first_called_at=ticket.first_called_at or now,
        window=window.code,
        clerk=window.clerk,
        target_window=None,
    )


def recall(ticket: Ticket, now: dt.datetime) -> Ticket:
    """Call the current ticket again (重呼)."""
    if ticket.status is not TicketStatus.CALLED:
        raise Conflict("nothing_called", "当前没有已叫的号码")
    return replace(
        ticket, call_count=ticket.call_count + 1, recalls=ticket.recalls + 1, called_at=now
    )


def finish(ticket: Ticket, outcome: Outcome, reason: str | None, now: dt.datetime) -> Ticket:
    """Record the outcome of the call: 受理 / 咨询 / 不予受理 end it, 过号 makes it a no-show."""
    if ticket.status is not TicketStatus.CALLED:
        raise Conflict("nothing_called", "当前没有已叫的号码，无法登记办理结果")
    if outcome is Outcome.REJECTED and not (reason and reason.strip()):
        raise Invalid("reason_required", "不予受理须填写原因")
    if outcome is Outcome.NO_SHOW:
        return replace(
            ticket, status=TicketStatus.NO_SHOW, outcome=outcome, no_show_at=now, finished_at=now
        )
    return replace(
        ticket, status=TicketStatus.FINISHED, outcome=outcome, reason=reason, finished_at=now
    )


def requeue(ticket: Ticket, rank: int) -> Ticket:
    """Put a no-show ticket back in its queue at `rank` (过号重排)."""
    return replace(
        ticket,
        status=TicketStatus.WAITING,
        rank=rank,
        requeue_count=ticket.requeue_count + 1,
        outcome=None,
        finished_at=None,
        window=None,
    )


def transfer(
    ticket: Ticket,
    queue: str,
    target_window: str | None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Move a called ticket to another queue or window, where it is served first (转移)."""
    if ticket.status is not TicketStatus.CALLED:
        raise Conflict("nothing_called", "当前没有已叫的号码，无法转移")
    return replace(
        ticket,
        status=TicketStatus.WAITING,
        queue=queue,
        transferred=True,
        target_window=target_window,
        transfer_note=note,
        transferred_at=now,
        window=None,
    )


def cancel(ticket: Ticket) -> Ticket:
    """The citizen gives up a waiting (or skipped) ticket."""
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.NO_SHOW):
        raise Conflict("ticket_not_cancellable", f"{ticket.number} 当前状态无法取消")
    return replace(ticket, status=TicketStatus.CANCELLED)


def expire(ticket: Ticket, now: dt.datetime) -> Ticket:
    """End a ticket left waiting or called at the end of its business day."""
    return replace(ticket, status=TicketStatus.EXPIRED, finished_at=ticket.finished_at or now)


def evaluate(
    ticket: Ticket,
    level: int,
    comment: str | None,
    now: dt.datetime,
    reasons: Sequence[str] | None = None,
    allowed: Sequence[str] = (),
) -> Ticket:
    """Record the citizen's 好差评 rating (1 非常不满意 … 5 非常满意), once.

    `reasons` come from the hall's list; 不满意 and 非常不满意 need at least one. None means
    the rater cannot pick any (a button-box evaluator): the rating is kept without them.
    """
    if level not in EVALUATION_LEVELS:
        raise Invalid("invalid_level", "评价等级应为 1 至 5")
    if ticket.status is not TicketStatus.FINISHED or ticket.outcome is Outcome.NO_SHOW:
        raise Conflict("not_evaluable", "该号码尚未办结，暂不能评价")
    if ticket.evaluation_level is not None:
        raise Conflict("already_evaluated", "该次服务已评价，感谢您的参与")
    picked = tuple(dict.fromkeys(reasons or ()))
    unknown = [r for r in picked if r not in allowed]
    if unknown:
        raise Invalid(
            "unknown_rating_reason",
            "所选原因不在本厅的评价选项中，请重新选择",
            {"unknown": unknown, "allowed": list(allowed)},
        )
    if reasons is not None and level in POOR_LEVELS and allowed and not picked:
        raise Invalid(
            "rating_reason_required", "请选择不满意的原因（可多选）", {"allowed": list(allowed)}
        )
    return replace(
        ticket,
        evaluation_level=level,
        evaluation_comment=comment,
        evaluation_reasons=picked,
        evaluated_at=now,
    )


def sign_in(window: Window, clerk: str) -> Window:
    """Bind a clerk to a window and open it."""
    if window.clerk not in (None, clerk):
        raise Conflict("window_taken", f"{window.name} 已由其他工作人员签到")
    return replace(window, clerk=clerk, status=WindowStatus.OPEN, paused_reason=None)


def sign_out(window: Window) -> Window:
    """Close the window; with a ticket still called it pauses instead, keeping the clerk."""
    if window.current_ticket is not None:
        return replace(window, status=WindowStatus.PAUSED, paused_reason="签退待处理")
    return replace(window, clerk=None, status=WindowStatus.CLOSED, paused_reason=None)


def pause(window: Window, reason: str) -> Window:
    """Pause the window (暂停) with a reason shown on the screens; pausing again changes nothing."""
    if window.status is WindowStatus.CLOSED:
        raise Conflict("window_closed", f"{window.name} 未开启")
    if window.status is WindowStatus.PAUSED:
        return window  # a repeated tap or a retried request: the first reason stays
    return replace(window, status=WindowStatus.PAUSED, paused_reason=reason)


def resume(window: Window) -> Window:
    """Resume a paused window."""
    if window.status is not WindowStatus.PAUSED:
        raise Conflict("window_not_paused", f"{window.name} 未处于暂停状态")
    return replace(window, status=WindowStatus.OPEN, paused_reason=None)


def ready_to_call(window: Window, clerk: str) -> None:
    """Raise unless `clerk` is signed in at an open window with no ticket awaiting an outcome."""
    require_clerk(window, clerk)
    if window.status is WindowStatus.PAUSED:
        raise Conflict("window_paused", f"{window.name} 暂停中，请先恢复服务")
    if window.current_ticket is not None:
        raise Conflict("outcome_required", "请先登记当前号码的办理结果，再叫下一号")


def require_clerk(window: Window, clerk: str) -> None:
    """Raise `not_signed_in` unless `clerk` is the one signed in at `window`."""
    if window.clerk != clerk or window.status is WindowStatus.CLOSED:
        raise Forbidden("not_signed_in", f"您未在 {window.name} 签到")
