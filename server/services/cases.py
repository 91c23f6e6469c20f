"""Case use cases: open on 受理，record 转递 / 签收 / 办结 / 补正 / 出件，number, look up."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.cases import (
    DELIVERY_STEPS,
    DEPARTMENT_STEPS,
    Case,
    CaseState,
    Step,
    apply_step,
    check_case_no,
    format_case_no,
)
from server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from server.domain.events import EventType
from server.domain.identity import mask_name
from server.domain.model import Outcome, Ticket, TicketStatus
from server.services.auth import Principal
from server.services.case_rules import CaseRules, case_view, default_kind, event_view
from server.services.context import Context, HallTx, run_in_hall

STEP_NAMES = ", ".join(s.value for s in Step)
SUPERVISORS = frozenset({"supervisor", "admin"})
WINDOW_STAFF = frozenset({"clerk", "supervisor", "admin"})


def open_on_accept(tx: HallTx, ticket: Ticket, case_no: str | None = None) -> Case | None:
    """受理 of a ticket whose matter belongs to a department opens its case (same transaction)."""
    rules = CaseRules.of(tx.layout)
    rule = rules.matter_rule(ticket.matter)
    if rule is None and case_no is None:
        return None
    return _open(tx, rules, ticket, rule, case_no)


def _open(
    tx: HallTx, rules: CaseRules, ticket: Ticket, rule: dict[str, Any] | None, case_no: str | None
) -> Case:
    number = check_case_no(case_no) if case_no else _own_number(tx, rules)
    if tx.repos.cases.get(tx.hall, number) is not None:
        raise Conflict("case_no_taken", f"办件编号 {number} 已被使用", {"case_no": number})
    kind, limit = default_kind(rule)
    case = Case(
        hall=tx.hall,
        case_no=number,
        ticket_id=ticket.id,
        matter=ticket.matter,
        department=rule["department"] if rule else None,
        kind=kind,
        limit_days=limit,
        applicant_masked=mask_name(ticket.applicant_name),
        clerk=ticket.clerk,
        window=ticket.window,
        state=CaseState.OPENED,
        opened_at=ticket.finished_at or tx.now,
    )
    tx.repos.cases.add(case)
    tx.emit(EventType.CASE_OPENED, counts=False, case=event_view(case, tx.layout, None))
    return case


def _own_number(tx: HallTx, rules: CaseRules) -> str:
    seq = tx.repos.cases.next_number(tx.hall, tx.today)
    return format_case_no(rules.case_no_format, tx.hall, tx.today, seq)


def record_step(
    ctx: Context,
    hall: str,
    case_no: str,
    who: Principal,
    step: str,
    detail: dict[str, Any],
    at: dt.datetime | None = None,
    step_id: str | None = None,
) -> dict[str, Any]:
    """Record one step of a case; a pushed `step_id` seen before answers as it did then."""
    try:
        kind = Step(step)
    except ValueError:
        raise Invalid("invalid_step", f"办理环节只能为 {STEP_NAMES}") from None

    def work(tx: HallTx) -> dict[str, Any]:
        if step_id is not None:
            first = tx.repos.cases.pushed(tx.hall, step_id)
            if first is not None:
                answer: dict[str, Any] = json.loads(first)
                return answer
        case = _case(tx, case_no)
        _may_record(tx, who, case, kind)
        when = _when(tx, case, at)
        after = apply_step(case, kind, when, detail)
        if kind is Step.HAND_OVER:  # the materials that travel with the 转递单
            after = _with_materials(after, detail)
        tx.repos.cases.save(after)
        view = case_view(after, tx.layout)
        reply = json.dumps(view, ensure_ascii=False) if step_id is not None else None
        actor = f"{who.role}:{who.name}"
        tx.repos.cases.add_step(
            tx.hall, after.case_no, kind.value, when, actor, _kept(detail), step_id, reply
        )
        tx.emit(EventType.CASE_STEP, counts=False, case=event_view(after, tx.layout, kind.value))
        return view

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def _with_materials(case: Case, detail: dict[str, Any]) -> Case:
    """The case with the list of materials handed over (at most 50, 100 characters each)."""
    listed = detail.get("materials")
    if isinstance(listed, list) and all(isinstance(m, str) for m in listed):
        return replace(case, materials=tuple(m.strip()[:100] for m in listed if m.strip())[:50])
    return case


def _kept(detail: dict[str, Any]) -> dict[str, Any]:
    """What a step keeps of its body: the texts it carries, cut to size."""
    return {k: str(v)[:500] for k, v in detail.items() if k in ("opinion", "tracking_no")}


def _when(tx: HallTx, case: Case, at: dt.datetime | None) -> dt.datetime:
    """An outside system's step time (never in the future), or now."""
    if at is None:
        return tx.now
    if at.tzinfo is None:
        raise Invalid("invalid_step_time", "办理环节时间须带时区，例如 2026-12-06T08:36:00+08:00")
    if at > tx.now + dt.timedelta(minutes=5):
        raise Invalid("invalid_step_time", "办理环节时间不能晚于当前时间")
    return at


def _may_record(tx: HallTx, who: Principal, case: Case, step: Step) -> None:
    """Departments record their steps on their own cases; windows 转递 and 出件."""
    if who.role == "integration" or who.role in SUPERVISORS:
        return
    if who.role == "department":
        mine = CaseRules.of(tx.layout).users.get(who.name, [])
        if case.department not in mine:
            raise Forbidden("other_department", f"办件 {case.case_no} 不属于您所在的部门")
        if step not in DEPARTMENT_STEPS:
            raise Forbidden("forbidden", "部门人员只能签收、办结、不予许可或补正")
        return
    if who.role == "clerk" and (step is Step.HAND_OVER or step in DELIVERY_STEPS):
        return
    raise Forbidden("forbidden", "您没有执行此操作的权限")


def _case(tx: Any, case_no: str) -> Case:
    case: Case | None = tx.repos.cases.get(tx.hall, case_no.strip())
    if case is None:
        raise NotFound("unknown_case", f"没有办件编号为 {case_no.strip()[:40]} 的办件")
    return case


def get_case(ctx: Context, hall: str, case_no: str, who: Principal) -> dict[str, Any]:
    """A case with its steps (a department user sees only the cases of its departments)."""
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        case = repos.cases.get(hall, case_no.strip())
        if case is None:
            raise NotFound("unknown_case", f"没有办件编号为 {case_no.strip()[:40]} 的办件")
        mine = CaseRules.of(layout).users.get(who.name, [])
        if who.role == "department" and case.department not in mine:
            raise Forbidden("other_department", f"办件 {case.case_no} 不属于您所在的部门")
        return case_view(case, layout, repos.cases.steps(hall, case.case_no))


def ticket_case(ctx: Context, hall: str, ticket_id: str) -> dict[str, Any]:
    """The case a ticket led to; for a 出件 ticket, the citizen's case ready to hand out.

    A citizen who comes back for the result takes a new ticket (统一出件): with the ID number
    given at both, the pad finds the decided case of the earlier 受理 without a scan.
    """
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        ticket = repos.tickets.get(ticket_id)
        if ticket is None or ticket.hall != hall:
            raise NotFound("unknown_ticket", "没有这张票")
        case = repos.cases.of_ticket(ticket_id)
        if case is None and ticket.id_hash:
            ready = repos.cases.ready_for_citizen(hall, ticket.id_hash)
            case = ready[0] if ready else None
        if case is None:
            raise NotFound("unknown_case", f"{ticket.number} 号没有关联的办件")
        return case_view(case, layout, repos.cases.steps(hall, case.case_no))


def set_case_no(
    ctx: Context, hall: str, ticket_id: str, case_no: str, who: Principal
) -> dict[str, Any]:
    """PUT …/tickets/{id}/case: the 办件编号 typed or scanned for a served ticket."""
    number = check_case_no(case_no)

    def work(tx: HallTx) -> dict[str, Any]:
        ticket = tx.tickets.get(ticket_id)
        if ticket is None or ticket.hall != tx.hall:
            raise NotFound("unknown_ticket", "没有这张票")
        if ticket.status is not TicketStatus.FINISHED or ticket.outcome is Outcome.NO_SHOW:
            raise Conflict("ticket_not_served", f"{ticket.number} 号尚未办理，不能登记办件编号")
        if who.role not in SUPERVISORS:
            if who.role != "clerk" or ticket.clerk != who.name:
                raise Forbidden("not_your_ticket", "只有办理该号的窗口人员或值班长可以登记办件编号")
            zone = ZoneInfo(tx.layout.timezone)
            if ticket.finished_at and ticket.finished_at.astimezone(zone).date() != tx.today:
                raise Conflict("case_no_too_late", "办件编号须在受理当天登记，请联系值班长")
        case = tx.repos.cases.of_ticket(ticket.id)
        if case is None:
            rules = CaseRules.of(tx.layout)
            case = _open(tx, rules, ticket, rules.matter_rule(ticket.matter), number)
        elif case.case_no != number:
            if tx.repos.cases.get(tx.hall, number) is not None:
                raise Conflict("case_no_taken", f"办件编号 {number} 已被使用", {"case_no": number})
            old = case.case_no
            case = replace(case, case_no=number)
            tx.repos.cases.save(case, old_no=old)
            tx.emit(EventType.CASE_STEP, counts=False, case=event_view(case, tx.layout, None))
        return case_view(case, tx.layout)

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def hall_of_ticket(ctx: Context, ticket_id: str) -> str:
    """The hall of a ticket (404 `unknown_ticket`)."""
    with ctx.units.read() as repos:
        ticket = repos.tickets.get(ticket_id)
        if ticket is None:
            raise NotFound("unknown_ticket", "没有这张票")
        return ticket.hall
