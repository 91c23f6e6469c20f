"""Lost replies: a kiosk never leaves a ticket nobody holds (issue 13, ghost tickets)."""

from __future__ import annotations

import httpx

from kiosk.state import Screen
from tests.helpers import KIOSK, valid_id
from tests.kiosk.conftest import issued_numbers, take

ID = valid_id("19770707", "246")


def lose_replies(kiosk, count: int) -> None:
    """The next `count` issue requests reach the server, but their replies are lost."""
    net, inner = kiosk.net, kiosk.net.inner
    left = [count]

    class Lossy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = inner.handle_request(request)
            if left[0] > 0 and request.url.path.endswith("/tickets"):
                left[0] -= 1
                response.read()
                raise httpx.ReadTimeout("the reply was lost", request=request)
            return response

    net.inner = Lossy()


def statuses(client) -> dict[str, str]:
    events = client.get("/api/v1/halls/demo/events?since=0", headers=KIOSK).json()["events"]
    return {e["ticket"]["number"]: e["type"] for e in events if "ticket" in e}


def test_a_lost_reply_is_retried_with_its_key_and_one_ticket_is_printed(kiosk, client):
    lose_replies(kiosk, 1)
    take(kiosk, "A", ID)
    assert kiosk.s.screen is Screen.TICKET and kiosk.s.ticket["number"] == "A001"
    assert [t.number for t in kiosk.printer.tickets] == ["A001"]
    assert issued_numbers(client) == ["A001"]


def test_when_every_retry_is_lost_the_kiosk_settles_by_key_and_prints_the_stub(kiosk, client):
    lose_replies(kiosk, 3)
    take(kiosk, "A", ID)
    assert kiosk.s.screen is Screen.IDENTIFY and not kiosk.s.server_ok
    assert kiosk.printer.tickets == [] and issued_numbers(client) == ["A001"]
    kiosk.p.heartbeat()  # the server answers again
    assert kiosk.s.screen is Screen.TICKET and kiosk.s.ticket["number"] == "A001"
    assert [t.number for t in kiosk.printer.tickets] == ["A001"]
    kiosk.p.heartbeat()
    assert len(kiosk.printer.tickets) == 1 and issued_numbers(client) == ["A001"]


def test_a_ticket_settled_after_the_citizen_left_is_cancelled_not_left_waiting(kiosk, client):
    lose_replies(kiosk, 3)
    take(kiosk, "A", ID)
    kiosk.p.home()  # the citizen gave up and walked away
    kiosk.p.heartbeat()
    assert kiosk.printer.tickets == []
    assert statuses(client) == {"A001": "ticket.cancelled"}


def test_an_issue_that_never_reached_the_server_is_forgotten(kiosk, client):
    kiosk.net.down = True
    take(kiosk, "A", ID)
    kiosk.net.down = False
    kiosk.p.heartbeat()
    assert kiosk.printer.tickets == [] and issued_numbers(client) == []
    kiosk.p.take_number()
    assert [t.number for t in kiosk.printer.tickets] == ["A001"]
