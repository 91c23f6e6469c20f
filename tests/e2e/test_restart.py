"""Restart the server mid-day with kill -9: nothing is lost, screens resync."""

from __future__ import annotations

import threading
import time

import pytest

from server.client import HallClient, HallState, LiveFeed
from tests.live_server import PASSWORD, ServerProcess, write_hall

pytestmark = pytest.mark.db  # also runs on the PostgreSQL pass


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_after_kill_9_numbering_continues_and_a_screen_misses_nothing(tmp_path):
    server = ServerProcess(tmp_path / "data", [write_hall(tmp_path / "city.toml")]).start()
    seen: list[dict] = []
    statuses: list[str] = []
    lock = threading.Lock()

    def on_message(msg: dict) -> None:
        with lock:
            seen.append(msg)

    feed = LiveFeed(
        server.url, "city", "display-secret-1", on_message, on_status=statuses.append
    ).start()
    try:
        with (
            HallClient(server.url, "city", "kiosk-secret-1") as kiosk,
            HallClient(server.url, "city") as clerk,
        ):
            before = [kiosk.issue(queue="A")["number"] for _ in range(5)]
            clerk.login("clerk01", PASSWORD)
            clerk.sign_in("S01")
            called = clerk.call_next("S01")
            wait_for(lambda: feed.last_seq == 7)

            server.kill9()
            wait_for(lambda: "disconnected" in statuses)
            server.start()
            after = kiosk.issue(queue="A")
            assert before == ["A001", "A002", "A003", "A004", "A005"]
            assert after["number"] == "A006" and after["waiting_ahead"] == 4
            # The clerk's session and the window survived the crash.
            clerk.outcome("S01", "accepted")
            wait_for(lambda: feed.last_seq == 10)
            assert "resynced" in statuses
            hall = kiosk.hall_info()
            assert hall["waiting_counts"]["A"] == 5
            assert kiosk.ticket(called["id"])["status"] == "finished"
    finally:
        feed.stop()
        server.stop()
    seqs = [m["seq"] for m in seen]
    assert seen[0]["type"] == "snapshot"
    assert seqs[1:] == list(range(seqs[0] + 1, 11)), seqs
    state = HallState()
    for m in seen:
        state.apply(m)
    assert state.queue_counts["A"] == 5
    assert state.windows["S01"]["current_number"] is None
