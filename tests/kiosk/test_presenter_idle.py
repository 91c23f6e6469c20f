"""Idle and ticket timeouts: back home, and nothing of the last citizen stays in memory."""

from __future__ import annotations

from kiosk.state import Field, Screen
from tests.helpers import valid_id

ID = valid_id("19700707", "777")


def _leftovers(kiosk) -> str:
    return repr(kiosk.s)


def test_idle_timeout_returns_home_and_forgets_id_name_and_phone(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.p.card_read("李四", ID)
    kiosk.type("13900001111")
    assert ID in _leftovers(kiosk)
    kiosk.wait(59)
    assert kiosk.s.screen is Screen.IDENTIFY
    kiosk.wait(1)
    s = kiosk.s
    assert s.screen is Screen.HOME
    assert s.entries == {} and s.name is None and s.selection is None
    text = _leftovers(kiosk)
    assert ID not in text and "李四" not in text and "13900001111" not in text


def test_touching_the_screen_postpones_the_idle_timeout(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.wait(50)
    kiosk.p.touch()
    kiosk.wait(50)
    assert kiosk.s.screen is Screen.IDENTIFY


def test_the_ticket_screen_goes_home_after_its_own_timeout(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.p.card_read("李四", ID)
    kiosk.p.take_number()
    assert kiosk.s.screen is Screen.TICKET
    kiosk.wait(19)
    assert kiosk.s.screen is Screen.TICKET
    kiosk.wait(1)
    assert kiosk.s.screen is Screen.HOME and kiosk.s.ticket is None
    text = _leftovers(kiosk)
    assert "A001" not in text and "110105****" not in text and "李" not in text


def test_the_next_citizen_gets_the_default_language_and_text_size(kiosk):
    kiosk.p.toggle_language()
    kiosk.p.toggle_elderly()
    kiosk.p.open_guide()
    kiosk.wait(60)
    assert (kiosk.s.lang, kiosk.s.elderly) == ("zh", False)


def test_the_home_button_keeps_language_and_text_size(kiosk):
    kiosk.p.toggle_elderly()
    kiosk.p.open_guide()
    kiosk.p.home()
    assert kiosk.s.elderly


def test_a_green_confirmation_left_on_the_home_page_expires(kiosk):
    kiosk.p.open_green()
    kiosk.p.card_read("张三丰", valid_id("19500101"))
    assert kiosk.s.screen is Screen.HOME and kiosk.s.green == "age"
    kiosk.wait(60)
    assert kiosk.s.green is None and kiosk.s.entries == {}


def test_nothing_happens_on_an_idle_home_page(kiosk):
    before = kiosk.s
    kiosk.wait(600)
    assert kiosk.s.screen is Screen.HOME and kiosk.s.counts == before.counts


def test_a_running_request_is_not_cut_short_by_the_timeout(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.p._core.update(busy="issuing")
    kiosk.wait(120)
    assert kiosk.s.screen is Screen.IDENTIFY
    kiosk.p._core.update(busy=None)
    kiosk.wait(1)
    assert kiosk.s.screen is Screen.HOME


def test_the_clock_ticks_with_wall_time(kiosk):
    kiosk.wait(1)
    assert kiosk.s.clock == kiosk.clock.now
    assert kiosk.s.focus is Field.ID
