"""The pad's main window: sign-in, window chooser and the working page on one stack."""

from __future__ import annotations

from PyQt6.QtWidgets import QMainWindow, QStackedWidget

from caller.viewmodel import PadView
from caller.views.login import LoginPage, WindowPage
from caller.views.pad import PadPage
from caller.views.password import PasswordPage


class MainWindow(QMainWindow):
    """Shows the page of the current phase; the pages' signals are the user's intents."""

    def __init__(self, window_hint: str = "") -> None:
        super().__init__()
        self.setWindowTitle("一窗 · 窗口叫号")
        self.resize(1280, 800)
        self.login = LoginPage(window_hint)
        self.windows = WindowPage()
        self.pad = PadPage()
        self.password = PasswordPage()
        self.stack = QStackedWidget()
        for page in (self.login, self.windows, self.pad, self.password):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

    def render(self, view: PadView) -> None:
        """Show the page of `view.phase` and render it."""
        pages = {
            "login": self.login,
            "choose_window": self.windows,
            "change_password": self.password,
        }
        page = pages.get(view.phase, self.pad)
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
        page.render(view)
