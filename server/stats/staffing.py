"""Staffing advice: arrivals per weekday and hour, and the windows that keep waits short.

For each weekday and hour, a queue's arrival rate is the mean over the weekdays of the
range on which the hall issued tickets; its service time is the mean measured over the
range (the configured minutes when none was measured). Erlang C then gives the fewest
windows keeping the mean wait under the target, shown next to the windows that actually
worked then: those that called at least once in that hour, averaged over the same days.
Advice never exceeds the windows that can serve a queue (nor the hall's windows in an
hour); what those cannot absorb is shown as unmet demand with the wait it will cause.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.errors import Invalid
from server.services.context import Context
from server.stats import erlang, queries
from server.stats.measures import SERVICE_RESULTS
from server.stats.periods import WEEKDAYS, Period, parse_period
from server.stats.reads import HallRead, hall_read

DEFAULT_WEEKS = 8
DEFAULT_TARGET = 10.0


class Observed:
    """Arrivals, service times and working windows folded from the range's rows."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.arrivals: Counter[tuple[int, int, str]] = Counter()  # weekday, hour, queue
        self.dates: dict[int, set[dt.date]] = defaultdict(set)  # weekday -> open dates
        self.service: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # sum s, n
        self.working: dict[tuple[dt.date, int], set[str]] = defaultdict(set)
        self.working_queue: dict[tuple[dt.date, int, str], set[str]] = defaultdict(set)

    def add_ticket(self, row: Any) -> None:
        """Count an arrival in the queue it was issued to."""
        local = row.issued_at.astimezone(self.zone)
        day = row.business_date
        self.dates[day.weekday()].add(day)
        self.arrivals[(day.weekday(), local.hour, row.first_queue or row.queue)] += 1

    def add_call(self, row: Any) -> None:
        """Note the window as working in that hour, and time the service."""
        hour = row.called_at.astimezone(self.zone).hour
        self.working[(row.business_date, hour)].add(row.window)
        self.working_queue[(row.business_date, hour, row.queue)].add(row.window)
        if row.ended_at is not None and (
            row.result in SERVICE_RESULTS or row.result == "transferred"
        ):
            total = self.service[row.queue]
            total[0] += (row.ended_at - row.called_at).total_seconds()
            total[1] += 1

    def service_minutes(self, read: HallRead) -> dict[str, float]:
        """Mean measured service minutes per queue (configured minutes when unmeasured)."""
        out = {}
        for code, queue in read.layout.queues.items():
            seconds, count = self.service.get(code, (0.0, 0.0))
            out[code] = round(seconds / count / 60, 2) if count else queue.service_minutes
        return out


def half_up(value: float, digits: int = 0) -> float:
    """Round as people do, half away from zero (0.5 → 1, 2.5 → 3), not to even like round()."""
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


def target_minutes(value: float | None) -> float:
    """The wait target (minutes), checked."""
    target = DEFAULT_TARGET if value is None else value
    if not 0.5 <= target <= 240:
        raise Invalid("invalid_target", "目标等候时长应在 0.5 至 240 分钟之间", {"target": value})
    return target


def staffing(
    ctx: Context, hall: str, start: str | None, end: str | None, target: float | None
) -> dict[str, Any]:
    """GET …/staffing: per weekday and hour, windows needed against windows at work."""
    goal = target_minutes(target)
    with hall_read(ctx, hall) as read:
        yesterday = read.today - dt.timedelta(days=1)
        period = parse_period(
            start
            or (yesterday - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1)).isoformat(),
            end or yesterday.isoformat(),
            read.today,
        )
        seen = _observe(read, period)
        minutes = seen.service_minutes(read)
        weekdays = []
        for weekday in sorted(seen.dates):
            days = sorted(seen.dates[weekday])
            hours = [
                _hour(read, seen, weekday, days, h, minutes, goal) for h in _hours(seen, weekday)
            ]
            weekdays.append(
                {"weekday": weekday, "label": WEEKDAYS[weekday], "days": len(days), "hours": hours}
            )
        return {
            **read.header(period),
            "target_wait_min": goal,
            "service_minutes": minutes,
            "weekdays": weekdays,
        }


def _observe(read: HallRead, period: Period) -> Observed:
    seen = Observed(ZoneInfo(read.layout.timezone))
    for row in queries.ticket_rows(read.conn, read.layout.code, period):
        seen.add_ticket(row)
    for row in queries.call_rows(read.conn, read.layout.code, period):
        seen.add_call(row)
    return seen


def _hours(seen: Observed, weekday: int) -> list[int]:
    arrived = {h for (wd, h, _) in seen.arrivals if wd == weekday}
    worked = {h for (day, h) in seen.working if day.weekday() == weekday}
    return sorted(arrived | worked)


def _hour(
    read: HallRead,
    seen: Observed,
    weekday: int,
    days: list[dt.date],
    hour: int,
    minutes: dict[str, float],
    goal: float,
) -> dict[str, Any]:
    queues: list[dict[str, Any]] = []
    able: set[str] = set()  # windows that can serve a queue with demand this hour
    for code, queue in read.layout.queues.items():
        arrivals = seen.arrivals[(weekday, hour, code)] / len(days)
        at_work = sum(len(seen.working_queue.get((d, hour, code), ())) for d in days) / len(days)
        if arrivals or at_work:
            serving = _serving(read, code)
            able.update(serving)
            queues.append(
                _queue_hour(code, queue.name, arrivals, at_work, minutes[code], goal, len(serving))
            )
    open_total = sum(len(seen.working.get((d, hour), ())) for d in days) / len(days)
    return {
        "hour": hour,
        "label": f"{hour:02d}:00-{hour + 1:02d}:00",
        "arrivals": round(sum(q["arrivals"] for q in queues), 2),
        # A window serving two queues is counted once: never more than the hall can open.
        "needed": min(sum(q["needed"] for q in queues), len(able)),
        "open": half_up(open_total, 2),
        # Windows missing where needed, queue by queue (a spare 邮政 window cannot serve 不动产).
        "short": sum(q["short"] for q in queues),
        "unmet": sum(q["unmet"]["windows"] for q in queues if q["unmet"]),
        "queues": queues,
    }


def _serving(read: HallRead, queue: str) -> set[str]:
    """Active windows that can serve a queue at some time of day (tidal ones included)."""
    return {w.code for w in read.windows.values() if w.active and queue in w.all_queues}


def _queue_hour(
    code: str,
    name: str,
    arrivals: float,
    at_work: float,
    service_min: float,
    goal: float,
    can_serve: int,
) -> dict[str, Any]:
    """One queue in one hour: windows needed (at most those able to serve it) against at work."""
    wanted = erlang.windows_needed(arrivals / 60, service_min, goal)
    needed = min(wanted, can_serve)
    mean_open = half_up(at_work, 2)
    windows = int(half_up(mean_open))  # the page shows these; it rounds nothing itself
    row = {
        "queue": code,
        "queue_name": name,
        "arrivals": round(arrivals, 2),
        "service_min": service_min,
        "needed": needed,
        "can_serve": can_serve,
        "open": mean_open,
        "open_windows": windows,
        "short": max(0, needed - windows),
        "expected_wait_min": _wait(windows, arrivals, service_min),
        "unmet": None,
    }
    if wanted > can_serve:  # even every window that can serve it is not enough
        row["unmet"] = {
            "windows": wanted - can_serve,
            "expected_wait_min": _wait(can_serve, arrivals, service_min),
        }
    row["advice"] = advice(row)
    return row


def _wait(windows: int, arrivals: float, service_min: float) -> float | None:
    """Mean wait in minutes with these windows; None when they cannot keep up."""
    expected = erlang.mean_wait(windows, arrivals / 60, service_min)
    return round(expected, 1) if expected != float("inf") else None


def advice(q: dict[str, Any]) -> str:
    """A queue's hour in words a supervisor reads ('' when the windows at work suffice)."""
    head = f"{q['queue_name']}：约 {half_up(q['arrivals']):.0f} 人/小时，"
    unmet = q["unmet"]
    if unmet:
        every = f"{head}能办的 {q['can_serve']} 个窗口全开"
        more = f"需再增 {unmet['windows']} 个能办的窗口"
        wait = unmet["expected_wait_min"]
        if wait is None:
            return f"{every}也接待不过来，队伍越排越长，{more}"
        return f"{every}仍平均等候约 {half_up(wait):.0f} 分钟，{more}"
    if q["short"]:
        return f"{head}建议开 {q['needed']} 个窗口，实开 {q['open_windows']} 个，差 {q['short']} 个"
    return ""
