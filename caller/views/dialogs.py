"""Input dialogs of the pad: 不予受理 reason, 转移, 暂停 reason, 选号, 通知书 (widgets only)."""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtWidgets import (
    QButtonGroup,
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
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        for b in (ok, cancel):
            if b is not None:
                b.setMinimumHeight(60)
        if ok is not None:
            ok.setObjectName("primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.box.addWidget(buttons)


class RejectDialog(_Dialog):
    """不予受理: one reason from the list plus optional free text."""

    def __init__(self, reasons: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__("不予受理 · 选择原因", parent)
        self.reasons = QListWidget()
        self.reasons.addItems(list(reasons))
        if reasons:
            self.reasons.setCurrentRow(0)
        self.detail = QLineEdit(placeholderText="补充说明 (可选，将写入不予受理凭证)")
        self.box.addWidget(self.reasons)
        self.box.addWidget(self.detail)
        self.finish("登记不予受理")

    def reason(self) -> str:
        """The chosen reason, with the free text after it."""
        item = self.reasons.currentItem()
        parts = [item.text() if item is not None else "", self.detail.text().strip()]
        return "；".join(p for p in parts if p)


class TransferDialog(_Dialog):
    """转移 to a queue or a window, with a note."""

    def __init__(
        self,
        queues: Sequence[tuple[str, str]],
        windows: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
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
        for code, name in windows:
            self.window.addItem(name, code)
        self.note = QLineEdit(placeholderText="备注 (如：需补充不动产材料)")
        for row in ((self.to_queue, self.queue), (self.to_window, self.window)):
            line = QHBoxLayout()
            line.addWidget(row[0])
            line.addWidget(row[1], 1)
            self.box.addLayout(line)
        self.box.addWidget(self.note)
        self.finish("转移")

    def target(self) -> tuple[str | None, str | None, str]:
        """(queue, window, note): exactly one of queue and window is set."""
        note = self.note.text().strip()
        if self.to_window.isChecked():
            return None, self.window.currentData(), note
        return self.queue.currentData(), None, note


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
    """选号: type the number to call out of order."""

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
    """通知书: which document, the materials of a one-time notice, PDF or receipt."""

    def __init__(self, kinds: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__("出具通知书", parent)
        self.kind = QComboBox()
        for code, title in kinds:
            self.kind.addItem(title, code)
        self.materials = QPlainTextEdit()
        self.materials.setPlaceholderText("一次性告知书：每行填写一项需要补正的材料")
        self.materials.setMinimumHeight(140)
        self.note = QLineEdit(placeholderText="补充说明 (可选)")
        self.output = "pdf"
        self.box.addWidget(self.kind)
        self.box.addWidget(self.materials)
        self.box.addWidget(self.note)
        row = QHBoxLayout()
        for output, text in (("pdf", "生成 PDF (办公打印机)"), ("receipt", "小票打印")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, o=output: self._choose(o))
            row.addWidget(button)
        self.box.addLayout(row)
        self.finish(None)

    def _choose(self, output: str) -> None:
        self.output = output
        self.accept()

    def values(self) -> tuple[str, list[str], str, str]:
        """(kind, materials, note, output)."""
        lines = [line.strip() for line in self.materials.toPlainText().splitlines()]
        return (
            str(self.kind.currentData()),
            [line for line in lines if line],
            self.note.text().strip(),
            self.output,
        )
