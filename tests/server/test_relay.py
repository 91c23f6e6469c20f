"""The PostgreSQL relay: the event log, not the notification, is the source of truth.

Two apps on one PostgreSQL schema stand for two workers; a screen is subscribed on one,
tickets are issued on the other with their notification lost, while another hall keeps
the channel ringing (a busy city platform).
"""

from __future__ import annotations

import queue
import threading
import time

import pytest

from server.realtime.pg import notify
from server.services import context
from tests.helpers import issue
from tests.pgschema import BACKEND

pytestmark = [
    pytest.mark.pg,
    pytest.mark.skipif(BACKEND != "pg", reason="the relay runs only on PostgreSQL"),
]


def ring_for_another_hall(db, stop: threading.Event) -> None:
    """Notify the channel of another hall every 0.1 s, as a busy platform would."""
    while not stop.is_set():
        with db.engine.begin() as conn:
            notify(conn, "elsewhere")
        stop.wait(0.1)


def read_into(ws, inbox: queue.Queue) -> None:
    """Hand every message of the socket to the test (ends when the socket closes)."""
    try:
        while True:
            inbox.put(ws.receive_json())
    except Exception:
        return


def test_a_lost_notice_of_a_quiet_hall_is_recovered_from_the_log_while_others_ring(
    make_client, clock, monkeypatch
):
    worker_a, worker_b = make_client(clock), make_client(clock)
    worker_b.app.state.services.relay.watch("elsewhere")  # a screen of the busy hall here
    stop = threading.Event()
    noise = threading.Thread(
        target=ring_for_another_hall, args=(worker_a.app.state.services.ctx.db, stop)
    )
    with worker_b.websocket_connect("/api/v1/halls/demo/live?token=demo-display") as ws:
        snapshot = ws.receive_json()
        assert snapshot["type"] == "snapshot"
        inbox: queue.Queue = queue.Queue()
        threading.Thread(target=read_into, args=(ws, inbox), daemon=True).start()
        noise.start()
        try:
            time.sleep(1.5)  # the channel has been busy for longer than the poll period
            with monkeypatch.context() as patch:
                patch.setattr(context, "announce", lambda items: None)  # notices lost
                numbers = [issue(worker_a, queue="A")["number"] for _ in range(3)]
            started = time.monotonic()
            got = [inbox.get(timeout=max(0.1, started + 2.5 - time.monotonic())) for _ in range(3)]
            took = time.monotonic() - started
        finally:
            stop.set()
            noise.join(5)
            issue(worker_a, queue="B")  # notified: wakes the reader if the test failed
    assert [m["seq"] for m in got] == [snapshot["seq"] + n for n in (1, 2, 3)]
    assert [m["type"] for m in got] == ["ticket.issued"] * 3
    assert [m["ticket"]["number"] for m in got] == numbers
    assert took < 2.5


def test_a_worker_hears_a_halls_writes_only_while_somebody_there_watches_it(
    make_client, clock, monkeypatch
):
    """Without a screen of the hall a worker is not woken by its commits; with one, at once."""
    worker_a, worker_b = make_client(clock), make_client(clock)
    relay = worker_b.app.state.services.relay
    heard: list[str] = []
    deliver = relay._deliver

    def counted(payload: str) -> None:
        heard.append(payload.split("\n")[0])
        deliver(payload)

    monkeypatch.setattr(relay, "_deliver", counted)
    issue(worker_a, queue="A")
    time.sleep(0.3)
    assert heard == []
    with worker_b.websocket_connect("/api/v1/halls/demo/live?token=demo-display") as ws:
        snapshot = ws.receive_json()
        deadline = time.monotonic() + 3
        while "demo" not in relay.heard and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        number = issue(worker_a, queue="A")["number"]
        got = ws.receive_json()
        took = time.monotonic() - started
    assert (got["seq"], got["ticket"]["number"]) == (snapshot["seq"] + 1, number)
    assert heard == ["demo"]
    assert took < 0.5  # the notice, not the poll of once a second


def test_two_installations_in_two_schemas_of_one_database_do_not_hear_each_other(
    make_client, clock, tmp_path
):
    """NOTIFY is heard database-wide: the channel is the schema's, or foreign events show."""
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.config import DEMO_HALL_FILE, Settings
    from tests.pgschema import fresh_schema

    mine = make_client(clock)
    with fresh_schema() as url:
        cfg = Settings(
            data_dir=tmp_path / "other",
            hall_files=[DEMO_HALL_FILE],
            demo=True,
            database_url=url,
        )
        with TestClient(create_app(cfg, clock=clock)) as other:
            with mine.websocket_connect("/api/v1/halls/demo/live?token=demo-display") as ws:
                snapshot = ws.receive_json()
                inbox: queue.Queue = queue.Queue()
                threading.Thread(target=read_into, args=(ws, inbox), daemon=True).start()
                for _ in range(2):  # the same hall code, the same seqs as ours will be
                    issue(other, queue="A")
                time.sleep(0.5)  # a relay that heard them has handed them on by now
                own = issue(mine, queue="A")["id"]
                got = inbox.get(timeout=3)
                time.sleep(0.3)
                extra = inbox.qsize()
            other.app.state.services.ctx.db.dispose()
    assert got["seq"] == snapshot["seq"] + 1
    assert got["ticket"]["id"] == own
    assert extra == 0
