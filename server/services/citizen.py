"""What a citizen does from the progress page or the kiosk: SMS opt-in，延后 N 位、暂离、回来."""

from __future__ import annotations

import dataclasses
from typing import Any

from server.domain import notify, stepback
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.events import EventType
from server.domain.identity import mask_phone
from server.domain.model import Ticket
from server.domain.numbering import arrival_rank
from server.protocol.views import public_ticket
from server.services.context import Context, HallTx, run_in_hall
from server.services.describe import describe


def split_phone(tx: HallTx, ticket: Ticket, typed: str | None) -> tuple[Ticket, str | None]:
    """The ticket to store (phone masked) and the number for the notifier's table.

    A number typed at the kiosk must be a mainland mobile (422 invalid_phone); one that came
    with an appointment is used only when it is one.
    """
    phone = None
    if typed:
        phone = notify.normalize_phone(typed)
    elif ticket.phone:
        try:
            phone = notify.normalize_phone(ticket.phone)
        except Invalid:
            phone = None
    return dataclasses.replace(ticket, phone=mask_phone(ticket.phone)), phone


def keep_phone(tx: HallTx, ticket: Ticket, phone: str) -> bool:
    """Opt the ticket in for SMS alerts unless the number already follows its share of tickets."""
    rule = notify.rule_from(tx.layout.settings)
    if tx.repos.notify.phone_of(ticket.id) == phone:
        return True
    if tx.repos.notify.tickets_of_phone(tx.hall, ticket.business_date, phone) >= rule.phone_tickets:
        return False
    tx.repos.notify.opt_in(ticket.id, tx.hall, ticket.business_date, phone, tx.now)
    return True


def opt_in(ctx: Context, ticket_id: str, phone: str) -> dict[str, Any]:
    """Keep a mobile number for the ticket's alerts (near turn, called，过号)."""
    number = notify.normalize_phone(phone)

    def work(tx: HallTx) -> dict[str, Any]:
        ticket = _load(tx, ticket_id)
        if ticket.is_final:
            raise Conflict("ticket_closed", f"{ticket.number} 号已结束，无需短信提醒")
        if not keep_phone(tx, ticket, number):
            rule = notify.rule_from(tx.layout.settings)
            raise Conflict(
                "phone_limit",
                f"同一手机号每天最多为 {rule.phone_tickets} 个号码接收提醒",
                {"phone_tickets": rule.phone_tickets},
            )
        if ticket.phone != mask_phone(number):  # the staff view shows the masked number only
            after = dataclasses.replace(ticket, phone=mask_phone(number))
            tx.save_ticket(ticket, after)
        return {"ticket": ticket.id, "sms": True, "phone_masked": mask_phone(number)}

    return _run(ctx, ticket_id, work)


def opt_out(ctx: Context, ticket_id: str) -> dict[str, Any]:
    """Stop the ticket's SMS alerts and delete its number."""

    def work(tx: HallTx) -> dict[str, Any]:
        ticket = _load(tx, ticket_id)
        tx.repos.notify.forget(ticket.id)
        if ticket.phone is not None:
            tx.save_ticket(ticket, dataclasses.replace(ticket, phone=None))
        return {"ticket": ticket.id, "sms": False, "phone_masked": None}

    return _run(ctx, ticket_id, work)


def step_back(ctx: Context, ticket_id: str, places: int, *, owner: bool) -> dict[str, Any]:
    """延后 N 位：let the next `places` citizens of the line go first."""

    def work(tx: HallTx) -> dict[str, Any]:
        before = _load(tx, ticket_id)
        rule = stepback.rule_from(tx.layout.settings)
        behind = tx.repos.stepback.ranks_behind(before, min(places, rule.max_places) + 1)
        ticket = stepback.step_back(
            before, places, behind, arrival_rank(tx.next_seq()), rule, tx.today
        )
        return _changed(ctx, tx, before, ticket, EventType.TICKET_STEPPED_BACK, owner, places)

    return _run(ctx, ticket_id, work)


def go_away(ctx: Context, ticket_id: str, minutes: int, *, owner: bool) -> dict[str, Any]:
    """暂离：keep the place for `minutes`, not called until back."""

    def work(tx: HallTx) -> dict[str, Any]:
        before = _load(tx, ticket_id)
        rule = stepback.rule_from(tx.layout.settings)
        ticket = stepback.go_away(before, minutes, tx.now, rule, tx.today)
        return _changed(ctx, tx, before, ticket, EventType.TICKET_AWAY, owner, None)

    return _run(ctx, ticket_id, work)


def come_back(ctx: Context, ticket_id: str, *, owner: bool) -> dict[str, Any]:
    """我回来了：the ticket may be called again at the place it kept."""

    def work(tx: HallTx) -> dict[str, Any]:
        before = _load(tx, ticket_id)
        ticket = stepback.come_back(before, tx.now)
        return _changed(ctx, tx, before, ticket, EventType.TICKET_BACK, owner, None)

    return _run(ctx, ticket_id, work)


def _changed(
    ctx: Context,
    tx: HallTx,
    before: Ticket,
    ticket: Ticket,
    kind: EventType,
    owner: bool,
    places: int | None,
) -> dict[str, Any]:
    tx.save_ticket(before, ticket)
    extra: dict[str, Any] = {"places": places} if places is not None else {}
    tx.emit(kind, ticket=public_ticket(ticket, tx.layout), **extra)
    return describe(ctx, tx, tx.layout, ticket, staff=False, today=tx.today, owner=owner)


def _load(tx: HallTx, ticket_id: str) -> Ticket:
    ticket = tx.tickets.get(ticket_id)
    if ticket is None or ticket.hall != tx.hall:
        raise NotFound("unknown_ticket", "没有找到该票号")
    return ticket


def _run(ctx: Context, ticket_id: str, work: Any) -> dict[str, Any]:
    with ctx.units.read() as repos:
        found = repos.tickets.get(ticket_id)
    if found is None:
        raise NotFound("unknown_ticket", "没有找到该票号")
    result: dict[str, Any] = run_in_hall(ctx, found.hall, work)
    return result
