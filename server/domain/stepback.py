"""暂离 / 延后 N 位：a waiting citizen lets others go first, within the hall's limits (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.errors import Conflict, Invalid
from server.domain.model import Ticket, TicketStatus


@dataclass(frozen=True)
class StepBackRule:
    """How far and how often a ticket may step back, and how long an 暂离 keeps its place."""

    max_places: int = 5  # N: at most this many places per step
    max_times: int = 2  # K: at most this many steps (延后 and 暂离 together) per ticket
    away_max_minutes: int = 30  # M: the longest 暂离 the hall keeps a place for


def rule_from(settings: Mapping[str, Any]) -> StepBackRule:
    """The hall file's `[hall.notify]` step-back keys, or the defaults."""
    raw = settings.get("notify") or {}
    return StepBackRule(
        max_places=int(raw.get("step_back_max", 5)),
        max_times=int(raw.get("step_back_times", 2)),
        away_max_minutes=int(raw.get("away_max_minutes", 30)),
    )


def is_away(ticket: Ticket, now: dt.datetime) -> bool:
    """True while the citizen is 暂离：the ticket keeps its place but is not called."""
    return ticket.away_until is not None and now < ticket.away_until


def _check(ticket: Ticket, rule: StepBackRule, today: dt.date) -> None:
    if ticket.status is not TicketStatus.WAITING or ticket.business_date != today:
        raise Conflict("ticket_not_waiting", f"{ticket.number} 号当前不在等候中，无法延后或暂离")
    if ticket.step_backs >= rule.max_times:
        raise Conflict(
            "step_back_limit",
            f"每个号码最多延后或暂离 {rule.max_times} 次，已达上限",
            {"max_times": rule.max_times},
        )


def step_back(
    ticket: Ticket,
    places: int,
    behind: Sequence[int],
    new_arrival_rank: int,
    rule: StepBackRule,
    today: dt.date,
) -> Ticket:
    """延后 N 位：the ticket moves behind the next `places` tickets of its line.

    `behind` holds, in call order, the ranks of the waiting tickets of the same line that
    stand behind the ticket now (at least `places + 1` of them when there are so many). With
    fewer than `places` behind it goes to the back, like a new arrival: never behind a
    ticket issued after the request.
    """
    _check(ticket, rule, today)
    if not 1 <= places <= rule.max_places:
        raise Invalid(
            "step_back_limit",
            f"每次最多延后 {rule.max_places} 位，请选择 1 到 {rule.max_places} 位",
            {"max_places": rule.max_places},
        )
    rank = new_arrival_rank
    if len(behind) > places:
        lower, upper = behind[places - 1], behind[places]
        if upper - lower > 1:
            rank = (lower + upper) // 2
        # no gap left between those two: the back of the line is the nearest fair place
    elif not behind:
        rank = ticket.rank  # nobody behind: stepping back changes nothing but the count
    return dataclasses.replace(ticket, rank=rank, step_backs=ticket.step_backs + 1)


def go_away(
    ticket: Ticket, minutes: int, now: dt.datetime, rule: StepBackRule, today: dt.date
) -> Ticket:
    """暂离：keep the place for `minutes`; the ticket is not called until back or timed out."""
    _check(ticket, rule, today)
    if not 1 <= minutes <= rule.away_max_minutes:
        raise Invalid(
            "away_too_long",
            f"暂离时间为 1 到 {rule.away_max_minutes} 分钟",
            {"away_max_minutes": rule.away_max_minutes},
        )
    return dataclasses.replace(
        ticket, away_until=now + dt.timedelta(minutes=minutes), step_backs=ticket.step_backs + 1
    )


def come_back(ticket: Ticket, now: dt.datetime) -> Ticket:
    """我回来了：the ticket may be called again, at the place it kept."""
    if ticket.status is not TicketStatus.WAITING:
        raise Conflict("ticket_not_waiting", f"{ticket.number} 号当前不在等候中")
    if not is_away(ticket, now):
        raise Conflict("ticket_not_away", f"{ticket.number} 号未处于暂离状态")
    return dataclasses.replace(ticket, away_until=None)


def standing(ticket: Ticket, now: dt.datetime, timezone: str) -> str | None:
    """What the clerk's pad says of a ticket that stepped back：暂离至 09:40，已延后 1 次."""
    if is_away(ticket, now):
        assert ticket.away_until is not None
        return f"暂离至 {ticket.away_until.astimezone(ZoneInfo(timezone)):%H:%M}"
    if ticket.step_backs:
        return f"已延后 {ticket.step_backs} 次"
    return None
