"""Call-next policies, including hypothesis checks of the invariants."""

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain import lifecycle, requeue
from server.domain.errors import Conflict
from server.domain.model import (
    CallPolicy,
    GreenMode,
    Outcome,
    Priority,
    Queue,
    Ticket,
    TicketStatus,
    Window,
    WindowStatus,
)
from server.domain.numbering import arrival_rank
from server.domain.policy import choose_next

T0 = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


def ticket(n: int, queue: str = "A", priority: Priority = Priority.NORMAL, **kw) -> Ticket:
    return Ticket(
        id=f"t{n}",
        hall="h",
        business_date=T0.date(),
        queue=queue,
        number=f"{queue}{n:03d}",
        rank=arrival_rank(n),
        issued_at=T0 + dt.timedelta(minutes=n),
        priority=priority,
        **kw,
    )


def win(**kw) -> Window:
    base = Window(
        code="S01",
        name="1号窗口",
        area="zh",
        queues=("A", "B"),
        status=WindowStatus.OPEN,
        clerk="c",
    )
    return replace(base, **kw)


def test_fifo_calls_the_oldest_arrival_across_served_queues():
    tickets = [ticket(3, "A"), ticket(1, "B"), ticket(2, "A")]
    assert choose_next(win(), tickets, T0).ticket.id == "t1"


def test_ordered_calls_queues_in_the_windows_order():
    tickets = [ticket(1, "B"), ticket(2, "A")]
    assert choose_next(win(policy=CallPolicy.ORDERED), tickets, T0).ticket.id == "t2"


def test_weighted_prefers_the_heavier_queue_until_the_light_one_has_waited_long():
    w = win(policy=CallPolicy.WEIGHTED, weights=(("A", 3.0), ("B", 1.0)))
    now = T0 + dt.timedelta(minutes=10)
    # B001 waited 9 min x1, A002 waited 8 min x3: A is called.
    assert choose_next(w, [ticket(1, "B"), ticket(2, "A")], now).ticket.id == "t2"
    # B001 has waited 60 minutes, A050 one minute: B wins now.
    later = T0 + dt.timedelta(minutes=61)
    assert choose_next(w, [ticket(1, "B"), ticket(60, "A")], later).ticket.id == "t1"


def test_tickets_of_queues_the_window_does_not_serve_are_never_called():
    assert choose_next(win(queues=("A",)), [ticket(1, "B")], T0) is None


def test_green_first_calls_green_before_older_normal_tickets():
    tickets = [ticket(1), ticket(2, priority=Priority.GREEN)]
    assert choose_next(win(), tickets, T0).ticket.id == "t2"


def test_transferred_in_tickets_come_first_and_window_transfers_go_only_there():
    moved = ticket(9, transferred=True)
    for_other = ticket(8, transferred=True, target_window="S02")
    for_me = ticket(10, transferred=True, target_window="S01")
    tickets = [ticket(1), moved, for_other, for_me]
    assert choose_next(win(), tickets, T0).ticket.id == "t10"
    assert choose_next(win(), [ticket(1), moved, for_other], T0).ticket.id == "t9"
    assert choose_next(win(code="S03"), [for_other], T0) is None


def test_due_appointments_come_before_walk_ins_but_not_before_their_slot():
    slot = T0 + dt.timedelta(hours=1)
    appt = ticket(5, priority=Priority.APPOINTMENT, appointment_start=slot)
    assert choose_next(win(), [ticket(1), appt], T0).ticket.id == "t1"
    near = slot - dt.timedelta(minutes=10)
    assert choose_next(win(), [ticket(1), appt], near).ticket.id == "t5"


def drain(window: Window, tickets: list[Ticket], calls: int) -> list[Ticket]:
    """Call `calls` times, returning what was called in order."""
    waiting = {t.id: t for t in tickets}
    called = []
    for _ in range(calls):
        choice = choose_next(window, list(waiting.values()), T0)
        if choice is None:
            break
        window = replace(window, normal_since_green=choice.normal_since_green)
        called.append(waiting.pop(choice.ticket.id))
    return called


@given(
    kinds=st.lists(st.booleans(), min_size=1, max_size=60),
    n=st.integers(min_value=1, max_value=6),
)
@settings(max_examples=200, deadline=None)
def test_interleave_never_starves_green_or_normal(kinds, n):
    """With interleave N, a green ticket waits at most N normal calls, and vice versa."""
    tickets = [
        ticket(i, priority=Priority.GREEN if green else Priority.NORMAL)
        for i, green in enumerate(kinds, 1)
    ]
    w = win(queues=("A",), green_mode=GreenMode.INTERLEAVE, green_interleave=n)
    order = drain(w, tickets, len(tickets))
    assert sorted(t.id for t in order) == sorted(t.id for t in tickets)
    run = 0
    greens_left = sum(kinds)
    for t in order:
        if t.priority is Priority.GREEN:
            greens_left -= 1
            run = 0
        else:
            run += 1
            assert run <= n or greens_left == 0
    # Within each class the order is arrival order.
    for klass in (Priority.GREEN, Priority.NORMAL):
        ranks = [t.rank for t in order if t.priority is klass]
        assert ranks == sorted(ranks)


@given(
    queues=st.lists(st.sampled_from("ABC"), min_size=1, max_size=40),
    policy=st.sampled_from(list(CallPolicy)),
    windows=st.integers(min_value=1, max_value=4),
)
@settings(max_examples=150, deadline=None)
def test_every_ticket_is_called_exactly_once_and_ends_in_one_final_state(queues, policy, windows):
    """Several windows draining the same tickets: no ticket is called twice, none is lost."""
    waiting = {t.id: t for t in (ticket(i, q) for i, q in enumerate(queues, 1))}
    pads = [win(code=f"S{i:02d}", queues=("A", "B", "C"), policy=policy) for i in range(windows)]
    called: list[str] = []
    finished: dict[str, Ticket] = {}
    turn = 0
    while waiting:
        pad = pads[turn % windows]
        turn += 1
        choice = choose_next(pad, list(waiting.values()), T0)
        assert choice is not None
        t = lifecycle.call(waiting.pop(choice.ticket.id), pad, T0)
        called.append(t.id)
        finished[t.id] = lifecycle.finish(t, Outcome.ACCEPTED, None, T0)
    assert len(called) == len(set(called)) == len(queues)
    assert all(t.status is TicketStatus.FINISHED for t in finished.values())


QUEUE_A = Queue(code="A", name="综合受理", prefix="A", area="zh")
STEP = st.tuples(
    st.sampled_from(["call", "cancel", "requeue"]),
    st.integers(min_value=0, max_value=10_000),  # which window or ticket
    st.integers(min_value=0, max_value=45),  # minutes that pass first
)


def _call(pads: list[Window], tickets: dict[str, Ticket], pick: int, outcome, now) -> None:
    pad = pads[pick % len(pads)]
    waiting = [t for t in tickets.values() if t.status is TicketStatus.WAITING]
    choice = choose_next(pad, waiting, now)
    if choice is None:
        assert not [t for t in waiting if t.queue in pad.queues]
        return
    called = lifecycle.call(choice.ticket, pad, now)
    if outcome is not None:  # None: still at the counter when the day ends
        reason = "材料不全" if outcome is Outcome.REJECTED else None
        called = lifecycle.finish(called, outcome, reason, now)
    tickets[called.id] = called


def _cancel(tickets: dict[str, Ticket], pick: int) -> None:
    t = tickets[sorted(tickets)[pick % len(tickets)]]
    try:
        tickets[t.id] = lifecycle.cancel(t)
    except Conflict:
        assert t.status not in (TicketStatus.WAITING, TicketStatus.NO_SHOW)


def _requeue(tickets: dict[str, Ticket], pick: int, now: dt.datetime, seq: int) -> None:
    skipped = sorted(i for i, t in tickets.items() if t.status is TicketStatus.NO_SHOW)
    candidates = skipped if skipped and pick % 4 else sorted(tickets)  # mostly 过号 tickets
    t = tickets[candidates[pick % len(candidates)]]
    try:
        requeue.check_requeue(t, QUEUE_A, now, T0.date())
    except Conflict:
        assert not requeue.still_eligible(t, QUEUE_A, now)
        return
    line = sorted(x.rank for x in tickets.values() if x.status is TicketStatus.WAITING)
    rank = requeue.requeue_rank(line, QUEUE_A.requeue.after, arrival_rank(seq))
    tickets[t.id] = lifecycle.requeue(t, rank)


def _assert_one_consistent_end(t: Ticket) -> None:
    """The ticket's status, outcome and counts tell one and the same story."""
    assert t.status in lifecycle.ENDED_STATUSES
    assert t.requeue_count <= QUEUE_A.requeue.max_times
    if t.status is TicketStatus.FINISHED:
        assert t.outcome in (Outcome.ACCEPTED, Outcome.CONSULTED, Outcome.REJECTED)
        assert t.finished_at is not None and t.call_count == t.requeue_count + 1
    elif t.status is TicketStatus.NO_SHOW:
        assert t.outcome is Outcome.NO_SHOW and t.call_count == t.requeue_count + 1
    elif t.status is TicketStatus.CANCELLED:  # given up while waiting, or after 过号
        skipped = t.outcome is Outcome.NO_SHOW
        assert t.outcome in (None, Outcome.NO_SHOW)
        assert t.call_count == t.requeue_count + int(skipped)
    else:  # expired: left waiting (never called since its last requeue) or at the counter
        assert t.finished_at is not None and t.call_count - t.requeue_count in (0, 1)
    with pytest.raises(Conflict):
        lifecycle.call(t, win(), T0)


@given(
    count=st.integers(min_value=1, max_value=25),
    windows=st.integers(min_value=1, max_value=3),
    outcomes=st.lists(st.sampled_from([*Outcome, None]), min_size=1, max_size=30),
    steps=st.lists(STEP, max_size=80),
)
@settings(max_examples=200, deadline=None)
def test_every_ticket_ends_in_exactly_one_final_state_whatever_happens(
    count, windows, outcomes, steps
):
    """Random outcomes, 过号 and 过号重排, cancelling, then day end: one consistent end each."""
    tickets = {t.id: t for t in (ticket(i) for i in range(1, count + 1))}
    pads = [win(code=f"S{i:02d}", queues=("A",)) for i in range(windows)]
    now, seq = T0, count
    for i, (action, pick, minutes) in enumerate(steps):
        now += dt.timedelta(minutes=minutes)
        seq += 1
        if action == "call":
            _call(pads, tickets, pick, outcomes[i % len(outcomes)], now)
        elif action == "cancel":
            _cancel(tickets, pick)
        else:
            _requeue(tickets, pick, now, seq)
    day_end = now + dt.timedelta(hours=12)
    for t in list(tickets.values()):
        if t.status in (TicketStatus.WAITING, TicketStatus.CALLED):
            tickets[t.id] = lifecycle.expire(t, day_end)
    assert len(tickets) == count
    for t in tickets.values():
        _assert_one_consistent_end(t)
