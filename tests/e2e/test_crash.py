"""kill -9 in the middle of concurrent issuing and calling loses nothing (SQLite and PG)."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

import pytest

from server.client import ApiError, HallClient, LiveFeed, ServerUnreachable
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


# Refusals a clerk's pad may hear only after a reply was lost to the kill (the request had
# committed): a lost call reply leaves a ticket owing its outcome, a lost outcome reply
# leaves nothing called. No waiting ticket may be heard any time. Anything else fails.
AFTER_A_LOST_REPLY = {"outcome_required", "nothing_called"}


def run_crash(server: ServerProcess) -> None:
    acknowledged: list[dict] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()
    seen: list[dict] = []
    statuses: list[str] = []
    feed = LiveFeed(
        server.url, "city", "display-secret-1", seen.append, on_status=statuses.append
    ).start()

    def failing(work):
        """Run a client loop; an error it does not tolerate is kept for the test to raise."""

        def run(n: int) -> None:
            try:
                work(n)
            except BaseException as exc:
                failures.append(exc)

        return run

    @failing
    def kiosk(n: int) -> None:
        with HallClient(server.url, "city", "kiosk-secret-1", timeout=2) as api:
            while not stop.is_set():
                try:
                    ticket = api.issue(queue="ABC"[n % 3])
                except ServerUnreachable:
                    time.sleep(0.05)  # the server is down: retry, as a kiosk does
                    continue
                with lock:
                    acknowledged.append(ticket)

    @failing
    def clerk(n: int) -> None:
        code = f"S{n:02d}"
        signed_in = owes_outcome = lost_reply = False
        with HallClient(server.url, "city", timeout=2) as api:
            while not stop.is_set():
                try:
                    if api.token is None:
                        api.login(f"clerk{n:02d}", PASSWORD)
                    if not signed_in:
                        api.sign_in(code)  # again after a lost reply: same clerk, no change
                        signed_in = True
                    if not owes_outcome:
                        api.call_next(code)
                        owes_outcome = True
                    api.outcome(code, "accepted")
                    owes_outcome = lost_reply = False
                except ServerUnreachable:
                    lost_reply = True  # killed mid-request: it may or may not have committed
                    time.sleep(0.05)
                except ApiError as exc:
                    if exc.code in AFTER_A_LOST_REPLY and lost_reply:
                        owes_outcome, lost_reply = exc.code == "outcome_required", False
                    elif exc.code == "no_waiting_ticket":
                        owes_outcome = False
                        time.sleep(0.02)
                    else:
                        raise

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
    assert not failures, failures
    assert not any(t.is_alive() for t in threads), "a client is stuck"
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
    assert "resynced" in statuses, "the screen never lost its connection"
    assert_resynced_exactly(seen, events)
    assert len(acknowledged) > 20


def assert_resynced_exactly(seen: list[dict], log: list[dict]) -> None:
    """After its snapshot the screen got every logged event once, in order, none missing."""
    assert seen and seen[0]["type"] == "snapshot", [m["type"] for m in seen[:3]]
    logged = {e["seq"]: e["type"] for e in log}
    last = seen[0]["seq"]
    for message in seen[1:]:
        if message["type"] == "snapshot":  # a resync from a fresh snapshot: never backwards
            assert message["seq"] >= last, (last, message["seq"])
        else:
            assert message["seq"] == last + 1, f"after seq {last} came {message['seq']}"
            assert message["type"] == logged[message["seq"]], message["seq"]
        last = message["seq"]
    assert last == max(logged)
