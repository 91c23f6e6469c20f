"""好差评 upload as a form POST, in the field set one province's interface publishes.

Fields: areaCode, areaName, deptCode, taskCode, taskName, projectNo, proStatus, proDepart,
proManager, pf, userName, userProp, satisfaction, evalDetail, writingEvaluation, assessTime,
assessNumber, promiseTime, dataSource. `pf` is the channel (4 the hall's tablet, 3 the QR code
on a phone, 5 another hall terminal); `assessNumber` is 1 for the first rating, 2 for a 追评.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from server.outbox.formats import LoggedEvent, Outgoing, Target, register
from server.outbox.province import EVALUATOR, PHONE, RatingRecord, outgoing, rating_record

NAME = "province_form"
PF = {EVALUATOR: "4", PHONE: "3"}  # anything else: 5 other hall terminal
# 办件状态 by the ticket's outcome: 1 受理，2 咨询 (no case), 3 不予受理.
PRO_STATUS = {"accepted": "1", "consulted": "2", "rejected": "3"}
FIELDS = (
    "areaCode",
    "areaName",
    "deptCode",
    "taskCode",
    "taskName",
    "projectNo",
    "proStatus",
    "proDepart",
    "proManager",
    "pf",
    "userName",
    "userProp",
    "satisfaction",
    "evalDetail",
    "writingEvaluation",
    "assessTime",
    "assessNumber",
    "promiseTime",
    "dataSource",
)


def form(r: RatingRecord, target: Target) -> dict[str, str]:
    """The form fields of a rating, in the interface's order."""
    fields = {
        "areaCode": r.region_code,
        "areaName": r.region_name,
        "deptCode": r.department_code,
        "taskCode": r.catalog_code,
        "taskName": r.matter_name,
        "projectNo": r.case_no,
        "proStatus": PRO_STATUS.get(r.outcome or "", "1"),
        "proDepart": r.department,
        "proManager": r.staff_no or r.clerk_name,  # 工号 where the hall file gives one
        "pf": PF.get(r.channel, "5"),
        "userName": r.applicant_masked,  # never the name in clear
        "userProp": target.options.get("user_prop", "1"),  # 1 natural person, 2 legal person
        "satisfaction": str(r.level),  # 5 非常满意 … 1 非常不满意
        "evalDetail": ",".join(x.code for x in r.reasons),
        "writingEvaluation": r.comment,
        "assessTime": r.local(),
        "assessNumber": str(r.assess_number),
        "promiseTime": str(r.promise_days),
        "dataSource": target.options.get("data_source", "1"),  # assigned by the province
    }
    assert tuple(fields) == FIELDS
    return fields


@register(NAME)
def render(event: LoggedEvent, target: Target, repos: Any) -> list[Outgoing]:
    """A rating as one form POST; other events send nothing."""
    record = rating_record(event, target, repos)
    if record is None:
        return []
    body = urlencode(form(record, target)).encode()
    return [outgoing(record, target, body, "application/x-www-form-urlencoded; charset=utf-8")]
