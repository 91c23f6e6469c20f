"""The working page of the desktop pad: current ticket, the buttons, the window's context."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caller.viewmodel import PadView
from caller.views.labels import Label
from caller.views.theme import banner_style

# (action, label, key, style): the keyboard shortcuts are documented in docs/clerk-pad.md.
BUTTONS = (
    ("call_next", "叫号", "F1", "primary"),
    ("recall", "重呼", "F2", ""),
    ("pick", "选号", "F3", ""),
    ("transfer", "转移", "F4", ""),
    ("accepted", "受理", "F5", "good"),
    ("consulted", "咨询", "F6", "good"),
    ("rejected", "不予受理", "F7", "bad"),
    ("no_show", "过号", "F8", ""),
    ("pause", "暂停", "F9", ""),
    ("notice", "通知书", "F10", ""),
    ("handover", "交接确认单", "F11", ""),  # of the case the last 受理 opened (issue 18)
)
SIGN_OUT_KEY = "F12"
_WARN = "background: #e08a00; color: white; border: none;"


class PadPage(QWidget):
    """Widgets only: `action` carries which button (or shortcut) was pressed."""

    action = pyqtSignal(str)
    pick_number = pyqtSignal(str)

    def __init__(self) -> None:
        super().__init__()
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._header())
        body = QHBoxLayout()
        body.setContentsMargins(16, 12, 16, 8)
        body.setSpacing(16)
        body.addLayout(self._left(), 3)
        body.addLayout(self._right(), 2)
        root.addLayout(body, 1)
        self.message = Label("")
        self.message.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(16, 0, 16, 12)
        bottom.addWidget(self.message)
        root.addLayout(bottom)
        self._shortcuts()

    def _header(self) -> QFrame:
        header = QFrame(objectName="header")
        row = QHBoxLayout(header)
        row.setContentsMargins(20, 10, 20, 10)
        self.title = Label("", objectName="title")
        self.status = Label("")
        self.clerk = Label("")
        self.sign_out = QPushButton(f"签退 {SIGN_OUT_KEY}", objectName="small")
        self.sign_out.clicked.connect(lambda: self.action.emit("sign_out"))
        self.delivery = QPushButton("出件", objectName="small")  # 统一出件：find a case, hand out
        self.delivery.clicked.connect(lambda: self.action.emit("delivery"))
        row.addWidget(self.title)
        row.addSpacing(16)
        row.addWidget(self.status)
        row.addStretch(1)
        row.addWidget(self.clerk)
        row.addSpacing(12)
        row.addWidget(self.delivery)
        row.addWidget(self.sign_out)
        return header

    def _left(self) -> QVBoxLayout:
        col = QVBoxLayout()
        self.connection = Label("")
        self.connection.setWordWrap(True)
        col.addWidget(self.connection)
        card = QFrame(objectName="card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 12, 24, 16)
        inner.addWidget(Label("当前号码", objectName="section"))
        self.number = Label("—", objectName="number")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.number)
        self.lines = [Label("", objectName="caption") for _ in range(3)]
        for label in self.lines:
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner.addWidget(label)
        self.note = Label("", objectName="note")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        inner.addWidget(self.note)
        self.hint = Label("", objectName="hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.hint)
        col.addWidget(card, 1)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        for i, (action, label, key, style) in enumerate(BUTTONS):
            button = QPushButton(f"{label}  {key}")
            if style:
                button.setObjectName(style)
            button.clicked.connect(lambda _=False, a=action: self.action.emit(a))
            self.buttons[action] = button
            grid.addWidget(button, i // 4, i % 4)
        col.addLayout(grid)
        return col

    def _right(self) -> QVBoxLayout:
        col = QVBoxLayout()
        col.setSpacing(12)
        self.queues, queues_card = self._card("本窗口业务队列")
        col.addWidget(queues_card)
        next_card = QFrame(objectName="card")
        box = QVBoxLayout(next_card)
        box.addWidget(Label("下一位（点击号码可选号呼叫）", objectName="section"))
        self.next_buttons: list[QPushButton] = []
        for _ in range(6):
            button = QPushButton("", objectName="next")
            button.clicked.connect(lambda _=False, b=button: self._pick(b))
            self.next_buttons.append(button)
            box.addWidget(button)
        self.next_empty = Label("暂无等候的号码", objectName="caption")
        box.addWidget(self.next_empty)
        box.addStretch(1)
        col.addWidget(next_card, 1)
        col.addWidget(self._today_card())
        self.evaluation = Label("")
        self.evaluation.setWordWrap(True)
        col.addWidget(self.evaluation)
        return col

    def _today_card(self) -> QFrame:
        card = QFrame(objectName="card")
        box = QVBoxLayout(card)
        box.addWidget(Label("我的今日统计", objectName="section"))
        grid = QGridLayout()
        self.today_values: list[Label] = []
        self.today_labels: list[Label] = []
        for i in range(6):
            value, label = Label("0", objectName="stat"), Label("", objectName="caption")
            for w in (value, label):
                w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(value, 0, i)
            grid.addWidget(label, 1, i)
            self.today_values.append(value)
            self.today_labels.append(label)
        box.addLayout(grid)
        return card

    def today_text(self) -> str:
        """The counts as one line ("叫号 3 受理 2 …"), as shown."""
        pairs = zip(self.today_labels, self.today_values, strict=True)
        return "   ".join(f"{label.text()} {value.text()}" for label, value in pairs)

    def _card(self, title: str) -> tuple[Label, QFrame]:
        card = QFrame(objectName="card")
        box = QVBoxLayout(card)
        box.addWidget(Label(title, objectName="section"))
        text = Label("")
        text.setWordWrap(True)
        box.addWidget(text)
        return text, card

    def _shortcuts(self) -> None:
        for action, _, key, _ in BUTTONS:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda a=action: self._press(a))
        out = QShortcut(QKeySequence(SIGN_OUT_KEY), self)
        out.activated.connect(lambda: self.action.emit("sign_out"))

    def _press(self, action: str) -> None:
        # A shortcut does what its button does, and only when the button is enabled.
        if self.buttons[action].isEnabled():
            self.buttons[action].click()

    def _pick(self, button: QPushButton) -> None:
        number = button.property("number")
        if number:
            self.pick_number.emit(str(number))

    def render(self, view: PadView) -> None:
        """Show one frame of the pad."""
        self.title.setText(view.title)
        self.status.setText(view.status)
        self.clerk.setText(view.clerk)
        self.connection.setText(view.connection)
        self.connection.setVisible(bool(view.connection))
        self.connection.setStyleSheet(banner_style(view.connection_level))
        self.number.setText(view.number)
        for label, text in zip(self.lines, [*view.ticket_lines, "", "", ""], strict=False):
            label.setText(text)
        self.note.setText(view.transfer_note)
        self.note.setVisible(bool(view.transfer_note))
        self.hint.setText(view.recall_hint)
        for action, button in self.buttons.items():
            button.setEnabled(view.enabled.get(action, False))
        label = view.pause_label
        self.buttons["pause"].setText(f"{label}  F9")
        self.sign_out.setEnabled(view.enabled.get("sign_out", False))
        self.queues.setText("\n".join(view.queues) or "—")
        self._render_next(view)
        for (label, value), label_w, value_w in zip(
            view.today, self.today_labels, self.today_values, strict=False
        ):
            label_w.setText(label)
            value_w.setText(value)
        self.buttons["no_show"].setObjectName("warn" if view.suggest_no_show else "")
        self.buttons["no_show"].setStyleSheet(_WARN if view.suggest_no_show else "")
        self.evaluation.setText(view.evaluation)
        self.evaluation.setVisible(bool(view.evaluation))
        self.evaluation.setStyleSheet(banner_style(view.evaluation_level))
        self.message.setText(view.message)
        self.message.setStyleSheet(banner_style(view.level) if view.message else "")

    def _render_next(self, view: PadView) -> None:
        can_pick = view.enabled.get("pick", False)
        for i, button in enumerate(self.next_buttons):
            if i < len(view.next_numbers):
                number, detail = view.next_numbers[i]
                button.setText(f"{number}   {detail}")
                button.setProperty("number", number)
                button.setEnabled(can_pick)
                button.show()
            else:
                button.setProperty("number", None)
                button.hide()
        self.next_empty.setVisible(not view.next_numbers)
