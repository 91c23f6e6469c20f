"""Hall-file keys for cases: [[departments]], matters' kind and limit, users' departments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drivers.strict_toml import Table
from server.domain.cases import (
    DEFAULT_CASE_NO_FORMAT,
    DEFAULT_HANDOVER_LIMIT_DAYS,
    CaseKind,
    format_case_no,
)

DEPARTMENT_ID = r"[a-z0-9_-]{1,32}"


def matter_case(
    t: Table, named: str | None, known: dict[str, str]
) -> tuple[str | None, dict[str, Any]]:
    """Read a matter's case keys; returns its department name and its case rule.

    `department` may give a department's id or its name; in a hall without [[departments]] it
    stays free text (the matters are kept as they were), without a case department.
    """
    kind = CaseKind(t.text("kind", "promised", choices=tuple(CaseKind)))
    limit = t.integer("limit_days", 0 if kind is CaseKind.INSTANT else 20, lo=0, hi=365)
    if kind is CaseKind.INSTANT and limit:
        raise t.error("limit_days", "an instant matter (即办件) has limit_days = 0")
    if kind is CaseKind.PROMISED and not limit:
        raise t.error("limit_days", "a promised matter (承诺件) needs limit_days of 1 or more")
    ident = None
    if named is not None:
        ident = named if named in known else next((i for i, n in known.items() if n == named), None)
        if known and ident is None:  # a hall that lists its departments names only those
            raise t.error("department", f"unknown department {named!r} (see [[departments]])")
    rule = {"department": ident, "kind": kind.value, "limit_days": limit}
    return (known[ident] if ident else named), rule


def user_departments(t: Table, role: str, known: dict[str, str]) -> list[str]:
    """A `department` user's departments (ids); other roles may not name any."""
    listed = t.texts("departments", [])
    for ident in listed:
        if ident not in known:
            raise t.error("departments", f"unknown department {ident!r}")
    if role == "department" and not listed:
        raise t.error("departments", "a department user needs at least one department")
    if role != "department" and listed:
        raise t.error("departments", "only users of role department have departments")
    return list(listed)


def settings(
    hall: Table,
    known: dict[str, str],
    matters: dict[str, dict[str, Any]],
    users: dict[str, list[str]],
) -> dict[str, Any]:
    """settings["cases"]: everything the case use cases and the 通报 read from the hall file."""
    pattern = hall.text("case_no_format", DEFAULT_CASE_NO_FORMAT, max_len=60)
    try:
        sample = format_case_no(pattern, "demo", dt.date(2026, 1, 1), 1)
    except (KeyError, ValueError, IndexError, AttributeError):
        raise hall.error(
            "case_no_format", "use only {hall}, {date:%Y%m%d} and {seq:04d} style fields"
        ) from None
    if not 4 <= len(sample) <= 40:
        raise hall.error("case_no_format", "must give 4 to 40 characters")
    return {
        "departments": known,
        "matters": matters,
        "users": users,
        "case_no_format": pattern,
        "handover_limit_days": hall.integer(
            "handover_limit_days", DEFAULT_HANDOVER_LIMIT_DAYS, lo=0, hi=30
        ),
    }
