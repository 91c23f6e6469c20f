"""好差评 upload as JSON in the shape another province's interface publishes.

`{busiCode, evalChannel, evalSource, objType, objCode, score, praise[], evaluationChildren[],
anonymous, publish}`: a 追评 is sent as the same busiCode again with the second rating in
`evaluationChildren`, so the platform attaches it to the first.
"""

from __future__ import annotations

import json
from typing import Any

from server.outbox.formats import LoggedEvent, Outgoing, Target, register
from server.outbox.province import EVALUATOR, PHONE, RatingRecord, outgoing, rating_record

NAME = "province_json"
CHANNELS = {EVALUATOR: "pad", PHONE: "h5"}  # anything else: terminal


def document(r: RatingRecord, target: Target) -> dict[str, Any]:
    """The JSON of a rating (or of a first rating with its 追评 as a child)."""
    praise = [{"code": x.code, "name": x.text} for x in r.reasons]
    child = {
        "score": r.level,
        "praise": praise,
        "content": r.comment,
        "evalTime": r.local(),
        "evalChannel": CHANNELS.get(r.channel, "terminal"),
    }
    top: dict[str, Any] = {
        "busiCode": r.case_no,
        "evalChannel": CHANNELS.get(r.channel, "terminal"),
        "evalSource": target.options.get("eval_source", "hall"),
        "objType": "2",  # 2 the staff member who served (1 would be the department)
        "objCode": r.staff_no or r.department_code,
        "score": r.level,
        "praise": praise,
        "evaluationChildren": [],
        "anonymous": not r.applicant_masked,
        "publish": target.options.get("publish", "false") == "true",
    }
    if r.assess_number == 2:
        top.update(score=r.first_level, praise=[], evaluationChildren=[child])
    return top


@register(NAME)
def render(event: LoggedEvent, target: Target, repos: Any) -> list[Outgoing]:
    """A rating (or 追评) as one JSON POST; other events send nothing."""
    record = rating_record(event, target, repos)
    if record is None:
        return []
    body = json.dumps(document(record, target), ensure_ascii=False, separators=(",", ":"))
    return [outgoing(record, target, body.encode(), "application/json; charset=utf-8")]
