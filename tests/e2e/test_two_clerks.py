"""Two clerk pads at two windows of one queue press 叫号 at the same moment, 200 times.

Against the real server process: no ticket may be called twice and none may be skipped.
"""

from __future__ import annotations

import threading
import time

import pytest

from caller.presenter import CallerPresenter
from server.client import HallClient, LiveFeed
from tests.live_server import PASSWORD, ServerProcess, write_hall
from tests.pgschema import store_for_test

pytestmark = pytest.mark.db  # also runs on the PostgreSQL pass

ROUNDS = 200
WINDOWS = ("S01", "S02")


@pytest.fixture
def city(tmp_path):
    """A hall whose two windows S01 and S02 both serve queue A only."""
    hall = write_hall(tmp_path / "city.toml", queues=1, windows=2)
    with store_for_test():
        server = ServerProcess(tmp_path / "data", [hall]).start()
        yield server
        server.stop()


def pad_at(url: str, code: str) -> CallerPresenter:
    pad = CallerPresenter(HallClient(url, "city", timeout=30), preset_window=code)
    assert pad.login(f"clerk{code[1:]}", PASSWORD), pad.state.message
    return pad


def press_call_next(pad: CallerPresenter, barrier: threading.Barrier, out: list[str]) -> None:
    """Each round: wait for the other clerk, press 叫号 together, then record 受理."""
    for _ in range(ROUNDS):
        barrier.wait(timeout=60)
        assert pad.call_next(), pad.state.message
        out.append(pad.view().number)
        assert pad.outcome("accepted"), pad.state.message


def test_two_clerks_calling_at_once_never_get_the_same_ticket_and_skip_none(city):
    with HallClient(city.url, "city", "kiosk-secret-1") as kiosk:
        issued = [kiosk.issue(queue="A")["number"] for _ in range(2 * ROUNDS)]
    seen: list[dict] = []
    feed = LiveFeed(city.url, "city", "display-secret-1", seen.append).start()
    assert feed.connected.wait(10)
    pads = {code: pad_at(city.url, code) for code in WINDOWS}
    called: dict[str, list[str]] = {code: [] for code in WINDOWS}
    barrier = threading.Barrier(len(WINDOWS))
    errors: list[BaseException] = []

    def clerk(code: str) -> None:
        try:
            press_call_next(pads[code], barrier, called[code])
        except BaseException as exc:  # surfaced below with the clerk's last message
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=clerk, args=(code,)) for code in WINDOWS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors

    everything = called["S01"] + called["S02"]
    assert len(everything) == 2 * ROUNDS
    assert len(set(everything)) == len(everything), "a ticket was called twice"
    assert sorted(everything) == sorted(issued), "a ticket was skipped"
    for code in WINDOWS:  # each window called in arrival order (fifo)
        assert called[code] == sorted(called[code])
    assert not pads["S01"].call_next()
    assert pads["S01"].view().message == "当前没有等候的号码"

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _calls(seen) < 2 * ROUNDS:
        time.sleep(0.05)
    feed.stop()
    calls = [m for m in seen if m["type"] == "ticket.called"]
    assert [m["ticket"]["number"] for m in calls] == issued  # the hall saw them in order
    assert {m["window"]["code"] for m in calls} == set(WINDOWS)
    seqs = [m["seq"] for m in seen if m["type"] != "snapshot"]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    for pad in pads.values():
        assert pad.view().today[0] == ("叫号", str(ROUNDS))
        pad.api.close()


def _calls(messages: list[dict]) -> int:
    return sum(1 for m in messages if m["type"] == "ticket.called")
