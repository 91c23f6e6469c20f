"""Cases after 受理 (办件)：转递、签收、办结 / 不予许可 / 补正、出件；a pure state machine."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from server.domain.errors import Conflict, Invalid

DEFAULT_CASE_NO_FORMAT = "{hall}{date:%Y%m%d}{seq:04d}"
DEFAULT_HANDOVER_LIMIT_DAYS = 1  # 材料转递：signed for within 1 working day of 受理
CASE_NO = re.compile(r"[A-Za-z0-9_-]{4,40}")


class CaseState(StrEnum):
    """Where a case stands."""

    OPENED = "opened"  # 已受理 (一窗收件)
    HANDED_OVER = "handed_over"  # 已转递 (材料送往部门)
    SIGNED = "signed"  # 已签收 (部门收到材料，审批中)
    CORRECTION = "correction"  # 待补正 (材料须补充)
    APPROVED = "approved"  # 已办结 (准予，结果待出件)
    DENIED = "denied"  # 不予许可 (审查意见已出)
    DELIVERED = "delivered"  # 已出件 (领取或邮寄)


class Step(StrEnum):
    """A step recorded on a case."""

    HAND_OVER = "hand_over"  # 转递
    SIGN = "sign"  # 签收
    APPROVE = "approve"  # 办结
    DENY = "deny"  # 不予许可
    CORRECT = "correct"  # 补正 (告知申请人补充材料)
    RESUBMIT = "resubmit"  # 补正材料已收
    COLLECT = "collect"  # 领取
    MAIL = "mail"  # 邮寄


class CaseKind(StrEnum):
    """即办件 or 承诺件 (from the matter in the hall file)."""

    INSTANT = "instant"
    PROMISED = "promised"


STEP_LABELS = {
    Step.HAND_OVER: "转递",
    Step.SIGN: "签收",
    Step.APPROVE: "办结",
    Step.DENY: "不予许可",
    Step.CORRECT: "补正",
    Step.RESUBMIT: "补正材料已收",
    Step.COLLECT: "领取",
    Step.MAIL: "邮寄",
}
STATE_LABELS = {
    CaseState.OPENED: "已受理",
    CaseState.HANDED_OVER: "已转递",
    CaseState.SIGNED: "已签收",
    CaseState.CORRECTION: "待补正",
    CaseState.APPROVED: "已办结",
    CaseState.DENIED: "不予许可",
    CaseState.DELIVERED: "已出件",
}
KIND_LABELS = {CaseKind.INSTANT: "即办件", CaseKind.PROMISED: "承诺件"}

# Which step may follow which state, and where it leads.
TRANSITIONS: dict[tuple[CaseState, Step], CaseState] = {
    (CaseState.OPENED, Step.HAND_OVER): CaseState.HANDED_OVER,
    # Signing straight after 受理：the department sits in the hall and needs no 转递单.
    (CaseState.OPENED, Step.SIGN): CaseState.SIGNED,
    (CaseState.HANDED_OVER, Step.SIGN): CaseState.SIGNED,
    (CaseState.SIGNED, Step.APPROVE): CaseState.APPROVED,
    (CaseState.SIGNED, Step.DENY): CaseState.DENIED,
    (CaseState.SIGNED, Step.CORRECT): CaseState.CORRECTION,
    (CaseState.CORRECTION, Step.RESUBMIT): CaseState.SIGNED,
    (CaseState.APPROVED, Step.COLLECT): CaseState.DELIVERED,
    (CaseState.APPROVED, Step.MAIL): CaseState.DELIVERED,
    (CaseState.DENIED, Step.COLLECT): CaseState.DELIVERED,
    (CaseState.DENIED, Step.MAIL): CaseState.DELIVERED,
}
# Steps the department records；转递 and 出件 belong to the hall's windows.
DEPARTMENT_STEPS = frozenset({Step.SIGN, Step.APPROVE, Step.DENY, Step.CORRECT, Step.RESUBMIT})
DELIVERY_STEPS = frozenset({Step.COLLECT, Step.MAIL})


@dataclass(frozen=True)
class Case:
    """One case (办件): what was accepted, by whom, for which department, and each step's time."""

    hall: str
    case_no: str
    ticket_id: str | None
    matter: str | None
    department: str | None  # department id of the hall file
    kind: CaseKind
    limit_days: int  # 承诺时限 in working days (0 for 即办件)
    applicant_masked: str | None
    clerk: str | None
    window: str | None
    state: CaseState
    opened_at: dt.datetime
    handed_at: dt.datetime | None = None
    signed_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None  # 办结 or 不予许可
    decision: str | None = None  # approve (准予) or deny (不予许可)
    delivered_at: dt.datetime | None = None
    delivery: str | None = None  # collect / mail
    tracking_no: str | None = None
    note: str | None = None  # 审查意见 or 补正 materials, the last one recorded
    materials: tuple[str, ...] = field(default=())


def apply_step(case: Case, step: Step, at: dt.datetime, detail: dict[str, Any]) -> Case:
    """The case after `step` at `at`; 409 `case_step_out_of_order` when it may not follow."""
    target = TRANSITIONS.get((case.state, step))
    if target is None:
        raise Conflict(
            "case_step_out_of_order",
            f"办件 {case.case_no} 当前为“{STATE_LABELS[case.state]}”，不能{STEP_LABELS[step]}",
            {"state": case.state.value, "step": step.value},
        )
    times = (case.handed_at, case.signed_at, case.decided_at, case.delivered_at)
    latest = max((t for t in times if t is not None), default=case.opened_at)
    if at < latest:
        raise Invalid("invalid_step_time", "办理环节时间不能早于受理时间或上一环节的时间")
    note = _note(step, detail)
    # 办结 closes the 补正 episode: its request no longer stands as the case's opinion
    kept = None if step is Step.APPROVE else case.note
    changed = replace(case, state=target, note=note if note is not None else kept)
    if step is Step.HAND_OVER:
        return replace(changed, handed_at=at)
    if step is Step.SIGN:
        return replace(changed, signed_at=at)
    if step in (Step.APPROVE, Step.DENY):
        return replace(changed, decided_at=at, decision=step.value)
    if step in DELIVERY_STEPS:
        tracking = detail.get("tracking_no") if step is Step.MAIL else None
        return replace(changed, delivered_at=at, delivery=step.value, tracking_no=tracking)
    return changed


def _note(step: Step, detail: dict[str, Any]) -> str | None:
    """The text a step must carry：审查意见 for 不予许可，the materials for 补正，a 邮寄 number."""
    if step is Step.DENY:
        return _required(detail, "opinion", "不予许可须填写审查意见")
    if step is Step.CORRECT:
        return _required(detail, "opinion", "补正须写明需补充的材料")
    if step is Step.MAIL:
        _required(detail, "tracking_no", "邮寄须填写快递单号")
    return None


def _required(detail: dict[str, Any], key: str, message: str) -> str:
    value = detail.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid("missing_" + key, message, {"field": key})
    return value.strip()


def check_case_no(text: str) -> str:
    """A typed or scanned 办件编号：4 to 40 letters, digits or dashes (400 otherwise)."""
    value = text.strip()
    if not CASE_NO.fullmatch(value):
        raise Invalid("invalid_case_no", "办件编号应为 4 至 40 位字母、数字、下划线或连字符")
    return value


def format_case_no(pattern: str, hall: str, day: dt.date, seq: int) -> str:
    """The hall's own 办件编号 for the `seq`-th case of `day` (the hall file's format)."""
    return pattern.format(hall=hall.upper(), date=day, seq=seq)
