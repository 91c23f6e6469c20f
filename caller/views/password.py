"""The change-password page: the initial password is changed at the first sign-in (issue 19)."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QFrame, QLineEdit, QPushButton, QVBoxLayout, QWidget

from caller.viewmodel import PadView
from caller.views.labels import Label
from caller.views.theme import banner_style


class PasswordPage(QWidget):
    """原密码、新密码 twice, one button."""

    change_requested = pyqtSignal(str, str, str)

    def __init__(self) -> None:
        super().__init__()
        card = QFrame(objectName="card")
        card.setFixedWidth(520)
        form = QVBoxLayout(card)
        form.setContentsMargins(36, 32, 36, 32)
        form.setSpacing(14)
        title = Label("请先修改初始密码", objectName="title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = Label(
            "新密码至少 8 位，包含大写字母、小写字母、数字、符号中的至少 3 类，且不能包含工号。"
        )
        hint.setWordWrap(True)
        self.old = QLineEdit(placeholderText="原密码")
        self.new = QLineEdit(placeholderText="新密码")
        self.again = QLineEdit(placeholderText="再次输入新密码")
        for field in (self.old, self.new, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.submit = QPushButton("修改密码", objectName="primary")
        self.message = Label("")
        self.message.setWordWrap(True)
        for w in (title, hint, self.old, self.new, self.again, self.submit, self.message):
            form.addWidget(w)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, alignment=Qt.AlignmentFlag.AlignCenter)
        outer.addStretch(2)
        self.submit.clicked.connect(self._emit)
        self.again.returnPressed.connect(self._emit)

    def render(self, view: PadView) -> None:
        """Show the message and whether the change is under way."""
        self.submit.setEnabled(not view.busy)
        self.message.setText(view.message)
        self.message.setStyleSheet(banner_style(view.level) if view.message else "")

    def _emit(self) -> None:
        self.change_requested.emit(self.old.text(), self.new.text(), self.again.text())
        for field in (self.old, self.new, self.again):
            field.clear()
