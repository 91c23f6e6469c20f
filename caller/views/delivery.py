"""The 统一出件 dialog of the desktop pad (widgets only; caller.delivery holds the logic)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from caller.delivery import DeliveryDesk
from caller.views.dialogs import _Dialog
from caller.views.labels import Label


class DeliveryDialog(_Dialog):
    """Scan or type a 办件编号；print the 办结通知书；record 领取 or 邮寄 with its number."""

    def __init__(
        self,
        desk: DeliveryDesk,
        pdf_path: Callable[[str], Path | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("统一出件 · 查找办件", parent)
        self.desk, self.pdf_path = desk, pdf_path
        self.number = QLineEdit(placeholderText="扫描或输入办件编号")
        self.number.returnPressed.connect(self._find)  # a barcode scanner ends with Enter
        find = QPushButton("查询", objectName="primary")
        find.clicked.connect(self._find)
        row = QHBoxLayout()
        row.addWidget(self.number, 2)
        row.addWidget(find, 1)
        self.box.addLayout(row)
        self.grid = QGridLayout()
        self.box.addLayout(self.grid)
        self.message = Label("", objectName="caption")
        self.message.setWordWrap(True)
        self.box.addWidget(self.message)
        self.tracking = QLineEdit(placeholderText="邮寄单号")
        self.buttons = {
            "print": QPushButton("办结通知书小票"),
            "pdf": QPushButton("办结通知书 PDF"),
            "collect": QPushButton("领取", objectName="primary"),
            "mail": QPushButton("邮寄"),
        }
        self.buttons["print"].clicked.connect(lambda: self._then(desk.print_result()))
        self.buttons["pdf"].clicked.connect(self._pdf)
        self.buttons["collect"].clicked.connect(lambda: self._then(desk.collect()))
        self.buttons["mail"].clicked.connect(lambda: self._then(desk.mail(self.tracking.text())))
        actions = QHBoxLayout()
        for key in ("print", "pdf", "collect"):
            actions.addWidget(self.buttons[key])
        self.box.addLayout(actions)
        mail = QHBoxLayout()
        mail.addWidget(self.tracking, 2)
        mail.addWidget(self.buttons["mail"], 1)
        self.box.addLayout(mail)
        for button in self.buttons.values():
            button.setMinimumHeight(56)
        self.finish(None)
        self.render()

    def _find(self) -> None:
        self._then(self.desk.find(self.number.text()))

    def _pdf(self) -> None:
        case = self.desk.case
        if case is not None and (path := self.pdf_path(f"{case['case_no']}-result.pdf")):
            self._then(self.desk.save_result_pdf(path))

    def _then(self, _: bool) -> None:
        self.render()

    def render(self) -> None:
        """Show the case found (as plain text), the desk's message and what may be done."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        for i, (label, value) in enumerate(self.desk.lines()):
            self.grid.addWidget(Label(label, objectName="caption"), i, 0)
            self.grid.addWidget(Label(value), i, 1)
        self.message.setText(self.desk.message)
        found = self.desk.case is not None
        decided = found and self.desk.case is not None and self.desk.case.get("decided_at")
        self.buttons["print"].setEnabled(bool(decided))
        self.buttons["pdf"].setEnabled(bool(decided))
        self.buttons["collect"].setEnabled(self.desk.ready)
        self.buttons["mail"].setEnabled(self.desk.ready)
