"""Wire models of the clerk-pad routes (window context, reasons, notices), as in /docs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from server.protocol.models import WindowOut

NoticeKindName = Literal["accepted", "rejected", "missing"]
NoticeFormat = Literal["json", "pdf", "escpos"]


class QueueWaiting(BaseModel):
    """A served queue and how many wait in it."""

    code: str
    name: str
    waiting: int


class Person(BaseModel):
    """A staff member: username and display name."""

    username: str | None
    name: str | None


class ClerkDayOut(BaseModel):
    """The clerk's own counts today (all windows)."""

    calls: int
    recalls: int
    accepted: int
    consulted: int
    rejected: int
    no_show: int
    transferred: int
    out_of_order: int
    avg_service_seconds: int | None
    avg_service_min: float | None


class LastServiceOut(BaseModel):
    """The last service the window finished, with its 好差评 status."""

    id: str
    number: str
    applicant_masked: str | None = None
    outcome: str | None
    finished_at: str | None
    evaluation_requested: bool
    evaluation_level: int | None
    evaluation_label: str | None
    case_no: str | None = None  # the case its 受理 opened (issue 18)


class WindowContextOut(BaseModel):
    """GET …/windows/{code}/context: what a pad shows next to its buttons."""

    model_config = ConfigDict(extra="allow")

    hall: str
    hall_name: str
    business_date: str
    server_time: str
    seq: int
    window: WindowOut
    clerk: Person
    me: dict[str, Any]
    current: dict[str, Any] | None
    queues: list[QueueWaiting]
    waiting_total: int
    next: list[dict[str, Any]]
    today: ClerkDayOut
    last_service: LastServiceOut | None
    pause_reasons: list[str]
    transfer_targets: dict[str, Any]  # queues, windows (with open, clerk_name), fallback_minutes


class ReasonsOut(BaseModel):
    """GET …/rejection-reasons: the 不予受理 reasons offered on the pads."""

    reasons: list[str]
    free_text: bool


class NoticeField(BaseModel):
    """A labelled line of a notice's header block."""

    label: str
    value: str


class NoticeOut(BaseModel):
    """A filled 受理通知书 / 不予受理凭证 / 一次性告知书 (format=json)."""

    kind: NoticeKindName
    title: str
    serial: str
    hall_name: str
    number: str
    applicant: str | None
    id_masked: str | None
    matter: str
    department: str | None
    window: str | None
    clerk: str | None
    date: str
    time: str
    paragraphs: list[str]
    reason: str | None
    materials: list[str]
    note: str | None
    progress_url: str | None
    fields: list[NoticeField]
    receipt_body: list[str]
