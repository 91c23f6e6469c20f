"""What the apps hand to the printer: a ticket stub, an outcome notice, an advice slip.

Every string is already masked by the caller (name "张*", ID "141002****029X"); the driver
prints what it is given and never sees a clear ID number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

# DESIGN §1: the two lines every 统一取号小票 carries.
DEFAULT_TICKET_NOTES: tuple[str, ...] = (
    "凭此票办理业务，票号当天有效",
    "过号后请于自助取号机选择【过号取号】",
)

# Ticket variants and the heading each prints under the hall name.
VARIANT_TITLES: dict[str, str] = {
    "normal": "统一取号小票",
    "requeued": "过号重排",
    "green": "绿色通道",
    "appointment": "预约取号",
}

# The three outcome documents a clerk may print (受理 / 不予受理 / 一次性告知).
NOTICE_ACCEPTED = "受理通知书"
NOTICE_REJECTED = "不予受理凭证"
NOTICE_ONE_TIME = "一次性告知书"


@dataclass(frozen=True)
class TicketStub:
    """The 统一取号小票 of DESIGN §1; variant: normal, requeued (过号重排), green, appointment."""

    hall_name: str
    number: str
    matter: str
    windows: Sequence[str]
    applicant_masked: str = ""
    id_masked: str = ""
    waiting_ahead: int = 0
    issued_at: dt.datetime | str = ""
    qr_url: str = ""
    qr_caption: str = "办理进度随时查：请扫码查看"
    queue_name: str = ""
    estimated_wait_min: int | None = None
    notes: Sequence[str] = DEFAULT_TICKET_NOTES
    variant: str = "normal"

    def __post_init__(self) -> None:
        if self.variant not in VARIANT_TITLES:
            raise ValueError(f"unknown ticket variant {self.variant!r}")


@dataclass(frozen=True)
class NoticeDoc:
    """受理通知书 / 不予受理凭证 / 一次性告知书：a title, labelled fields and free body lines."""

    title: str
    hall_name: str
    fields: Sequence[tuple[str, str]] = ()
    body: Sequence[str] = ()
    serial: str = ""
    issued_at: dt.datetime | str = ""
    footer: Sequence[str] = ("窗口人员：__________", "申请人签收：__________")
    qr_url: str = ""
    barcode: str = ""  # CODE128 under the title (a 办件编号 the department scans)


@dataclass(frozen=True)
class AdviceSlip:
    """A slip for a matter that needs no number (可全程网办，无需取号) and where to go instead."""

    hall_name: str
    matter: str
    advice: str = "可全程网办，无需取号"
    where: Sequence[str] = field(default_factory=tuple)
    qr_url: str = ""
    qr_caption: str = "扫码在线办理"
    issued_at: dt.datetime | str = ""


def format_time(value: dt.datetime | str) -> str:
    """A datetime as "2024-05-06 09:12"; strings are printed as given."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value
