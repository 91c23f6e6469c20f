"""Input dialogs of the pad：受理、不予受理、转移、暂停、选号、通知书 (widgets only)."""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from caller.views.labels import Label
from caller.views.pickers import Matter, MatterPicker

TOUCH = 44  # px: the smallest target a finger hits reliably
LISTS_MATERIALS = ("missing", "handover")  # the documents whose materials the clerk lists


class _Dialog(QDialog):
    """A titled dialog with big OK / cancel buttons at the bottom."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.box = QVBoxLayout(self)
        self.box.setSpacing(10)
        heading = Label(title, objectName="title")
        self.box.addWidget(heading)

    def finish(self, ok_text: str | None = "确定") -> None:
        """Add the OK / cancel row (cancel only when the choices accept by themselves)."""
        buttons = QDialogButtonBox()
        ok = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole) if ok_text else None
        self.ok = ok
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        for b in (ok, cancel):
            if b is not None:
                b.setMinimumHeight(60)
        if ok is not None:
            ok.setObjectName("primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.box.addWidget(buttons)


class AcceptDialog(_Dialog):
    """受理：the matter served (asked of a ticket taken by queue alone) and the 办件编号."""

    def __init__(
        self,
        matters: Sequence[Matter],
        ticket: str = "",
        parent: QWidget | None = None,
        ask_matter: bool = True,
    ) -> None:
        super().__init__("受理 · 选择办理事项" if ask_matter else "受理 · 办件编号", parent)
        self.ticket = Label(ticket, objectName="caption")
        self.matter = MatterPicker(matters)
        self.matter.setVisible(ask_matter)
        self.ask_matter = ask_matter
        self.box.addWidget(self.ticket)
        self.box.addWidget(self.matter)
        self.box.addWidget(Label("办件编号（可选）", objectName="section"))
        self.case_no = QLineEdit(placeholderText="可扫码或输入；留空由系统编号")
        self.case_no.setMaxLength(40)
        self.case_no.setMinimumHeight(TOUCH)
        # A barcode scanner types the number and Enter: Enter submits (see _entered).
        self.case_no.returnPressed.connect(self._entered)
        self.box.addWidget(self.case_no)
        self.finish("登记受理")
        if not ask_matter:
            self.case_no.setFocus()  # the scanner's keystrokes land here at once

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        """Enter records the 受理 only from the 办件编号 field: a scan into the search must not."""
        if event is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _entered(self) -> None:
        # A number scanned before the matter was picked: go on to the matter, do not submit.
        if self.ask_matter and self.matter.value() is None:
            self.matter.search.setFocus()
            return
        self.accept()

    def values(self) -> tuple[str, str]:
        """(matter code or ""，办件编号 or "")."""
        matter = self.matter.value() if self.ask_matter else None
        return matter or "", self.case_no.text().strip()


class RejectDialog(_Dialog):
    """不予受理：a reason from the list (none chosen for the clerk) or typed, and the matter."""

    def __init__(
        self,
        reasons: Sequence[str],
        matters: Sequence[Matter] = (),
        ticket: str = "",
        chosen_matter: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("不予受理 · 选择原因", parent)
        self.ticket = Label(ticket, objectName="caption")
        self.ticket.setVisible(bool(ticket))
        self.box.addWidget(self.ticket)
        self.matter = MatterPicker(matters, chosen_matter)
        self.matter.setVisible(bool(matters))
        self.box.addWidget(self.matter)
        self.reasons = QListWidget()
        self.reasons.addItems(list(reasons))
        self.reasons.setCurrentRow(-1)  # a hurried tap must not record a reason nobody chose
        self.reasons.clearSelection()
        # Every reason in sight: the list is as tall as its rows, it never scrolls.
        self.reasons.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reasons.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = sum(self.reasons.sizeHintForRow(i) for i in range(self.reasons.count()))
        self.reasons.setFixedHeight(rows + 2 * self.reasons.frameWidth() + 4)
        self.detail = QLineEdit(placeholderText="补充说明（可选，将写入不予受理凭证）")
        self.box.addWidget(self.reasons)
        self.box.addWidget(self.detail)
        self.finish("登记不予受理")
        self.reasons.itemSelectionChanged.connect(self._ready)
        self.detail.textChanged.connect(self._ready)
        self._ready()

    def _ready(self) -> None:
        if self.ok is not None:
            self.ok.setEnabled(bool(self.reason()))

    def reason(self) -> str:
        """The chosen reason, with the free text after it."""
        chosen = self.reasons.selectedItems()
        parts = [chosen[0].text() if chosen else "", self.detail.text().strip()]
        return "；".join(p for p in parts if p)


class TransferDialog(_Dialog):
    """转移 to a queue or a window, with a note."""

    def __init__(
        self,
        queues: Sequence[tuple[str, str]],
        windows: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
        later: Sequence[tuple[str, str]] = (),
        fallback_minutes: int = 10,
    ) -> None:
        super().__init__("转移当前号码", parent)
        self.to_queue = QRadioButton("转到业务队列")
        self.to_window = QRadioButton("转到指定窗口")
        self.to_queue.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.to_queue)
        group.addButton(self.to_window)
        self.queue = QComboBox()
        for code, name in queues:
            self.queue.addItem(f"{code} {name}", code)
        self.window = QComboBox()
        self._windows, self._later = list(windows), list(later)
        self.later = QCheckBox("转到尚未开放的窗口，等候该窗口开放")
        self.hint = Label(
            f"号码将等候该窗口开放；超过 {fallback_minutes} 分钟仍未开放，由本队列其他窗口办理。",
            objectName="hint",
        )
        self.hint.setWordWrap(True)
        self.note = QLineEdit(placeholderText="备注（如：需补充不动产材料）")
        for row in ((self.to_queue, self.queue), (self.to_window, self.window)):
            line = QHBoxLayout()
            line.addWidget(row[0])
            line.addWidget(row[1], 1)
            self.box.addLayout(line)
        for w in (self.to_queue, self.to_window, self.later, self.queue, self.window):
            w.setMinimumHeight(TOUCH)  # the whole row is the target, not the 16 px dot
        self.setStyleSheet(
            "QRadioButton::indicator, QCheckBox::indicator { width: 28px; height: 28px; }"
        )
        self.box.addWidget(self.later)
        self.box.addWidget(self.hint)
        self.box.addWidget(self.note)
        self.later.toggled.connect(self._fill_windows)
        self._fill_windows(False)
        self.finish("转移")

    def _fill_windows(self, later: bool) -> None:
        self.window.clear()
        for code, name in self._later if later else self._windows:
            self.window.addItem(name, code)
        self.hint.setVisible(later)
        if later:
            self.to_window.setChecked(True)

    def target(self) -> tuple[str | None, str | None, str, bool]:
        """(queue, window, note, wait_for_window): exactly one of queue and window is set."""
        note = self.note.text().strip()
        if self.to_window.isChecked():
            return None, self.window.currentData(), note, self.later.isChecked()
        return self.queue.currentData(), None, note, False


class PauseDialog(_Dialog):
    """暂停 with one of the hall's reasons (big buttons: one tap pauses)."""

    def __init__(self, reasons: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__("暂停服务 · 选择原因", parent)
        self.chosen = ""
        for reason in reasons:
            button = QPushButton(reason)
            button.clicked.connect(lambda _=False, r=reason: self._choose(r))
            self.box.addWidget(button)
        self.finish(None)

    def _choose(self, reason: str) -> None:
        self.chosen = reason
        self.accept()


class PickDialog(_Dialog):
    """选号：type the number to call out of order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("选号呼叫", parent)
        self.box.addWidget(Label("不按顺序呼叫将被记录。请输入号码："))
        self.number = QLineEdit(placeholderText="如 A012")
        self.box.addWidget(self.number)
        self.finish("呼叫")

    def value(self) -> str:
        """The number typed."""
        return self.number.text().strip().upper()


class NoticeDialog(_Dialog):
    """通知书：which document, the materials of a one-time notice, PDF or receipt."""

    def __init__(
        self, kinds: Sequence[tuple[str, str]], parent: QWidget | None = None, ticket: str = ""
    ) -> None:
        super().__init__("出具通知书", parent)
        self.ticket = Label(f"为 {ticket}出具" if ticket else "", objectName="caption")
        self.kind = QComboBox()
        for code, title in kinds:
            self.kind.addItem(title, code)
        self.materials = QPlainTextEdit()
        self.materials.setPlaceholderText("一次性告知书：每行填写一项需要补正的材料")
        self.materials.setMinimumHeight(140)
        self.note = QLineEdit(placeholderText="补充说明（可选）")
        self.output = "pdf"
        self.box.addWidget(self.ticket)
        self.box.addWidget(self.kind)
        self.box.addWidget(self.materials)
        self.box.addWidget(self.note)
        row = QHBoxLayout()
        for output, text in (("pdf", "生成 PDF（办公打印机）"), ("receipt", "小票打印")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, o=output: self._choose(o))
            row.addWidget(button)
        self.box.addLayout(row)
        self.finish(None)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        # The 一次性告知书 lists materials to bring, the 交接确认单 those handed over.
        kind = self.kind.currentData()
        self.materials.setVisible(kind in LISTS_MATERIALS)
        self.materials.setPlaceholderText(
            "交接确认单：每行填写一项移交的申请材料"
            if kind == "handover"
            else "一次性告知书：每行填写一项需要补正的材料"
        )

    def _choose(self, output: str) -> None:
        self.output = output
        self.accept()

    def values(self) -> tuple[str, list[str], str, str]:
        """(kind, materials, note, output)."""
        listed = self.kind.currentData() in LISTS_MATERIALS
        text = self.materials.toPlainText() if listed else ""
        lines = [line.strip() for line in text.splitlines()]
        return (
            str(self.kind.currentData()),
            [line for line in lines if line],
            self.note.text().strip(),
            self.output,
        )
