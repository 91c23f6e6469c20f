"""长辈模式 is a big button on the home page, and its larger type keeps every queue on one page."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

from kiosk.state import Screen
from tests.helpers import SCREENS, valid_id
from tests.kiosk.conftest import open_window
from tests.kiosk.test_home_fits import assert_fully_visible


def test_elderly_mode_is_a_big_button_and_keeps_the_demo_hall_on_one_page(kiosk, qapp, qtbot):
    window = open_window(qapp, qtbot, kiosk, 1920, 1080)  # the demo hall's kiosk screen
    kiosk.p.on_live({"seq": 5, "queue_counts": {code: 188 for code in kiosk.s.counts}})
    home = window.pages[Screen.HOME]
    QApplication.processEvents()
    big = home.elderly
    assert big.isVisible() and big.text() == "长辈模式"
    assert big.height() >= home.guide.height() * 0.9 and big.width() >= home.green.width() * 0.9
    assert big.height() > window.elderly.height()  # bigger than the header's toggle
    qtbot.mouseClick(big, Qt.MouseButton.LeftButton)
    assert kiosk.s.elderly and big.text() == "标准模式"
    assert home.guide.font().pixelSize() > 0
    QApplication.processEvents()
    assert len(home.pages) == 1 and not home.pager.isVisible()
    assert assert_fully_visible(window, home) == {q.code for q in kiosk.s.queues}
    assert window.grab().save(str(SCREENS / "kiosk-elderly-1080p.png"))


def test_the_ticket_page_says_the_hall_put_an_elder_first(kiosk, window):
    kiosk.p.choose_queue("A")
    kiosk.type(valid_id("19500101"))
    kiosk.p.take_number()
    QApplication.processEvents()
    page = window.pages[Screen.TICKET]
    assert page.heading.text() == "您的号码（长辈优先）"
    assert kiosk.printer.tickets[-1].notes[0] == "长辈优先：将为您优先叫号"
