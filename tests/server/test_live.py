"""The live feed: snapshot, events in order, resume after a seq, polling fallback."""

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.helpers import DISPLAY, issue, login, window


def test_a_new_subscriber_gets_a_snapshot_then_every_event_in_order(client):
    issue(client, queue="A")
    with client.websocket_connect("/api/v1/halls/demo/live?token=demo-display") as ws:
        snap = ws.receive_json()
        assert snap["type"] == "snapshot" and snap["seq"] == 1
        assert snap["queue_counts"]["A"] == 1 and len(snap["windows"]) == 26
        assert snap["tickets"][0]["number"] == "A001"
        clerk = login(client)
        window(client, clerk, "S01", "sign-in")
        window(client, clerk, "S01", "call-next")
        opened, called = ws.receive_json(), ws.receive_json()
    assert (opened["seq"], opened["type"]) == (2, "window.opened")
    assert (called["seq"], called["type"]) == (3, "ticket.called")
    assert called["ticket"]["number"] == "A001" and called["window"]["code"] == "S01"
    assert called["window"]["current_number"] == "A001"
    assert called["queue_counts"]["A"] == 0


def test_reconnecting_with_a_seq_gets_exactly_what_was_missed(client):
    for _ in range(3):
        issue(client, queue="A")
    with client.websocket_connect("/api/v1/halls/demo/live?token=demo-display&since=1") as ws:
        got = [ws.receive_json() for _ in range(2)]
        assert [m["seq"] for m in got] == [2, 3]
        issue(client, queue="B")
        live = ws.receive_json()
    assert live["seq"] == 4 and live["ticket"]["number"] == "B001"


def test_a_seq_from_the_future_or_too_old_gets_a_fresh_snapshot(client):
    issue(client, queue="A")
    with client.websocket_connect("/api/v1/halls/demo/live?token=demo-display&since=99") as ws:
        assert ws.receive_json()["type"] == "snapshot"


def test_public_messages_carry_no_id_number_and_no_phone(client):
    issue(
        client,
        queue="A",
        applicant_name="张三",
        id_number="11010519491231002X",
        phone="13812345678",
    )
    with client.websocket_connect("/api/v1/halls/demo/live?token=demo-display&since=0") as ws:
        text = ws.receive_text()
    assert "张三" not in text and "张*" in text
    assert "1101051949" not in text and "002X" not in text and "13812345678" not in text


def test_the_feed_needs_a_device_or_staff_token(client):
    with (
        pytest.raises(WebSocketDisconnect) as err,
        client.websocket_connect("/api/v1/halls/demo/live?token=nope") as ws,
    ):
        ws.receive_json()
    assert err.value.code == 4401


@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "9" * 30])
def test_a_bad_since_is_accepted_then_closed_with_4400_and_a_reason(client, since):
    url = f"/api/v1/halls/demo/live?token=demo-display&since={since}"
    # Connecting first: a refused handshake raises there, outside pytest.raises.
    with client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as err:
        ws.receive_json()
    assert err.value.code == 4400 and "since" in err.value.reason


def test_a_hall_that_does_not_exist_closes_the_feed_with_4404(client):
    url = "/api/v1/halls/nohall/live?token=demo-display"
    with pytest.raises(WebSocketDisconnect) as err, client.websocket_connect(url) as ws:
        ws.receive_json()
    assert err.value.code == 4404


def test_polling_returns_events_after_since_and_a_snapshot_without_it(client):
    issue(client, queue="A")
    issue(client, queue="A")
    r = client.get("/api/v1/halls/demo/events", params={"since": 1}, headers=DISPLAY).json()
    assert [e["seq"] for e in r["events"]] == [2] and r["last_seq"] == 2
    assert r["snapshot"] is None
    fresh = client.get("/api/v1/halls/demo/events", headers=DISPLAY).json()
    assert fresh["snapshot"]["seq"] == 2 and fresh["events"] == []


def test_reloading_the_hall_file_keeps_tickets_and_numbering(make_client, clock, tmp_path):
    from server.config import DEMO_HALL_FILE

    first = make_client(clock)
    issue(first, queue="A")
    edited = tmp_path / "hall.toml"
    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    edited.write_text(text.replace('name = "统一出件"', 'name = "统一出件(证照)"'), "utf-8")
    again = make_client(clock, halls=[edited])
    assert issue(again, queue="A")["number"] == "A002"
    hall = again.get("/api/v1/halls/demo", headers=DISPLAY).json()
    assert {q["code"]: q["name"] for q in hall["queues"]}["C"] == "统一出件(证照)"
    assert hall["waiting_counts"]["A"] == 2
