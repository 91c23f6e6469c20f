"""好差评 upload in our own documented JSON (docs/integrations.md): one object per rating."""

from __future__ import annotations

import json
from typing import Any

from server.domain.lifecycle import EVALUATION_LEVELS
from server.outbox.formats import LoggedEvent, Outgoing, Target, register
from server.outbox.province import RatingRecord, outgoing, rating_record

NAME = "province_generic"


def document(r: RatingRecord) -> dict[str, Any]:
    """The generic JSON of a rating (field by field in docs/integrations.md)."""
    return {
        "id": r.key,
        "assess_number": r.assess_number,
        "region_code": r.region_code,
        "region_name": r.region_name,
        "hall": r.hall,
        "hall_name": r.hall_name,
        "case_no": r.case_no,
        "has_case": r.has_case,
        "ticket": r.ticket_id,
        "number": r.number,
        "business_date": r.business_date.isoformat(),
        "outcome": r.outcome,
        "matter": {"code": r.matter, "name": r.matter_name, "catalog_code": r.catalog_code},
        "department": {"name": r.department, "code": r.department_code},
        "window": r.window,
        "staff_no": r.staff_no,
        "staff_name": r.clerk_name,
        "applicant_masked": r.applicant_masked,
        "level": r.level,
        "level_label": EVALUATION_LEVELS[r.level],
        "first_level": r.first_level,
        "reasons": [{"code": x.code, "text": x.text} for x in r.reasons],
        "comment": r.comment,
        "channel": r.channel,
        "rated_at": r.rated_at.isoformat(timespec="seconds"),
        "rated_local": r.local(),
        "promise_days": r.promise_days,
    }


@register(NAME)
def render(event: LoggedEvent, target: Target, repos: Any) -> list[Outgoing]:
    """A rating as one JSON POST; other events send nothing."""
    record = rating_record(event, target, repos)
    if record is None:
        return []
    body = json.dumps(document(record), ensure_ascii=False, separators=(",", ":")).encode()
    return [outgoing(record, target, body, "application/json; charset=utf-8")]
