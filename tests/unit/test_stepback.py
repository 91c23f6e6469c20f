"""暂离 / 延后 N 位 rules, with hypothesis checks of the line's invariants."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain import stepback
from server.domain.errors import Conflict, Invalid
from server.domain.model import Ticket, TicketStatus, Window, WindowStatus
from server.domain.numbering import arrival_rank
from server.domain.policy import choose_next

T0 = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
TODAY = T0.date()
RULE = stepback.StepBackRule(max_places=3, max_times=2, away_max_minutes=30)
WINDOW = Window(
    code="S01", name="1号窗口", area="zh", queues=("A",), status=WindowStatus.OPEN, clerk="c"
)


def ticket(seq: int) -> Ticket:
    return Ticket(
        id=f"t{seq}",
        hall="h",
        business_date=TODAY,
        queue="A",
        number=f"A{seq:03d}",
        rank=arrival_rank(seq),
        issued_at=T0 + dt.timedelta(seconds=seq),
    )


def ahead_of(line: list[Ticket], t: Ticket) -> int:
    return sum(1 for other in line if other.rank < t.rank)


def behind_of(line: list[Ticket], t: Ticket, limit: int) -> list[int]:
    return sorted(o.rank for o in line if o.rank > t.rank)[:limit]


class Line:
    """A queue's waiting line as the store keeps it, driven by the rules under test."""

    def __init__(self) -> None:
        self.seq = 0
        self.waiting: list[Ticket] = []
        self.called: list[Ticket] = []
        self.requested_at: dict[str, int] = {}  # the seq of each ticket's latest step back
        self.issued: list[str] = []

    def arrive(self) -> None:
        self.seq += 1
        self.waiting.append(ticket(self.seq))
        self.issued.append(f"t{self.seq}")

    def step_back(self, index: int, places: int) -> None:
        t = self.waiting[index % len(self.waiting)]
        before = ahead_of(self.waiting, t)
        behind = behind_of(self.waiting, t, places + 1)
        self.seq += 1
        try:
            moved = stepback.step_back(t, places, behind, arrival_rank(self.seq), RULE, TODAY)
        except Conflict:
            assert t.step_backs >= RULE.max_times
            return
        self.waiting[self.waiting.index(t)] = moved
        self.requested_at[moved.id] = self.seq
        # exactly the next `places` (or everyone behind, when fewer) now stand before it
        assert ahead_of(self.waiting, moved) == before + min(places, len(behind))

    def call(self) -> None:
        choice = choose_next(WINDOW, self.waiting, T0)
        if choice is None:
            assert not self.waiting
            return
        self.waiting.remove(choice.ticket)
        self.called.append(choice.ticket)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.just(("arrive",)),
            st.just(("call",)),
            st.tuples(st.just("step"), st.integers(0, 50), st.integers(1, RULE.max_places)),
        ),
        max_size=60,
    )
)
def test_stepping_back_keeps_the_line_fair(ops):
    line = Line()
    issued = 0
    for op in ops:
        if op[0] == "arrive":
            line.arrive()
            issued += 1
        elif op[0] == "call":
            line.call()
        elif line.waiting:
            line.step_back(op[1], op[2])
        # counts stay right: stepping back neither adds nor drops a ticket
        assert len(line.waiting) + len(line.called) == issued
        assert len({t.rank for t in line.waiting}) == len(line.waiting)
        # never behind a ticket issued after its latest request
        for t in line.waiting:
            since = line.requested_at.get(t.id)
            if since is not None:
                later = [o for o in line.waiting if int(o.id[1:]) > since]
                assert all(t.rank < o.rank for o in later)
    while line.waiting:  # no starvation: the line empties, every ticket called once
        line.call()
    assert sorted(t.id for t in line.called) == sorted(line.issued)
    # a ticket is passed by later arrivals only through its own steps: at most K × N of them
    order = {t.id: i for i, t in enumerate(line.called)}
    for t in line.called:
        passers = [
            o for o in line.called if o.issued_at > t.issued_at and order[o.id] < order[t.id]
        ]
        assert len(passers) <= t.step_backs * RULE.max_places


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 8), st.integers(0, 7), st.integers(1, 30), st.integers(0, 40))
def test_an_away_ticket_is_never_called_before_it_is_back_or_its_time_is_up(
    size, index, minutes, later
):
    line = [ticket(n) for n in range(1, size + 1)]
    away = stepback.go_away(line[index % size], minutes, T0, RULE, TODAY)
    line[index % size] = away
    now = T0 + dt.timedelta(minutes=later)
    choice = choose_next(WINDOW, line, now)
    if stepback.is_away(away, now):
        assert choice is None or choice.ticket.id != away.id
        assert (choice is None) == (size == 1)
    else:
        assert choice is not None and choice.ticket.id == line[0].id  # its place was kept


def test_stepping_back_too_far_or_too_often_is_refused():
    t = ticket(1)
    with pytest.raises(Invalid) as far:
        stepback.step_back(t, 4, [], arrival_rank(9), RULE, TODAY)
    assert far.value.code == "step_back_limit"
    spent = dataclasses.replace(t, step_backs=2)
    with pytest.raises(Conflict) as often:
        stepback.step_back(spent, 1, [], arrival_rank(9), RULE, TODAY)
    assert often.value.code == "step_back_limit"
    with pytest.raises(Conflict) as away:
        stepback.go_away(spent, 5, T0, RULE, TODAY)
    assert away.value.code == "step_back_limit"


def test_a_called_ticket_cannot_step_back_or_go_away():
    called = dataclasses.replace(ticket(1), status=TicketStatus.CALLED)
    for attempt in (
        lambda: stepback.step_back(called, 1, [], arrival_rank(9), RULE, TODAY),
        lambda: stepback.go_away(called, 5, T0, RULE, TODAY),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "ticket_not_waiting"


def test_coming_back_ends_the_away_and_only_an_away_ticket_can():
    away = stepback.go_away(ticket(1), 10, T0, RULE, TODAY)
    back = stepback.come_back(away, T0 + dt.timedelta(minutes=1))
    assert back.away_until is None and back.rank == away.rank
    with pytest.raises(Conflict) as not_away:
        stepback.come_back(back, T0)
    assert not_away.value.code == "ticket_not_away"
