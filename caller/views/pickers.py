"""The matter picker of the 受理 and 不予受理 dialogs: search by name or code (widgets only)."""

from __future__ import annotations

from collections.abc import Sequence

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from caller.views.labels import Label

# (code, name, department or "", recent)
Matter = tuple[str, str, str, bool]


class MatterPicker(QWidget):
    """A search box over the matters of the window's queues, recent ones first; one or none."""

    def __init__(self, matters: Sequence[Matter], chosen: str | None = None) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(Label("办理事项（可选）", objectName="section"))
        self.search = QLineEdit(placeholderText="搜索事项名称或编码")
        self.list = QListWidget()
        self.list.setMinimumHeight(180)
        for code, name, department, recent in matters:
            tail = " · ".join(p for p in (code, department, "最近" if recent else "") if p)
            item = QListWidgetItem(f"{name}    {tail}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.list.addItem(item)
            if code == chosen:
                self.list.setCurrentItem(item)
        self._matters = list(matters)
        self.search.textChanged.connect(self._filter)
        box.addWidget(self.search)
        box.addWidget(self.list)

    def _filter(self, text: str) -> None:
        query = text.strip().lower()
        for i, (code, name, _, _) in enumerate(self._matters):
            hit = not query or query in name.lower() or query in code.lower()
            self.list.item(i).setHidden(not hit)  # type: ignore[union-attr]

    def value(self) -> str | None:
        """The chosen matter's code, or None."""
        item = self.list.currentItem()
        if item is None or item.isHidden() or not item.isSelected():
            return None
        return str(item.data(Qt.ItemDataRole.UserRole))

    def visible_codes(self) -> list[str]:
        """Codes the search leaves shown, in order."""
        items = [self.list.item(i) for i in range(self.list.count())]
        return [str(i.data(Qt.ItemDataRole.UserRole)) for i in items if i and not i.isHidden()]
