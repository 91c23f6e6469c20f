"""Realistic hall history for demos, tests and benchmarks, simulated and bulk-inserted.

Citizens arrive with peaks at 9–11 and 14–16, each queue's windows serve them first come
first served (green channel first, transferred tickets before both) with service times
around the queue's configured minutes; about 5 % do not show up (some take a new place
through 过号重排), a few are transferred, a few give up, most rate the service.
The rows go straight into the store, as the services would have written them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from server.config import Settings
from server.demo.history_day import DayPlan, StaffedWindow, simulate_day
from server.domain.numbering import business_date
from server.stats.periods import work_calendar
from server.store.db import Database
from server.store.layout import Layout, load_layout
from server.store.tables import tickets, users, windows

# Relative arrivals per hour of day (local): the morning and afternoon peaks.
HOURLY = {8: 0.7, 9: 1.5, 10: 1.6, 11: 1.0, 13: 0.6, 14: 1.45, 15: 1.5, 16: 0.9, 17: 0.3}
WEEKDAY_FACTOR = (1.2, 1.0, 1.0, 0.95, 0.9, 0.0, 0.0)  # Monday is the busiest day
BATCH = 5000


@dataclass(frozen=True)
class HistoryPlan:
    """What history to make: dates (both included), volume scale and the seed."""

    start: dt.date
    end: dt.date
    scale: float = 1.0
    seed: int = 7
    load: float = 0.56  # mean share of window capacity the arrivals use
    rates: dict[str, float] = field(
        default_factory=lambda: {
            "no_show": 0.05,
            "requeue": 0.4,  # of no-shows, taking a new place by 过号重排
            "transfer": 0.03,
            "cancel": 0.01,
            "green": 0.03,
            "unrated": 0.12,
            "out_of_order": 0.01,
            "walk_in": 0.004,  # per service: work done without calling (未叫号即办理)
        }
    )


def generate(conn: Connection, layout: Layout, plan: HistoryPlan) -> Counter[str]:
    """Simulate and insert every working day of the plan; returns row counts by table."""
    rng = random.Random(plan.seed)
    staff = _window_staff(conn, layout.code)
    inserted: Counter[str] = Counter()
    calendar = work_calendar(layout.settings)
    day = plan.start
    while day <= plan.end:
        if calendar.is_working_day(day):
            day_plan = DayPlan(
                day=day,
                zone=ZoneInfo(layout.timezone),
                arrivals=_arrival_rates(layout, staff, plan, day),
                windows=staff,
                rates=plan.rates,
            )
            rows = simulate_day(layout, day_plan, rng)
            for table, items in rows.items():
                _insert(conn, table, items)
                inserted[table.name] += len(items)
        day += dt.timedelta(days=1)
    return inserted


def _window_staff(conn: Connection, hall: str) -> list[StaffedWindow]:
    clerks = [
        u
        for (u,) in conn.execute(
            select(users.c.username)
            .where(users.c.hall == hall, users.c.role == "clerk", users.c.active.is_(True))
            .order_by(users.c.username)
        )
    ]
    rows = conn.execute(
        select(windows)
        .where(windows.c.hall == hall, windows.c.active.is_(True))
        .order_by(windows.c.position)
    ).all()
    staffed = []
    for i, row in enumerate(rows):
        home = tuple(row.config.get("home_queues") or row.queues)
        schedule = [(dt.time(0, 0), home)]
        for at, queues in row.config.get("schedule", []):
            schedule.append((dt.time.fromisoformat(at), tuple(queues)))
        clerk = clerks[i] if i < len(clerks) else None
        staffed.append(StaffedWindow(row.code, clerk, tuple(sorted(schedule))))
    return staffed


def _arrival_rates(
    layout: Layout, staff: list[StaffedWindow], plan: HistoryPlan, day: dt.date
) -> dict[str, dict[int, float]]:
    """Expected arrivals per queue and hour: a share of the capacity of its windows."""
    mean_profile = sum(HOURLY.values()) / len(HOURLY)
    rates: dict[str, dict[int, float]] = {}
    for code, queue in layout.queues.items():
        per_window = 60.0 / queue.service_minutes
        rates[code] = {}
        for hour, weight in HOURLY.items():
            at = dt.time(hour, 30)
            serving = sum(1 / max(len(w.serves(at)), 1) for w in staff if code in w.serves(at))
            expected = serving * per_window * plan.load * weight / mean_profile
            rates[code][hour] = expected * plan.scale * WEEKDAY_FACTOR[day.weekday()]
    return rates


def _insert(conn: Connection, table: Any, items: list[dict[str, Any]]) -> None:
    for i in range(0, len(items), BATCH):
        conn.execute(table.insert(), items[i : i + BATCH])


def main(argv: list[str] | None = None) -> int:
    """`python -m server.demo.history`: fill a hall's store with weeks of history."""
    parser = argparse.ArgumentParser(description="生成模拟历史数据 (演示与测试用)")
    parser.add_argument("--data-dir", type=Path, default=Path("var"))
    parser.add_argument("--hall", default="demo")
    parser.add_argument("--days", type=int, default=91, help="calendar days before today")
    parser.add_argument("--scale", type=float, default=1.0, help="arrival volume factor")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    db = Database(Settings(data_dir=args.data_dir).resolved_database_url())
    with db.write() as conn:
        layout = load_layout(conn, args.hall)
        if layout is None:
            print(f"no hall {args.hall!r} in the store: start the server once first")
            return 1
        today = business_date(dt.datetime.now(dt.UTC), layout.timezone)
        plan = HistoryPlan(
            today - dt.timedelta(days=args.days),
            today - dt.timedelta(days=1),
            args.scale,
            args.seed,
        )
        taken = conn.execute(
            select(func.count()).where(
                tickets.c.hall == args.hall,
                tickets.c.business_date.between(plan.start, plan.end),
            )
        ).scalar_one()
        if taken:
            print(
                f"{taken} tickets already exist between {plan.start} and {plan.end}; nothing done"
            )
            return 1
        made = generate(conn, layout, plan)
    print(f"{plan.start} … {plan.end}: " + ", ".join(f"{n} {t}" for t, n in made.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
