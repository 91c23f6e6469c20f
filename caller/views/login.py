"""The sign-in page and the window chooser (widgets only)."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caller.viewmodel import PadView
from caller.views.labels import Label
from caller.views.theme import banner_style


class LoginPage(QWidget):
    """工号 + 密码, one big button; Enter signs in."""

    login_requested = pyqtSignal(str, str)

    def __init__(self, window_hint: str = "") -> None:
        super().__init__()
        card = QFrame(objectName="card")
        card.setFixedWidth(520)
        form = QVBoxLayout(card)
        form.setContentsMargins(36, 32, 36, 32)
        form.setSpacing(14)
        title = Label("窗口叫号 · 工作人员签到", objectName="title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.where = Label(window_hint, objectName="caption")
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.username = QLineEdit(placeholderText="工号（如 clerk01）")
        self.password = QLineEdit(placeholderText="密码")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.submit = QPushButton("签到", objectName="primary")
        self.message = Label("")
        self.message.setWordWrap(True)
        for w in (title, self.where, self.username, self.password, self.submit, self.message):
            form.addWidget(w)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, alignment=Qt.AlignmentFlag.AlignCenter)
        outer.addStretch(2)
        self.submit.clicked.connect(self._emit)
        self.password.returnPressed.connect(self._emit)
        self.username.returnPressed.connect(self.password.setFocus)

    def render(self, view: PadView) -> None:
        """Show the message and whether a sign-in is under way."""
        self.submit.setEnabled(not view.busy)
        self.message.setText(view.message)
        self.message.setStyleSheet(banner_style(view.level) if view.message else "")

    def _emit(self) -> None:
        self.login_requested.emit(self.username.text(), self.password.text())


class WindowPage(QWidget):
    """A grid of the windows the clerk may open."""

    window_chosen = pyqtSignal(str)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        self.heading = Label("请选择要签到的窗口", objectName="title")
        self.message = Label("")
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(self.message)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self._shown: tuple[tuple[str, str, str], ...] = ()

    def render(self, view: PadView) -> None:
        """Rebuild the buttons when the list changed."""
        self.message.setText(view.message)
        self.message.setStyleSheet(banner_style(view.level) if view.message else "")
        if view.windows == self._shown:
            return
        self._shown = view.windows
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        states = view.window_states or ("",) * len(view.windows)
        for i, ((code, name, status), state) in enumerate(zip(view.windows, states, strict=True)):
            button = QPushButton(f"{name}\n{status}", objectName="small")
            button.setProperty("state", state)
            button.setMinimumHeight(76)
            button.setEnabled(state != "taken")  # someone else works there: 签到 is refused
            if state == "mine":
                button.setStyleSheet("border: 3px solid #1f4e8c; background: #eef3fb;")
            button.clicked.connect(lambda _=False, c=code: self.window_chosen.emit(c))
            self.grid.addWidget(button, i // 5, i % 5)
