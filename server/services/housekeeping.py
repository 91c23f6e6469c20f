"""Housekeeping: each hall's time-driven work, run only when it is due.

Every worker looks at every hall every TICK_SECONDS. Opening even one transaction per hall
per look is too much for a province: 1,000 halls on 4 workers made 400 transactions a second
of day ends that had already run and tidal schedules with nothing due, more than the
2-core box can write at all (`bench --province`). So each worker remembers what it last did
per hall and opens a transaction only when something can have changed: a new business date
(day end, retention), a tidal schedule entry that has come due, an hour since the silent
peripherals were last swept. The work itself stays idempotent in the store, so two workers
doing it at once, or a worker that restarted, change nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from server.domain.layout import Layout
from server.domain.numbering import business_date, local_time
from server.services import dayend, devices, retention
from server.services.context import Context

SWEEP = dt.timedelta(hours=1)  # how often silent peripherals are looked for


@dataclass
class _Hall:
    """What one worker last did for one hall."""

    layout: Layout  # the schedule times below were read under this layout
    schedule_times: list[str]  # every tidal entry's local time ("09:00"), sorted
    closed: dt.date | None = None
    schedule_mark: str | None = None
    swept: dt.datetime | None = None


@dataclass
class Housekeeping:
    """Day end, tidal schedules, silent peripherals and retention, for every hall."""

    ctx: Context
    keep_days: int = 7
    _halls: dict[str, _Hall] = field(default_factory=dict)

    def run(self) -> None:
        """Do what is due in every hall (the first run after a start does everything)."""
        for hall in dayend.halls_in_store(self.ctx):
            self.run_hall(hall)

    def run_hall(self, hall: str) -> None:
        """Do what is due in one hall."""
        ctx = self.ctx
        state = self._state(hall)
        now = ctx.clock()
        today = business_date(now, state.layout.timezone)
        if state.closed != today:
            dayend.close_day(ctx, hall, self.keep_days)
            state.closed = today
        mark = _due_mark(state.schedule_times, now, state.layout.timezone, today)
        if mark is not None and mark != state.schedule_mark:
            dayend.apply_schedules(ctx, hall)
            state.schedule_mark = mark
        if state.swept is None or now - state.swept >= SWEEP:
            devices.forget_silent_peripherals(ctx, hall)
            state.swept = now
        retention.run(ctx, hall)  # keeps its own date, and forgets it when the rules change

    def _state(self, hall: str) -> _Hall:
        layout = self.ctx.hall_layout(hall)
        state = self._halls.get(hall)
        if state is None or state.layout is not layout:  # new, or its hall file was reloaded
            state = self._halls[hall] = _Hall(layout, dayend.schedule_times(self.ctx, hall))
        return state


def _due_mark(times: list[str], now: dt.datetime, zone: str, today: dt.date) -> str | None:
    """The latest schedule entry that has come due today ("2026-12-06T09:00"), if any."""
    clock = local_time(now, zone)
    due = [at for at in times if dt.time.fromisoformat(at) <= clock]
    return f"{today.isoformat()}T{due[-1]}" if due else None
