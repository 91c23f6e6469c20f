"""Every queue button of the home page is fully on screen, in every mode, at every size.

长辈模式 and the pause banner leave less room than the queues need: the home page then
shows them page by page with 上一页 / 下一页 instead of letting a row slip out of sight.
"""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPoint, QRect, Qt
from PyQt6.QtWidgets import QApplication, QWidget

from kiosk.state import Screen
from tests.kiosk.conftest import open_window

SIZES = [(1920, 1080), (1280, 720)]  # the station default, and the demo kiosk's screen


def on_window(widget: QWidget, window: QWidget) -> QRect:
    """The widget's rectangle in window coordinates."""
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def assert_fully_visible(window, home) -> set[str]:
    """Every queue button shown is inside the queue area, above the page bar, text uncut."""
    for _ in range(3):  # a new page's buttons are shown on the next turn of the event loop
        QApplication.processEvents()
    room = on_window(home.area, window).intersected(window.rect())
    if home.pager.isVisible():
        room.setBottom(on_window(home.pager, window).top() - 1)
    shown = set()
    for code, b in home._queue_buttons.items():
        assert b.isVisible(), code
        assert room.contains(on_window(b, window)), (code, on_window(b, window), room)
        for text in (b.name, b.count):
            assert text.width() >= text.sizeHint().width(), (code, text.text())
            assert b.rect().contains(QRect(text.mapTo(b, QPoint(0, 0)), text.size())), code
        shown.add(code)
    return shown


def every_page(qtbot, window, home) -> set[str]:
    """The queues of all pages, paging with the 下一页 button."""
    seen = assert_fully_visible(window, home)
    for _ in range(len(home.pages) - 1):
        assert home.next_page.isVisible() and home.next_page.isEnabled()
        qtbot.mouseClick(home.next_page, Qt.MouseButton.LeftButton)
        page = assert_fully_visible(window, home)
        assert not page & seen  # each queue on one page only
        seen |= page
    if home.pages and len(home.pages) > 1:
        assert not home.next_page.isEnabled() and home.prev_page.isEnabled()
    return seen


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_queue_button_is_fully_visible_in_normal_and_elderly_mode(
    kiosk, qapp, qtbot, width, height
):
    window = open_window(qapp, qtbot, kiosk, width, height)
    home = window.pages[Screen.HOME]
    every_queue = {q.code for q in kiosk.s.queues}
    for elderly in (False, True):
        for paper in ("ok", "paper_out"):
            kiosk.p.home()
            if kiosk.s.elderly != elderly:
                kiosk.p.toggle_elderly()
            kiosk.p.printer_changed(paper)
            assert (width, height) == (window.width(), window.height())
            assert every_page(qtbot, window, home) == every_queue, (elderly, paper)


def test_normal_mode_fits_on_one_page_and_elderly_mode_pages_with_big_buttons(kiosk, window, qtbot):
    home = window.pages[Screen.HOME]
    QApplication.processEvents()
    assert len(home.pages) == 1 and not home.pager.isVisible()
    kiosk.p.toggle_elderly()
    QApplication.processEvents()
    assert len(home.pages) == 2 and home.pager.isVisible()
    assert home.page_label.text() == "第 1/2 页" and not home.prev_page.isEnabled()
    assert home.next_page.height() >= home.guide.height() * 0.9  # a touch-sized button
    qtbot.mouseClick(home.next_page, Qt.MouseButton.LeftButton)
    assert kiosk.s.home_page == 1 and home.page_label.text() == "第 2/2 页"
    kiosk.wait(60)  # the next citizen starts on the first page, in the normal text size
    assert kiosk.s.home_page == 0 and len(home.pages) == 1
