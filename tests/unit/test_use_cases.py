"""The core use cases (issue, call-next, outcome, transfer, requeue) on the in-memory store."""

from __future__ import annotations

import dataclasses
import json

import pytest

from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.model import Queue, TicketStatus, Window, WindowStatus
from server.services import tickets, transfers, windows
from server.services.tickets import IssueRequest
from tests.unit.fake_store import HALL, hall_layout, make_context


def _two_queues():
    layout = hall_layout()
    queues = {**layout.queues, "B": Queue("B", "社保医保", "B", "Z")}
    return dataclasses.replace(layout, queues=queues)


def _hall(layout=None):
    ctx, store, published, clock = make_context(layout or _two_queues())
    for code, name, queues in (("S01", "一号窗口", ("A",)), ("S02", "二号窗口", ("B",))):
        store.state.windows[(HALL, code)] = Window(code, name, "Z", queues)
    windows.sign_in(ctx, HALL, "S01", "clerk01")
    return ctx, store, published, clock


def _types(published):
    return [json.loads(text)["type"] for _, _, text in published.items]


def _issue(ctx, queue="A", **fields):
    return tickets.issue_ticket(ctx, HALL, IssueRequest(queue=queue, **fields), by_staff=False)


def test_issue_numbers_each_queue_from_one_and_counts_the_line():
    ctx, store, published, _ = _hall()
    first, second, other = _issue(ctx), _issue(ctx), _issue(ctx, "B")
    assert [first["number"], second["number"], other["number"]] == ["A001", "A002", "B001"]
    assert (first["waiting_ahead"], second["waiting_ahead"]) == (0, 1)
    assert second["progress_url"] and second["queue_name"] == "综合业务"
    assert store.state.waiting[(HALL, first_day(store), "A")] == 2
    issued = [json.loads(t) for _, _, t in published.items if '"ticket.issued"' in t]
    assert [e["queue_counts"] for e in issued] == [
        {"A": 1, "B": 0},
        {"A": 2, "B": 0},
        {"A": 2, "B": 1},
    ]
    assert [e["seq"] for e in issued] == [2, 3, 4]  # 1 is the window opening


def first_day(store):
    return next(iter(store.state.tickets.values())).business_date


def test_issue_refuses_an_unknown_queue_and_stores_nothing():
    ctx, store, published, _ = _hall()
    before = len(published.items)
    with pytest.raises(NotFound) as unknown:
        _issue(ctx, "Z")
    assert unknown.value.code == "unknown_queue"
    assert store.state.tickets == {} and len(published.items) == before


def test_call_next_calls_green_before_normal_and_logs_the_call():
    ctx, store, published, _ = _hall()
    _issue(ctx)
    green = _issue(ctx, priority="green")
    called = windows.call_next(ctx, HALL, "S01", "clerk01")
    assert called["number"] == green["number"] and called["status"] == "called"
    assert store.state.windows[(HALL, "S01")].current_ticket == green["id"]
    assert [(c["ticket_id"], c["window"]) for c in store.state.calls] == [(green["id"], "S01")]
    assert _types(published)[-1] == "ticket.called"


def test_call_next_with_nobody_waiting_is_a_404_that_changes_nothing():
    ctx, store, published, _ = _hall()
    before = len(published.items)
    with pytest.raises(NotFound) as none:
        windows.call_next(ctx, HALL, "S01", "clerk01")
    assert none.value.code == "no_waiting_ticket"
    assert store.state.calls == [] and len(published.items) == before


def test_an_outcome_finishes_the_call_once_and_asks_for_a_rating():
    ctx, store, published, _ = _hall()
    issued = _issue(ctx)
    windows.call_next(ctx, HALL, "S01", "clerk01")
    done = windows.record_outcome(ctx, HALL, "S01", "clerk01", "accepted", None)
    assert done["status"] == "finished" and done["outcome"] == "accepted"
    assert store.state.tickets[issued["id"]].status is TicketStatus.FINISHED
    assert store.state.windows[(HALL, "S01")].current_ticket is None
    assert store.state.calls[0]["result"] == "accepted"
    assert _types(published)[-2:] == ["ticket.finished", "evaluation.requested"]
    with pytest.raises(Conflict) as again:
        windows.record_outcome(ctx, HALL, "S01", "clerk01", "accepted", None)
    assert again.value.code == "nothing_called"


def test_a_transfer_to_another_queue_is_called_there_first():
    ctx, store, _, _ = _hall()
    moved = _issue(ctx)
    waiting_in_b = _issue(ctx, "B")
    windows.call_next(ctx, HALL, "S01", "clerk01")
    sent = transfers.transfer(ctx, HALL, "S01", "clerk01", "B", None, "请核对材料")
    assert sent["status"] == "waiting" and sent["queue"] == "B"
    assert store.state.calls[0]["result"] == "transferred"
    windows.sign_in(ctx, HALL, "S02", "clerk02")
    called = windows.call_next(ctx, HALL, "S02", "clerk02")
    assert called["id"] == moved["id"] and called["id"] != waiting_in_b["id"]


def test_a_transfer_to_a_closed_window_needs_the_clerk_to_confirm_the_wait():
    ctx, store, _, _ = _hall()
    issued = _issue(ctx)
    windows.call_next(ctx, HALL, "S01", "clerk01")
    with pytest.raises(Conflict):
        transfers.transfer(ctx, HALL, "S01", "clerk01", None, "S02", None)
    assert store.state.tickets[issued["id"]].status is TicketStatus.CALLED
    transfers.transfer(ctx, HALL, "S01", "clerk01", None, "S02", None, wait_for_window=True)
    assert store.state.tickets[issued["id"]].target_window == "S02"
    assert store.state.windows[(HALL, "S02")].status is WindowStatus.CLOSED


def test_a_no_show_requeues_behind_the_next_three_waiting_tickets():
    ctx, _, published, clock = _hall()
    missed = _issue(ctx)
    later = [_issue(ctx)["id"] for _ in range(4)]
    windows.call_next(ctx, HALL, "S01", "clerk01")
    windows.record_outcome(ctx, HALL, "S01", "clerk01", "no_show", None)
    clock.advance(minutes=5)
    back = tickets.requeue_ticket(ctx, missed["id"], owner=True)
    assert back["status"] == "waiting" and back["waiting_ahead"] == 3
    assert _types(published)[-1] == "ticket.requeued"
    order = []
    for _ in range(5):
        order.append(windows.call_next(ctx, HALL, "S01", "clerk01")["id"])
        windows.record_outcome(ctx, HALL, "S01", "clerk01", "consulted", None)
    assert order == [*later[:3], missed["id"], later[3]]


def test_a_requeue_after_the_allowed_minutes_is_refused_with_the_reason():
    ctx, store, _, clock = _hall()
    missed = _issue(ctx)
    windows.call_next(ctx, HALL, "S01", "clerk01")
    windows.record_outcome(ctx, HALL, "S01", "clerk01", "no_show", None)
    clock.advance(minutes=61)
    with pytest.raises(Conflict) as late:
        tickets.requeue_ticket(ctx, missed["id"])
    assert late.value.detail == {"reason": "too_old", "within_minutes": 60}
    assert store.state.tickets[missed["id"]].status is TicketStatus.NO_SHOW


def test_a_keyed_issue_is_replayed_not_issued_twice():
    from server.services import idempotency

    ctx, store, published, _ = _hall()

    def keyed(body):
        claim = idempotency.make_claim("kiosk-1", "key-0001", "POST", "/tickets", body, 201)
        return claim, idempotency.run_claimed(claim, _issue, ctx, body["queue"])

    first, (claim, again) = keyed({"queue": "A"}), keyed({"queue": "A"})
    assert again == first[1] and claim.replayed and len(store.state.tickets) == 1
    assert _types(published).count("ticket.issued") == 1
    with pytest.raises(Invalid) as reused:
        keyed({"queue": "B"})
    assert reused.value.code == "idempotency_key_reused" and len(store.state.tickets) == 1
