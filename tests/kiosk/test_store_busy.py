"""A server whose store cannot write answers 503: the kiosk says so and prints nothing."""

from __future__ import annotations

from kiosk.state import Screen
from tests.helpers import valid_id
from tests.kiosk.conftest import issued_numbers, shoot, take
from tests.store_faults import disk_full

ID = valid_id("19851212", "321")


def test_a_store_that_cannot_write_is_explained_and_nothing_is_printed(kiosk, client):
    with disk_full(client.app.state.services.ctx.db):
        take(kiosk, "A", ID)
    s = kiosk.s
    assert s.screen is not Screen.TICKET and kiosk.printer.tickets == []
    assert s.message.error and s.message.text.startswith("系统繁忙")
    assert "请稍后再试" in s.message.text
    assert s.server_ok  # the server answered: no "cannot reach the server" pause
    kiosk.p.take_number()  # the citizen tries again once the store writes again
    assert [t.number for t in kiosk.printer.tickets] == ["A001"]
    assert issued_numbers(client) == ["A001"]


def test_the_english_kiosk_explains_a_busy_store_in_both_languages(kiosk, client):
    kiosk.p.toggle_language()
    with disk_full(client.app.state.services.ctx.db):
        take(kiosk, "A", ID)
    english, chinese = kiosk.s.message.text.split("\n")
    assert english == "The system is busy; please try again in a moment."
    assert chinese.startswith("系统繁忙")


def test_the_busy_store_message_fits_the_kiosk_screen(kiosk, client, window):
    with disk_full(client.app.state.services.ctx.db):
        take(kiosk, "A", ID)
    window.draw(kiosk.s)
    shoot(window, "store-busy")
