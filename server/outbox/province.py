"""What every provincial 好差评 adapter reads about a rating: one record, from event and store.

An adapter renders only `evaluation.recorded` (the first rating) and `evaluation.followed_up`
(追评); everything else yields no request. The store gives what the event leaves out (codes,
department, clerk, case number, reasons, comment) in the outbox's own transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.events import EventType
from server.domain.identity import mask_name
from server.outbox.formats import LoggedEvent, Outgoing, Target

RATING_EVENTS = frozenset({EventType.EVALUATION_RECORDED, EventType.EVALUATION_FOLLOWED_UP})
EVALUATOR, PHONE = "evaluator", "phone"


@dataclass(frozen=True)
class Reason:
    """A reason the citizen picked, with the code the receiving platform knows it by."""

    code: str
    text: str


@dataclass(frozen=True)
class RatingRecord:
    """One rating as the platform needs it, whatever the province's field names."""

    key: str  # hall:seq, stable across retries
    hall: str
    hall_name: str
    region_code: str
    region_name: str
    case_no: str  # 办件编号，or the ticket's own reference when no case was opened
    has_case: bool
    ticket_id: str
    number: str
    business_date: dt.date
    outcome: str | None
    matter: str | None
    matter_name: str
    catalog_code: str
    department: str
    department_code: str
    window: str | None
    clerk_name: str
    staff_no: str
    applicant_masked: str
    level: int
    reasons: tuple[Reason, ...]
    comment: str
    channel: str  # evaluator (the window's tablet) or phone (the stub's QR code)
    assess_number: int  # 1 the first rating, 2 the 追评
    rated_at: dt.datetime  # UTC
    promise_days: int  # the matter's promised limit in working days; 0 when none is known
    first_level: int | None  # for a 追评：the first rating's level
    timezone: str

    def local(self, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        """The rating time as the hall's clock shows it."""
        return self.rated_at.astimezone(ZoneInfo(self.timezone)).strftime(fmt)


def reason_codes(target: Target, listed: list[str]) -> dict[str, str]:
    """Reason text → code: the subscriber's `reason_codes` option, else the list position.

    The option reads "text:code,text:code"; a reason it does not name gets its 1-based
    position in the hall's `rating_reasons`.
    """
    codes = {text: str(i) for i, text in enumerate(listed, start=1)}
    for pair in (target.options.get("reason_codes") or "").split(","):
        text, _, code = pair.partition(":")
        if text.strip() and code.strip():
            codes[text.strip()] = code.strip()
    return codes


def rating_record(event: LoggedEvent, target: Target, repos: Any) -> RatingRecord | None:
    """The rating an event records, or None for events an adapter does not send."""
    if event.type not in RATING_EVENTS:
        return None
    ticket_id = (event.payload.get("ticket") or {}).get("id")
    service = repos.ratings.rated_service(ticket_id) if ticket_id else None
    if service is None:
        return None
    t = service.ticket
    second = event.type == EventType.EVALUATION_FOLLOWED_UP
    if second:
        if service.second is None:
            return None
        level, comment = service.second.level, service.second.comment
        picked, at, channel = (
            service.second.reasons,
            service.second.rated_at,
            service.second.channel,
        )
    else:
        level, comment = t["evaluation_level"], t["evaluation_comment"]
        picked = tuple(t["evaluation_reasons"] or ())
        at = t["evaluated_at"] or event.at
        channel = str(event.payload.get("channel") or PHONE)
    if level is None:
        return None
    settings = service.hall_settings
    codes = reason_codes(target, [str(r) for r in settings.get("rating_reasons", [])])
    case_no = t.get("case_no")
    return RatingRecord(
        key=f"{event.hall}:{event.seq}",
        hall=event.hall,
        hall_name=service.hall_name,
        region_code=str(settings.get("region_code") or ""),
        region_name=str(settings.get("region_name") or service.hall_name),
        case_no=case_no or f"{event.hall}-{t['business_date']:%Y%m%d}-{t['number']}",
        has_case=bool(case_no),
        ticket_id=t["id"],
        number=t["number"],
        business_date=t["business_date"],
        outcome=t.get("outcome"),
        matter=t.get("matter"),
        matter_name=service.matter_name or "",
        catalog_code=service.catalog_code or "",
        department=service.department or "",
        department_code=service.department_code or "",
        window=t.get("window"),
        clerk_name=service.clerk_name or "",
        staff_no=service.staff_no or "",
        applicant_masked=mask_name(t.get("applicant_name")) or "",
        level=int(level),
        reasons=tuple(Reason(codes.get(r, r), r) for r in picked),
        comment=comment or "",
        channel=channel,
        assess_number=2 if second else 1,
        rated_at=at,
        promise_days=int(service.promise_days or 0),
        first_level=t["evaluation_level"] if second else None,
        timezone=str(service.timezone),
    )


def outgoing(record: RatingRecord, target: Target, body: bytes, content_type: str) -> Outgoing:
    """The request of one record: POST to the subscriber's URL, keyed by hall:seq."""
    return Outgoing(
        key=record.key,
        method="POST",
        url=target.url,
        headers={"Content-Type": content_type, "Idempotency-Key": record.key},
        body=body,
    )
