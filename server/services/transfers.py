"""转移: move the called ticket to another queue or window, never to a window nobody serves."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from server.domain import lifecycle
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.events import EventType
from server.domain.model import Ticket, Window
from server.domain.transfer import fallback_minutes, receives_transfers
from server.protocol.views import public_ticket
from server.services.context import Context, HallTx
from server.services.windows import _current, _run, _ticket, _view, _window


def transfer(
    ctx: Context,
    hall: str,
    code: str,
    clerk: str,
    to_queue: str | None,
    to_window: str | None,
    note: str | None,
    wait_for_window: bool = False,
    expected: str | None = None,
) -> dict[str, Any]:
    """转移: move the current ticket to another queue or window, where it is called first.

    A window must be open (signed in, not paused) unless the clerk confirms that the ticket
    waits for it (`wait_for_window`); the ticket then falls back to its queue after the
    hall's `transfer_fallback_minutes`. The note is kept for staff; the event leaves it out.
    """
    kept_note = (note or "").strip() or None

    def work(tx: HallTx) -> dict[str, Any]:
        window, ticket = _current(tx, code, clerk, expected)
        queue = _transfer_queue(tx, window, ticket, to_queue, to_window, wait_for_window)
        before = ticket
        ticket = lifecycle.transfer(ticket, queue, to_window, kept_note, tx.now)
        tx.save_ticket(before, ticket)
        tx.tickets.end_call(ticket.id, "transferred", tx.now)
        window = replace(window, current_ticket=None)
        tx.windows.save(tx.hall, window)
        tx.emit(
            EventType.TICKET_TRANSFERRED,
            ticket=public_ticket(ticket, tx.layout),
            window=_view(tx, window),
            from_window=window.code,
            to_queue=queue,
            to_window=to_window,
        )
        return _ticket(ctx, tx, ticket)

    return _run(ctx, hall, work)


def _transfer_queue(
    tx: HallTx,
    window: Window,
    ticket: Ticket,
    to_queue: str | None,
    to_window: str | None,
    wait_for_window: bool,
) -> str:
    """The queue a transfer goes to; a named window must serve it and be open (or awaited)."""
    if to_queue is not None and to_queue not in tx.layout.queues:
        raise NotFound("unknown_queue", f"没有编号为 {to_queue} 的业务队列")
    if to_window is None:
        if to_queue is None:
            raise Invalid("transfer_target_required", "请选择转移到的业务队列或窗口")
        if to_queue == ticket.queue:
            name = tx.layout.queue_name(to_queue)
            raise Invalid(
                "same_queue",
                f"{ticket.number} 已在“{name}”队列中，请选择其他业务队列或指定窗口",
                {"queue": to_queue},
            )
        return to_queue
    target = _window(tx, to_window)
    if target.code == window.code:
        raise Invalid("transfer_to_self", "不能转移到本窗口")
    queue = _served_queue(tx, target, ticket, to_queue)
    if not receives_transfers(target) and not wait_for_window:
        state = "暂停服务" if target.status.value == "paused" else "未开启"
        minutes = fallback_minutes(tx.layout.settings)
        raise Conflict(
            "window_not_open",
            f"{target.name} {state}，无人办理。请选择已开放的窗口；"
            f"如确认等候该窗口开放，{minutes} 分钟后仍未开放将由本队列其他窗口办理",
            {"window": target.code, "status": target.status.value, "fallback_minutes": minutes},
        )
    return queue


def _served_queue(tx: HallTx, target: Window, ticket: Ticket, to_queue: str | None) -> str:
    if to_queue is None and target.queues:
        return ticket.queue if ticket.queue in target.queues else target.queues[0]
    if to_queue is None or to_queue not in target.queues:
        served = "、".join(f"{q} {tx.layout.queue_name(q)}" for q in target.queues)
        message = f"{target.name} 当前不办理任何业务，请选择其他窗口"
        if to_queue is not None and served:
            wanted = f"{to_queue} {tx.layout.queue_name(to_queue)}"
            message = f"{target.name} 不办理 {wanted} 业务（该窗口办理：{served}）"
        raise Invalid(
            "queue_not_served_by_window",
            message,
            {"window": target.code, "queue": to_queue, "served": list(target.queues)},
        )
    return to_queue
