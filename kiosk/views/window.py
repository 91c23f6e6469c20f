"""The kiosk window: header with clock and toggles, the pause banner, messages, the pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.presenter import KioskPresenter, ScanBuffer, pause_banner
from kiosk.state import KioskState, Screen
from kiosk.texts import text
from kiosk.views import theme
from kiosk.views.common import Keypad, button, label, set_message_label
from kiosk.views.forms import AppointmentPage, GreenPage, RequeuePage, StaffLoginPage
from kiosk.views.guide import GuidePage
from kiosk.views.home import HomePage
from kiosk.views.identify import IdentifyPage
from kiosk.views.mine import MinePage
from kiosk.views.ticket import TicketPage

WEEKDAYS = "一二三四五六日"


class ConnectingPage(QWidget):
    """Shown until the server has answered once."""

    def __init__(self) -> None:
        super().__init__()
        col = QVBoxLayout(self)
        self.line = label("", "title")
        self.line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        col.addStretch(1)
        col.addWidget(self.line)
        col.addStretch(1)

    def draw(self, s: KioskState) -> None:
        """Connecting, or the server cannot be reached."""
        key = "connecting" if s.server_ok else "server_down_hint"
        self.line.setText(text(key, s.lang))


class PageStack(QWidget):
    """The pages, one shown at a time; as big as the page shown, not as the biggest page.

    A QStackedWidget asks for the room of its tallest page whichever is shown, so the window
    squeezed (or, before its size was fixed, grew past the screen) for a page not even shown.
    Here the other pages are hidden, and a layout leaves hidden widgets out.
    """

    def __init__(self) -> None:
        super().__init__()
        self._col = QVBoxLayout(self)
        self._col.setContentsMargins(0, 0, 0, 0)
        self._current: QWidget | None = None

    def addWidget(self, page: QWidget) -> None:
        """Add a page, hidden until it is made the current one."""
        page.hide()
        self._col.addWidget(page)

    def currentWidget(self) -> QWidget | None:
        """The page shown."""
        return self._current

    def setCurrentWidget(self, page: QWidget) -> None:
        """Show this page, hide the one before."""
        if page is self._current:
            return
        if self._current is not None:
            self._current.hide()
        self._current = page
        page.show()


class KioskWindow(QWidget):
    """Renders the presenter's state; keys typed by the barcode scanner become `scan`."""

    def __init__(self, presenter: KioskPresenter, width: int, height: int) -> None:
        super().__init__()
        self.p = presenter
        self.scanner = ScanBuffer()
        self.setWindowTitle("一窗 自助取号")
        # The screen, exactly: what a page shows must fit it (a taller window would put
        # its bottom row of buttons below the screen's edge).
        self.setFixedSize(width, height)
        self._size = (width, height)  # the station's screen: sizes are scaled to it
        self._style_key: tuple[int, int, bool] | None = None
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self._header())
        body = QVBoxLayout()
        body.setContentsMargins(28, 16, 28, 20)
        body.setSpacing(12)
        self.banner = label("", "banner")
        self.message = _still_line()
        self.stack = PageStack()
        self.pages: dict[Screen, QWidget] = {
            Screen.CONNECTING: ConnectingPage(),
            Screen.HOME: HomePage(presenter),
            Screen.GUIDE: GuidePage(presenter),
            Screen.IDENTIFY: IdentifyPage(presenter),
            Screen.TICKET: TicketPage(presenter),
            Screen.REQUEUE: RequeuePage(presenter),
            Screen.APPOINTMENT: AppointmentPage(presenter),
            Screen.GREEN: GreenPage(presenter),
            Screen.STAFF_LOGIN: StaffLoginPage(presenter),
            Screen.MINE: MinePage(presenter),
        }
        for page in self.pages.values():
            self.stack.addWidget(page)
        body.addWidget(self.banner)
        body.addWidget(self.message)
        body.addWidget(self.stack, 1)
        col.addLayout(body, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(28, 12, 28, 12)
        self.hall = label("", "hall", wrap=False)
        self.clock = label("", "clock", wrap=False)
        self.elderly = button("", self.p.toggle_elderly)
        self.language = button("", self.p.toggle_language)
        row.addWidget(self.hall, 1)
        row.addWidget(self.clock)
        row.addSpacing(24)
        row.addWidget(self.elderly)
        row.addWidget(self.language)
        return header

    def draw(self, s: KioskState) -> None:
        """Draw everything from one state value (called on the Qt thread)."""
        self._apply_style(s.elderly)
        lang = s.lang
        self.hall.setText(f"{s.hall_name}  {text('title', lang)}" if s.hall_name else "一窗")
        self.clock.setText(_clock(s.clock, self.p.timezone, lang))
        self.elderly.setText(text("elderly_off" if s.elderly else "elderly", lang))
        self.language.setText(text("language", lang))
        banner = pause_banner(s)
        if s.busy:
            set_message_label(self.message, text(s.busy, lang), error=False)
        elif s.message is not None and s.message.text != banner:  # the banner says it already
            set_message_label(self.message, s.message.text, s.message.error)
        else:
            set_message_label(self.message, None, True)
        if s.screen is Screen.TICKET and s.message is not None and s.message.error:
            banner = None  # 小票打印失败 says it all; the pause is for the next citizen
        self.banner.setVisible(banner is not None and s.screen is not Screen.CONNECTING)
        self.banner.setText(banner or "")
        page = self.pages[s.screen]
        _reserve(self.message, page.findChild(Keypad) is not None)
        page.draw(s)  # type: ignore[attr-defined]
        left = self.stack.currentWidget()
        if left is not page and left is not None:
            left.draw(s)  # type: ignore[attr-defined]  # the page left forgets what it showed
        self.stack.setCurrentWidget(page)
        page.setEnabled(not s.busy)

    def _apply_style(self, elderly: bool) -> None:
        key = (*self._size, elderly)
        if key != self._style_key:
            self._style_key = key
            self.setStyleSheet(theme.stylesheet(*key))
            _fix_line_height(self.message)

    def keyPressEvent(self, ev: QKeyEvent | None) -> None:
        """Collect what the barcode scanner types; Enter hands the line to the presenter."""
        if ev is None:
            return
        self.p.touch()
        enter = ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        line = self.scanner.feed("\n" if enter else ev.text())
        if line is not None:
            self.p.scan(line)


def _still_line() -> QLabel:
    """The error/info line above the page: one line high (a long message is cut, not wrapped).

    On a page with a keypad its room stays when it is hidden: if it came and went, the key
    under the citizen's finger would jump by its height.
    """
    line = label("", "error", wrap=False)
    line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    line.hide()
    return line


def _reserve(line: QLabel, keep: bool) -> None:
    """Keep the line's room while hidden (pages with a keypad) or give it to the page."""
    policy = line.sizePolicy()
    if policy.retainSizeWhenHidden() != keep:
        policy.setRetainSizeWhenHidden(keep)
        line.setSizePolicy(policy)


def _fix_line_height(line: QLabel) -> None:
    """As high as one line of hanzi in its style, whatever it says (or when it says nothing)."""
    shown = line.text()
    line.setText("国 Ag")
    line.ensurePolished()
    line.setFixedHeight(line.sizeHint().height())
    line.setText(shown)


def _clock(now: dt.datetime | None, timezone: str, lang: str) -> str:
    if now is None:
        return ""
    local = now.astimezone(ZoneInfo(timezone))
    if lang == "en":
        return local.strftime("%Y-%m-%d %a %H:%M:%S")
    return f"{local:%Y-%m-%d} 星期{WEEKDAYS[local.weekday()]} {local:%H:%M:%S}"
