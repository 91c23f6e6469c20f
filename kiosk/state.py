"""The kiosk's screen state: an immutable value the presenter replaces and the views render."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from kiosk.guide import GuideStep
from server.client.layout import QueueLayout
from server.domain.errors import Invalid
from server.domain.identity import normalize_id_number


class Screen(enum.StrEnum):
    """The kiosk's pages."""

    CONNECTING = "connecting"  # no hall layout yet (server never answered)
    HOME = "home"
    GUIDE = "guide"
    IDENTIFY = "identify"
    TICKET = "ticket"
    REQUEUE = "requeue"
    APPOINTMENT = "appointment"
    GREEN = "green"
    STAFF_LOGIN = "staff_login"
    MINE = "mine"  # 我的号码：a scanned stub still waiting (延后 / 暂离 / 我回来了)


class Field(enum.StrEnum):
    """Text fields typed on the on-screen keypad."""

    ID = "id"
    PHONE = "phone"
    NUMBER = "number"
    CODE = "code"
    USERNAME = "username"
    PASSWORD = "password"


DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Field -> (characters accepted, max length, upper-case what is typed)
FIELD_RULES: dict[Field, tuple[str, int, bool]] = {
    Field.ID: (DIGITS + "X", 18, True),
    Field.PHONE: (DIGITS, 20, False),
    Field.NUMBER: (DIGITS + UPPER, 8, True),
    Field.CODE: (DIGITS + UPPER, 8, True),
    Field.USERNAME: (DIGITS + UPPER.lower() + "._-", 64, False),
    Field.PASSWORD: (DIGITS + UPPER + UPPER.lower() + "._-@#", 200, False),
}


# A queue as the home page shows it: the SDK's typed queue of the hall layout.
QueueInfo = QueueLayout


@dataclass(frozen=True)
class Selection:
    """The business chosen: a queue, and the matter when the guide led to one."""

    queue: str
    label: str  # what the citizen picked, e.g. "二手房买卖转移登记"
    matter: str | None = None


@dataclass(frozen=True)
class Message:
    """A line for the citizen: an error ("您今日已取该业务号 A012") or a confirmation."""

    text: str
    error: bool = True


@dataclass(frozen=True)
class KioskState:
    """Everything the views draw; personal data lives only in the fields cleared by `home`."""

    screen: Screen = Screen.CONNECTING
    lang: str = "zh"
    elderly: bool = False
    home_page: int = 0  # which page of queue buttons the home page shows (上一页 / 下一页)
    clock: dt.datetime | None = None
    hall_name: str = ""
    areas: tuple[tuple[str, str], ...] = ()  # (code, name)
    queues: tuple[QueueInfo, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    server_ok: bool = False
    printer_status: str = "unknown"
    printer_blocks: bool = False  # the printer's state forbids printing
    busy: str | None = None  # text key while a request or print runs
    message: Message | None = None
    # 智能导办
    guide: GuideStep | None = None
    # chosen business and the citizen (personal data: cleared on home)
    selection: Selection | None = None
    focus: Field = Field.ID
    entries: dict[Field, str] = field(default_factory=dict)
    name: str | None = None
    id_from_card: bool = False
    green: str | None = None  # "age" | "guide" once 绿色通道 is confirmed
    staff_purpose: str | None = None  # "green" | "reprint" while a guide signs in
    appointment_queue: str | None = None
    ticket: dict[str, Any] | None = None
    ticket_printed: bool = False
    requeued: bool = False
    can_reprint: bool = False  # this kiosk printed a ticket a guide may reprint (补打)
    mine: dict[str, Any] | None = None  # 我的号码：the scanned waiting ticket (public fields)

    @property
    def paused(self) -> str | None:
        """Why tickets cannot be issued now (a text key), or None."""
        if not self.server_ok:
            return "server_down"
        if self.printer_blocks:
            return self.printer_status
        return None

    def entry(self, which: Field) -> str:
        """The text typed into a field."""
        return self.entries.get(which, "")

    def queue(self, code: str) -> QueueInfo | None:
        """A queue of the layout by code."""
        return next((q for q in self.queues if q.code == code), None)


def id_check(raw: str) -> tuple[str, str | None]:
    """How a typed ID number looks: ("empty"|"partial"|"valid"|"invalid", Chinese reason)."""
    if not raw:
        return "empty", None
    if len(raw) < 18:
        return "partial", None
    try:
        normalize_id_number(raw)
    except Invalid as exc:
        return "invalid", exc.message
    return "valid", None


def public_ticket_fields(ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket fields the kiosk keeps and shows (masked only; no phone, no clear ID)."""
    keep = (
        "id",
        "number",
        "queue",
        "queue_name",
        "matter_name",
        "windows",
        "status",
        "priority",
        "priority_reason",  # 长辈优先：why the hall put this ticket first
        "waiting_ahead",
        "estimated_wait_min",
        "issued_at",
        "applicant_masked",
        "id_masked",
        "progress_url",
        "requeue_count",
        "sms",  # the phone typed (or booked) opted the ticket in for SMS alerts
    )
    return {key: ticket.get(key) for key in keep}
