"""Ticket use cases: issue (with appointments and quotas), read，过号取号，cancel, evaluate."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from server.domain import identity, lifecycle, quota, requeue
from server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from server.domain.events import EventType
from server.domain.model import Priority, Queue, Source, Ticket, TicketStatus
from server.domain.numbering import (
    arrival_rank,
    business_date,
    format_number,
    local_datetime,
    local_time,
)
from server.domain.policy import NORMAL_CLASS, queue_order_key
from server.domain.priority import PriorityRule, automatic_priority, rules_from
from server.protocol.views import public_ticket, rating_reasons, window_view
from server.security import keyed_hash, new_ticket_id, ticket_secret
from server.services import appointments, citizen, ratings
from server.services.context import Context, HallTx, run_in_hall
from server.services.describe import describe
from server.store.tickets_repo import TicketsRepo


@dataclass(frozen=True)
class IssueRequest:
    """What a kiosk or guide asks for (DESIGN §4 POST …/tickets)."""

    queue: str | None = None
    matter: str | None = None
    applicant_name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    priority: str | None = None
    appointment_code: str | None = None
    source: str | None = None


def id_hash(ctx: Context, id_number: str) -> str:
    """Keyed hash of a normalized ID number: limits and look-ups without storing it."""
    return keyed_hash(ctx.secret, "id", id_number)


def issue_ticket(ctx: Context, hall: str, req: IssueRequest, *, by_staff: bool) -> dict[str, Any]:
    """Issue a numbered ticket: one transaction with its `ticket.issued` event."""

    def work(tx: HallTx) -> dict[str, Any]:
        queue = _resolve_queue(tx, req)
        ticket, reason = _new_ticket(ctx, tx, queue, req, by_staff)
        # The full number lives in the notifier's table only; the ticket keeps it masked.
        ticket, phone = citizen.split_phone(tx, ticket, req.phone)
        # A new normal ticket has the highest rank: everyone waiting stands before it.
        ahead = tx.waiting(queue.code) if queue_order_key(ticket)[0] == NORMAL_CLASS else None
        tx.insert_ticket(ticket)
        sms = citizen.keep_phone(tx, ticket, phone) if phone else False
        tx.emit(EventType.TICKET_ISSUED, ticket=public_ticket(ticket, tx.layout))
        # The one reply that carries the secret: the issuer prints it on the stub.
        view = describe(
            ctx, tx, tx.layout, ticket, staff=by_staff, today=tx.today, owner=True, ahead=ahead
        )
        if reason:
            view["priority_reason"] = reason  # for the stub：长辈优先
        view["sms"] = sms  # the citizen will get SMS alerts (短信提醒)
        return view

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def _resolve_queue(tx: HallTx, req: IssueRequest) -> Queue:
    code = req.queue
    if code is None and req.matter is None and req.appointment_code:
        code = appointments.queue_of(tx, req.appointment_code)  # the booked queue
    if req.matter is not None:
        matter = tx.layout.matters.get(req.matter)
        if matter is None:
            raise NotFound("unknown_matter", f"没有编号为 {req.matter} 的事项")
        if code is not None and code != matter.queue:
            raise Invalid("matter_queue_mismatch", f"事项 {matter.name} 不在 {code} 队列办理")
        code = matter.queue
    if code is None:
        raise Invalid("queue_required", "请选择办理的业务或事项")
    queue = tx.layout.queues.get(code)
    if queue is None:
        raise NotFound("unknown_queue", f"没有编号为 {code} 的业务队列")
    return queue


def _new_ticket(
    ctx: Context, tx: HallTx, queue: Queue, req: IssueRequest, by_staff: bool
) -> tuple[Ticket, str | None]:
    """The ticket to insert, and why it has priority when the hall's rules gave it."""
    priority = Priority.GREEN if req.priority == "green" else Priority.NORMAL
    if req.priority not in (None, "normal", "green"):
        raise Invalid("invalid_priority", "优先级只能为 normal 或 green")
    if priority is Priority.GREEN and not queue.green_channel:
        raise Conflict("green_not_allowed", f"{queue.name} 未开通绿色通道")
    source = _source(req.source, by_staff)
    name, hashed, masked, phone = req.applicant_name, None, None, req.phone
    appt_fields: dict[str, Any] = {}
    if req.appointment_code:
        appt = appointments.check_in(tx, queue, req.appointment_code)
        name, hashed, masked = name or appt.applicant_name, appt.id_hash, appt.id_masked
        phone = phone or appt.phone
        if appt.on_time:
            priority, source = Priority.APPOINTMENT, Source.APPOINTMENT
            appt_fields = {"appointment_start": appt.start, "appointment_end": appt.end}
        appt_fields["appointment_code"] = appt.code
    reason = None
    if req.id_number:
        normalized = identity.normalize_id_number(req.id_number, tx.today)
        hashed, masked = id_hash(ctx, normalized), identity.mask_id_number(normalized)
        rule = _elderly(tx, queue, normalized) if priority is Priority.NORMAL else None
        if rule is not None:
            priority, reason = Priority.GREEN, rule.label
    at = local_time(tx.now, tx.layout.timezone)
    quota.check_hours(queue, at)
    quota.check_quotas(queue, at, _counts(tx, queue, hashed, at))
    seq = tx.next_seq()
    ticket = Ticket(
        id=new_ticket_id(),
        hall=tx.hall,
        business_date=tx.today,
        queue=queue.code,
        number=format_number(queue.prefix, tx.tickets.next_number(tx.hall, tx.today, queue.code)),
        rank=arrival_rank(seq),
        issued_at=tx.now,
        priority=priority,
        source=source,
        matter=req.matter,
        applicant_name=name,
        id_hash=hashed,
        id_masked=masked,
        phone=phone,
        **appt_fields,
    )
    if req.appointment_code:
        appointments.link_ticket(tx, req.appointment_code, ticket.id)
    return ticket, reason


def _elderly(tx: HallTx, queue: Queue, id_number: str) -> PriorityRule | None:
    """The hall's 长辈优先 rule this citizen meets today (only where green is allowed)."""
    if not queue.green_channel:
        return None
    rules = rules_from(tx.layout.settings.get("priority_rules"))
    return automatic_priority(rules, queue.code, id_number, tx.today)


def _source(raw: str | None, by_staff: bool) -> Source:
    if raw is None:
        return Source.GUIDE if by_staff else Source.KIOSK
    try:
        return Source(raw)
    except ValueError:
        raise Invalid("invalid_source", "来源只能为 kiosk、guide、online 或 appointment") from None


def _counts(tx: HallTx, queue: Queue, hashed: str | None, at: dt.time) -> quota.IssueCounts:
    issued = 0
    if queue.daily_cap is not None:
        issued = tx.tickets.count_issued(tx.hall, tx.today, queue.code)
    in_slot = {}
    slot = quota.slot_of(queue, at)
    if slot is not None:
        tz = tx.layout.timezone
        span = (local_datetime(tx.today, slot[0], tz), local_datetime(tx.today, slot[1], tz))
        in_slot[slot] = tx.tickets.count_issued(tx.hall, tx.today, queue.code, span)
    active: list[str] = []
    if hashed is not None:
        for t in tx.tickets.of_citizen(tx.hall, tx.today, queue.code, hashed):
            if t.status in (TicketStatus.WAITING, TicketStatus.CALLED) or requeue.still_eligible(
                t, queue, tx.now
            ):
                active.append(t.number)
    return quota.IssueCounts(issued, in_slot, active)


def authorize_owner(ctx: Context, ticket_id: str, secret: str | None) -> None:
    """Raise unless `secret` is the ticket's own progress secret."""
    expected = ticket_secret(ctx.secret, ticket_id).encode()
    if not secret or not hmac.compare_digest(secret.encode(), expected):
        raise Forbidden("invalid_ticket_secret", "二维码无效或已过期，请扫描小票上的二维码")


def get_ticket(ctx: Context, ticket_id: str, *, staff: bool, owner: bool) -> dict[str, Any]:
    """The ticket JSON with its live waiting estimate."""
    with ctx.units.read() as repos:
        ticket = _load(repos.tickets, ticket_id)
        layout = ctx.layout_of(repos, ticket.hall)
        today = business_date(ctx.clock(), layout.timezone)
        view = describe(ctx, repos, layout, ticket, staff=staff, today=today, owner=owner)
        if owner:  # the citizen's page offers a 追评 from this
            view["followup_rating"] = ratings.followup_view(repos, layout, ticket, ctx.clock())
        return view


def find_ticket(
    ctx: Context,
    hall: str,
    number: str,
    id_number: str | None,
    *,
    staff: bool,
    appointment_code: str | None = None,
) -> dict[str, Any]:
    """Find today's ticket by its printed number; kiosks must also prove whose it is.

    The reply carries the ticket secret (for a reprinted stub) only when the citizen proved
    ownership with the ticket's ID number or appointment code.
    """
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        today = business_date(ctx.clock(), layout.timezone)
        ticket = repos.tickets.find(hall, today, number.strip().upper())
        if ticket is None:
            raise NotFound("unknown_ticket", f"今日没有 {number} 号")
        proved = _proves_ownership(ctx, ticket, id_number, appointment_code, today)
        refused = ticket.id_hash is not None or appointment_code is not None
        if not staff and refused and not proved:
            raise Forbidden("id_mismatch", "身份证号码与该票号不符")
        return describe(ctx, repos, layout, ticket, staff=staff, today=today, owner=proved)


def _proves_ownership(
    ctx: Context,
    ticket: Ticket,
    id_number: str | None,
    appointment_code: str | None,
    today: dt.date,
) -> bool:
    if appointment_code and ticket.appointment_code:
        given = appointment_code.strip().upper().encode()
        if hmac.compare_digest(given, ticket.appointment_code.encode()):
            return True
    if id_number and ticket.id_hash is not None:
        given_hash = id_hash(ctx, identity.normalize_id_number(id_number, today))
        return hmac.compare_digest(given_hash, ticket.id_hash)
    return False


def requeue_ticket(ctx: Context, ticket_id: str, *, owner: bool = False) -> dict[str, Any]:
    """过号取号：put a skipped ticket back behind N waiting tickets, or refuse with the reason."""
    hall = _hall_of(ctx, ticket_id)

    def work(tx: HallTx) -> dict[str, Any]:
        before = _load(tx.tickets, ticket_id)
        queue = tx.layout.queues[before.queue]
        requeue.check_requeue(before, queue, tx.now, tx.today)
        # The first N ranks plus room to find a gap behind the N-th ticket.
        line = tx.tickets.line_ranks(tx.hall, tx.today, queue.code, queue.requeue.after + 64)
        rank = requeue.requeue_rank(line, queue.requeue.after, arrival_rank(tx.next_seq()))
        ticket = lifecycle.requeue(before, rank)
        tx.save_ticket(before, ticket)
        tx.emit(EventType.TICKET_REQUEUED, ticket=public_ticket(ticket, tx.layout))
        return describe(ctx, tx, tx.layout, ticket, staff=False, today=tx.today, owner=owner)

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def cancel_ticket(ctx: Context, ticket_id: str, *, owner: bool = False) -> dict[str, Any]:
    """The citizen gives up their ticket."""
    hall = _hall_of(ctx, ticket_id)

    def work(tx: HallTx) -> dict[str, Any]:
        before = _load(tx.tickets, ticket_id)
        ticket = lifecycle.cancel(before)
        tx.save_ticket(before, ticket)
        tx.emit(EventType.TICKET_CANCELLED, ticket=public_ticket(ticket, tx.layout))
        return describe(ctx, tx, tx.layout, ticket, staff=False, today=tx.today, owner=owner)

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def evaluate_ticket(
    ctx: Context,
    ticket_id: str,
    level: int,
    comment: str | None,
    reasons: list[str] | None = None,
    *,
    owner: bool = False,
    channel: str = ratings.PHONE,
) -> dict[str, Any]:
    """Record the 好差评 rating of a finished service, once (reasons from the hall's list)."""
    hall = _hall_of(ctx, ticket_id)

    def work(tx: HallTx) -> dict[str, Any]:
        before = _load(tx.tickets, ticket_id)
        allowed = rating_reasons(tx.layout)
        ticket = lifecycle.evaluate(before, level, comment, tx.now, reasons, allowed)
        tx.save_ticket(before, ticket)
        tx.emit(
            EventType.EVALUATION_RECORDED,
            counts=False,
            ticket=public_ticket(ticket, tx.layout),
            window=_window_view(tx, ticket.window),
            level=level,
            level_label=lifecycle.EVALUATION_LEVELS[level],
            channel=channel,  # the 好差评 adapters' channel (evaluator device or phone)
            assess_number=1,
        )
        ratings.open_if_poor(tx, ticket, level, ticket.evaluation_reasons, comment)
        view = describe(ctx, tx, tx.layout, ticket, staff=False, today=tx.today, owner=owner)
        if owner:
            view["followup_rating"] = ratings.followup_view(tx.repos, tx.layout, ticket, tx.now)
        return view

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def _window_view(tx: HallTx, code: str | None) -> dict[str, Any] | None:
    window = tx.windows.get(tx.hall, code) if code else None
    if window is None:
        return None
    current = tx.tickets.get(window.current_ticket) if window.current_ticket else None
    return window_view(window, current.number if current else None)


def ticket_hall(ctx: Context, ticket_id: str) -> str:
    """The hall a ticket belongs to (404 when there is no such ticket)."""
    return _hall_of(ctx, ticket_id)


def _hall_of(ctx: Context, ticket_id: str) -> str:
    with ctx.units.read() as repos:
        return _load(repos.tickets, ticket_id).hall


def _load(tickets: TicketsRepo, ticket_id: str) -> Ticket:
    ticket = tickets.get(ticket_id)
    if ticket is None:
        raise NotFound("unknown_ticket", "没有找到该票号")
    return ticket
