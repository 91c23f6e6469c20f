"""Several server processes (and workers) on one PostgreSQL database act as one hall."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

import pytest

from server.client import ApiError, HallClient, HallState, LiveFeed
from tests.live_server import PASSWORD, ServerProcess, write_hall
from tests.pgschema import PG_URL, fresh_schema

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="set YICHUANG_TEST_PG_URL=postgresql+psycopg://… to run scale-out tests"
)


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_a_clerk_on_one_server_and_a_screen_on_another_see_one_hall(tmp_path):
    hall_file = write_hall(tmp_path / "city.toml")
    with ExitStack() as stack:
        url = stack.enter_context(fresh_schema())
        env = {"YICHUANG_DATABASE_URL": url, "YICHUANG_SECRET_KEY": "one-key-for-every-host"}
        first = ServerProcess(tmp_path / "a", [hall_file], env=env).start()
        stack.callback(first.stop)
        second = ServerProcess(tmp_path / "b", [hall_file], env=env, workers=2).start()
        stack.callback(second.stop)
        messages: list[dict] = []
        lock = threading.Lock()

        def keep(msg: dict) -> None:
            with lock:
                messages.append(msg)

        feed = LiveFeed(second.url, "city", "display-secret-1", keep).start()
        stack.callback(feed.stop)
        wait_for(lambda: bool(messages))
        kiosk = stack.enter_context(HallClient(second.url, "city", "kiosk-secret-1"))
        clerk = stack.enter_context(HallClient(first.url, "city"))
        clerk.login("clerk01", PASSWORD)
        clerk.sign_in("S01")
        issued = [kiosk.issue(queue="A")["number"] for _ in range(5)]
        called = []
        for _ in range(5):
            called.append(clerk.call_next("S01")["number"])
            clerk.outcome("S01", "accepted")
        assert called == issued == ["A001", "A002", "A003", "A004", "A005"]
        # The ticket secret printed by one host opens the progress page on the other.
        ticket = kiosk.issue(queue="B")
        secret = ticket["progress_url"].split("s=")[1]
        with HallClient(first.url, "city") as citizen:
            assert citizen.ticket(ticket["id"], secret)["number"] == "B001"
        # opened, 5 issued, 5 × (called, finished, evaluation requested)
        wait_for(lambda: feed.last_seq == 22)
    seqs = [m["seq"] for m in messages]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert seqs[1:] == list(range(seqs[0] + 1, 23))
    state = HallState()
    for m in messages:
        state.apply(m)
    assert [c["ticket"]["number"] for c in state.recent_calls][:5] == called[::-1]


def test_four_workers_keep_numbering_and_calls_exactly_once(tmp_path):
    with ExitStack() as stack:
        env = {"YICHUANG_DATABASE_URL": stack.enter_context(fresh_schema())}
        server = ServerProcess(
            tmp_path / "data", [write_hall(tmp_path / "city.toml")], env=env, workers=4
        ).start()
        stack.callback(server.stop)
        issued: list[str] = []
        called: list[str] = []
        failures: list[BaseException] = []
        lock = threading.Lock()

        def kiosk() -> None:
            with HallClient(server.url, "city", "kiosk-secret-1") as api:
                for _ in range(40):
                    number = api.issue(queue="A")["number"]
                    with lock:
                        issued.append(number)

        def clerk(n: int) -> None:
            with HallClient(server.url, "city") as api:
                api.login(f"clerk{n:02d}", PASSWORD)
                api.sign_in(f"S{n:02d}")
                misses = 0
                while misses < 50:
                    try:
                        ticket = api.call_next(f"S{n:02d}")
                    except ApiError as exc:
                        if exc.code != "no_waiting_ticket":  # a 500 or a deadlock must fail
                            raise
                        misses += 1
                        time.sleep(0.02)
                        continue
                    with lock:
                        called.append(ticket["number"])
                    api.outcome(f"S{n:02d}", "accepted")

        def failing(work, *args) -> threading.Thread:
            def run() -> None:
                try:
                    work(*args)
                except BaseException as exc:  # raised below, in the test's own thread
                    failures.append(exc)

            return threading.Thread(target=run)

        threads = [failing(kiosk) for _ in range(3)]
        threads += [failing(clerk, n) for n in (1, 7)]  # both serve A
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert not failures, failures
    assert not any(t.is_alive() for t in threads), "a client is stuck"
    assert sorted(issued) == [f"A{n:03d}" for n in range(1, 121)]
    assert sorted(called) == sorted(issued), "a ticket was called twice or never"


def test_a_host_with_another_secret_key_refuses_to_start(tmp_path):
    hall_file = write_hall(tmp_path / "city.toml")
    with ExitStack() as stack:
        url = stack.enter_context(fresh_schema())
        first = ServerProcess(
            tmp_path / "a",
            [hall_file],
            env={"YICHUANG_DATABASE_URL": url, "YICHUANG_SECRET_KEY": "the-first-key"},
        ).start()
        stack.callback(first.stop)
        second = ServerProcess(
            tmp_path / "b",
            [hall_file],
            env={"YICHUANG_DATABASE_URL": url, "YICHUANG_SECRET_KEY": "another-key"},
        )
        with pytest.raises(RuntimeError, match="secret key"):
            second.start(timeout=15)
