"""The window's evaluator and notice printer as the pad drives them (drivers' simulators)."""

from __future__ import annotations

import time

import pytest

from caller.devices import DriverNoticePrinter, EvaluatorBridge, open_evaluator
from drivers.sim import get_simulator, reset_simulators
from drivers.sim.serial_devices import INVITE
from server.client import HallClient
from tests.helpers import issue, login, window

EVALUATOR_URL = "sim://yc485-evaluator?name=caller-test"


@pytest.fixture
def sim():
    reset_simulators()
    yield get_simulator(EVALUATOR_URL)
    reset_simulators()


@pytest.fixture
def bridge(client, sim):
    rater = HallClient("http://testserver", "demo", "demo-evaluator", transport=client._transport)
    results: list[tuple[str, str]] = []
    device = open_evaluator("yc485-evaluator", EVALUATOR_URL, None, "S01")
    b = EvaluatorBridge(device, rater, "S01", on_result=lambda n, t: results.append((n, t)))
    b.results = results
    yield b.start()
    b.stop()


def finished(client, outcome: str = "accepted") -> dict:
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    ticket = issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome=outcome)
    return ticket


def wait_for(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_press_on_the_evaluator_is_posted_as_the_tickets_rating(client, sim, bridge):
    ticket = finished(client)
    bridge.request(ticket)
    assert sim.screen == INVITE and sim.pending[1] == ("S01", ticket["number"])
    sim.press_rating(4)
    wait_for(lambda: bridge.results)
    assert bridge.results == [(ticket["number"], "评价已记录")]
    staff = login(client, "clerk02")
    rated = client.get(f"/api/v1/tickets/{ticket['id']}", headers=staff).json()
    assert rated["evaluation_level"] == 4


def test_a_press_without_an_invitation_or_for_an_old_one_is_ignored(client, sim, bridge):
    ticket = finished(client)
    assert not bridge.rate(5)  # nothing was requested
    bridge.request(ticket)
    assert not bridge.rate(5, "A999")  # a press meant for an older invitation
    assert bridge.rate(5, ticket["number"])
    assert not bridge.rate(5, ticket["number"])  # once


def test_a_rating_the_server_refuses_is_reported(client, sim, bridge):
    ticket = finished(client, "no_show")
    bridge.request(ticket)
    assert not bridge.rate(3)
    assert bridge.results == [(ticket["number"], "该号码尚未办结，暂不能评价")]


def test_a_dead_evaluator_is_reported_and_the_pad_goes_on(client):
    class Dead:
        def request_rating(self, window, ticket):
            raise OSError("no reply")

        def on_rating(self, callback):
            pass

    results = []
    rater = HallClient("http://testserver", "demo", "demo-evaluator", transport=client._transport)
    b = EvaluatorBridge(Dead(), rater, "S01", on_result=lambda n, t: results.append(t))
    b.request({"id": "x", "number": "A001"})
    assert results == ["评价器无响应：no reply"]


def test_a_notice_prints_on_the_simulated_receipt_printer(client):
    reset_simulators()
    ticket = finished(client)
    clerk = login(client)
    notice = client.get(
        f"/api/v1/halls/demo/tickets/{ticket['id']}/notice",
        params={"kind": "accepted"},
        headers=clerk,
    ).json()
    url = "sim://xprinter-xp80c?name=caller-test"
    printer = DriverNoticePrinter("xprinter-xp80c", url)
    assert printer.status() == "ok"
    printer.print_notice(notice)
    paper = get_simulator(url).text.replace("\n", "")
    assert "受理通知书" in paper and notice["serial"] in paper and "李明" in paper
    reset_simulators()
