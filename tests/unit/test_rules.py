"""过号重排, quotas, numbering, estimates and the state machine."""

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain import lifecycle, quota, requeue
from server.domain.errors import Conflict, Forbidden, Invalid
from server.domain.estimate import estimated_minutes, mean_service_minutes, people_ahead
from server.domain.model import (
    Outcome,
    Priority,
    Queue,
    RequeueRule,
    SlotCap,
    TicketStatus,
    WindowStatus,
)
from server.domain.numbering import arrival_rank, business_date, format_number
from tests.unit.test_policy import T0, ticket, win

QUEUE = Queue(code="A", name="综合受理", prefix="A", area="zh")


def test_numbers_are_zero_padded_to_three_digits_and_grow_past_999():
    assert format_number("A", 1) == "A001"
    assert format_number("BA", 12) == "BA012"
    assert format_number("A", 1000) == "A1000"


def test_the_business_date_is_the_halls_local_date():
    late_utc = dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)  # 01:00 next day in Beijing
    assert business_date(late_utc, "Asia/Shanghai") == dt.date(2026, 11, 25)
    assert business_date(late_utc, "UTC") == dt.date(2026, 11, 24)


@given(
    issues=st.lists(
        st.tuples(st.integers(0, 400), st.sampled_from(["A", "B", "BA"])), min_size=1, max_size=120
    ),
    start=st.integers(0, 24 * 60 - 1),
    already=st.integers(0, 1100),
)
@settings(max_examples=200, deadline=None)
def test_numbers_strictly_increase_per_business_day_and_queue_and_restart_each_day(
    issues, start, already
):
    """Issues minutes to hours apart, across local midnights; A999 is followed by A1000."""
    tz = "Asia/Shanghai"
    now = dt.datetime(2026, 11, 24, tzinfo=dt.UTC) + dt.timedelta(minutes=start)
    first_day = business_date(now, tz)
    counters: dict[tuple[dt.date, str], int] = {(first_day, "A"): already}  # per (day, queue)
    numbers: dict[tuple[dt.date, str], list[str]] = {}
    days = [first_day]
    for minutes, prefix in issues:
        now += dt.timedelta(minutes=minutes)
        day = business_date(now, tz)
        assert day >= days[-1] and day == now.astimezone(ZoneInfo(tz)).date()
        days.append(day)
        n = counters[(day, prefix)] = counters.get((day, prefix), 0) + 1
        numbers.setdefault((day, prefix), []).append(format_number(prefix, n))
    for (day, prefix), issued in numbers.items():
        values = [int(x.removeprefix(prefix)) for x in issued]
        assert all(x.startswith(prefix) and len(x) >= len(prefix) + 3 for x in issued)
        assert values == sorted(set(values))  # strictly increasing, so never a number twice
        start_at = already if (day, prefix) == (first_day, "A") else 0
        assert values == list(range(start_at + 1, start_at + 1 + len(values)))


@given(
    line=st.lists(st.integers(1, 500), min_size=0, max_size=30, unique=True),
    after=st.integers(1, 6),
)
@settings(max_examples=200, deadline=None)
def test_requeue_rank_lands_behind_exactly_n_waiting_tickets(line, after):
    ranks = sorted(arrival_rank(n) for n in line)
    new_arrival = arrival_rank(1000)
    rank = requeue.requeue_rank(ranks, after, new_arrival)
    ahead = sum(1 for r in ranks if r < rank)
    assert ahead == min(after, len(ranks))
    assert rank not in ranks


def test_requeue_goes_to_the_back_once_gaps_are_exhausted():
    ranks = [10, 11, 12, 13]
    assert requeue.requeue_rank(ranks, 2, 99) == 99


def no_show(minutes_ago: float, count: int = 0):
    t = ticket(1, status=TicketStatus.NO_SHOW, requeue_count=count)
    return replace(t, no_show_at=T0 - dt.timedelta(minutes=minutes_ago))


def test_requeue_is_allowed_within_the_rule_and_refused_with_reasons():
    rule_queue = replace(QUEUE, requeue=RequeueRule(after=3, max_times=2, within_minutes=60))
    requeue.check_requeue(no_show(10), rule_queue, T0, T0.date())
    cases = [
        (no_show(61), "too_old"),
        (no_show(5, count=2), "max_times"),
        (ticket(2), "not_no_show"),
    ]
    for t, reason in cases:
        with pytest.raises(Conflict) as err:
            requeue.check_requeue(t, rule_queue, T0, T0.date())
        assert err.value.code == "requeue_not_allowed"
        assert err.value.detail["reason"] == reason
    with pytest.raises(Conflict) as err:
        requeue.check_requeue(no_show(5), rule_queue, T0, T0.date() + dt.timedelta(days=1))
    assert err.value.detail["reason"] == "other_day"
    # The day's end turned yesterday's 过号 into `expired`: still "another day", not "not skipped".
    expired = replace(no_show(5), status=TicketStatus.EXPIRED)
    with pytest.raises(Conflict) as err:
        requeue.check_requeue(expired, rule_queue, T0, T0.date() + dt.timedelta(days=1))
    assert err.value.detail["reason"] == "other_day"


def test_quotas_refuse_with_the_first_rule_broken():
    at = dt.time(9, 30)
    slot = SlotCap(dt.time(9), dt.time(10), 2)
    capped = replace(QUEUE, daily_cap=5, slot_caps=(slot,), per_id_daily_limit=1)
    quota.check_quotas(capped, at, quota.IssueCounts(4, {(slot.start, slot.end): 1}, []))
    with pytest.raises(Conflict) as err:
        quota.check_quotas(capped, at, quota.IssueCounts(5, {}, []))
    assert err.value.code == "daily_cap_reached"
    with pytest.raises(Conflict) as err:
        quota.check_quotas(capped, at, quota.IssueCounts(1, {(slot.start, slot.end): 2}, []))
    assert err.value.code == "slot_cap_reached"
    with pytest.raises(Conflict) as err:
        quota.check_quotas(capped, at, quota.IssueCounts(1, {}, ["A012"]))
    assert err.value.code == "id_limit_reached"
    assert "A012" not in err.value.message and "A012" not in str(err.value.detail)


def test_hours_close_the_queue_outside_its_spans():
    q = replace(QUEUE, hours=((dt.time(8, 30), dt.time(12)), (dt.time(13, 30), dt.time(17))))
    quota.check_hours(q, dt.time(9))
    with pytest.raises(Conflict) as err:
        quota.check_hours(q, dt.time(12, 30))
    assert err.value.code == "queue_closed"
    assert "13:30-17:00" in err.value.message


def test_people_ahead_counts_priority_classes_first_then_arrival():
    line = [ticket(1), ticket(2), ticket(3, priority=Priority.GREEN), ticket(4)]
    assert people_ahead(line[3], line) == 3
    assert people_ahead(line[2], line) == 0
    assert people_ahead(line[1], line) == 2


def test_estimated_minutes_share_the_line_among_open_windows():
    assert estimated_minutes(6, 5.0, 3) == 10
    assert estimated_minutes(0, 5.0, 3) == 0
    assert estimated_minutes(1, 5.0, 0) == 5
    assert mean_service_minutes([300, 600], 4.0) == 7.5
    assert mean_service_minutes([], 4.0) == 4.0


def test_the_state_machine_ends_every_ticket_in_exactly_one_state():
    w = win()
    called = lifecycle.call(ticket(1), w, T0)
    assert called.status is TicketStatus.CALLED and called.call_count == 1
    recalled = lifecycle.recall(called, T0)
    assert recalled.recalls == 1 and recalled.call_count == 2
    done = lifecycle.finish(recalled, Outcome.CONSULTED, None, T0)
    assert done.status is TicketStatus.FINISHED and done.is_final
    with pytest.raises(Conflict):
        lifecycle.finish(done, Outcome.ACCEPTED, None, T0)
    with pytest.raises(Conflict):
        lifecycle.call(done, w, T0)
    with pytest.raises(Invalid):
        lifecycle.finish(called, Outcome.REJECTED, "  ", T0)
    rated = lifecycle.evaluate(done, 5, None, T0)
    with pytest.raises(Conflict) as err:
        lifecycle.evaluate(rated, 4, None, T0)
    assert err.value.code == "already_evaluated"


def test_windows_need_their_own_clerk_and_an_outcome_before_the_next_call():
    w = win(status=WindowStatus.OPEN, clerk="clerk01")
    with pytest.raises(Forbidden):
        lifecycle.ready_to_call(w, "clerk02")
    with pytest.raises(Conflict) as err:
        lifecycle.ready_to_call(replace(w, current_ticket="t1"), "clerk01")
    assert err.value.code == "outcome_required"
    paused = lifecycle.pause(w, "午休")
    with pytest.raises(Conflict) as err:
        lifecycle.ready_to_call(paused, "clerk01")
    assert err.value.code == "window_paused"
    assert lifecycle.sign_out(replace(w, current_ticket="t1")).status is WindowStatus.PAUSED
