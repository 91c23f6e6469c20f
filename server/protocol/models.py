"""Request and response bodies of the v1 REST API (pydantic), as published at /docs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# PostgreSQL text cannot hold NUL, and no field has a use for C0 controls or DEL; the
# free-text fields a body names in `multi_line` may still hold tabs and line breaks.
SINGLE_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
MULTI_LINE_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Body(BaseModel):
    """Base of request bodies: unknown fields are ignored so older clients keep working."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    multi_line: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse NUL and other control characters in every string of the body."""
        multi_line = info.field_name in cls.multi_line
        pattern = MULTI_LINE_CONTROLS if multi_line else SINGLE_LINE_CONTROLS
        if any(pattern.search(text) for text in _strings(value)):
            raise PydanticCustomError("control_character", "contains a control character")
        return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


class LoginBody(Body):
    """POST /auth/login."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class IssueBody(Body):
    """POST /halls/{hall}/tickets."""

    queue: str | None = Field(None, max_length=32)
    matter: str | None = Field(None, max_length=64)
    applicant_name: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\- ]{3,20}$")
    priority: Literal["normal", "green"] | None = None
    appointment_code: str | None = Field(None, max_length=16)
    source: Literal["kiosk", "guide", "online", "appointment"] | None = None


class FindBody(Body):
    """POST /halls/{hall}/tickets/find: a ticket by its printed number (+ proof at kiosks)."""

    number: str = Field(min_length=2, max_length=16)
    id_number: str | None = Field(None, max_length=32)
    appointment_code: str | None = Field(None, max_length=16)


class EvaluationBody(Body):
    """POST /tickets/{id}/evaluation: 5 非常满意 … 1 非常不满意."""

    multi_line = frozenset({"comment"})

    level: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=500)
    # Picked from the hall's rating_reasons; required for 1-2 when given (omitted by button boxes).
    reasons: list[Annotated[str, Field(min_length=1, max_length=20)]] | None = Field(
        None, max_length=20
    )


class CallBody(Body):
    """POST …/windows/{code}/call: a ticket id or its number."""

    ticket: str = Field(min_length=1, max_length=40)


class OutcomeBody(Body):
    """POST …/windows/{code}/outcome."""

    multi_line = frozenset({"reason"})

    outcome: str = Field(max_length=16)
    reason: str | None = Field(None, max_length=500)
    # The ticket the clerk saw (a pad replaying a queued tap): 409 ticket_not_current if
    # the window has moved on since.
    ticket: str | None = Field(None, max_length=40)
    # The matter actually served, picked on the pad (extension; a queue ticket has none).
    matter: str | None = Field(None, max_length=64)
    # 受理：the 办件编号 typed or scanned (the hall numbers the case itself without one).
    case_no: str | None = Field(None, max_length=40)


class TransferBody(Body):
    """POST …/windows/{code}/transfer."""

    multi_line = frozenset({"note"})

    queue: str | None = Field(None, max_length=32)
    window: str | None = Field(None, max_length=32)
    note: str | None = Field(None, max_length=200)
    ticket: str | None = Field(None, max_length=40)  # as on OutcomeBody
    # The clerk confirms a window that is not open yet: the ticket waits for it (extension).
    wait_for_window: bool = False


class PauseBody(Body):
    """POST …/windows/{code}/pause."""

    reason: str | None = Field(None, max_length=20)


class QueuesBody(Body):
    """PUT …/windows/{code}/queues (潮汐)."""

    queues: list[str] = Field(min_length=1, max_length=50)


class WalkInBody(Body):
    """POST …/windows/{code}/walk-in."""

    outcome: str = Field(max_length=16)
    matter: str | None = Field(None, max_length=64)


class AppointmentBody(Body):
    """POST /halls/{hall}/appointments."""

    queue: str = Field(max_length=32)
    slot: dt.datetime
    applicant_name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(max_length=32)
    phone: str | None = Field(None, max_length=20, pattern=r"^[0-9+\- ]{3,20}$")


class DeviceStatusBody(Body):
    """POST /halls/{hall}/devices/{device}/status."""

    status: str = Field(max_length=16)
    detail: str | None = Field(None, max_length=200)


class ErrorInfo(BaseModel):
    """The error object."""

    code: str
    message: str
    detail: Any = None


class ErrorOut(BaseModel):
    """Every 4xx/5xx body."""

    error: ErrorInfo


class LoginOut(BaseModel):
    """A session token."""

    token: str
    role: str
    expires_at: str
    username: str
    name: str
    hall: str
    windows: list[str]
    password_change_required: bool = False  # issue 19: only POST /auth/password until changed


class TicketOut(BaseModel):
    """The ticket JSON of DESIGN §4 (plus a few fields clients find useful)."""

    model_config = ConfigDict(extra="allow")

    id: str
    hall: str
    number: str
    queue: str
    queue_name: str
    matter: str | None
    matter_name: str | None
    windows: list[str]
    status: str
    priority: str
    waiting_ahead: int | None
    estimated_wait_min: int | None
    issued_at: str
    business_date: str
    applicant_masked: str | None
    id_masked: str | None
    call_count: int
    requeue_count: int
    window: str | None
    outcome: str | None
    progress_url: str | None
    priority_reason: str | None = None  # in the 201 only: why the hall gave priority (长辈优先)


class WindowOut(BaseModel):
    """A window's state."""

    code: str
    name: str
    area: str
    status: str
    queues: list[str]
    current_ticket: str | None
    current_number: str | None
    paused_reason: str | None
    signed_in: bool


class AppointmentOut(BaseModel):
    """A booked appointment."""

    code: str
    slot: str
    slot_end: str
    queue: str
    queue_name: str


class EventsOut(BaseModel):
    """GET …/events: events after `since`, or a snapshot when `since` is too old."""

    snapshot: dict[str, Any] | None
    events: list[dict[str, Any]]
    last_seq: int
