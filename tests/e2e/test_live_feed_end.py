"""The SDK's live feed stops when the server ends it for good, instead of retrying forever."""

from __future__ import annotations

import time

import pytest

from server.client import HallClient
from server.client.live import LiveFeed
from tests.live_server import ServerProcess
from tests.pgschema import store_for_test


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    with store_for_test():
        server = ServerProcess(tmp_path_factory.mktemp("feed-end")).start()
        yield server
        server.stop()


def _wait(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_logout_ends_the_clerks_feed_and_it_does_not_reconnect(demo):
    clerk = HallClient(demo.url, "demo")
    clerk.login("clerk03", "demo1234")
    statuses: list[str] = []
    feed = LiveFeed(demo.url, "demo", clerk.token, lambda _m: None, on_status=statuses.append)
    feed.start()
    try:
        assert feed.connected.wait(10)
        clerk.logout()
        assert _wait(lambda: "ended" in statuses), statuses
        assert feed.close_code == 4401
        assert feed._thread is not None and _wait(lambda: not feed._thread.is_alive())
        assert "resynced" not in statuses  # it never came back with the dead token
    finally:
        feed.stop()
        clerk.close()


def test_a_dropped_connection_still_reconnects(demo):
    statuses: list[str] = []
    feed = LiveFeed(demo.url, "demo", "demo-display", lambda _m: None, on_status=statuses.append)
    feed.start()
    try:
        assert feed.connected.wait(10)
        feed.drop_connection()
        assert _wait(lambda: "resynced" in statuses), statuses
        assert feed.close_code is None and "ended" not in statuses
    finally:
        feed.stop()
