"""过号取号 at the kiosk: by the stub's QR or by number + ID; the server's rule decides."""

from __future__ import annotations

from kiosk.presenter import ScanBuffer, progress_ticket_id
from kiosk.state import Field, Screen
from tests.helpers import login, valid_id, window
from tests.kiosk.conftest import take

ID = valid_id("19880808", "888")


def _skipped_ticket(kiosk, client) -> dict:
    """A B ticket taken at the kiosk, called at S13 and marked 过号."""
    take(kiosk, "B", ID)
    ticket = kiosk.s.ticket
    kiosk.p.home()
    clerk = login(client, "clerk13")
    assert window(client, clerk, "S13", "sign-in").status_code == 200
    assert window(client, clerk, "S13", "call-next").json()["number"] == ticket["number"]
    assert window(client, clerk, "S13", "outcome", outcome="no_show").status_code == 200
    return ticket


def test_requeue_by_number_and_id_prints_a_requeued_stub(kiosk, client):
    ticket = _skipped_ticket(kiosk, client)
    kiosk.p.open_requeue()
    assert kiosk.s.focus is Field.NUMBER
    kiosk.type("b001")
    kiosk.p.focus(Field.ID)
    kiosk.type(ID)
    kiosk.p.requeue_submit()
    s = kiosk.s
    assert s.screen is Screen.TICKET and s.requeued and s.ticket["number"] == "B001"
    assert s.ticket["requeue_count"] == 1 and s.ticket["id"] == ticket["id"]
    stub = kiosk.printer.tickets[-1]
    assert stub.variant == "requeued" and stub.number == "B001"
    assert stub.qr_url == ticket["progress_url"]  # the citizen proved it with the ID number


def test_requeue_by_scanning_the_stubs_qr_code(kiosk, client):
    ticket = _skipped_ticket(kiosk, client)
    kiosk.p.scan(ticket["progress_url"])  # on the home page: straight to 过号取号
    assert kiosk.s.screen is Screen.TICKET and kiosk.s.requeued
    assert kiosk.printer.tickets[-1].variant == "requeued"
    assert kiosk.printer.tickets[-1].qr_url == ticket["progress_url"]


def _requeue_typed(kiosk) -> None:
    kiosk.p.open_requeue()
    kiosk.type("B001")
    kiosk.p.focus(Field.ID)
    kiosk.type(ID)
    kiosk.p.requeue_submit()


def test_a_ticket_still_waiting_is_not_requeued_and_the_reason_is_shown(kiosk):
    take(kiosk, "B", ID)
    kiosk.p.home()
    _requeue_typed(kiosk)  # a scanned stub still waiting goes to 我的号码 (test_presenter_mine)
    assert kiosk.s.screen is Screen.REQUEUE
    assert kiosk.s.message.text == "该号码未过号，无需过号取号"
    assert len(kiosk.printer.tickets) == 1


def test_in_english_the_requeue_reason_is_explained(kiosk):
    take(kiosk, "B", ID)
    kiosk.p.home()
    kiosk.p.toggle_language()
    _requeue_typed(kiosk)
    assert kiosk.s.message.text.startswith("This number has not been skipped")


def test_too_long_after_the_no_show_the_kiosk_says_take_a_new_number(kiosk, client, clock):
    _skipped_ticket(kiosk, client)
    clock.advance(minutes=61)
    kiosk.p.open_requeue()
    kiosk.type("B001")
    kiosk.p.focus(Field.ID)
    kiosk.type(ID)
    kiosk.p.requeue_submit()
    assert kiosk.s.screen is Screen.REQUEUE and kiosk.s.message.error
    assert kiosk.s.message.text.startswith("过号已超过")


def test_another_persons_id_does_not_requeue_the_ticket(kiosk, client):
    _skipped_ticket(kiosk, client)
    kiosk.p.open_requeue()
    kiosk.type("B001")
    kiosk.p.focus(Field.ID)
    kiosk.type(valid_id("19990101"))
    kiosk.p.requeue_submit()
    assert kiosk.s.message.text == "身份证号码与该票号不符"


def test_the_number_must_look_like_a_ticket_number(kiosk):
    kiosk.p.open_requeue()
    kiosk.type("12")
    kiosk.p.requeue_submit()
    assert kiosk.s.message.text == "请输入小票上的票号，如 A012"


def test_a_scanned_number_fills_the_number_field(kiosk):
    kiosk.p.open_requeue()
    kiosk.p.scan("a012\r")
    assert kiosk.s.entry(Field.NUMBER) == "A012" and kiosk.s.focus is Field.ID


def test_something_else_scanned_is_refused(kiosk):
    kiosk.p.scan("https://example.com/other")
    assert kiosk.s.message.text == "无法识别该二维码，请输入票号"


def test_the_ticket_id_is_read_from_a_progress_url():
    assert progress_ticket_id("http://h:8000/t/AbCdEfGh12345678?s=x") == "AbCdEfGh12345678"
    assert progress_ticket_id("A012") is None
    assert progress_ticket_id("ftp://h/t/AbCdEfGh12345678") is None


def test_the_scan_buffer_hands_over_whole_lines():
    buf = ScanBuffer()
    assert [buf.feed(c) for c in "A01"] == [None, None, None]
    assert buf.feed("\r") == "A01"
    assert buf.feed("\n") is None  # an empty line is nothing
