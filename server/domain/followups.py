"""差评整改 (follow-up of a poor rating) and 追评 (a second rating): the rules, pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from server.domain.errors import Conflict, Invalid
from server.domain.lifecycle import EVALUATION_LEVELS, POOR_LEVELS
from server.domain.model import Ticket

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class Followup:
    """One 差评整改 item: the poorly rated service and what supervisors did about it."""

    id: int
    hall: str
    ticket_id: str
    number: str
    business_date: dt.date
    window: str | None
    clerk: str | None
    matter: str | None
    level: int
    reasons: tuple[str, ...]
    comment: str | None
    opened_at: dt.datetime
    deadline: dt.date
    status: str = OPEN
    callback: dict[str, Any] | None = None  # 回访 {reached, note, at, by}
    rectification: dict[str, Any] | None = None  # 整改 {note, at, by}
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    close_note: str | None = None

    def overdue(self, today: dt.date) -> bool:
        """Still open after its last working day."""
        return self.status == OPEN and today > self.deadline


def open_followup(
    ticket: Ticket,
    level: int,
    reasons: Sequence[str],
    comment: str | None,
    now: dt.datetime,
    deadline: dt.date,
) -> Followup | None:
    """The item a rating opens: only 不满意 and 非常不满意 do."""
    if level not in POOR_LEVELS:
        return None
    return Followup(
        id=0,
        hall=ticket.hall,
        ticket_id=ticket.id,
        number=ticket.number,
        business_date=ticket.business_date,
        window=ticket.window,
        clerk=ticket.clerk,
        matter=ticket.matter,
        level=level,
        reasons=tuple(reasons),
        comment=comment,
        opened_at=now,
        deadline=deadline,
    )


def _still_open(item: Followup) -> None:
    if item.status != OPEN:
        raise Conflict("followup_closed", "该整改事项已办结，不能再修改")


def record_callback(item: Followup, reached: bool, note: str, by: str, at: str) -> Followup:
    """回访：whether the citizen was reached and what was said (a later call replaces it)."""
    _still_open(item)
    return replace(item, callback={"reached": reached, "note": note, "at": at, "by": by})


def record_rectification(item: Followup, note: str, by: str, at: str) -> Followup:
    """整改：what was done about it."""
    _still_open(item)
    return replace(item, rectification={"note": note, "at": at, "by": by})


def close(item: Followup, by: str, note: str | None, now: dt.datetime) -> Followup:
    """Close an item once its 回访 and 整改 are recorded."""
    _still_open(item)
    missing = [
        label
        for label, done in (("回访", item.callback), ("整改", item.rectification))
        if done is None
    ]
    if missing:
        raise Conflict(
            "followup_incomplete",
            f"请先记录{'和'.join(missing)}情况，再办结该整改事项",
            {"missing": ["callback" if m == "回访" else "rectification" for m in missing]},
        )
    return replace(item, status=CLOSED, closed_at=now, closed_by=by, close_note=note)


def check_second_rating(
    ticket: Ticket,
    has_second: bool,
    level: int,
    reasons: Sequence[str] | None,
    allowed: Sequence[str],
    now: dt.datetime,
    window_days: int,
) -> tuple[str, ...]:
    """追评：one more rating within `window_days` of the first; returns the reasons picked."""
    if level not in EVALUATION_LEVELS:
        raise Invalid("invalid_level", "评价等级应为 1 至 5")
    if ticket.evaluation_level is None or ticket.evaluated_at is None:
        raise Conflict("not_evaluated", "该次服务尚未评价，请先完成首次评价")
    if has_second:
        raise Conflict("followup_rating_exists", "该次服务已追评，每次服务只能追评一次")
    if window_days <= 0 or now > ticket.evaluated_at + dt.timedelta(days=window_days):
        raise Conflict(
            "followup_rating_closed",
            f"追评须在首次评价后 {window_days} 天内提交，现已截止",
            {"days": window_days},
        )
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
    return picked
