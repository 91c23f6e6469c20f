"""Suspected 代评 (ratings not given by the citizen) and overdue 差评整改 for the monthly report.

代评 shows in two ways. A window whose ratings arrive within `proxy_rating_quick_seconds` of
the service's end far more often than the rest of the hall's (`proxy_rating_ratio` times,
and at least MIN_GAP more) is flagged once it has `proxy_rating_min_ratings` ratings in the
month. A burst is `proxy_burst_size` or more 非常满意 in a row at one window, each within
`proxy_burst_gap_seconds` of the last: faster than services end.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.domain.lifecycle import EVALUATION_LEVELS
from server.stats.periods import Period
from server.stats.reads import HallRead
from server.store.followups_repo import FollowupsRepo
from server.store.tables import tickets

MIN_GAP = 0.2  # a window's quick share must also exceed the rest of the hall's by 20 points
TOP = 5  # 非常满意


def _settings(read: HallRead) -> dict[str, float]:
    s = read.layout.settings
    return {
        "quick_seconds": float(s.get("proxy_rating_quick_seconds", 5)),
        "ratio": float(s.get("proxy_rating_ratio", 2.0)),
        "min_ratings": float(s.get("proxy_rating_min_ratings", 20)),
        "burst_size": float(s.get("proxy_burst_size", 8)),
        "burst_gap_seconds": float(s.get("proxy_burst_gap_seconds", 60)),
    }


def _ratings(read: HallRead, period: Period) -> list[Any]:
    t = tickets.c
    return list(
        read.conn.execute(
            select(t.window, t.number, t.finished_at, t.evaluated_at, t.evaluation_level)
            .where(
                t.hall == read.layout.code,
                t.business_date >= period.start,
                t.business_date <= period.end,
                t.evaluated_at.is_not(None),
                t.finished_at.is_not(None),
                t.window.is_not(None),
            )
            .order_by(t.window, t.evaluated_at)
        )
    )


def proxy_section(read: HallRead, period: Period) -> dict[str, Any]:
    """The 疑似代评 section: quick shares per window against the rest, and bursts."""
    rule = _settings(read)
    rows = _ratings(read, period)
    per: dict[str, list[Any]] = {}
    for r in rows:
        per.setdefault(r.window, []).append(r)
    quick = {w: sum(_quick(r, rule["quick_seconds"]) for r in rs) for w, rs in per.items()}
    total, total_quick = len(rows), sum(quick.values())
    out = []
    for window, rs in sorted(per.items()):
        rest = total - len(rs)
        rest_share = (total_quick - quick[window]) / rest if rest else None
        share = quick[window] / len(rs)
        flagged = (
            len(rs) >= rule["min_ratings"]
            and rest_share is not None
            and share >= rule["ratio"] * rest_share
            and share - rest_share >= MIN_GAP
        )
        bursts = _bursts(read, rs, int(rule["burst_size"]), rule["burst_gap_seconds"])
        if flagged or bursts:
            out.append(
                {
                    "window": window,
                    "window_name": read.windows[window].name if window in read.windows else window,
                    "ratings": len(rs),
                    "quick": quick[window],
                    "quick_share": round(share, 4),
                    "rest_quick_share": None if rest_share is None else round(rest_share, 4),
                    "flagged": flagged,
                    "bursts": bursts,
                }
            )
    return {"rule": rule, "min_gap": MIN_GAP, "rows": out}


def _quick(r: Any, seconds: float) -> bool:
    gap: float = (r.evaluated_at - r.finished_at).total_seconds()
    return 0 <= gap <= seconds


def _bursts(read: HallRead, rs: list[Any], size: int, gap: float) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    run: list[Any] = []
    for r in rs:
        close = run and (r.evaluated_at - run[-1].evaluated_at).total_seconds() <= gap
        if r.evaluation_level == TOP and (close or not run):
            run.append(r)
            continue
        if len(run) >= size:
            found.append(_burst(read, run))
        run = [r] if r.evaluation_level == TOP else []
    if len(run) >= size:
        found.append(_burst(read, run))
    return found


def _burst(read: HallRead, run: list[Any]) -> dict[str, Any]:
    return {
        "count": len(run),
        "from": read.local(run[0].evaluated_at),
        "to": read.local(run[-1].evaluated_at),
        "numbers": [r.number for r in run],
    }


def followup_section(read: HallRead, period: Period) -> dict[str, Any]:
    """差评整改 of the month's services: open, closed, and overdue ones listed."""
    items = FollowupsRepo(read.conn).opened_between(read.layout.code, period.start, period.end)
    late = [i for i in items if i.overdue(read.today)]
    return {
        "total": len(items),
        "open": sum(i.status == "open" for i in items),
        "closed": sum(i.status == "closed" for i in items),
        "overdue_total": len(late),
        "overdue": [
            {
                "date": i.business_date.isoformat(),
                "number": i.number,
                "window": i.window,
                "clerk": read.clerks.get(i.clerk or "", i.clerk),
                "level": EVALUATION_LEVELS.get(i.level, str(i.level)),
                "deadline": i.deadline.isoformat(),
                "days_late": (read.today - i.deadline).days,
                "reached": None if i.callback is None else i.callback.get("reached"),
                "rectified": i.rectification is not None,
            }
            for i in late
        ],
    }


def proxy_findings(section: dict[str, Any]) -> list[str]:
    """The 疑似代评 lines of the report."""
    seconds = int(section["rule"]["quick_seconds"])
    out = []
    for r in section["rows"]:
        if r["flagged"]:
            out.append(
                f"{r['window_name']}：办结后 {seconds} 秒内提交的评价占 {r['quick_share']:.1%}"
                f"（其他窗口 {r['rest_quick_share']:.1%}，共 {r['ratings']} 条），疑似代评"
            )
        out += [
            f"{r['window_name']}：{b['from']} 至 {b['to'][-5:]} 连续 {b['count']} 条非常满意，"
            f"间隔均不超过 {int(section['rule']['burst_gap_seconds'])} 秒，疑似代评"
            for b in r["bursts"]
        ]
    return out


def followup_findings(section: dict[str, Any]) -> list[str]:
    """The 差评整改 lines of the report."""
    return [
        f"{i['window'] or ''} {i['number']}（{i['date']}，{i['level']}）："
        f"整改期限 {i['deadline']}，已逾期 {i['days_late']} 天仍未办结"
        for i in section["overdue"]
    ]


def overdue_alerts(read: HallRead) -> list[dict[str, Any]]:
    """Overview alerts: one per 差评整改 item still open after its deadline."""
    return [
        {
            "level": "error",
            "kind": "followup_overdue",
            "followup": i.id,
            "message": f"差评整改逾期：{i.window or ''} {i.number}（"
            f"{EVALUATION_LEVELS.get(i.level, str(i.level))}），期限 {i.deadline}，尚未办结",
        }
        for i in FollowupsRepo(read.conn).overdue(read.layout.code, read.today)
    ]
