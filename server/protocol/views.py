"""Wire views of tickets, windows and events (v1), as plain dicts ready for JSON.

Public views (screens, the live feed) never carry an ID number or a phone, and names only
masked (or not at all when the hall hides them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.domain.identity import mask_name, mask_phone
from server.domain.layout import Layout
from server.domain.model import Ticket, Window


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, or None."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def public_ticket(t: Ticket, layout: Layout) -> dict[str, Any]:
    """A ticket as screens and the live feed see it."""
    matter = layout.matters.get(t.matter) if t.matter else None
    hidden = layout.settings.get("public_names") == "hidden"
    return {
        "id": t.id,
        "number": t.number,
        "queue": t.queue,
        "queue_name": layout.queue_name(t.queue),
        "matter": t.matter,
        "matter_name": matter.name if matter else None,
        "status": t.status.value,
        "priority": t.priority.value,
        "window": t.window,
        "applicant_masked": None if hidden else mask_name(t.applicant_name),
        "call_count": t.call_count,
        "recalls": t.recalls,
        "requeue_count": t.requeue_count,
        "outcome": t.outcome.value if t.outcome else None,
        "issued_at": iso(t.issued_at),
        "called_at": iso(t.called_at),
        "transferred": t.transferred,
        "target_window": t.target_window,
        "evaluation_requested": t.evaluation_requested,
        "evaluation_level": t.evaluation_level,
        "away_until": iso(t.away_until),  # 暂离：the pad shows it, call-next passes it by
        "step_backs": t.step_backs,
    }


def rating_reasons(layout: Layout) -> list[str]:
    """The hall's 好差评 reasons for 不满意 / 非常不满意 (hall file `rating_reasons`)."""
    found = layout.settings.get("rating_reasons")
    return [str(r) for r in found] if isinstance(found, list) else []


def full_ticket(
    t: Ticket,
    layout: Layout,
    *,
    windows: list[str],
    waiting_ahead: int | None,
    estimated_wait_min: int | None,
    progress_url: str | None,
    staff: bool,
    owner: bool = False,
) -> dict[str, Any]:
    """The ticket JSON of DESIGN §4 for its owner, kiosks and staff.

    `progress_url` carries the owner secret, so callers pass it only to whoever proved
    ownership; `id_masked` goes to staff and the owner, null to every device.
    """
    queue = layout.queues.get(t.queue)
    view = public_ticket(t, layout)
    view.update(
        hall=t.hall,
        hall_name=layout.name,
        windows=windows,
        waiting_ahead=waiting_ahead,
        estimated_wait_min=estimated_wait_min,
        business_date=t.business_date.isoformat(),
        applicant_masked=mask_name(t.applicant_name),
        id_masked=t.id_masked if staff or owner else None,
        progress_url=progress_url if owner else None,
        source=t.source.value,
        finished_at=iso(t.finished_at),
        suggest_no_show=bool(queue and t.recalls >= queue.recall_limit),
        evaluation_reasons=list(t.evaluation_reasons),
    )
    if t.evaluation_requested and t.evaluation_level is None:
        view["rating_reasons"] = rating_reasons(layout)  # what the rating page offers
    if staff:
        view.update(
            phone_masked=mask_phone(t.phone), reason=t.reason, transfer_note=t.transfer_note
        )
    return view


def window_view(w: Window, current_number: str | None) -> dict[str, Any]:
    """A window's public state: what screens and LED signs show."""
    return {
        "code": w.code,
        "name": w.name,
        "area": w.area,
        "status": w.status.value,
        "queues": list(w.queues),
        "current_ticket": w.current_ticket,
        "current_number": current_number,
        "paused_reason": w.paused_reason,
        "signed_in": w.clerk is not None,
    }
