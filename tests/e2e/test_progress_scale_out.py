"""The progress page's stream on one host sees a call made on another (PostgreSQL relay)."""

from __future__ import annotations

import json
import threading
import time
from contextlib import ExitStack

import httpx
import pytest

from server.client import HallClient
from tests.live_server import PASSWORD, ServerProcess, write_hall
from tests.pgschema import PG_URL, fresh_schema

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="set YICHUANG_TEST_PG_URL=postgresql+psycopg://… to run scale-out tests"
)


def test_a_call_on_one_host_reaches_the_citizens_stream_on_another(tmp_path):
    hall_file = write_hall(tmp_path / "city.toml")
    with ExitStack() as stack:
        url = stack.enter_context(fresh_schema())
        env = {"YICHUANG_DATABASE_URL": url, "YICHUANG_SECRET_KEY": "one-key-for-every-host"}
        first = ServerProcess(tmp_path / "a", [hall_file], env=env).start()
        stack.callback(first.stop)
        second = ServerProcess(tmp_path / "b", [hall_file], env=env, workers=2).start()
        stack.callback(second.stop)
        kiosk = stack.enter_context(HallClient(second.url, "city", "kiosk-secret-1"))
        ticket = kiosk.issue(queue="A")
        secret = ticket["progress_url"].split("s=")[1]
        states: list[dict] = []
        opened = threading.Event()

        def follow() -> None:
            path = f"{second.url}/api/v1/tickets/{ticket['id']}/stream"
            with httpx.stream("GET", path, params={"s": secret}, timeout=10) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        states.append(json.loads(line[6:]))
                        opened.set()
                        if states[-1]["status"] == "called":
                            return

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        assert opened.wait(10)
        assert states[0]["status"] == "waiting" and states[0]["waiting_ahead"] == 0
        clerk = stack.enter_context(HallClient(first.url, "city"))
        clerk.login("clerk01", PASSWORD)
        clerk.sign_in("S01")
        started = time.monotonic()
        clerk.window("S01", "call", ticket=ticket["id"])
        reader.join(5)
        assert states[-1]["status"] == "called" and states[-1]["window"] == "S01"
        assert time.monotonic() - started < 2.0
