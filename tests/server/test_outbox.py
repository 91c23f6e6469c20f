"""The outbox: events reach a webhook in order, signed, retried with backoff, dead-lettered."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from server.outbox import signing
from server.outbox.deliverer import Deliverer
from server.outbox.formats import FORMATS, Outgoing, register
from server.services import outbox
from tests.helpers import issue, login, window
from tests.integrations.webhook_receiver import FakeWebhook
from tests.server.outbox_helpers import BASE, SECRET, deliver, subscribe


@pytest.fixture
def hall(make_client, clock):
    return make_client(clock, outbox_deliver=False)


def status(client, name="hook"):
    """The subscriber's status, read the way the route does (no sign-in per look)."""
    return outbox.status(client.app.state.services.ctx, "demo", name)


def test_events_arrive_in_order_signed_and_once(hall):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    tickets = [issue(hall, queue="A") for _ in range(3)]
    clerk = login(hall)
    assert window(hall, clerk, "S01", "sign-in").status_code == 200
    assert window(hall, clerk, "S01", "call-next").status_code == 200
    assert status(hall)["lag_events"] >= 5
    assert deliver(hall) >= 5
    assert receiver.problems == []
    seqs = receiver.seqs()
    assert seqs == sorted(seqs) and len(seqs) >= 5
    first = receiver.events[receiver.order[0]]
    assert first["type"] == "cn.yichuang.ticket.issued"
    assert first["data"]["ticket"]["number"] == tickets[0]["number"]
    assert deliver(hall) == 0  # nothing twice
    assert receiver.duplicates == 0
    s = status(hall)
    assert s["lag_events"] == 0 and s["lag_seconds"] == 0
    assert s["last_success_local"] == "2026-11-24 09:00"
    assert s["cursor"] == s["last_seq"] and "secret" not in s


def test_event_filter_skips_other_types(hall):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver, events=["ticket.called"])
    issue(hall, queue="A")
    clerk = login(hall)
    window(hall, clerk, "S01", "sign-in")
    window(hall, clerk, "S01", "call-next")
    deliver(hall)
    assert [e["type"] for e in receiver.events.values()] == ["cn.yichuang.ticket.called"]
    assert status(hall)["lag_events"] == 0


def test_failures_back_off_then_succeed_in_order(hall, clock):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    receiver.down_for(3600)
    issue(hall, queue="A")
    issue(hall, queue="A")
    assert deliver(hall) == 0
    s = status(hall)
    assert s["attempts"] == 1 and s["last_error"] == "HTTP 503" and s["lag_events"] == 2
    assert receiver.requests == 1  # the second event waits behind the first
    deliver(hall)
    assert receiver.requests == 1  # not due yet: the backoff holds
    clock.advance(seconds=2)  # the first wait is 1–2 s (base 2 s, jitter 50–100 %)
    deliver(hall)
    assert receiver.requests == 2 and status(hall)["attempts"] == 2
    receiver.down_until = 0
    clock.advance(seconds=4)
    assert deliver(hall) == 2
    assert receiver.seqs() == sorted(receiver.seqs()) and len(receiver.seqs()) == 2
    s = status(hall)
    assert s["attempts"] == 0 and s["next_try"] is None and s["lag_events"] == 0


def test_backoff_grows_to_the_cap_and_dead_letters_after_a_day(hall, clock):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    receiver.down_for(10**6)
    issue(hall, queue="A")
    issue(hall, queue="A")
    waits = []
    for _ in range(80):
        deliver(hall)
        s = status(hall)
        if s["dead_letters"]:
            break
        due = dt.datetime.fromisoformat(s["next_try"].replace("Z", "+00:00"))
        waits.append((due - clock()).total_seconds())
        clock.now = due + dt.timedelta(seconds=1)  # the view shows whole seconds
    assert waits[0] <= 2 and max(waits) <= 3600 and max(waits) >= 1800
    s = status(hall)
    assert s["dead_letters"] == 1
    letter = s["recent_dead_letters"][0]
    assert letter["reason"] == "gave_up" and letter["error"] == "HTTP 503"
    assert letter["type"] == "ticket.issued" and letter["seq"] == s["cursor"]
    assert s["lag_events"] == 1  # the next event is tried afresh
    receiver.down_until = 0
    deliver(hall)
    assert len(receiver.seqs()) == 1 and status(hall)["lag_events"] == 0


def test_pause_resume_and_replay(hall):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    sup = login(hall, "supervisor")
    assert hall.post(f"{BASE}/hook/pause", headers=sup).json()["state"] == "paused"
    issue(hall, queue="A")
    assert deliver(hall) == 0 and receiver.requests == 0
    assert status(hall)["lag_events"] == 1
    assert hall.post(f"{BASE}/hook/resume", headers=sup).json()["state"] == "active"
    assert deliver(hall) == 1
    first = receiver.seqs()[0]
    receiver.events.clear()
    receiver.order.clear()
    r = hall.post(f"{BASE}/hook/replay", json={"from_seq": first}, headers=sup)
    assert r.status_code == 200 and r.json()["cursor"] == first - 1
    assert deliver(hall) == 1 and receiver.seqs() == [first]
    r = hall.post(f"{BASE}/hook/replay", json={"from_seq": 999}, headers=sup)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_seq"


def test_signature_recipe():
    body = b'{"id":"demo:1"}'
    value = signing.header("s" * 16, body, timestamp=1_700_000_000)
    t, v1 = value.split(",")
    assert t == "t=1700000000" and len(v1) == 3 + 64
    assert signing.verify("s" * 16, value, body, now=1_700_000_100)
    assert not signing.verify("s" * 16, value, body + b" ", now=1_700_000_100)
    assert not signing.verify("x" * 16, value, body, now=1_700_000_100)
    assert not signing.verify("s" * 16, value, body, now=1_700_001_000)  # too old


def test_lease_one_deliverer_then_takeover(hall, clock):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    ctx, settings = hall.app.state.services.ctx, hall.app.state.services.settings
    transport = httpx.ASGITransport(app=receiver.app)
    a = Deliverer(ctx, settings, holder="a", transport=transport)
    b = Deliverer(ctx, settings, holder="b", transport=transport)
    issue(hall, queue="A")
    assert deliver(hall, a) == 1
    issue(hall, queue="A")
    assert deliver(hall, b) == 0  # a holds the lease (a "dies" here: it never renews)
    clock.advance(seconds=settings.outbox_lease_seconds + 1)
    assert deliver(hall, b) == 1
    assert deliver(hall, a) == 0  # now b holds it
    assert receiver.seqs() == sorted(receiver.seqs()) and receiver.duplicates == 0


def _once_per_ticket(event, target, repos):
    """A test format: one request per ticket, whichever of its events comes first."""
    ticket = event.payload.get("ticket")
    if not ticket:
        return []
    body = json.dumps({"id": f"{event.hall}:{event.seq}", "ticket": ticket["id"]}).encode()
    headers = {signing.HEADER: signing.header(target.secret, body)}
    return [Outgoing(f"ticket:{ticket['id']}", "POST", target.url, headers, body)]


if "test-once" not in FORMATS:
    register("test-once")(_once_per_ticket)


def test_a_key_is_sent_once_even_when_several_events_render_it(hall):
    sent = []

    async def app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        sent.append(json.loads(body)["ticket"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    subscribe(hall, FakeWebhook(SECRET), format="test-once")
    hall.app.state.outbox.transport = httpx.ASGITransport(app=app)
    ticket = issue(hall, queue="A")
    deliver(hall)
    clerk = login(hall)
    window(hall, clerk, "S01", "sign-in")
    window(hall, clerk, "S01", "call-next")
    window(hall, clerk, "S01", "outcome", outcome="accepted")
    deliver(hall)
    assert sent == [ticket["id"]]
    r = hall.post(f"{BASE}/hook/replay", json={"from_seq": 1}, headers=login(hall, "supervisor"))
    assert r.status_code == 200
    deliver(hall)
    assert sent == [ticket["id"], ticket["id"]]  # a replay sends it again


def _broken(event, target, repos):
    """A test format with a bug on ticket.called."""
    if event.type == "ticket.called":
        raise KeyError("oops")
    return []


if "test-broken" not in FORMATS:
    register("test-broken")(_broken)


def test_a_format_that_fails_blocks_its_subscriber_with_an_error_and_retries(hall, clock):
    subscribe(hall, FakeWebhook(SECRET), format="test-broken")
    issue(hall, queue="A")
    clerk = login(hall)
    window(hall, clerk, "S01", "sign-in")
    window(hall, clerk, "S01", "call-next")
    issue(hall, queue="A")
    deliver(hall)
    s = status(hall)
    assert s["last_error"] == "格式 test-broken 出错：KeyError" and s["attempts"] == 1
    assert s["lag_events"] == 2  # the call and the ticket after it wait
    clock.advance(days=1, seconds=1)
    deliver(hall)
    assert status(hall)["dead_letters"] == 1 and status(hall)["lag_events"] == 1


def test_a_corrected_address_is_tried_at_once_and_a_deleted_subscriber_leaves_no_lease(hall):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver, url="http://receiver.test/wrong")
    issue(hall, queue="A")
    deliver(hall)
    assert status(hall)["last_error"] == "HTTP 404" and status(hall)["next_try"]
    sup = login(hall, "supervisor")
    r = hall.patch(f"{BASE}/hook", json={"url": "http://receiver.test/hook"}, headers=sup)
    assert r.status_code == 200 and r.json()["next_try"] is None
    assert deliver(hall) == 1 and len(receiver.seqs()) == 1
    assert hall.delete(f"{BASE}/hook", headers=sup).status_code == 200
    with hall.app.state.services.ctx.units.read() as repos:
        assert repos.leases.get("demo", "outbox:hook") is None
