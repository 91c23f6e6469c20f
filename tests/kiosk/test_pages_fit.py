"""Every kiosk page fits its screen: normal and 长辈模式，with and without the pause banner.

The window keeps the configured screen size whatever it shows; what a page shows must fit
in it: every visible button and text is inside the window and at least as big as it needs
(a squeezed button or a cut line counts as not fitting). The worst case of each page is
driven through the presenter: the printer fails (the red pause banner) and an error line is
shown as well, e.g. the ticket page after 小票打印失败.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from PyQt6.QtCore import QPoint, QRect
from PyQt6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from kiosk.state import Field, Screen
from tests.helpers import valid_id
from tests.kiosk.conftest import Kiosk, open_window, shoot, walk

SIZES = [(1920, 1080), (1280, 720)]  # the station default, and the demo kiosk's screen
OLD = valid_id("19500101")
YOUNG = valid_id("19900101", "123")
WRONG_CHECK_DIGIT = OLD[:-1] + ("1" if OLD[-1] == "0" else "0")
_citizens = (valid_id("19500101", f"{n:03d}") for n in itertools.count(500))


def on_window(widget: QWidget, window: QWidget) -> QRect:
    """The widget's rectangle in window coordinates."""
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def misfits(window: QWidget) -> list[str]:
    """What does not fit: widgets outside the window, squeezed buttons, cut text."""
    for _ in range(3):  # buttons added to a shown page appear on the next loop turn
        QApplication.processEvents()
    found = []
    for holder in [window, *window.findChildren(QWidget)]:  # no layout squeezed below its minimum
        lay = holder.layout()
        if lay is None or not holder.isVisible():
            continue
        m = holder.contentsMargins()
        inner = holder.width() - m.left() - m.right()
        need = lay.totalMinimumSize()
        height = lay.minimumHeightForWidth(inner) if lay.hasHeightForWidth() else need.height()
        height += m.top() + m.bottom() if lay.hasHeightForWidth() else 0
        if holder.width() < need.width() or holder.height() < height:
            found.append(f"{type(holder).__name__} {holder.size()} needs {need.width()}×{height}")
    for widget in window.findChildren(QPushButton) + window.findChildren(QLabel):
        if not widget.isVisible() or not widget.text():
            continue
        where = on_window(widget, window)
        name = f"{type(widget).__name__} {widget.text()!r} {where}"
        if not window.rect().contains(where):
            found.append(f"{name} is not inside the window")
        if isinstance(widget, QPushButton):
            need = widget.minimumSizeHint()
            if widget.height() < need.height() or widget.width() < need.width():
                found.append(f"{name} is squeezed below {need}")
        elif widget.wordWrap():
            if widget.height() < widget.heightForWidth(widget.width()):
                found.append(f"{name} is cut: needs {widget.heightForWidth(widget.width())}")
        elif widget.height() < widget.sizeHint().height() or (
            widget.width() < widget.sizeHint().width()
        ):
            found.append(f"{name} is cut: needs {widget.sizeHint()}")
    return found


# -- each page, and how to get there: `trouble` also stops the printer and shows an error ---


def printer_fails(kiosk: Kiosk) -> None:
    kiosk.printer.status_value = "paper_out"
    kiosk.p.printer_changed("paper_out")


def home(kiosk: Kiosk, trouble: bool) -> None:
    if trouble:
        kiosk.p.open_green()
        kiosk.p.card_read("张三丰", OLD)  # 已确认：绿色通道优先办理，a line on the home page
        printer_fails(kiosk)
        assert kiosk.s.screen is Screen.HOME and kiosk.s.message is not None


def guide(kiosk: Kiosk, trouble: bool) -> None:
    kiosk.p.open_guide()
    if trouble:
        printer_fails(kiosk)


def guide_online(kiosk: Kiosk, trouble: bool) -> None:
    walk(kiosk, "社保医保", "医疗保障", "异地就医备案")
    if trouble:
        kiosk.printer.status_value = "paper_out"  # the poller has not seen it yet
        kiosk.p.print_advice()
        assert kiosk.s.message is not None and kiosk.s.printer_blocks


def identify(kiosk: Kiosk, trouble: bool) -> None:
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.type(OLD[:14])
    if trouble:
        printer_fails(kiosk)
        kiosk.p.card_read("张三丰", WRONG_CHECK_DIGIT)  # an error line


def ticket(kiosk: Kiosk, trouble: bool) -> None:
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.card_read("张三丰", next(_citizens))  # one number per ID and business a day
    kiosk.printer.jam_next = trouble  # paper runs out mid-job：小票打印失败
    kiosk.p.take_number()
    assert kiosk.s.screen is Screen.TICKET and kiosk.s.ticket_printed is not trouble


def ticket_printed_then_paused(kiosk: Kiosk, trouble: bool) -> None:
    ticket(kiosk, False)
    if trouble:
        printer_fails(kiosk)


def requeue(kiosk: Kiosk, trouble: bool) -> None:
    kiosk.p.open_requeue()
    kiosk.type("B00")
    if trouble:
        printer_fails(kiosk)
        kiosk.p.requeue_submit()  # not a whole ticket number: an error line
        assert kiosk.s.message is not None


def appointment(kiosk: Kiosk, trouble: bool) -> None:
    kiosk.p.open_appointment()
    kiosk.p.appointment_pick("G")
    kiosk.type("AC")
    if trouble:
        printer_fails(kiosk)
        kiosk.p.check_in()  # the code is too short: an error line
        assert kiosk.s.message is not None


def green(kiosk: Kiosk, trouble: bool) -> None:
    kiosk.p.open_green()
    kiosk.type(YOUNG)
    if trouble:
        printer_fails(kiosk)
        kiosk.p.green_check_age()  # 未满 65 周岁
        assert kiosk.s.message is not None


def staff_login(kiosk: Kiosk, trouble: bool) -> None:
    kiosk.p.open_green()
    kiosk.p.open_staff_login("green")
    kiosk.type("clerk11")
    kiosk.p.focus(Field.PASSWORD)
    kiosk.type("wrong")
    if trouble:
        printer_fails(kiosk)
        kiosk.p.staff_confirm()  # 用户名或密码错误：an error line
        assert kiosk.s.message is not None


def mine(kiosk: Kiosk, trouble: bool, away: bool = False) -> None:
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.card_read("张三丰", next(_citizens))
    kiosk.p.take_number()
    url = kiosk.s.ticket["progress_url"]
    kiosk.p.home()
    if away:
        kiosk.p.scan(url)
        kiosk.p.mine_away(30)
    if trouble:
        printer_fails(kiosk)
    kiosk.p.scan(url)  # 我的号码：nothing printed, so a paused printer does not stop it
    ahead = {**kiosk.s.mine, "number": "B129", "waiting_ahead": 128, "estimated_wait_min": 214}
    kiosk.p._core.update(mine=ahead)  # a busy day's three digits
    if trouble:
        kiosk.p.mine_step_back(9)  # more than the hall allows: the server's error line
        assert kiosk.s.message is not None


def mine_away(kiosk: Kiosk, trouble: bool) -> None:
    mine(kiosk, trouble, away=True)


PAGES: dict[str, tuple[Callable[[Kiosk, bool], None], Screen]] = {
    "home": (home, Screen.HOME),
    "guide": (guide, Screen.GUIDE),
    "guide-online": (guide_online, Screen.GUIDE),
    "identify": (identify, Screen.IDENTIFY),
    "ticket": (ticket, Screen.TICKET),
    "ticket-paused": (ticket_printed_then_paused, Screen.TICKET),
    "requeue": (requeue, Screen.REQUEUE),
    "appointment": (appointment, Screen.APPOINTMENT),
    "green": (green, Screen.GREEN),
    "staff-login": (staff_login, Screen.STAFF_LOGIN),
    "mine": (mine, Screen.MINE),
    "mine-away": (mine_away, Screen.MINE),
}


def start_over(kiosk: Kiosk, elderly: bool, lang: str = "zh") -> None:
    """The printer fine, the home page, the text size and language asked for."""
    kiosk.printer.status_value, kiosk.printer.jam_next = "ok", False
    kiosk.p.printer_changed("ok")
    kiosk.p.home()
    if kiosk.s.elderly != elderly:
        kiosk.p.toggle_elderly()
    if kiosk.s.lang != lang:
        kiosk.p.toggle_language()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_page_fits_the_screen_in_every_mode_with_and_without_the_banner(
    kiosk, qapp, qtbot, width, height
):
    window = open_window(qapp, qtbot, kiosk, width, height)
    failures = []
    for elderly in (False, True):
        for trouble in (False, True):
            for name, (drive, screen) in PAGES.items():
                start_over(kiosk, elderly)
                drive(kiosk, trouble)
                assert kiosk.s.screen is screen, name
                assert (kiosk.s.paused is not None) is trouble, name
                case = f"{name} elderly={elderly} trouble={trouble}"
                assert (window.width(), window.height()) == (width, height), case
                failures += [f"{case}: {problem}" for problem in misfits(window)]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_english_ticket_after_a_print_failure_fits_too(kiosk, qapp, qtbot, width, height):
    window = open_window(qapp, qtbot, kiosk, width, height)
    for elderly in (False, True):
        start_over(kiosk, elderly, "en")
        ticket(kiosk, True)
        assert (window.width(), window.height()) == (width, height)
        assert not misfits(window), elderly


def test_the_print_failure_line_replaces_the_pause_banner_on_the_ticket_page(kiosk, window):
    start_over(kiosk, True)
    ticket(kiosk, True)
    QApplication.processEvents()
    assert window.message.isVisible() and not window.banner.isVisible()
    assert window.message.text() == "小票打印失败，请记下号码并到服务台补打"
    assert not misfits(window)
    shoot(window, "elderly-print-failed")
    kiosk.p.home()  # the next citizen sees why tickets are paused
    assert window.banner.isVisible() and "打印机缺纸" in window.banner.text()
    assert not window.message.isVisible()
