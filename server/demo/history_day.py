"""One simulated business day of a hall: arrivals, lines, windows, calls and outcomes."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.numbering import RANK_SHIFT, format_number
from server.store.layout import Layout
from server.store.tables import calls, tickets, walk_ins

SESSIONS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
ARRIVALS_OPEN = ((dt.time(8, 30), dt.time(11, 45)), (dt.time(13, 30), dt.time(17, 15)))
LEVELS = ((5, 0.70), (4, 0.20), (3, 0.06), (2, 0.03), (1, 0.01))
OUTCOMES = (("accepted", 0.78), ("consulted", 0.16), ("rejected", 0.06))
REJECT_REASONS = ("材料不齐全", "不属于本窗口受理范围", "申请人不符合条件")
BAD_COMMENTS = ("等候时间太长", "工作人员解释不清楚", "")


@dataclass(frozen=True)
class StaffedWindow:
    """A window, who staffs it, and the queues it serves from which local time."""

    code: str
    clerk: str | None
    schedule: tuple[tuple[dt.time, tuple[str, ...]], ...]

    def serves(self, at: dt.time) -> tuple[str, ...]:
        """The queues served at a local time of day (tidal windows change them)."""
        current: tuple[str, ...] = ()
        for start, queues in self.schedule:
            if start <= at:
                current = queues
        return current


@dataclass(frozen=True)
class DayPlan:
    """Inputs of one simulated day."""

    day: dt.date
    zone: ZoneInfo
    arrivals: dict[str, dict[int, float]]  # queue -> hour -> expected arrivals
    windows: list[StaffedWindow]
    rates: dict[str, float]


@dataclass
class SimTicket:
    """A ticket during the simulation: its row plus its place in a line."""

    row: dict[str, Any]
    klass: int = 3  # 0 transferred, 2 green, 3 normal (as the call-next policy orders)
    joined: dt.datetime | None = None

    def key(self) -> tuple[int, dt.datetime]:
        """Order in its line."""
        assert self.joined is not None
        return (self.klass, self.joined)


@dataclass(order=True)
class _Event:
    at: dt.datetime
    order: int
    act: Callable[[], None] = field(compare=False)


class DaySim:
    """Discrete-event simulation of one day; `rows()` gives what to insert."""

    def __init__(self, layout: Layout, plan: DayPlan, rng: random.Random) -> None:
        self.layout, self.plan, self.rng = layout, plan, rng
        self.events: list[_Event] = []
        self.order = 0
        self.lines: dict[str, list[SimTicket]] = {q: [] for q in layout.queues}
        self.idle: set[str] = set()
        self.windows = {w.code: w for w in plan.windows}
        self.tickets: list[SimTicket] = []
        self.calls: list[dict[str, Any]] = []
        self.walk_ins: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {}

    def at(self, clock: dt.time) -> dt.datetime:
        """The aware instant of a local time today."""
        return dt.datetime.combine(self.plan.day, clock, tzinfo=self.plan.zone)

    def push(self, at: dt.datetime, act: Callable[[], None]) -> None:
        """Schedule an action."""
        self.order += 1
        heapq.heappush(self.events, _Event(at, self.order, act))

    def run(self) -> None:
        """Arrivals, then windows opening each session, until nothing is left to do."""
        self._arrivals()
        opening = self.at(SESSIONS[0][0])
        for code in self.windows:
            self.push(opening, partial(self.free, code, opening))
        while self.events:
            heapq.heappop(self.events).act()
        closing = dt.datetime.combine(
            self.plan.day + dt.timedelta(days=1), dt.time(0, 0, 30), tzinfo=self.plan.zone
        )
        for t in self.tickets:
            if t.row["status"] == "waiting":
                t.row.update(status="expired", finished_at=closing)

    def _arrivals(self) -> None:
        for queue, hours in self.plan.arrivals.items():
            for hour, expected in hours.items():
                for start, end in _open_parts(hour):
                    span = (end - start) / 60
                    for _ in range(_poisson(self.rng, expected * span)):
                        minute = start + self.rng.random() * (end - start)
                        at = self.at(dt.time(int(minute // 60), int(minute % 60)))
                        at += dt.timedelta(seconds=self.rng.randrange(60))
                        self.push(at, partial(self.arrive, queue, at))

    def arrive(self, queue: str, at: dt.datetime) -> None:
        """A citizen takes a number."""
        n = self.counters[queue] = self.counters.get(queue, 0) + 1
        priority = "green" if self.rng.random() < self.plan.rates["green"] else "normal"
        if priority == "normal" and self.layout.queues[queue].appointment_capacity:
            priority = "appointment" if self.rng.random() < 0.04 else "normal"
        ticket = SimTicket(_ticket_row(self, queue, n, priority, at), klass=_klass(priority))
        self.tickets.append(ticket)
        if self.rng.random() < self.plan.rates["cancel"]:
            self.push(at + _minutes(self.rng, 10, 45), lambda: self.cancel(ticket))
        self.join(ticket, queue, at)

    def join(self, ticket: SimTicket, queue: str, at: dt.datetime) -> None:
        """Put a ticket in a line and wake an idle window that serves it."""
        ticket.joined = at
        ticket.row.update(status="waiting", queue=queue)
        self.lines[queue].append(ticket)
        local = _local(at, self.plan.zone)
        ready = sorted(c for c in self.idle if queue in self.windows[c].serves(local))
        if ready:
            code = self.rng.choice(ready)  # whichever clerk looks up first
            self.idle.discard(code)
            self.push(at, partial(self.free, code, at))

    def cancel(self, ticket: SimTicket) -> None:
        """The citizen gives up, if still waiting for a first call."""
        if ticket.row["status"] == "waiting" and ticket.row["first_called_at"] is None:
            self.lines[ticket.row["queue"]].remove(ticket)
            ticket.row["status"] = "cancelled"

    def free(self, code: str, at: dt.datetime) -> None:
        """A window is ready: call the next ticket, or go idle / to lunch / home."""
        local = _local(at, self.plan.zone)
        if local >= SESSIONS[1][1]:
            return
        if SESSIONS[0][1] <= local < SESSIONS[1][0]:
            resume = self.at(SESSIONS[1][0])
            self.push(resume, lambda: self.free(code, resume))
            return
        served = self.windows[code].serves(local)
        waiting = [t for q in served for t in self.lines[q]]
        if not waiting:
            self.idle.add(code)
            return
        ticket = min(waiting, key=SimTicket.key)
        self.lines[ticket.row["queue"]].remove(ticket)
        end = _serve(self, code, ticket, at)
        gap = end + dt.timedelta(seconds=self.rng.randint(5, 40))
        self.push(gap, lambda: self.free(code, gap))

    def rows(self) -> dict[Any, list[dict[str, Any]]]:
        """Rows per table, tickets first (calls refer to them), calls in time order."""
        ordered_calls = sorted(self.calls, key=lambda c: (c["called_at"], c["ticket_id"]))
        return {
            tickets: [t.row for t in self.tickets],
            calls: ordered_calls,
            walk_ins: self.walk_ins,
        }


def simulate_day(layout: Layout, plan: DayPlan, rng: random.Random) -> dict[Any, list[Any]]:
    """Simulate a day and return its rows per table."""
    sim = DaySim(layout, plan, rng)
    sim.run()
    return sim.rows()


def _serve(sim: DaySim, code: str, ticket: SimTicket, at: dt.datetime) -> dt.datetime:
    """Call `ticket` at window `code`; returns when the window is free again."""
    rng, rates, row = sim.rng, sim.plan.rates, ticket.row
    window = sim.windows[code]
    fate = rng.random()
    recalls = rng.randint(1, 3) if fate < rates["no_show"] else int(rng.random() < 0.05)
    last_call = at + dt.timedelta(seconds=50 * recalls)
    call = _call_row(row, code, window.clerk, at, recalls, rng.random() < rates["out_of_order"])
    row.update(
        status="called",
        call_count=row["call_count"] + 1 + recalls,
        recalls=recalls,
        first_called_at=row["first_called_at"] or at,
        called_at=last_call,
        window=code,
        clerk=window.clerk,
    )
    if fate < rates["no_show"]:
        end = last_call + dt.timedelta(seconds=rng.randint(20, 60))
        _no_show(sim, ticket, end)
    elif fate < rates["no_show"] + rates["transfer"] and len(sim.lines) > 1:
        end = last_call + _minutes(rng, 1, 4)
        _transfer(sim, ticket, end)
    else:
        end = last_call + _service_time(rng, sim.layout.queues[row["queue"]].service_minutes)
        _finish(sim, ticket, end)
    call.update(ended_at=end, result=_result(row))
    sim.calls.append(call)
    if row["status"] == "finished" and rng.random() < rates["walk_in"]:
        return _walk_in(sim, code, end)
    return end


def _call_row(
    row: dict[str, Any], code: str, clerk: str | None, at: dt.datetime, recalls: int, chosen: bool
) -> dict[str, Any]:
    """The calls row of a call starting now (its end and result are filled in later)."""
    return {
        "hall": row["hall"],
        "ticket_id": row["id"],
        "business_date": row["business_date"],
        "queue": row["queue"],
        "window": code,
        "clerk": clerk,
        "called_at": at,
        "recalls": recalls,
        "out_of_order": chosen,
    }


def _result(row: dict[str, Any]) -> str:
    if row["status"] == "waiting":
        return "transferred"
    return str(row["outcome"])


def _no_show(sim: DaySim, ticket: SimTicket, end: dt.datetime) -> None:
    row = ticket.row
    row.update(status="no_show", outcome="no_show", no_show_at=end, finished_at=end)
    queue = sim.layout.queues[row["queue"]]
    if (
        row["requeue_count"] < queue.requeue.max_times
        and sim.rng.random() < sim.plan.rates["requeue"]
    ):
        back = end + _minutes(sim.rng, 3, queue.requeue.within_minutes - 5)

        def requeue() -> None:
            row.update(requeue_count=row["requeue_count"] + 1, outcome=None, finished_at=None)
            row["window"] = None
            sim.join(ticket, row["queue"], back)

        sim.push(back, requeue)


def _transfer(sim: DaySim, ticket: SimTicket, end: dt.datetime) -> None:
    row = ticket.row
    target = sim.rng.choice([q for q in sim.lines if q != row["queue"]])
    row.update(transferred=True, window=None)
    ticket.klass = 0
    # The line takes the ticket now; the call row keeps the queue it was called in.
    sim.push(end, lambda: sim.join(ticket, target, end))
    row["status"] = "waiting"


def _finish(sim: DaySim, ticket: SimTicket, end: dt.datetime) -> None:
    rng, row = sim.rng, ticket.row
    outcome = _pick(rng, OUTCOMES)
    row.update(
        status="finished",
        outcome=outcome,
        reason=rng.choice(REJECT_REASONS) if outcome == "rejected" else None,
        finished_at=end,
        evaluation_requested=True,
    )
    if rng.random() >= sim.plan.rates["unrated"]:
        level = int(_pick(rng, LEVELS))
        row.update(
            evaluation_level=level,
            evaluated_at=end + _minutes(rng, 0.5, 5),
            evaluation_comment=(rng.choice(BAD_COMMENTS) or None) if level <= 2 else None,
        )


def _walk_in(sim: DaySim, code: str, end: dt.datetime) -> dt.datetime:
    done = end + _minutes(sim.rng, 2, 8)
    sim.walk_ins.append(
        {
            "hall": sim.layout.code,
            "business_date": sim.plan.day,
            "window": code,
            "clerk": sim.windows[code].clerk,
            "at": done,
            "outcome": sim.rng.choice(("accepted", "accepted", "consulted")),
            "matter": None,
        }
    )
    return done


def _ticket_row(sim: DaySim, queue: str, n: int, priority: str, at: dt.datetime) -> dict[str, Any]:
    prefix = sim.layout.queues[queue].prefix
    return {
        "id": f"{sim.rng.getrandbits(128):032x}",
        "hall": sim.layout.code,
        "business_date": sim.plan.day,
        "queue": queue,
        "number": format_number(prefix, n),
        "rank": (len(sim.tickets) + 1) << RANK_SHIFT,
        "status": "waiting",
        "priority": priority,
        "source": "appointment" if priority == "appointment" else "kiosk",
        "call_count": 0,
        "recalls": 0,
        "requeue_count": 0,
        "issued_at": at,
        "first_called_at": None,
        "called_at": None,
        "finished_at": None,
        "no_show_at": None,
        "window": None,
        "clerk": None,
        "outcome": None,
        "reason": None,
        "transferred": False,
        "evaluation_level": None,
        "evaluation_comment": None,
        "evaluation_requested": False,
        "evaluated_at": None,
    }


def _klass(priority: str) -> int:
    return {"appointment": 1, "green": 2}.get(priority, 3)


def _open_parts(hour: int) -> list[tuple[float, float]]:
    """Minutes of the day within `hour` when arrivals happen."""
    parts = []
    for start, end in ARRIVALS_OPEN:
        lo = max(hour * 60, start.hour * 60 + start.minute)
        hi = min(hour * 60 + 60, end.hour * 60 + end.minute)
        if lo < hi:
            parts.append((float(lo), float(hi)))
    return parts


def _local(at: dt.datetime, zone: ZoneInfo) -> dt.time:
    return at.astimezone(zone).time().replace(tzinfo=None)


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _minutes(rng: random.Random, lo: float, hi: float) -> dt.timedelta:
    return dt.timedelta(seconds=round(rng.uniform(lo, max(lo, hi)) * 60))


def _service_time(rng: random.Random, mean_minutes: float) -> dt.timedelta:
    sigma = 0.45
    mu = math.log(mean_minutes * 60) - sigma**2 / 2
    return dt.timedelta(seconds=max(30, round(rng.lognormvariate(mu, sigma))))


def _pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    roll, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if roll < acc:
            return value
    return weighted[-1][0]
