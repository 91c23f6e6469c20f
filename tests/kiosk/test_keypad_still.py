"""Nothing under the finger moves: the error line coming or going leaves the keypad be."""

from __future__ import annotations

from PyQt6.QtCore import QPoint, QRect
from PyQt6.QtWidgets import QApplication

from kiosk.state import Field, Screen
from tests.kiosk.conftest import shoot


def keys(window, page) -> dict[str, QRect]:
    """Every keypad key and page button, in window coordinates."""
    QApplication.processEvents()
    QApplication.processEvents()
    from PyQt6.QtWidgets import QPushButton

    return {
        f"{b.text()}@{i}": QRect(b.mapTo(window, QPoint(0, 0)), b.size())
        for i, b in enumerate(page.findChildren(QPushButton))
        if b.isVisibleTo(window)
    }


def test_the_id_keypad_stays_put_when_the_error_line_comes_and_goes(kiosk, window):
    kiosk.p.choose_queue("A")
    kiosk.type("1101")
    page = window.pages[Screen.IDENTIFY]
    before = keys(window, page)
    kiosk.p.take_number()  # a partial ID: the red line says so
    assert window.message.isVisible() and kiosk.s.message.error
    assert keys(window, page) == before
    shoot(window, "identify-error")
    kiosk.p.press_key("0")  # typing again clears it
    assert not window.message.isVisible()
    assert keys(window, page) == before


def test_the_requeue_keypad_stays_put_when_the_error_line_comes_and_goes(kiosk, window):
    kiosk.p.open_requeue()
    page = window.pages[Screen.REQUEUE]
    kiosk.type("B001")
    kiosk.p.focus(Field.ID)
    kiosk.type("1101")
    before = keys(window, page)
    kiosk.p.requeue_submit()
    assert window.message.isVisible()
    assert keys(window, page) == before
    kiosk.p.press_key("0")
    assert not window.message.isVisible()
    assert keys(window, page) == before
