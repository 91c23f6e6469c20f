"""通报 sections 材料转递异常 and 办结率异常 per department, from the cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.cases import Case
from server.services.case_rules import CaseRules
from server.stats.measures import rate
from server.stats.periods import Period
from server.stats.reads import HallRead
from server.store.cases_repo import CasesRepo

FIGURES = (
    ("accepted", "本月受理"),
    ("carried", "上月结转未办结"),
    ("on_time", "按期办结"),
    ("on_time_rate", "按期办结率"),
    ("late", "逾期办结"),
    ("total_rate", "总办结率"),
)


def case_sections(read: HallRead, period: Period) -> dict[str, Any]:
    """Sections 三 (handover) and 四 (completion) of the month, per department."""
    zone = ZoneInfo(read.layout.timezone)
    rules = CaseRules.of(read.layout)
    until = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), zone)
    found = [c for c in CasesRepo(read.conn).for_report(read.layout.code, until) if c.department]
    as_of = min(period.end, read.today)
    return {
        "handover": handover(found, rules, period, as_of, zone, read),
        "completion": completion(found, rules, period, zone),
    }


def _day(at: dt.datetime | None, zone: ZoneInfo) -> dt.date | None:
    return at.astimezone(zone).date() if at else None


def handover(
    found: Iterable[Case],
    rules: CaseRules,
    period: Period,
    as_of: dt.date,
    zone: ZoneInfo,
    read: HallRead,
) -> dict[str, Any]:
    """三、材料转递异常：cases opened this month whose 签收 came, or is still missing, too late."""
    limit = rules.handover_limit_days
    late: list[dict[str, Any]] = []
    for c in found:
        opened = _day(c.opened_at, zone)
        assert opened is not None
        if not period.start <= opened <= period.end:
            continue
        signed = _day(c.signed_at, zone)
        days = rules.calendar.working_days_after(opened, signed or as_of)
        if days > limit:
            late.append(
                {
                    "case_no": c.case_no,
                    "department": c.department,
                    "department_name": rules.department_name(c.department),
                    "opened_local": read.local(c.opened_at),
                    "signed_local": read.local(c.signed_at),
                    "working_days": days,
                    "signed": c.signed_at is not None,
                }
            )
    late.sort(key=lambda r: (r["department"], r["case_no"]))
    per: dict[str, int] = {}
    for r in late:
        per[r["department"]] = per.get(r["department"], 0) + 1
    rows = [
        {"department": d, "department_name": rules.department_name(d), "late": n}
        for d, n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {"limit_working_days": limit, "rows": rows, "cases": late, "total": len(late)}


def completion(
    found: Iterable[Case], rules: CaseRules, period: Period, zone: ZoneInfo
) -> dict[str, Any]:
    """四、办结率异常：the template's six figures per department."""
    counts: dict[str, dict[str, int]] = {}
    for c in found:
        opened = _day(c.opened_at, zone)
        decided = _day(c.decided_at, zone)
        assert opened is not None and c.department is not None
        row = counts.setdefault(
            c.department, dict.fromkeys(("accepted", "carried", "on_time", "late"), 0)
        )
        if period.start <= opened <= period.end:
            row["accepted"] += 1
        elif opened < period.start and (decided is None or decided >= period.start):
            row["carried"] += 1
        if decided is not None and period.start <= decided <= period.end:
            due = rules.due_date(opened, c.limit_days)
            row["on_time" if decided <= due else "late"] += 1
    rows = []
    for dept in [d for d in rules.departments if d in counts]:
        n = counts[dept]
        done = n["on_time"] + n["late"]
        rows.append(
            {
                "department": dept,
                "department_name": rules.department_name(dept),
                **n,
                "on_time_rate": rate(n["on_time"], done),
                "total_rate": rate(done, n["accepted"] + n["carried"]),
            }
        )
    return {"rows": rows}


def case_findings(sections: dict[str, Any]) -> list[tuple[str, str]]:
    """Sections 三 and 四 as the template's sentences."""
    out = []
    limit = sections["handover"]["limit_working_days"]
    for r in sections["handover"]["rows"]:
        out.append(
            (
                "材料转递异常",
                f"{r['department_name']}存在{r['late']}件办件材料转递完成时间较申报时间"
                f"超过了{limit}个工作日",
            )
        )
    for r in sections["completion"]["rows"]:
        out.append(
            (
                "办结率异常",
                f"{r['department_name']}本月受理{r['accepted']}件，上月结转未办结{r['carried']}件，"
                f"按期办结{r['on_time']}件，按期办结率{_pct(r['on_time_rate'])}，"
                f"逾期办结{r['late']}件，总办结率{_pct(r['total_rate'])}",
            )
        )
    return out


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
