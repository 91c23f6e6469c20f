"""The example receiver of docs/examples verifies what the outbox sends and drops repeats."""

from __future__ import annotations

import time

import httpx
import pytest

from docs.examples.webhook_receiver import make_app
from tests.helpers import issue, login
from tests.integrations.webhook_receiver import FakeWebhook
from tests.server.outbox_helpers import BASE, SECRET, deliver, subscribe


@pytest.fixture
def hall(make_client, clock):
    return make_client(clock, outbox_deliver=False)


def test_the_example_receiver_takes_each_event_once(hall):
    handled = []
    subscribe(hall, FakeWebhook(SECRET), url="http://receiver.test/webhook")
    hall.app.state.outbox.transport = httpx.ASGITransport(app=make_app(SECRET, handled.append))
    issue(hall, queue="A")
    issue(hall, queue="A")
    assert deliver(hall) == 2
    assert [e["type"] for e in handled] == ["cn.yichuang.ticket.issued"] * 2
    hall.post(f"{BASE}/hook/replay", json={"from_seq": 1}, headers=login(hall, "supervisor"))
    assert deliver(hall) == 2
    assert len(handled) == 2  # the replayed ids were known: acknowledged, not handled again


def test_the_example_receiver_refuses_a_wrong_secret(hall):
    handled = []
    subscribe(hall, FakeWebhook(SECRET), url="http://receiver.test/webhook")
    wrong = make_app("another-secret-0000", handled.append)
    hall.app.state.outbox.transport = httpx.ASGITransport(app=wrong)
    issue(hall, queue="A")
    assert deliver(hall) == 0 and handled == []
    s = hall.get(f"{BASE}/hook/status", headers=login(hall, "supervisor")).json()
    assert s["last_error"] == "HTTP 401" and s["lag_events"] == 1


def test_the_background_deliverer_sends_without_being_asked(make_client, clock):
    hall = make_client(clock)  # the deliverer runs, as in production
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    issue(hall, queue="A")
    deadline = time.monotonic() + 15
    while not receiver.order and time.monotonic() < deadline:
        time.sleep(0.1)
    assert receiver.seqs() and receiver.problems == []
    s = hall.get(f"{BASE}/hook/status", headers=login(hall, "supervisor")).json()
    assert s["lag_events"] == 0
