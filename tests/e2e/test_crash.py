"""kill -9 in the middle of concurrent issuing and calling loses nothing (SQLite and PG)."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

import pytest

from server.client import ApiError, HallClient, LiveFeed
from tests.live_server import PASSWORD, ServerProcess, write_hall
from tests.pgschema import PG_URL, fresh_schema


def backends():
    yield "sqlite"
    yield pytest.param(
        "pg",
        marks=pytest.mark.skipif(
            not PG_URL,
            reason="set YICHUANG_TEST_PG_URL=postgresql+psycopg://… to run on PostgreSQL",
        ),
    )


@pytest.mark.parametrize("backend", list(backends()))
def test_kill_9_during_concurrent_work_loses_no_ticket_and_no_event(tmp_path, backend):
    with ExitStack() as stack:
        env = {}
        if backend == "pg":
            env["YICHUANG_DATABASE_URL"] = stack.enter_context(fresh_schema())
        server = ServerProcess(
            tmp_path / "data", [write_hall(tmp_path / "city.toml")], env=env
        ).start()
        stack.callback(server.stop)
        run_crash(server)


def run_crash(server: ServerProcess) -> None:
    acknowledged: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()
    seen: list[int] = []
    feed = LiveFeed(
        server.url, "city", "display-secret-1", lambda m: seen.append(int(m["seq"]))
    ).start()

    def kiosk(n: int) -> None:
        with HallClient(server.url, "city", "kiosk-secret-1", timeout=2) as api:
            while not stop.is_set():
                try:
                    ticket = api.issue(queue="ABC"[n % 3])
                except ApiError:
                    time.sleep(0.05)  # the server is down: retry, as a kiosk does
                    continue
                with lock:
                    acknowledged.append(ticket)

    def clerk(n: int) -> None:
        with HallClient(server.url, "city", timeout=2) as api:
            while not stop.is_set():
                try:
                    if api.token is None:
                        api.login(f"clerk{n:02d}", PASSWORD)
                        api.sign_in(f"S{n:02d}")
                    api.call_next(f"S{n:02d}")
                    api.outcome(f"S{n:02d}", "accepted")
                except ApiError as exc:
                    if exc.code == "outcome_required":
                        api.outcome(f"S{n:02d}", "accepted")
                    time.sleep(0.02)

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(3)]
    threads += [threading.Thread(target=clerk, args=(i,)) for i in (1, 2, 3)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.kill9()
    time.sleep(0.3)
    server.start()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(30)
    with HallClient(server.url, "city") as lead:
        lead.login("lead", PASSWORD)
        for ticket in acknowledged:  # every ticket a client got a 201 for exists
            assert lead.ticket(ticket["id"])["number"] == ticket["number"]
        numbers = [t["number"] for t in acknowledged]
        assert len(numbers) == len(set(numbers)), "a number was issued twice"
        events, since = [], 0
        while page := lead.events(since=since, limit=1000)["events"]:
            events += page
            since = page[-1]["seq"]
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(1, len(seqs) + 1)), "the event log has a gap"
        issued = {e["ticket"]["id"] for e in events if e["type"] == "ticket.issued"}
        assert {t["id"] for t in acknowledged} <= issued
        deadline = time.monotonic() + 10
        while feed.last_seq != seqs[-1] and time.monotonic() < deadline:
            time.sleep(0.05)
    feed.stop()
    assert feed.last_seq == seqs[-1], "the screen did not resync after the restart"
    assert len(acknowledged) > 20
