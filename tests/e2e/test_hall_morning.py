"""A whole hall morning through the HTTP API only, against the real server process."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict

import pytest

from server.client import ApiError, HallClient, HallState
from tests.helpers import valid_id
from tests.live_server import PASSWORD, ServerProcess, write_hall

pytestmark = pytest.mark.db  # also runs on the PostgreSQL pass

TICKETS, CLERKS = 300, 8
FINAL = {"finished", "no_show", "cancelled", "expired"}


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess(tmp_path / "data", [write_hall(tmp_path / "city.toml")]).start()
    yield proc
    proc.stop()


def all_events(api: HallClient) -> list[dict]:
    events, since = [], 0
    while True:
        page = api.events(since=since, limit=1000)
        events += page["events"]
        if not page["events"]:
            return events
        since = page["last_seq"]


class Morning:
    """Citizens arriving at the kiosk while eight clerks call concurrently."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.kiosk = HallClient(url, "city", "kiosk-secret-1")
        self.issued: list[dict] = []
        self.calls: list[tuple[str, str]] = []  # (ticket id, window) per successful call
        self.outcomes: Counter[str] = Counter()
        self.no_shows: list[str] = []
        self.requeued: list[str] = []
        self.transfers = 0
        self.arrivals_done = threading.Event()
        self.lock = threading.Lock()
        self.errors: list[BaseException] = []

    def arrive(self) -> None:
        rng = random.Random(7)
        for i in range(TICKETS):
            body = {"queue": chr(ord("A") + i % 15)}
            if i % 3 == 0:
                body["id_number"] = valid_id(seq=f"{i:03d}")
                body["applicant_name"] = "市民" + str(i)
            if i % 17 == 0:
                body["priority"] = "green"
            self.issued.append(self.kiosk.issue(**body))
            if rng.random() < 0.3:
                self.requeue_one()
            time.sleep(rng.random() * 0.004)
        self.arrivals_done.set()

    def requeue_one(self) -> None:
        with self.lock:
            ticket = self.no_shows.pop(0) if self.no_shows else None
        if ticket is not None:
            try:
                self.requeued.append(self.kiosk.requeue(ticket)["id"])
            except ApiError as exc:
                assert exc.code == "requeue_not_allowed", exc

    def clerk(self, n: int) -> None:
        rng = random.Random(n)
        code = f"S{n:02d}"
        with HallClient(self.url, "city") as api:
            api.login(f"clerk{n:02d}", PASSWORD)
            api.sign_in(code)
            self.serve_until_done(api, code, rng)

    def serve_until_done(self, api: HallClient, code: str, rng: random.Random) -> None:
        idle = 0
        while True:
            try:
                ticket = api.call_next(code)
            except ApiError as exc:
                assert exc.code == "no_waiting_ticket", exc
                if self.arrivals_done.is_set():
                    self.requeue_one()
                    idle += 1
                    if idle > 60:
                        return
                time.sleep(0.005)
                continue
            idle = 0
            with self.lock:
                self.calls.append((ticket["id"], code))
            self.serve(api, code, ticket, rng)

    def serve(self, api: HallClient, code: str, ticket: dict, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.05 and ticket["requeue_count"] == 0 and not ticket["transferred"]:
            # Another queue: a transfer back into the ticket's own queue is refused (same_queue).
            others = [q for q in (chr(ord("A") + i) for i in range(15)) if q != ticket["queue"]]
            target = others[rng.randrange(len(others))]
            api.window(code, "transfer", queue=target, note="转其他业务")
            with self.lock:
                self.transfers += 1
            return
        if roll < 0.2:
            api.window(code, "recall")
            outcome = "no_show"
        else:
            outcome = rng.choice(["accepted", "accepted", "consulted", "rejected"])
        api.outcome(code, outcome, reason="材料不齐" if outcome == "rejected" else None)
        with self.lock:
            self.outcomes[outcome] += 1
            if outcome == "no_show":
                self.no_shows.append(ticket["id"])

    def run(self) -> None:
        def guarded(fn, *args):
            try:
                fn(*args)
            except BaseException as exc:  # surfaced by the test below
                self.errors.append(exc)

        threads = [threading.Thread(target=guarded, args=(self.arrive,))]
        threads += [
            threading.Thread(target=guarded, args=(self.clerk, n)) for n in range(1, CLERKS + 1)
        ]
        for t in threads:
            t.start()
        time.sleep(0.3)
        with HallClient(self.url, "city") as lead:
            lead.login("lead", PASSWORD)
            lead.set_queues("S08", ["N", "O", "A"])  # 潮汐: S08 takes over N and O mid-morning
        for t in threads:
            t.join(120)
        self.kiosk.close()
        assert not self.errors, self.errors


def test_a_hall_morning_ends_with_every_ticket_final_and_the_log_replaying_it(server):
    morning = Morning(server.url)
    morning.run()
    with HallClient(server.url, "city") as lead:
        lead.login("lead", PASSWORD)
        check_the_morning(morning, lead)


def check_the_morning(morning: Morning, lead: HallClient) -> None:
    hall = lead.hall_info()
    assert sum(hall["waiting_counts"].values()) == 0
    assert len(morning.issued) == TICKETS
    assert len({t["number"] for t in morning.issued}) == TICKETS
    assert set(morning.outcomes) == {"accepted", "consulted", "rejected", "no_show"}
    assert morning.requeued and morning.transfers
    numbers = defaultdict(list)
    for t in morning.issued:
        numbers[t["queue"]].append(int(t["number"][1:]))
    assert all(ns == list(range(1, len(ns) + 1)) for ns in numbers.values())

    final = {t["id"]: lead.ticket(t["id"]) for t in morning.issued}
    assert {t["status"] for t in final.values()} <= FINAL

    events = all_events(lead)
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    replay = HallState()
    for e in events:
        replay.apply(e)
    assert {i: t["status"] for i, t in replay.tickets.items()} == {
        i: t["status"] for i, t in final.items()
    }
    assert {c: w["status"] for c, w in replay.windows.items()} == {
        w["code"]: w["status"] for w in hall["windows"] if w["code"] in replay.windows
    }
    assert replay.windows["S08"]["queues"] == ["N", "O", "A"]
    # No ticket was ever called by two windows at once: between two calls of the same
    # ticket there is always a step that put it back in a queue (过号取号 or 转移).
    state: dict[str, str] = {}
    for e in events:
        t = e.get("ticket")
        if t is None:
            continue
        if e["type"] == "ticket.called":
            assert state.get(t["id"]) in (None, "requeued", "transferred"), (t["number"], e)
            state[t["id"]] = "called"
        elif e["type"] in ("ticket.requeued", "ticket.transferred"):
            state[t["id"]] = e["type"].split(".")[1]
    calls_per_ticket = Counter(tid for tid, _ in morning.calls)
    for tid, n in calls_per_ticket.items():
        assert n == 1 + final[tid]["requeue_count"] + int(final[tid]["transferred"]), tid
