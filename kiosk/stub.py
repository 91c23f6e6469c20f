"""What the kiosk prints: the server's ticket JSON as a stub, and the online-advice slip."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from drivers.printer import DEFAULT_TICKET_NOTES, AdviceSlip, TicketStub

# Ticket priority -> the stub's heading variant (统一取号小票 / 绿色通道 / 预约取号).
_VARIANTS = {"green": "green", "appointment": "appointment"}


def local_time(iso: str | None, timezone: str) -> dt.datetime | str:
    """An ISO UTC time from the server as the hall's wall-clock time (as given if unparsable)."""
    if not iso:
        return ""
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def ticket_stub(
    ticket: dict[str, Any], hall_name: str, timezone: str, *, requeued: bool = False
) -> TicketStub:
    """The 统一取号小票 for a ticket view; `requeued` prints the 过号重排 heading."""
    variant = "requeued" if requeued else _VARIANTS.get(str(ticket.get("priority")), "normal")
    return TicketStub(
        hall_name=hall_name,
        number=str(ticket["number"]),
        matter=str(ticket.get("matter_name") or ticket.get("queue_name") or ""),
        windows=tuple(ticket.get("windows") or ()),
        applicant_masked=str(ticket.get("applicant_masked") or ""),
        id_masked=str(ticket.get("id_masked") or ""),
        waiting_ahead=int(ticket.get("waiting_ahead") or 0),
        issued_at=local_time(ticket.get("issued_at"), timezone),
        qr_url=str(ticket.get("progress_url") or ""),
        queue_name=str(ticket.get("queue_name") or ""),
        estimated_wait_min=ticket.get("estimated_wait_min"),
        variant=variant,
        notes=_notes(ticket),
    )


def _notes(ticket: dict[str, Any]) -> tuple[str, ...]:
    """The stub's notes; a ticket the hall's rule put first says so (长辈优先) at the top."""
    reason = ticket.get("priority_reason")
    first = (f"{reason}：将为您优先叫号",) if reason else ()
    return (*first, *DEFAULT_TICKET_NOTES)


def advice_slip(hall_name: str, leaf: dict[str, Any], now: dt.datetime) -> AdviceSlip:
    """The slip for a guide leaf that needs no number (可全程网办, 无需取号) and where to go."""
    where = [str(leaf["online_where"])] if leaf.get("online_where") else []
    if leaf.get("hint"):
        where.append(str(leaf["hint"]))
    return AdviceSlip(
        hall_name=hall_name,
        matter=str(leaf.get("label") or ""),
        advice=str(leaf.get("online") or "可全程网办，无需取号"),
        where=tuple(where),
        issued_at=now.replace(tzinfo=None),
    )
