"""Citizen alerts (SMS): who is due which message, and its text (pure; time passed in)."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.errors import Invalid
from server.domain.layout import Layout
from server.domain.model import Ticket, TicketStatus
from server.domain.requeue import still_eligible

MOBILE = re.compile(r"1[3-9]\d{9}")
STAGES = ("near", "called", "no_show")
PLACEHOLDERS = frozenset(
    {"hall", "number", "queue", "ahead", "window", "until", "where", "case_no", "matter"}
)
DEFAULT_TEMPLATES = {
    "near": "{hall}：您的 {number} 号前面还有 {ahead} 人，请回到大厅留意叫号。",
    "called": "{hall}：请 {number} 号到 {window} 号窗口办理。",
    "no_show": (
        "{hall}：您的 {number} 号已过号。请于 {until} 前到{where}的自助取号机选择【过号取号】。"
    ),
    "no_show_final": "{hall}：您的 {number} 号已过号，如需办理请重新取号。",
    # 补正 (issue 18): the department asks for more materials; the notice says which
    "correct": "{hall}：您的办件「{matter}」（办件编号 {case_no}）需要补正材料，"
    "请按一次性告知单补齐后到大厅递交。",
}


@dataclass(frozen=True)
class NotifyRule:
    """A hall's `[hall.notify]` keys: when to send, how often per phone, and the texts."""

    ahead: int = 3  # the near-turn message goes when this many or fewer are ahead
    phone_tickets: int = 3  # one number may follow at most this many tickets a day
    templates: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))


def rule_from(settings: Mapping[str, Any]) -> NotifyRule:
    """The rule stored with the hall's layout (defaults where the hall file says nothing)."""
    raw = settings.get("notify") or {}
    templates = {**DEFAULT_TEMPLATES, **(raw.get("templates") or {})}
    return NotifyRule(
        ahead=int(raw.get("ahead", 3)),
        phone_tickets=int(raw.get("phone_tickets", 3)),
        templates=templates,
    )


def check_template(text: str) -> str | None:
    """The problem with a template (an unknown placeholder), or None when it is usable."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        return str(exc)
    unknown = names - PLACEHOLDERS
    if unknown:
        return f"unknown placeholders {sorted(unknown)}; use {sorted(PLACEHOLDERS)}"
    return None


def normalize_phone(text: str) -> str:
    """A mainland mobile number as 11 digits, or Invalid(invalid_phone)."""
    digits = re.sub(r"[\s\-]", "", text or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not MOBILE.fullmatch(digits):
        raise Invalid("invalid_phone", "请输入正确的 11 位手机号码（1 开头）")
    return digits


def due_stage(ticket: Ticket, ahead: int | None, rule: NotifyRule) -> str | None:
    """The message a ticket is due now: near (≤ N ahead), called, no_show, or none."""
    if ticket.status is TicketStatus.WAITING:
        return "near" if ahead is not None and ahead <= rule.ahead else None
    if ticket.status is TicketStatus.CALLED:
        return "called"
    if ticket.status is TicketStatus.NO_SHOW:
        return "no_show"
    return None  # cancelled, finished, expired: never a message after these


def render(ticket: Ticket, stage: str, ahead: int | None, layout: Layout, rule: NotifyRule) -> str:
    """The text of a stage's message for a ticket, from the hall's template."""
    queue = layout.queues.get(ticket.queue)
    key = stage
    until = ""
    if stage == "no_show":
        if (
            queue is None
            or ticket.no_show_at is None
            or not still_eligible(ticket, queue, ticket.no_show_at)
        ):
            key = "no_show_final"
        else:
            end = ticket.no_show_at + dt.timedelta(minutes=queue.requeue.within_minutes)
            until = end.astimezone(ZoneInfo(layout.timezone)).strftime("%H:%M")
    areas = dict(layout.areas)
    values = {
        "hall": layout.name,
        "number": ticket.number,
        "queue": layout.queue_name(ticket.queue),
        "ahead": "" if ahead is None else str(ahead),
        "window": ticket.window or "",
        "until": until,
        "where": areas.get(queue.area, layout.name) if queue else layout.name,
    }
    return rule.templates[key].format_map(values)


def render_correction(case_no: str, matter: str, layout: Layout, rule: NotifyRule) -> str:
    """The 补正 message of a case: which case, which matter (the notice itself says what)."""
    values = dict.fromkeys(PLACEHOLDERS, "")
    values.update(hall=layout.name, case_no=case_no, matter=matter)
    return rule.templates["correct"].format_map(values)
