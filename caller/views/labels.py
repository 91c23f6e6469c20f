"""The pad's one label: plain text, so a transfer note or a hall-file name is never HTML."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel


class Label(QLabel):
    """A QLabel that shows its text as typed (a `<h1>` in a note is drawn, not obeyed)."""

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(text, *args, **kwargs)
        self.setTextFormat(Qt.TextFormat.PlainText)
