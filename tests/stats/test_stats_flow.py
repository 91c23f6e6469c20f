"""A hall morning driven through the API is counted as the test itself noted it happened."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest

from tests.helpers import EVALUATOR, KIOSK, TZ, login, valid_id, window

HALL = "/api/v1/halls/demo"
SERVED = ("accepted", "consulted", "rejected")
COUNTS = (
    "called",
    "recalls",
    "out_of_order",
    "accepted",
    "consulted",
    "rejected",
    "no_show",
    "transferred",
    "walk_ins",
    "should_rate",
    "rated",
    "not_rated",
    *(f"level_{n}" for n in range(1, 6)),
)
PER_TICKET = ("issued", "green", "appointments", "requeued")


@dataclass
class Call:
    """One call as the test made it."""

    window: str
    clerk: str
    queue: str
    ticket: str
    at: dt.datetime
    out_of_order: bool = False
    recalls: int = 0
    result: str | None = None
    ended: dt.datetime | None = None
    level: int | None = None


@dataclass
class Ticket:
    """One ticket as the test issued it."""

    id: str
    number: str
    queue: str  # where it waits now (a transfer moves it)
    issued_queue: str
    priority: str
    issued: dt.datetime
    requeues: int = 0
    calls: list[Call] = field(default_factory=list)


class HallDay:
    """Drives the demo hall through the API and writes down what happened, for the sums."""

    def __init__(self, client, clock) -> None:
        self.client, self.clock = client, clock
        self.tickets: dict[str, Ticket] = {}
        self.calls: list[Call] = []
        self.current: dict[str, Call] = {}
        self.clerks: dict[str, tuple[str, dict[str, str]]] = {}
        self.walk_ins: list[tuple[str, str, str]] = []  # window, clerk, queue

    def at(self, hour: int, minute: int) -> None:
        """Move the fake clock forward to hh:mm of the same day."""
        target = self.clock.now.replace(hour=hour, minute=minute, second=0)
        assert target >= self.clock.now
        self.clock.now = target

    def sign_in(self, code: str, username: str) -> None:
        headers = login(self.client, username)
        assert window(self.client, headers, code, "sign-in").status_code == 200
        self.clerks[code] = (username, headers)

    def issue(self, queue: str, **body: object) -> Ticket:
        r = self.client.post(f"{HALL}/tickets", json={"queue": queue, **body}, headers=KIOSK)
        assert r.status_code == 201, r.text
        t = r.json()
        ticket = Ticket(t["id"], t["number"], queue, queue, t["priority"], self.clock.now)
        self.tickets[ticket.id] = ticket
        return ticket

    def _act(self, code: str, action: str, **body: object) -> dict:
        r = window(self.client, self.clerks[code][1], code, action, **body)
        assert r.status_code in (200, 201), r.text
        return r.json()

    def _called(self, code: str, ticket: Ticket, out_of_order: bool = False) -> None:
        call = Call(code, self.clerks[code][0], ticket.queue, ticket.id, self.clock.now)
        call.out_of_order = out_of_order
        ticket.calls.append(call)
        self.calls.append(call)
        self.current[code] = call

    def call_next(self, code: str, expect: Ticket) -> None:
        assert self._act(code, "call-next")["id"] == expect.id
        self._called(code, expect)

    def call(self, code: str, ticket: Ticket) -> None:
        """选号叫号: a chosen waiting ticket instead of the next one."""
        assert self._act(code, "call", ticket=ticket.id)["id"] == ticket.id
        self._called(code, ticket, out_of_order=True)

    def recall(self, code: str) -> None:
        self._act(code, "recall")
        self.current[code].recalls += 1

    def outcome(self, code: str, result: str, **reason: str) -> None:
        self._act(code, "outcome", outcome=result, **reason)
        self._end(code, result)

    def transfer(self, code: str, queue: str) -> None:
        self._act(code, "transfer", queue=queue)
        self.tickets[self._end(code, "transferred").ticket].queue = queue

    def _end(self, code: str, result: str) -> Call:
        call = self.current.pop(code)
        call.result, call.ended = result, self.clock.now
        return call

    def requeue(self, ticket: Ticket) -> None:
        """过号重排 at the kiosk."""
        r = self.client.post(f"/api/v1/tickets/{ticket.id}/requeue", headers=KIOSK)
        assert r.status_code == 200, r.text
        ticket.requeues += 1

    def walk_in(self, code: str, result: str, matter: str, queue: str) -> None:
        """未叫号即办理: work recorded at the pad without a ticket."""
        self._act(code, "walk-in", outcome=result, matter=matter)
        self.walk_ins.append((code, self.clerks[code][0], queue))

    def rate(self, ticket: Ticket, level: int) -> None:
        r = self.client.post(
            f"/api/v1/tickets/{ticket.id}/evaluation", json={"level": level}, headers=EVALUATOR
        )
        assert r.status_code == 200, r.text
        next(c for c in reversed(ticket.calls) if c.result in SERVED).level = level

    # -- what the statistics should say, from the notes above --------------------------

    def expected(self, by: str) -> dict[str, dict[str, float | int]]:
        """Counts, waits and service times per group, from what the test did."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        waits: dict[str, list[float]] = defaultdict(list)
        service: dict[str, list[float]] = defaultdict(list)
        for c in self.calls:
            key = {"window": c.window, "clerk": c.clerk, "queue": c.queue}[by]
            counts[key].update(called=1, recalls=c.recalls, out_of_order=int(c.out_of_order))
            counts[key][c.result or "in_progress"] += 1
            if c.result in SERVED:
                rated = {"rated": 1, f"level_{c.level}": 1} if c.level else {"not_rated": 1}
                counts[key].update(should_rate=1, **rated)
            if c.ended is not None and c.result in (*SERVED, "transferred"):
                service[key].append((c.ended - c.at).total_seconds() / 60)
        for t in self.tickets.values():
            if t.calls:
                first = t.calls[0]
                key = {"window": first.window, "clerk": first.clerk, "queue": t.issued_queue}
                waits[key[by]].append((first.at - t.issued).total_seconds() / 60)
            if by == "queue":
                counts[t.issued_queue].update(issued=1, requeued=t.requeues)
                if t.priority in ("green", "appointment"):
                    counts[t.issued_queue][
                        "green" if t.priority == "green" else "appointments"
                    ] += 1
        for code, clerk, queue in self.walk_ins:
            counts[{"window": code, "clerk": clerk, "queue": queue}[by]]["walk_ins"] += 1
        rows = {}
        for key in counts.keys() | waits.keys():
            row: dict[str, float | int] = {k: counts[key][k] for k in COUNTS}
            if by == "queue":
                row.update({k: counts[key][k] for k in PER_TICKET})
            row.update(_durations("waiting", waits[key]) | _durations("service", service[key]))
            rows[key] = row
        return rows


def _durations(prefix: str, minutes: list[float]) -> dict[str, float | int | None]:
    mean = round(sum(minutes) / len(minutes), 2) if minutes else None
    return {
        f"{prefix}_count": len(minutes),
        f"{prefix}_mean_min": mean,
        f"{prefix}_max_min": max(minutes) if minutes else None,
    }


def book_appointment(client, queue: str, slot: dt.datetime) -> str:
    """统一预约 through the online channel; returns the code to check in with."""
    booked = client.post(
        f"{HALL}/appointments",
        headers={"Authorization": "Bearer demo-online"},
        json={
            "queue": queue,
            "slot": slot.isoformat(),
            "applicant_name": "李四",
            "id_number": valid_id(),
        },
    )
    assert booked.status_code == 201, booked.text
    return str(booked.json()["code"])


@pytest.fixture
def day(client, clock) -> HallDay:
    """09:00–09:40 of Tuesday 2026-11-24 in the demo hall, every step through the API."""
    hall = HallDay(client, clock)
    code = book_appointment(client, "B", dt.datetime(2026, 11, 24, 9, 30, tzinfo=TZ))
    for window_code, user in (("S01", "clerk01"), ("S02", "clerk02"), ("S13", "clerk13")):
        hall.sign_in(window_code, user)
    hall.sign_in("S16", "clerk16")
    a1, a2, a3, a4 = (hall.issue("A") for _ in range(4))
    green = hall.issue("A", priority="green")  # 绿色通道: called before those who came first
    b1, g1 = hall.issue("B"), hall.issue("G")
    hall.at(9, 2)
    hall.call_next("S01", expect=green)
    hall.at(9, 3)
    hall.recall("S01")
    hall.at(9, 5)
    hall.call_next("S16", expect=g1)
    hall.at(9, 6)
    hall.outcome("S01", "accepted")
    hall.rate(green, 5)
    hall.call_next("S02", expect=a1)
    hall.at(9, 7)
    hall.outcome("S02", "no_show")  # 过号
    hall.call_next("S01", expect=a2)
    hall.at(9, 9)
    hall.transfer("S01", "B")  # 转移 to 不动产: served there first
    hall.at(9, 10)
    hall.requeue(a1)  # 过号重排: back in line behind the others
    hall.call_next("S13", expect=a2)
    hall.at(9, 11)
    hall.call("S02", a4)  # 选号: a4 before a3
    hall.at(9, 13)
    hall.outcome("S16", "accepted")
    hall.rate(g1, 3)
    hall.at(9, 14)
    hall.outcome("S02", "rejected", reason="材料不全")  # 不予受理
    hall.rate(a4, 2)
    hall.at(9, 15)
    hall.outcome("S13", "consulted")  # 咨询, never rated
    hall.call_next("S01", expect=a3)
    hall.at(9, 18)
    hall.outcome("S01", "accepted")
    hall.call_next("S01", expect=a1)  # its second call: no second wait
    hall.at(9, 20)
    appointment = hall.issue("B", appointment_code=code)  # check-in
    hall.outcome("S01", "accepted")
    hall.at(9, 21)
    hall.call_next("S13", expect=appointment)  # a due appointment before b1
    hall.at(9, 25)
    hall.outcome("S13", "accepted")
    hall.call_next("S13", expect=b1)
    hall.at(9, 30)
    hall.outcome("S13", "accepted")
    hall.rate(b1, 4)
    hall.walk_in("S16", "consulted", matter="gjj-tq", queue="G")  # 未叫号即办理
    hall.at(9, 40)
    return hall


@pytest.mark.parametrize("by", ["window", "queue", "clerk"])
def test_a_day_driven_through_the_api_is_counted_as_it_happened(client, day, by):
    r = client.get(f"{HALL}/stats", params={"by": by}, headers=login(client, "supervisor"))
    assert r.status_code == 200, r.text
    answer = r.json()
    rows = {row["key"]: row for row in answer["rows"]}
    expected = day.expected(by)
    for key, want in expected.items():
        got = {k: rows[key][k] for k in want}
        assert got == want, key
    busy = {k for k, row in rows.items() if row["called"] or row["walk_ins"] or row["issued"]}
    assert busy == set(expected)
    assert answer["total"]["called"] == len(day.calls) == 10
    assert answer["total"]["issued"] == len(day.tickets) == 8


def test_the_anomaly_report_of_that_day_counts_the_same(client, day):
    r = client.get(
        f"{HALL}/anomalies", params={"month": "2026-11"}, headers=login(client, "supervisor")
    )
    assert r.status_code == 200, r.text
    report = r.json()
    expected = day.expected("window")
    calling = {row["window"]: row for row in report["calling"]["rows"]}
    rating = {row["window"]: row for row in report["evaluation"]["rows"]}
    for code, want in expected.items():
        for key in ("called", *SERVED, "no_show", "transferred", "out_of_order", "walk_ins"):
            assert calling[code][key] == want[key], (code, key)
        assert calling[code]["services"] == sum(want[k] for k in SERVED)
        for key in ("should_rate", "rated"):
            assert rating[code][key] == want[key], (code, key)
        # Served today: an unrated service is 待评价 (pending) until 5 working days have passed.
        assert rating[code]["pending"] == want["not_rated"], code
        assert rating[code]["not_rated"] == 0, code
    assert report["calling"]["walk_ins"] == [
        {"window": "S16", "window_name": "S16 16号窗口", "count": 1, "by_outcome": {"consulted": 1}}
    ]
    poor = report["evaluation"]["poor"]
    assert [(p["window"], p["level"]) for p in poor] == [("S02", "不满意")]
    assert report["evaluation"]["overdue_total"] == 0  # nothing is 5 working days old yet
    assert report["summary"]["called"] == len(day.calls)
