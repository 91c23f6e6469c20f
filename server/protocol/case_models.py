"""Request bodies of the case routes (办件 steps and numbers)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from server.protocol.models import Body


class CaseStepBody(Body):
    """POST …/cases/{case_no}/steps: one step (转递、签收、办结、不予许可、补正、出件)."""

    multi_line = frozenset({"opinion"})

    step: str = Field(max_length=16)
    opinion: str | None = Field(None, max_length=500)  # 审查意见 / 补正 materials to add
    materials: list[str] | None = Field(None, max_length=50)  # materials handed over
    tracking_no: str | None = Field(None, max_length=40)  # 邮寄：the parcel's number
    # Outside case systems only: when the step happened there, and its id (pushed once).
    at: dt.datetime | None = None
    step_id: str | None = Field(None, min_length=1, max_length=64)


class CaseNoBody(Body):
    """PUT /tickets/{id}/case: the 办件编号 typed or scanned."""

    case_no: str = Field(max_length=40)
