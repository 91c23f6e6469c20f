"""Window use cases: sign in/out, call next, call a ticket, recall, outcome, pause."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from server.domain import lifecycle, policy
from server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from server.domain.events import EventType
from server.domain.model import Outcome, Ticket, Window, WindowStatus
from server.domain.transfer import fallback_minutes, release_stranded
from server.protocol.views import public_ticket, rating_reasons, window_view
from server.services import cases
from server.services.context import Context, HallTx, run_in_hall
from server.services.describe import describe
from server.store.halls_repo import Ahead

PAUSE_REASONS = ("午休", "临时离开", "业务咨询", "培训会议", "设备故障", "签退待处理")


def sign_in(ctx: Context, hall: str, code: str, clerk: str) -> dict[str, Any]:
    """Bind the clerk to the window and open it (only windows the clerk may serve)."""

    def work(tx: HallTx) -> dict[str, Any]:
        window = _window(tx, code)
        may_serve = tx.sessions.allowed_windows(clerk)
        if may_serve and code not in may_serve:
            raise Forbidden("window_not_allowed", f"您无权在 {window.name} 办理业务")
        for other in tx.windows.in_hall(tx.hall):
            if other.clerk == clerk and other.code != code:
                raise Conflict(
                    "already_signed_in",
                    f"您已在 {other.name} 签到，请先签退",
                    {"window": other.code},
                )
        was_open = window.clerk == clerk and window.status is not WindowStatus.CLOSED
        window = lifecycle.sign_in(window, clerk)
        tx.windows.save(tx.hall, window)
        if not was_open:
            tx.emit(EventType.WINDOW_OPENED, window=_view(tx, window))
        return _view(tx, window)

    return _run(ctx, hall, work)


def sign_out(ctx: Context, hall: str, code: str, clerk: str) -> dict[str, Any]:
    """Close the window, or pause it while a called ticket still awaits its outcome."""

    def work(tx: HallTx) -> dict[str, Any]:
        window = _window(tx, code)
        lifecycle.require_clerk(window, clerk)
        window = lifecycle.sign_out(window)
        tx.windows.save(tx.hall, window)
        kind = EventType.WINDOW_CLOSED
        if window.status is WindowStatus.PAUSED:
            kind = EventType.WINDOW_PAUSED
        tx.emit(kind, window=_view(tx, window))
        return _view(tx, window)

    return _run(ctx, hall, work)


def call_next(ctx: Context, hall: str, code: str, clerk: str) -> dict[str, Any]:
    """叫号：call the next ticket by the window's policy, or 404 no_waiting_ticket."""

    def work(tx: HallTx) -> dict[str, Any]:
        window = _window(tx, code)
        lifecycle.ready_to_call(window, clerk)
        waiting = tx.tickets.call_candidates(tx.hall, tx.today, window.queues, window.code, tx.now)
        waiting = callable_now(tx, waiting)
        choice = policy.choose_next(window, waiting, tx.now)
        if choice is None:
            raise NotFound("no_waiting_ticket", "当前没有等候的号码")
        window = replace(window, normal_since_green=choice.normal_since_green)
        return _call(ctx, tx, window, choice.ticket, out_of_order=False)

    return _run(ctx, hall, work, Ahead(code, candidates=True))


def call_ticket(ctx: Context, hall: str, code: str, clerk: str, ref: str) -> dict[str, Any]:
    """选号：call a specific waiting ticket (by id or number), logged as out of order."""

    def work(tx: HallTx) -> dict[str, Any]:
        window = _window(tx, code)
        lifecycle.ready_to_call(window, clerk)
        ticket = tx.tickets.get(ref) or tx.tickets.find(tx.hall, tx.today, ref.strip().upper())
        if ticket is None or ticket.hall != tx.hall or ticket.business_date != tx.today:
            raise NotFound("unknown_ticket", f"今日没有 {ref} 号")
        if ticket.status.value != "waiting":
            raise Conflict("ticket_not_waiting", f"{ticket.number} 当前不在等候中")
        if not policy.eligible(window, callable_now(tx, [ticket])):
            raise Conflict("ticket_not_served_here", f"{ticket.number} 不在本窗口办理范围")
        return _call(ctx, tx, window, ticket, out_of_order=True)

    return _run(ctx, hall, work)


def recall(ctx: Context, hall: str, code: str, clerk: str) -> dict[str, Any]:
    """重呼：call the current ticket again; suggests 过号 after the recall limit."""

    def work(tx: HallTx) -> dict[str, Any]:
        window, before = _current(tx, code, clerk)
        ticket = lifecycle.recall(before, tx.now)
        tx.save_ticket(before, ticket)
        tx.tickets.count_recall(ticket.id)
        tx.emit(
            EventType.TICKET_RECALLED,
            counts=False,
            ticket=public_ticket(ticket, tx.layout),
            window=_view(tx, window, ticket),
        )
        return _ticket(ctx, tx, ticket)

    return _run(ctx, hall, work, Ahead(code, current=True))


def record_outcome(
    ctx: Context,
    hall: str,
    code: str,
    clerk: str,
    outcome: str,
    reason: str | None,
    expected: str | None = None,
    matter: str | None = None,
    case_no: str | None = None,
) -> dict[str, Any]:
    """Record exactly one of 过号 / 受理 / 咨询 / 不予受理 for the current call.

    `matter` is the matter actually served (picked on the pad): the ticket keeps it, and
    its notices and statistics name it instead of the queue.
    """
    try:
        result = Outcome(outcome)
    except ValueError:
        raise Invalid(
            "invalid_outcome", "办理结果只能为 accepted、consulted、rejected 或 no_show"
        ) from None

    def work(tx: HallTx) -> dict[str, Any]:
        window, before = _current(tx, code, clerk, expected)
        ticket = lifecycle.finish(before, result, reason, tx.now)
        if result is not Outcome.NO_SHOW:
            served = _served_matter(tx, window, before, matter) or ticket.matter
            ticket = replace(ticket, evaluation_requested=True, matter=served)
        tx.save_ticket(before, ticket)
        tx.tickets.end_call(ticket.id, result.value, tx.now)
        window = replace(window, current_ticket=None)
        tx.windows.save(tx.hall, window)
        view = public_ticket(ticket, tx.layout)
        kind = EventType.TICKET_NO_SHOW if result is Outcome.NO_SHOW else EventType.TICKET_FINISHED
        tx.emit(kind, ticket=view, window=_view(tx, window))
        if result is Outcome.ACCEPTED:
            cases.open_on_accept(tx, ticket, case_no)  # 受理 opens the case (办件)
        if result is not Outcome.NO_SHOW:
            tx.emit(
                EventType.EVALUATION_REQUESTED,
                counts=False,
                ticket=view,
                window=_view(tx, window),
                # The evaluator shows who served (name and 工号) and the reasons it offers.
                served_by=tx.sessions.card_of(ticket.clerk),
                rating_reasons=rating_reasons(tx.layout),
            )
        return _ticket(ctx, tx, ticket)

    return _run(ctx, hall, work, Ahead(code, current=True, clerk=clerk))


def _served_matter(tx: HallTx, window: Window, ticket: Ticket, code: str | None) -> str | None:
    """The matter the clerk picked, checked against the queues of the window and ticket."""
    if code is None:
        return None
    matter = tx.layout.matters.get(code)
    if matter is None:
        raise NotFound("unknown_matter", f"没有编号为 {code} 的事项")
    if matter.queue not in (*window.queues, ticket.queue):
        raise Invalid(
            "matter_not_served",
            f"“{matter.name}”不属于{window.name}办理的业务，请重新选择事项",
            {"matter": code, "queue": matter.queue, "served": list(window.queues)},
        )
    return code


def pause(ctx: Context, hall: str, code: str, clerk: str, reason: str | None) -> dict[str, Any]:
    """暂停：the screens and the window's LED sign show 暂停服务 with the reason.

    Pausing a paused window answers its state as it is and announces nothing (idempotent).
    """

    def work(tx: HallTx) -> dict[str, Any]:
        before = _window(tx, code)
        lifecycle.require_clerk(before, clerk)
        window = lifecycle.pause(before, (reason or "临时离开").strip()[:20])
        if window != before:
            tx.windows.save(tx.hall, window)
            tx.emit(EventType.WINDOW_PAUSED, counts=False, window=_view(tx, window))
        return _view(tx, window)

    return _run(ctx, hall, work)


def resume(ctx: Context, hall: str, code: str, clerk: str) -> dict[str, Any]:
    """恢复：the window serves again."""

    def work(tx: HallTx) -> dict[str, Any]:
        window = _window(tx, code)
        lifecycle.require_clerk(window, clerk)
        window = lifecycle.resume(window)
        tx.windows.save(tx.hall, window)
        tx.emit(EventType.WINDOW_RESUMED, counts=False, window=_view(tx, window))
        return _view(tx, window)

    return _run(ctx, hall, work)


def set_queues(ctx: Context, hall: str, code: str, queues: list[str]) -> dict[str, Any]:
    """潮汐：change the queues a window serves (supervisor)."""

    def work(tx: HallTx) -> dict[str, Any]:
        window = _window(tx, code)
        change_queues(tx, window, queues)
        return _view(tx, replace(window, queues=tuple(queues)))

    return _run(ctx, hall, work)


def change_queues(tx: HallTx, window: Window, queues: list[str]) -> None:
    """Validate and apply a new served-queue list with its event (also used by schedules)."""
    unknown = [q for q in queues if q not in tx.layout.queues]
    if unknown or not queues:
        raise Invalid("unknown_queue", f"队列无效：{'、'.join(unknown) or '（空）'}")
    if len(set(queues)) != len(queues):
        raise Invalid("duplicate_queue", "队列不能重复")
    window = replace(window, queues=tuple(queues))
    tx.windows.save(tx.hall, window)
    tx.emit(EventType.WINDOW_QUEUES_CHANGED, window=_view(tx, window))


def walk_in(
    ctx: Context, hall: str, code: str, clerk: str, outcome: str, matter: str | None
) -> dict[str, Any]:
    """Record work done without a ticket (未叫号即办理) so the anomaly report can show it."""
    if outcome not in {o.value for o in Outcome if o is not Outcome.NO_SHOW}:
        raise Invalid("invalid_outcome", "办理结果只能为 accepted、consulted 或 rejected")

    def work(tx: HallTx) -> dict[str, Any]:
        window = _window(tx, code)
        lifecycle.require_clerk(window, clerk)
        if matter is not None and matter not in tx.layout.matters:
            raise NotFound("unknown_matter", f"没有编号为 {matter} 的事项")
        tx.windows.add_walk_in(tx.hall, tx.today, code, clerk, tx.now, outcome, matter)
        return {"window": code, "outcome": outcome, "matter": matter, "recorded": True}

    return _run(ctx, hall, work)


def _call(
    ctx: Context, tx: HallTx, window: Window, ticket: Ticket, *, out_of_order: bool
) -> dict[str, Any]:
    before, ticket = ticket, lifecycle.call(ticket, window, tx.now)
    tx.save_ticket(before, ticket)
    tx.tickets.add_call(ticket, out_of_order=out_of_order)
    window = replace(window, current_ticket=ticket.id)
    tx.windows.save(tx.hall, window)
    tx.emit(
        EventType.TICKET_CALLED,
        ticket=public_ticket(ticket, tx.layout),
        window=_view(tx, window, ticket),
        out_of_order=out_of_order,
    )
    return _ticket(ctx, tx, ticket)


def callable_now(tx: HallTx, waiting: list[Ticket]) -> list[Ticket]:
    """The waiting tickets as windows may call them now (stranded transfers released)."""
    open_windows = {code for code, status, _ in tx.windows.serving(tx.hall) if status == "open"}
    return release_stranded(waiting, open_windows, tx.now, fallback_minutes(tx.layout.settings))


def _current(
    tx: HallTx, code: str, clerk: str, expected: str | None = None
) -> tuple[Window, Ticket]:
    window = _window(tx, code)
    lifecycle.require_clerk(window, clerk)
    ticket = tx.tickets.get(window.current_ticket) if window.current_ticket else None
    if ticket is None:
        raise Conflict("nothing_called", "当前没有已叫的号码")
    if expected is not None and expected not in (ticket.id, ticket.number):
        raise Conflict(
            "ticket_not_current",
            f"本窗口当前号码已是 {ticket.number}，该操作未执行。",
            {"current": ticket.number},
        )
    return window, ticket


def _window(tx: HallTx, code: str) -> Window:
    window = tx.windows.get(tx.hall, code)
    if window is None:
        raise NotFound("unknown_window", f"没有编号为 {code} 的窗口")
    return window


def _view(tx: HallTx, window: Window, current: Ticket | None = None) -> dict[str, Any]:
    number = current.number if current is not None else None
    if number is None and window.current_ticket:
        ticket = tx.tickets.get(window.current_ticket)
        number = ticket.number if ticket else None
    return window_view(window, number)


def _ticket(ctx: Context, tx: HallTx, ticket: Ticket) -> dict[str, Any]:
    return describe(ctx, tx, tx.layout, ticket, staff=True, today=tx.today)


def _run(ctx: Context, hall: str, work: Any, ahead: Ahead | None = None) -> dict[str, Any]:
    result: dict[str, Any] = run_in_hall(ctx, hall, work, ahead)
    return result
