"""What the hall file says about cases, and how a case reads for people (views, due dates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.cases import (
    DEFAULT_CASE_NO_FORMAT,
    DEFAULT_HANDOVER_LIMIT_DAYS,
    KIND_LABELS,
    STATE_LABELS,
    STEP_LABELS,
    Case,
    CaseKind,
    Step,
)
from server.domain.layout import Layout
from server.protocol.views import iso
from server.stats.periods import WorkCalendar, work_calendar


@dataclass(frozen=True)
class CaseRules:
    """settings["cases"] of a hall: departments, matters' kinds and limits, department users."""

    departments: dict[str, str]
    matters: dict[str, dict[str, Any]]
    users: dict[str, list[str]]
    case_no_format: str
    handover_limit_days: int
    calendar: WorkCalendar

    @classmethod
    def of(cls, layout: Layout) -> CaseRules:
        """The rules of a hall (empty for a hall file without them)."""
        cfg = layout.settings.get("cases") or {}
        return cls(
            departments=dict(cfg.get("departments", {})),
            matters=dict(cfg.get("matters", {})),
            users={k: list(v) for k, v in cfg.get("users", {}).items()},
            case_no_format=cfg.get("case_no_format", DEFAULT_CASE_NO_FORMAT),
            handover_limit_days=int(cfg.get("handover_limit_days", DEFAULT_HANDOVER_LIMIT_DAYS)),
            calendar=work_calendar(layout.settings),
        )

    def department_name(self, ident: str | None) -> str | None:
        """A department's name by its id."""
        return self.departments.get(ident, ident) if ident else None

    def matter_rule(self, matter: str | None) -> dict[str, Any] | None:
        """The case rule of a matter, when it belongs to a department of the hall."""
        rule = self.matters.get(matter or "")
        return rule if rule and rule.get("department") else None

    def due_date(self, opened: dt.date, limit_days: int) -> dt.date:
        """承诺办结日：`limit_days` working days after the day of 受理 (即办件：that day)."""
        return add_working_days(self.calendar, opened, limit_days)


def add_working_days(calendar: WorkCalendar, start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (`start` itself for 0)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        days -= calendar.is_working_day(day)
    return day


def local(at: dt.datetime | None, zone: ZoneInfo) -> str | None:
    """A time as a person in the hall reads it: "2026-12-06 08:36"."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else None


def case_view(
    case: Case, layout: Layout, steps: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A case for staff pages and the API (the applicant masked, as everywhere)."""
    rules = CaseRules.of(layout)
    zone = ZoneInfo(layout.timezone)
    opened = case.opened_at.astimezone(zone).date()
    matter = layout.matters.get(case.matter or "")
    view: dict[str, Any] = {
        "case_no": case.case_no,
        "hall": case.hall,
        "ticket": case.ticket_id,
        "matter": case.matter,
        "matter_name": matter.name if matter else case.matter,
        "department": case.department,
        "department_name": rules.department_name(case.department),
        "kind": case.kind.value,
        "kind_label": KIND_LABELS[case.kind],
        "limit_days": case.limit_days,
        "due_date": rules.due_date(opened, case.limit_days).isoformat(),
        "applicant_masked": case.applicant_masked,
        "clerk": case.clerk,
        "window": case.window,
        "state": case.state.value,
        "state_label": STATE_LABELS[case.state],
        "decision": case.decision,
        "delivery": case.delivery,
        "tracking_no": case.tracking_no,
        "note": case.note,
        "materials": list(case.materials),
    }
    for key in ("opened_at", "handed_at", "signed_at", "decided_at", "delivered_at"):
        at = getattr(case, key)
        view[key] = iso(at)
        view[key.replace("_at", "_local")] = local(at, zone)
    if steps is not None:
        view["steps"] = [
            {
                "step": s["step"],
                "label": STEP_LABELS[Step(s["step"])],
                "at": iso(s["at"]),
                "at_local": local(s["at"], zone),
                "actor": s["actor"],
                "step_id": s["step_id"],
            }
            for s in steps
        ]
    return view


def event_view(case: Case, layout: Layout, step: str | None) -> dict[str, Any]:
    """What a case event carries: no name beyond the masked one, no ID number, no phone."""
    rules = CaseRules.of(layout)
    return {
        "case_no": case.case_no,
        "ticket": case.ticket_id,
        "matter": case.matter,
        "department": case.department,
        "department_name": rules.department_name(case.department),
        "kind": case.kind.value,
        "limit_days": case.limit_days,
        "state": case.state.value,
        "step": step,
        "applicant_masked": case.applicant_masked,
        "window": case.window,
    }


def default_kind(rule: dict[str, Any] | None) -> tuple[CaseKind, int]:
    """A case's kind and limit from its matter's rule (a matter without one：承诺件，20 days)."""
    if rule is None:
        return CaseKind.PROMISED, 20
    return CaseKind(rule["kind"]), int(rule["limit_days"])
