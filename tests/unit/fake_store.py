"""An in-memory store: the units of work and repositories the services see, without a database."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

from server.domain.layout import Layout
from server.domain.model import Queue, Ticket, TicketStatus, Window
from server.domain.policy import queue_order_key
from server.domain.records import Appointment, Device, Lease, StaffSession, StaffUser
from server.services.context import Context
from server.store.halls_repo import Ahead, Locked
from tests.helpers import FakeClock


@dataclass
class State:
    """Everything the fake store holds (copied on write, so a failed unit leaves no trace)."""

    layouts: dict[str, Layout] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)
    closed: dict[str, dt.date] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    waiting: Counter[tuple[str, dt.date, str]] = field(default_factory=Counter)
    calls: list[dict[str, Any]] = field(default_factory=list)
    numbers: Counter[tuple[str, dt.date, str]] = field(default_factory=Counter)
    walk_ins: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    windows: dict[tuple[str, str], Window] = field(default_factory=dict)
    schedules: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    marks: dict[tuple[str, str], str] = field(default_factory=dict)
    devices: dict[tuple[str, str], tuple[Device, str]] = field(default_factory=dict)
    appointments: dict[str, Appointment] = field(default_factory=dict)
    leases: dict[tuple[str, str], Lease] = field(default_factory=dict)
    users: dict[str, StaffUser] = field(default_factory=dict)
    sessions: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    second_ratings: dict[str, Any] = field(default_factory=dict)  # 追评 (issue 15)
    followups: dict[int, Any] = field(default_factory=dict)  # 差评整改 (issue 15)
    phones: dict[str, tuple[str, dt.date, str]] = field(default_factory=dict)  # SMS opt-ins


class FakeHalls:
    def __init__(self, s: State) -> None:
        self.s = s

    def lock(self, hall: str, day: dt.date, ahead: Ahead | None = None) -> Locked | None:
        return Locked(self.s.seq.get(hall, 0)) if hall in self.s.layouts else None

    def layout(self, hall: str) -> Layout | None:
        return self.s.layouts.get(hall)

    def codes(self) -> list[str]:
        return list(self.s.layouts)

    def closed_date(self, hall: str) -> dt.date | None:
        return self.s.closed.get(hall)

    def mark_closed(self, hall: str, day: dt.date) -> None:
        self.s.closed[hall] = day


class FakeEvents:
    def __init__(self, s: State) -> None:
        self.s = s

    def append(
        self,
        hall: str,
        rows: list[dict[str, Any]],
        last_seq: int,
        announce: list[tuple[int, str]] | None,
        waiting: dict[tuple[dt.date, str], int],
    ) -> None:
        for (day, queue), delta in waiting.items():
            self.s.waiting[(hall, day, queue)] += delta
        self.s.events.extend(rows)
        self.s.seq[hall] = last_seq
        if announce is not None and rows:
            self.s.notices.append(hall)

    def after(self, hall: str, since: int, limit: int) -> list[tuple[int, str]]:
        rows = [e for e in self.s.events if e["hall"] == hall and e["seq"] > since]
        return [(e["seq"], e["payload"]) for e in rows[:limit]]

    def first_kept_seq(self, hall: str) -> int | None:
        return min((e["seq"] for e in self.s.events if e["hall"] == hall), default=None)

    def last_seq(self, hall: str) -> int:
        return self.s.seq[hall]

    def prune(self, hall: str, before: dt.datetime, keep_after: int | None = None) -> None:
        def gone(e: dict[str, Any]) -> bool:
            kept = keep_after is not None and e["seq"] > keep_after
            return e["hall"] == hall and e["at"] < before and not kept

        self.s.events = [e for e in self.s.events if not gone(e)]


class FakeOutbox:
    """The outbox of a store without subscribers: what the day end asks before pruning."""

    def __init__(self, s: State) -> None:
        self.s = s

    def in_hall(self, hall: str) -> list[Any]:
        return []

    def events_after(self, hall: str, since: int, limit: int) -> list[tuple[Any, ...]]:
        rows = [e for e in self.s.events if e["hall"] == hall and e["seq"] > since]
        return [(e["seq"], e["type"], e["at"], e["payload"]) for e in rows[:limit]]

    def prune_sent(self, hall: str, before: dt.datetime) -> None:
        pass

    def min_cursor(self, hall: str) -> int | None:
        return None


class FakeTickets:
    def __init__(self, s: State) -> None:
        self.s = s

    def get(self, ticket_id: str) -> Ticket | None:
        return self.s.tickets.get(ticket_id)

    def find(self, hall: str, day: dt.date, number: str) -> Ticket | None:
        return next(
            (
                t
                for t in self.s.tickets.values()
                if t.hall == hall and t.business_date == day and t.number == number
            ),
            None,
        )

    def add(self, ticket: Ticket) -> None:
        assert ticket.id not in self.s.tickets
        self.s.tickets[ticket.id] = ticket

    def next_number(self, hall: str, day: dt.date, queue: str) -> int:
        self.s.numbers[(hall, day, queue)] += 1
        return self.s.numbers[(hall, day, queue)]

    def _of_day(self, hall: str, day: dt.date) -> list[Ticket]:
        return [t for t in self.s.tickets.values() if t.hall == hall and t.business_date == day]

    def _waiting(self, hall: str, day: dt.date) -> list[Ticket]:
        found = [t for t in self._of_day(hall, day) if t.status is TicketStatus.WAITING]
        return sorted(found, key=lambda t: t.rank)

    def count_issued(
        self,
        hall: str,
        day: dt.date,
        queue: str,
        between: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> int:
        return sum(
            1
            for t in self._of_day(hall, day)
            if t.queue == queue and (between is None or between[0] <= t.issued_at < between[1])
        )

    def of_citizen(self, hall: str, day: dt.date, queue: str, id_hash: str) -> list[Ticket]:
        return [t for t in self._of_day(hall, day) if t.queue == queue and t.id_hash == id_hash]

    def call_candidates(
        self, hall: str, day: dt.date, queues: Any, window: str, now: Any = None
    ) -> list[Ticket]:
        # Whole lines: the policy picks the same ticket from them as from their heads.
        return self.waiting_for(hall, day, queues, window)

    def waiting_for(self, hall: str, day: dt.date, queues: Any, window: str | None) -> list[Ticket]:
        return [
            t
            for t in self._waiting(hall, day)
            if t.queue in queues or (window is not None and t.target_window == window)
        ]

    def count_ahead(self, ticket: Ticket, klass: int) -> int:
        return sum(
            1
            for t in self._waiting(ticket.hall, ticket.business_date)
            if t.queue == ticket.queue
            and t.id != ticket.id
            and (queue_order_key(t)[0], t.rank) < (klass, ticket.rank)
        )

    def line_ranks(self, hall: str, day: dt.date, queue: str, limit: int) -> list[int]:
        return [t.rank for t in self._waiting(hall, day) if t.queue == queue][:limit]

    def service_durations(self, hall: str, day: dt.date, queue: str) -> list[float]:
        return []

    def add_call(self, ticket: Ticket, *, out_of_order: bool) -> None:
        self.s.calls.append(
            {
                "hall": ticket.hall,
                "ticket_id": ticket.id,
                "business_date": ticket.business_date,
                "queue": ticket.queue,
                "window": ticket.window,
                "clerk": ticket.clerk,
                "called_at": ticket.called_at,
                "recalls": 0,
                "out_of_order": out_of_order,
                "ended_at": None,
                "result": None,
            }
        )

    def count_recall(self, ticket_id: str) -> None:
        for call in self.s.calls:
            if call["ticket_id"] == ticket_id and call["ended_at"] is None:
                call["recalls"] += 1

    def service_window(self, ticket_id: str) -> tuple[str, str | None] | None:
        served = [
            c
            for c in self.s.calls
            if c["ticket_id"] == ticket_id and c["result"] in ("accepted", "consulted", "rejected")
        ]
        return (served[-1]["window"], served[-1]["clerk"]) if served else None

    def save(self, ticket: Ticket) -> None:
        self.s.tickets[ticket.id] = ticket

    def in_states(self, hall: str, day: dt.date, statuses: Any) -> list[Ticket]:
        wanted = set(statuses)
        found = [
            t
            for t in self.s.tickets.values()
            if t.hall == hall and t.business_date == day and t.status in wanted
        ]
        return sorted(found, key=lambda t: t.rank)

    def left_before(self, hall: str, day: dt.date) -> list[Ticket]:
        live = (TicketStatus.WAITING, TicketStatus.CALLED)
        return [
            t
            for t in self.s.tickets.values()
            if t.hall == hall and t.business_date < day and t.status in live
        ]

    def numbers(self, ids: list[str]) -> dict[str, str]:
        return {i: self.s.tickets[i].number for i in ids if i in self.s.tickets}

    def waiting_by_queue(self, hall: str, day: dt.date) -> dict[str, int]:
        return {q: n for (h, d, q), n in self.s.waiting.items() if h == hall and d == day and n}

    def adjust_waiting(self, hall: str, deltas: dict[tuple[dt.date, str], int]) -> None:
        for (day, queue), delta in deltas.items():
            self.s.waiting[(hall, day, queue)] += delta

    def end_call(self, ticket_id: str, result: str, at: dt.datetime) -> None:
        for call in self.s.calls:
            if call["ticket_id"] == ticket_id and call["ended_at"] is None:
                call.update(ended_at=at, result=result)

    def recent_calls(
        self, hall: str, day: dt.date, limit: int
    ) -> list[tuple[str, dt.datetime, Ticket]]:
        found = [c for c in self.s.calls if c["hall"] == hall and c["business_date"] == day]
        return [
            (c["window"], c["called_at"], self.s.tickets[c["ticket_id"]])
            for c in reversed(found[-limit:])
        ]


class FakeWindows:
    def __init__(self, s: State) -> None:
        self.s = s

    def get(self, hall: str, code: str) -> Window | None:
        return self.s.windows.get((hall, code))

    def in_hall(self, hall: str) -> list[Window]:
        return [w for (h, _), w in self.s.windows.items() if h == hall]

    def save(self, hall: str, window: Window) -> None:
        self.s.windows[(hall, window.code)] = window

    def serving(self, hall: str) -> list[tuple[str, str, list[str]]]:
        return [(w.code, w.status.value, list(w.queues)) for w in self.in_hall(hall)]

    def add_walk_in(self, hall: str, day: dt.date, window: str, *rest: Any) -> None:
        clerk, at, outcome, matter = rest
        self.s.walk_ins.append(
            {"hall": hall, "day": day, "window": window, "clerk": clerk, "at": at}
            | {"outcome": outcome, "matter": matter}
        )

    def schedules(self, hall: str) -> list[tuple[Window, list[Any], str | None]]:
        return [
            (w, self.s.schedules.get((h, c), []), self.s.marks.get((h, c)))
            for (h, c), w in self.s.windows.items()
            if h == hall
        ]

    def mark_schedule(self, hall: str, code: str, mark: str) -> None:
        self.s.marks[(hall, code)] = mark


class FakeDevices:
    def __init__(self, s: State) -> None:
        self.s = s

    def get(self, hall: str, device: str) -> Device | None:
        found = self.s.devices.get((hall, device))
        return None if found is None else found[0]

    def by_token(self, hashed: str) -> Device | None:
        return next((d for d, token in self.s.devices.values() if token == hashed), None)

    def active(self, hall: str) -> list[Device]:
        return [d for (h, _), (d, _) in self.s.devices.items() if h == hall]

    def add_peripheral(self, device: Device, token_hash: str) -> None:
        self.s.devices[(device.hall, device.id)] = (device, token_hash)

    def set_status(
        self, hall: str, device: str, status: str, detail: str | None, at: dt.datetime
    ) -> None:
        old, token = self.s.devices[(hall, device)]
        self.s.devices[(hall, device)] = (
            replace(old, status=status, detail=detail, status_at=at),
            token,
        )

    def forget_silent(self, hall: str, token_prefix: str, cutoff: dt.datetime) -> int:
        gone = [
            key
            for key, (d, token) in self.s.devices.items()
            if key[0] == hall
            and token.startswith(token_prefix)
            and d.status_at is not None
            and d.status_at < cutoff
        ]
        for key in gone:
            del self.s.devices[key]
        return len(gone)


class FakeAppointments:
    def __init__(self, s: State) -> None:
        self.s = s

    def add(self, appointment: Appointment) -> None:
        self.s.appointments[appointment.code] = appointment

    def _holding(self, hall: str, queue: str) -> list[Appointment]:
        return [
            a
            for a in self.s.appointments.values()
            if a.hall == hall and a.queue == queue and a.status != "cancelled"
        ]

    def booked(self, hall: str, queue: str, start: dt.datetime) -> int:
        return sum(1 for a in self._holding(hall, queue) if a.slot_start == start)

    def slot_of(
        self, hall: str, queue: str, id_hash: str, start: dt.datetime, end: dt.datetime
    ) -> dt.datetime | None:
        return next(
            (
                a.slot_start
                for a in self._holding(hall, queue)
                if a.id_hash == id_hash and start <= a.slot_start < end
            ),
            None,
        )

    def queue_of(self, hall: str, code: str) -> str | None:
        found = self.get(hall, code)
        return None if found is None else found.queue

    def get(self, hall: str, code: str) -> Appointment | None:
        found = self.s.appointments.get(code)
        return found if found is not None and found.hall == hall else None

    def check_in(self, code: str, ticket_id: str) -> None:
        old = self.s.appointments[code]
        self.s.appointments[code] = replace(old, status="checked_in", ticket_id=ticket_id)


class FakeLeases:
    def __init__(self, s: State) -> None:
        self.s = s

    def get(self, hall: str, name: str) -> Lease | None:
        return self.s.leases.get((hall, name))

    def put(self, lease: Lease, *, new: bool) -> None:
        assert new == ((lease.hall, lease.name) not in self.s.leases)
        self.s.leases[(lease.hall, lease.name)] = lease

    def delete(self, hall: str, name: str) -> None:
        del self.s.leases[(hall, name)]


class FakeSessions:
    def __init__(self, s: State) -> None:
        self.s = s

    def active_user(self, username: str) -> StaffUser | None:
        return self.s.users.get(username)

    def allowed_windows(self, username: str) -> list[str]:
        user = self.s.users.get(username)
        return list(user.windows) if user else []

    def name_of(self, username: str | None) -> str | None:
        user = self.s.users.get(username) if username else None
        return user.name if user else None

    def card_of(self, username: str | None) -> dict[str, str | None] | None:
        name = self.name_of(username)
        return None if name is None else {"name": name, "staff_no": None}

    def live(self, token_hash: str) -> StaffSession | None:
        found = self.s.sessions.get(token_hash)
        if found is None or found[0] not in self.s.users:
            return None
        user = self.s.users[found[0]]
        return StaffSession(user.username, user.role, user.hall, user.name, found[1])

    def end(self, token_hash: str) -> None:
        self.s.sessions.pop(token_hash, None)


class FakeKeys:
    def __init__(self, s: State) -> None:
        self.s = s

    def get(self, hall: str, caller: str, key: str) -> Any:
        return self.s.keys.get((hall, caller, key))

    def put(self, hall: str, caller: str, key: str, **answer: Any) -> None:
        self.s.keys[(hall, caller, key)] = SimpleNamespace(**answer)

    def drop(self, hall: str, caller: str, key: str) -> None:
        self.s.keys.pop((hall, caller, key), None)

    def prune(self, hall: str, before: dt.datetime) -> int:
        gone = [k for k, row in self.s.keys.items() if k[0] == hall and row.at < before]
        for k in gone:
            del self.s.keys[k]
        return len(gone)


class FakeRatings:
    """追评 in memory (the adapters' reads need the database)."""

    def __init__(self, s: State) -> None:
        self.s = s

    def second(self, ticket_id: str) -> Any:
        return self.s.second_ratings.get(ticket_id)

    def add_second(self, rating: Any) -> None:
        assert rating.ticket_id not in self.s.second_ratings
        self.s.second_ratings[rating.ticket_id] = rating


class FakeFollowups:
    """差评整改 items in memory."""

    def __init__(self, s: State) -> None:
        self.s = s

    def add(self, item: Any) -> int:
        item_id = len(self.s.followups) + 1
        self.s.followups[item_id] = replace(item, id=item_id)
        return item_id

    def get(self, hall: str, item_id: int) -> Any:
        item = self.s.followups.get(item_id)
        return item if item is not None and item.hall == hall else None

    def of_ticket(self, ticket_id: str) -> Any:
        return next((i for i in self.s.followups.values() if i.ticket_id == ticket_id), None)

    def save(self, item: Any) -> None:
        self.s.followups[item.id] = item

    def of_hall(self, hall: str, status: str | None = None, limit: int = 500) -> list[Any]:
        items = [i for i in self.s.followups.values() if i.hall == hall]
        items = [i for i in items if status is None or i.status == status]
        return sorted(items, key=lambda i: (i.deadline, i.id))[:limit]

    def overdue(self, hall: str, today: dt.date) -> list[Any]:
        return [i for i in self.of_hall(hall, "open") if i.deadline < today]


class FakeNotify:
    """The SMS notifier's numbers: ticket id -> (hall, business date, phone)."""

    def __init__(self, s: State) -> None:
        self.s = s

    def opt_in(self, ticket_id: str, hall: str, day: dt.date, phone: str, now: Any) -> None:
        self.s.phones[ticket_id] = (hall, day, phone)

    def forget(self, ticket_id: str) -> None:
        self.s.phones.pop(ticket_id, None)

    def forget_before(self, hall: str, day: dt.date) -> int:
        gone = [k for k, (h, d, _) in self.s.phones.items() if h == hall and d < day]
        for k in gone:
            del self.s.phones[k]
        return len(gone)

    def tickets_of_phone(self, hall: str, day: dt.date, phone: str) -> int:
        return sum(1 for h, d, p in self.s.phones.values() if (h, d, p) == (hall, day, phone))

    def phone_of(self, ticket_id: str) -> str | None:
        found = self.s.phones.get(ticket_id)
        return found[2] if found else None


class FakeRepositories:
    """The repositories of one fake unit of work."""

    def __init__(self, s: State) -> None:
        self.halls, self.events = FakeHalls(s), FakeEvents(s)
        self.tickets, self.windows = FakeTickets(s), FakeWindows(s)
        self.devices, self.appointments = FakeDevices(s), FakeAppointments(s)
        self.leases, self.sessions = FakeLeases(s), FakeSessions(s)
        self.keys, self.outbox = FakeKeys(s), FakeOutbox(s)
        self.ratings, self.followups = FakeRatings(s), FakeFollowups(s)
        self.notify = FakeNotify(s)
        self.s = s

    @contextmanager
    def writes_behind(self, *, then_commit: bool = False) -> Iterator[None]:
        yield  # nothing to send: the fake is in memory

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = copy.deepcopy(vars(self.s))
        try:
            yield
        except BaseException:
            _restore(self.s, saved)
            raise


def _restore(s: State, saved: dict[str, Any]) -> None:
    for name, value in saved.items():
        setattr(s, name, value)


class FakeStore:
    """Units of work over a `State`; a write that raises leaves the state as it was."""

    is_sqlite = True

    def __init__(self) -> None:
        self.state = State()
        self.commits = 0

    @contextmanager
    def read(self) -> Iterator[FakeRepositories]:
        yield FakeRepositories(self.state)

    glance = read

    @contextmanager
    def write(self, after_commit: Callable[[], None] | None = None) -> Iterator[FakeRepositories]:
        repos = FakeRepositories(self.state)
        with repos.savepoint():
            yield repos
        self.commits += 1
        if after_commit is not None:
            after_commit()


class Published:
    """A publisher that keeps what it was handed."""

    def __init__(self) -> None:
        self.items: list[tuple[str, int, str]] = []

    def publish(self, hall: str, items: list[tuple[int, str]]) -> None:
        self.items.extend((hall, seq, text) for seq, text in items)


HALL = "h1"
START = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in the hall


def hall_layout(**queue: Any) -> Layout:
    """A one-queue hall，综合业务 (A), with the queue's settings overridden."""
    return Layout(
        code=HALL,
        name="测试便民服务中心",
        timezone="Asia/Shanghai",
        settings={},
        guide=[],
        areas=(("Z", "综合窗口区"),),
        queues={"A": Queue("A", "综合业务", "A", "Z", **queue)},
        matters={},
    )


def make_context(layout: Layout | None = None) -> tuple[Context, FakeStore, Published, FakeClock]:
    """A Context on the fake store with one hall, a fake clock and a recording publisher."""
    store, published, clock = FakeStore(), Published(), FakeClock(START)
    store.state.layouts[HALL] = layout or hall_layout()
    store.state.seq[HALL] = 0
    ctx = Context(
        db=None,  # type: ignore[arg-type]  # nothing reaches the database: the store is fake
        secret=b"k" * 32,
        publisher=published,
        clock=clock,
        store=store,  # type: ignore[arg-type]
    )
    return ctx, store, published, clock
