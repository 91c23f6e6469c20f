"""What one statistics row counts, and the column list every output (JSON, xlsx, csv) shares.

Durations are kept as histograms of whole seconds, so a group's median and p90 are exact
(nearest rank) while memory stays bounded however long the date range is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意
SATISFIED = frozenset({5, 4, 3})  # 非常满意、满意、基本满意 count as satisfied
SERVICE_RESULTS = frozenset({"accepted", "consulted", "rejected"})  # 办结：the clerk served


@dataclass(frozen=True)
class Column:
    """One statistics column: its key in JSON, its Chinese header, and how it is shown."""

    key: str
    label: str
    kind: str  # "count" | "minutes" | "rate"
    per_ticket: bool = False  # counted per ticket (by issue): blank for windows and clerks


def _durations(prefix: str, label: str, per_ticket: bool) -> list[Column]:
    return [
        Column(f"{prefix}_count", f"{label}人次", "count", per_ticket),
        Column(f"{prefix}_mean_min", f"平均{label}(分)", "minutes", per_ticket),
        Column(f"{prefix}_median_min", f"{label}中位数(分)", "minutes", per_ticket),
        Column(f"{prefix}_p90_min", f"{label}P90(分)", "minutes", per_ticket),
        Column(f"{prefix}_max_min", f"最长{label}(分)", "minutes", per_ticket),
    ]


COLUMNS: tuple[Column, ...] = (
    Column("issued", "取号数", "count", True),
    Column("green", "绿色通道", "count", True),
    Column("appointments", "预约取号", "count", True),
    Column("called", "叫号次数", "count"),
    Column("recalls", "重呼次数", "count"),
    Column("out_of_order", "选号叫号", "count"),
    Column("accepted", "受理", "count"),
    Column("consulted", "咨询", "count"),
    Column("rejected", "不予受理", "count"),
    Column("no_show", "过号", "count"),
    Column("transferred", "转移", "count"),
    Column("no_outcome", "叫号未登记结果", "count"),
    Column("requeued", "过号重排", "count", True),
    Column("cancelled", "取消", "count", True),
    Column("expired", "过期未办", "count", True),
    Column("walk_ins", "未叫号即办理", "count"),
    *_durations("waiting", "等候时长", False),
    *_durations("service", "办理时长", False),
    Column("should_rate", "应评价", "count"),
    Column("rated", "已评价", "count"),
    Column("not_rated", "未评价", "count"),
    Column("level_5", "非常满意", "count"),
    Column("level_4", "满意", "count"),
    Column("level_3", "基本满意", "count"),
    Column("level_2", "不满意", "count"),
    Column("level_1", "非常不满意", "count"),
    Column("rating_rate", "参评率", "rate"),
    Column("satisfaction_rate", "满意率", "rate"),
    Column("completion_rate", "有效办理率", "rate"),
    Column("no_show_rate", "过号率", "rate"),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


@dataclass
class Durations:
    """Durations as a histogram of whole seconds: exact nearest-rank percentiles."""

    seconds: Counter[int] = field(default_factory=Counter)
    count: int = 0
    total: int = 0

    def add(self, seconds: float) -> None:
        """Count one duration in seconds (negative clock skew counts as zero)."""
        self.add_whole(max(0, round(seconds)))

    def add_whole(self, whole: int) -> None:
        """Count one duration already in whole, non-negative seconds."""
        self.seconds[whole] += 1
        self.count += 1
        self.total += whole

    def percentile(self, p: float) -> int | None:
        """The nearest-rank p-th percentile in seconds (p in 0..100), None when empty."""
        if not self.count:
            return None
        rank = max(1, math.ceil(p / 100 * self.count))
        seen = 0
        for value in sorted(self.seconds):
            seen += self.seconds[value]
            if seen >= rank:
                return value
        raise AssertionError("unreachable: ranks never exceed the count")

    def summary(self, prefix: str) -> dict[str, Any]:
        """count, mean, median, p90 and max in minutes (two decimals) under `prefix_…`."""
        return {
            f"{prefix}_count": self.count,
            f"{prefix}_mean_min": _minutes(self.total / self.count) if self.count else None,
            f"{prefix}_median_min": _minutes(self.percentile(50)),
            f"{prefix}_p90_min": _minutes(self.percentile(90)),
            f"{prefix}_max_min": _minutes(max(self.seconds) if self.count else None),
        }

    def histogram(self, edges_min: list[int]) -> list[int]:
        """How many durations fall in each [edge, next edge) minute bucket; the last is open."""
        buckets = [0] * len(edges_min)
        for seconds, n in self.seconds.items():
            index = 0
            for i, edge in enumerate(edges_min):
                if seconds >= edge * 60:
                    index = i
            buckets[index] += n
        return buckets


def whole_seconds(delta: dt.timedelta) -> int:
    """A duration in whole seconds, never negative (clocks may step back a little)."""
    return max(0, round(delta.total_seconds()))


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 2)


def rate(part: int, whole: int) -> float | None:
    """The share part / whole to four decimals, None when nothing was counted."""
    return round(part / whole, 4) if whole else None


@dataclass
class Tally:
    """Everything counted for one statistics row (a window, a queue, an hour …)."""

    counts: Counter[str] = field(default_factory=Counter)
    waiting: Durations = field(default_factory=Durations)
    service: Durations = field(default_factory=Durations)

    def add(
        self, adds: dict[str, int], *, waiting: int | None = None, service: int | None = None
    ) -> None:
        """Add counts, and a waiting or service duration in whole seconds."""
        counts = self.counts
        for key, n in adds.items():
            counts[key] += n
        if waiting is not None:
            self.waiting.add_whole(waiting)
        if service is not None:
            self.service.add_whole(service)

    def row(self, per_ticket: bool = True) -> dict[str, Any]:
        """The row's values by column key; per-ticket columns are None when not applicable."""
        c = self.counts
        ended = c["called"] - c["in_progress"]
        served = c["accepted"] + c["consulted"] + c["rejected"]
        satisfied = sum(c[f"level_{n}"] for n in SATISFIED)
        values: dict[str, Any] = {k: c[k] for k in COLUMN_KEYS}
        values.update(self.waiting.summary("waiting"))
        values.update(self.service.summary("service"))
        values.update(
            not_rated=c["should_rate"] - c["rated"],
            rating_rate=rate(c["rated"], c["should_rate"]),
            satisfaction_rate=rate(satisfied, c["rated"]),
            completion_rate=rate(served, ended),
            no_show_rate=rate(c["no_show"], ended),
        )
        if not per_ticket:
            for column in COLUMNS:
                if column.per_ticket:
                    values[column.key] = None
        return values
