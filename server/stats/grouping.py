"""Statistics for a date range, grouped by window, queue, clerk, area, hour of day or day.

One pass over the period's calls, tickets and walk-ins feeds every requested grouping at
once (the xlsx export wants all six). What is counted where is written in
docs/statistics.md: calls count at the window, clerk and queue that made them, in the hour
they started; tickets count in the queue they were issued in, in the hour of issue.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from server.stats import queries
from server.stats.measures import COLUMNS, SERVICE_RESULTS, Tally, whole_seconds
from server.stats.periods import WEEKDAYS, Period
from server.store.layout import Layout

DIMENSIONS = ("window", "queue", "clerk", "area", "hour", "day", "matter")
DIMENSION_LABELS = {
    "window": "窗口",
    "queue": "业务队列",
    "clerk": "工作人员",
    "area": "区域",
    "hour": "时段",
    "day": "日期",
    "matter": "办理事项",  # picked at 受理 / 不予受理, else the one chosen at the kiosk
}
PER_CALL_ONLY = frozenset({"window", "clerk"})  # tickets are not issued to a window or clerk
UNKNOWN = "-"


@dataclass
class Statistics:
    """Tallies of a period: per requested grouping and key, plus the hall total."""

    period: Period
    groups: dict[str, dict[str, Tally]]
    total: Tally = field(default_factory=Tally)


class Folder:
    """Folds raw rows into the tallies of the requested groupings."""

    def __init__(self, layout: Layout, windows: dict[str, queries.WindowInfo], dims: Iterable[str]):
        self.layout, self.windows = layout, windows
        self.zone = ZoneInfo(layout.timezone)
        self.dims = tuple(dims)
        self.groups: dict[str, dict[str, Tally]] = {d: defaultdict(Tally) for d in self.dims}
        self.total = Tally()

    def _hour(self, at: dt.datetime) -> str:
        return f"{at.astimezone(self.zone).hour:02d}"

    def _window_area(self, window: str, queue: str | None) -> str:
        info = self.windows.get(window)
        if info is not None:
            return info.area
        return self._queue_area(queue)

    def _queue_area(self, queue: str | None) -> str:
        found = self.layout.queues.get(queue or "")
        return found.area if found else UNKNOWN

    def _targets(self, keys: dict[str, str]) -> list[Tally]:
        return [self.total, *(self.groups[d][keys[d]] for d in self.dims if d in keys)]

    def add_call(self, row: Any) -> None:
        """Count one call at its window, clerk, queue, area, start hour and day."""
        keys = {
            "window": row.window,
            "queue": row.queue,
            "clerk": row.clerk or UNKNOWN,
            "area": self._window_area(row.window, row.queue),
            "hour": self._hour(row.called_at),
            "day": row.business_date.isoformat(),
            "matter": row.matter or UNKNOWN,
        }
        result = row.result
        served = result in SERVICE_RESULTS
        # What this call adds, worked out once and then added to each of its rows.
        adds = {"called": 1, "recalls": row.recalls, "out_of_order": int(bool(row.out_of_order))}
        if result is None:
            adds["in_progress"] = 1
        else:
            adds["no_outcome" if result == "expired" else result] = 1
        if served and row.evaluation_requested:
            adds["should_rate"] = 1
            if row.evaluation_level is not None:
                adds["rated"] = 1
                adds[f"level_{row.evaluation_level}"] = 1
        spent = None
        if (served or result == "transferred") and row.ended_at is not None:
            spent = whole_seconds(row.ended_at - row.called_at)
        for tally in self._targets(keys):
            tally.add(adds, service=spent)

    def add_ticket(self, row: Any) -> None:
        """Count a ticket in its issue queue, area, hour and day (its wait also by first call)."""
        queue = row.first_queue or row.queue
        keys = {
            "queue": queue,
            "area": self._queue_area(queue),
            "hour": self._hour(row.issued_at),
            "day": row.business_date.isoformat(),
            "matter": row.matter or UNKNOWN,
        }
        adds = {"issued": 1, "requeued": row.requeue_count}
        if row.priority in ("green", "appointment"):
            adds["green" if row.priority == "green" else "appointments"] = 1
        if row.status in ("cancelled", "expired"):
            adds[row.status] = 1
        waited = None
        if row.first_called_at is not None:
            waited = whole_seconds(row.first_called_at - row.issued_at)
        for tally in self._targets(keys):
            tally.add(adds, waiting=waited)
        if waited is None:
            return
        by_call = {"window": row.first_window, "clerk": row.first_clerk or UNKNOWN}
        for dim in PER_CALL_ONLY.intersection(self.dims):
            self.groups[dim][by_call[dim]].waiting.add_whole(waited)

    def add_walk_in(self, row: Any) -> None:
        """Count work done without a ticket at its window (未叫号即办理)."""
        keys = {
            "window": row.window,
            "clerk": row.clerk or UNKNOWN,
            "area": self._window_area(row.window, None),
            "hour": self._hour(row.at),
            "day": row.business_date.isoformat(),
            "matter": row.matter or UNKNOWN,
        }
        matter = self.layout.matters.get(row.matter or "")
        if matter is not None:  # without a matter the queue is unknown: not guessed
            keys["queue"] = matter.queue
        for tally in self._targets(keys):
            tally.counts["walk_ins"] += 1


def collect(conn: Connection, layout: Layout, period: Period, dims: Iterable[str]) -> Statistics:
    """Tally the period's calls, tickets and walk-ins into the requested groupings."""
    folder = Folder(layout, queries.window_infos(conn, layout.code), dims)
    for row in queries.call_rows(conn, layout.code, period):
        folder.add_call(row)
    for row in queries.ticket_rows(conn, layout.code, period):
        folder.add_ticket(row)
    for row in queries.walk_in_rows(conn, layout.code, period):
        folder.add_walk_in(row)
    return Statistics(period, {d: dict(t) for d, t in folder.groups.items()}, folder.total)


def ordered_keys(
    dim: str,
    tallies: dict[str, Tally],
    layout: Layout,
    windows: dict[str, queries.WindowInfo],
) -> list[tuple[str, str]]:
    """(key, label) of a grouping's rows in reading order; configured ones even when idle."""
    if dim == "window":
        known = [(w.code, w.name) for w in windows.values() if w.active or w.code in tallies]
    elif dim == "queue":
        known = [(q.code, f"{q.code} {q.name}") for q in layout.queues.values()]
    elif dim == "area":
        known = list(layout.areas)
    elif dim == "matter":  # only the matters served in the period: a hall has hundreds
        known = [(m.code, m.name) for m in layout.matters.values() if m.code in tallies]
    else:
        known = []
    seen = {k for k, _ in known}
    extra = sorted(k for k in tallies if k not in seen)
    return known + [(k, _label(dim, k)) for k in extra]


def _label(dim: str, key: str) -> str:
    if key == UNKNOWN:
        return "（未记录）"
    if dim == "hour":
        return f"{key}:00-{int(key) + 1:02d}:00"
    if dim == "day":
        return f"{key} {WEEKDAYS[dt.date.fromisoformat(key).weekday()]}"
    return key


def table(
    stats: Statistics,
    dim: str,
    layout: Layout,
    windows: dict[str, queries.WindowInfo],
    clerks: dict[str, str],
) -> dict[str, Any]:
    """One grouping as rows of labelled values plus the 合计 row."""
    tallies = stats.groups[dim]
    per_ticket = dim not in PER_CALL_ONLY
    rows = []
    for key, label in ordered_keys(dim, tallies, layout, windows):
        if dim == "clerk" and key in clerks:
            label = f"{clerks[key]}（{key}）"
        tally = tallies.get(key, Tally())
        rows.append({"key": key, "label": label, **tally.row(per_ticket)})
    return {
        "by": dim,
        "by_label": DIMENSION_LABELS[dim],
        "columns": [
            {"key": c.key, "label": c.label, "kind": c.kind}
            for c in COLUMNS
            if per_ticket or not c.per_ticket
        ],
        "rows": rows,
        "total": {"key": "total", "label": "合计", **stats.total.row()},
    }
