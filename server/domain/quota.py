"""Issuing rules: opening hours, daily cap, time-slot caps and the per-ID daily limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from server.domain.errors import Conflict
from server.domain.model import Queue


@dataclass(frozen=True)
class IssueCounts:
    """What the store counted for the queue and the citizen before issuing."""

    issued_today: int
    issued_in_slot: dict[tuple[dt.time, dt.time], int]
    active_for_id: list[str]  # numbers of the citizen's active tickets in this queue today


def check_hours(queue: Queue, at: dt.time) -> None:
    """Raise `queue_closed` when `at` (hall-local) is outside the queue's hours."""
    if not queue.hours:
        return
    if any(start <= at < end for start, end in queue.hours):
        return
    spans = "、".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in queue.hours)
    raise Conflict("queue_closed", f"{queue.name} 当前不在取号时间内（取号时间 {spans}）")


def check_quotas(queue: Queue, at: dt.time, counts: IssueCounts) -> None:
    """Raise the first quota the new ticket would break, with a message for the citizen."""
    if queue.daily_cap is not None and counts.issued_today >= queue.daily_cap:
        raise Conflict(
            "daily_cap_reached",
            f"{queue.name} 今日号源已取完（每日 {queue.daily_cap} 个），请明日再来或网上办理",
            {"daily_cap": queue.daily_cap},
        )
    for slot in queue.slot_caps:
        if (
            slot.start <= at < slot.end
            and counts.issued_in_slot.get((slot.start, slot.end), 0) >= slot.cap
        ):
            raise Conflict(
                "slot_cap_reached",
                f"{queue.name} {slot.start:%H:%M}-{slot.end:%H:%M} 时段号源已满，请稍后再来",
                {"slot": f"{slot.start:%H:%M}-{slot.end:%H:%M}", "cap": slot.cap},
            )
    if len(counts.active_for_id) >= queue.per_id_daily_limit:
        # Not the number itself: whoever typed someone's ID number must not learn it.
        raise Conflict(
            "id_limit_reached",
            "该证件今日已取过本业务的号，请凭原小票等候叫号",
            {"limit": queue.per_id_daily_limit},
        )


def slot_of(queue: Queue, at: dt.time) -> tuple[dt.time, dt.time] | None:
    """Return the capped time slot that `at` falls in, if any."""
    for slot in queue.slot_caps:
        if slot.start <= at < slot.end:
            return (slot.start, slot.end)
    return None
