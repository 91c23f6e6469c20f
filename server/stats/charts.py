"""The dashboard's charts as SVG: arrivals per hour, waiting times, outcomes, staffing."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from server.domain.errors import Invalid, NotFound
from server.services.context import Context
from server.stats import grouping
from server.stats.measures import Durations
from server.stats.periods import WEEKDAYS, parse_period
from server.stats.reads import hall_read
from server.stats.staffing import staffing
from server.stats.svg import PALETTE, Series, column_chart, stacked_bars

CHARTS = ("arrivals", "waiting", "outcomes", "staffing")
WAIT_EDGES = [0, 5, 10, 15, 20, 30, 45, 60, 90]  # minutes; the last bucket is open
OUTCOMES = (
    ("accepted", "受理"),
    ("consulted", "咨询"),
    ("rejected", "不予受理"),
    ("no_show", "过号"),
    ("transferred", "转移"),
)


def chart(
    ctx: Context,
    hall: str,
    name: str,
    start: str | None,
    end: str | None,
    weekday: int | None = None,
    target: float | None = None,
) -> str:
    """One chart of a range as SVG markup."""
    if name not in CHARTS:
        raise NotFound("unknown_chart", f"没有名为 {name} 的图表", {"charts": list(CHARTS)})
    if name == "staffing":
        return staffing_chart(staffing(ctx, hall, start, end, target), weekday)
    dims = {"arrivals": ["hour"], "waiting": [], "outcomes": ["window"]}[name]
    with hall_read(ctx, hall) as read:
        period = parse_period(start, end, read.today)
        stats = grouping.collect(read.conn, read.layout, period, dims)
        span = f"{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}"
        if name == "waiting":
            return waiting_chart(stats.total.waiting, span)
        by = dims[0]
        rows = grouping.table(stats, by, read.layout, read.windows, read.clerks)["rows"]
        return arrivals_chart(rows, span) if name == "arrivals" else outcomes_chart(rows, span)


def arrivals_chart(rows: list[dict[str, Any]], span: str) -> str:
    """Tickets issued and calls made per hour of day."""
    return column_chart(
        f"每小时取号与叫号（{span}）",
        [r["key"] + "时" for r in rows],
        [
            Series("取号", [r["issued"] for r in rows], PALETTE[0]),
            Series("叫号", [r["called"] for r in rows], PALETTE[1]),
        ],
        unit="人次",
    )


def waiting_chart(waiting: Durations, span: str) -> str:
    """How many waited 0–5, 5–10 … 90+ minutes."""
    counts = waiting.histogram(WAIT_EDGES)
    labels = [f"{a}-{b}" for a, b in pairwise(WAIT_EDGES)]
    return column_chart(
        f"等候时长分布（{span}）",
        [*labels, f"{WAIT_EDGES[-1]}+"],
        [Series("人次", [float(n) for n in counts], PALETTE[5])],
        unit="人次 / 等候分钟",
    )


def outcomes_chart(rows: list[dict[str, Any]], span: str) -> str:
    """Outcomes per window, stacked: 受理, 咨询, 不予受理, 过号, 转移."""
    return stacked_bars(
        f"各窗口办理结果（{span}）",
        [r["label"] for r in rows],
        [
            Series(label, [float(r[key] or 0) for r in rows], PALETTE[i])
            for i, (key, label) in enumerate(OUTCOMES)
        ],
        unit=" 件",
    )


def staffing_chart(advice: dict[str, Any], weekday: int | None) -> str:
    """Windows needed (Erlang C) against windows at work, per hour of one weekday."""
    days = {d["weekday"]: d for d in advice["weekdays"]}
    if weekday is not None and not 0 <= weekday <= 6:
        raise Invalid("invalid_weekday", "星期应为 0（周一）至 6（周日）")
    chosen = days.get(weekday if weekday is not None else 0) or next(iter(days.values()), None)
    if chosen is None:
        return column_chart("排班建议（无数据）", [], [])
    hours = chosen["hours"]
    return column_chart(
        f"{WEEKDAYS[chosen['weekday']]} 建议开窗与实际开窗"
        f"（平均等候 ≤ {advice['target_wait_min']:g} 分钟）",
        [f"{h['hour']:02d}时" for h in hours],
        [
            Series("建议开窗", [float(h["needed"]) for h in hours], PALETTE[3]),
            Series("实际开窗", [float(h["open"]) for h in hours], PALETTE[0]),
        ],
        unit="窗口数",
    )
