"""Small widgets every page uses: buttons, a tappable text field, the on-screen keypad."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtWidgets import QGridLayout, QLabel, QLayout, QPushButton, QSizePolicy, QWidget

from kiosk.state import Field


def button(label: str, on_click: Callable[[], None], name: str = "") -> QPushButton:
    """A touch button that calls `on_click`."""
    b = QPushButton(label)
    if name:
        b.setObjectName(name)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the scanner, not to buttons
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    b.clicked.connect(lambda _=False: on_click())
    return b


def label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    """A plain-text label with an object name for the stylesheet."""
    lab = QLabel(text)
    # Hall-file names and citizens' text are shown as typed, never as HTML.
    lab.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        lab.setObjectName(name)
    lab.setWordWrap(wrap)
    return lab


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget of a layout."""
    while layout.count():
        item = layout.takeAt(0)
        if item is not None and (widget := item.widget()) is not None:
            widget.hide()  # gone now, not only once the event loop deletes it
            widget.setParent(None)
            widget.deleteLater()


def set_message_label(lab: QLabel, text: str | None, error: bool) -> None:
    """Show (or hide) a message line in the error or info style."""
    lab.setVisible(bool(text))
    lab.setText(text or "")
    name = "error" if error else "info"
    if lab.objectName() != name:
        lab.setObjectName(name)
        restyle(lab)


def restyle(widget: QWidget) -> None:
    """Re-apply the stylesheet after an object name or property changed."""
    style = widget.style()
    if style is not None:
        style.unpolish(widget)
        style.polish(widget)


class FieldBox(QLabel):
    """A typed field: shows the text, highlights when focused, tap to focus it."""

    tapped = pyqtSignal(object)

    def __init__(self, which: Field) -> None:
        super().__init__()
        self.which = which
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setObjectName("field")
        self.setProperty("focused", "false")

    def show_value(self, text: str, focused: bool) -> None:
        """Draw the field's text and focus."""
        self.setText(text)
        value = "true" if focused else "false"
        if self.property("focused") != value:
            self.setProperty("focused", value)
            restyle(self)

    def mousePressEvent(self, ev: QMouseEvent | None) -> None:
        """Tap: focus this field."""
        self.tapped.emit(self.which)


# Keypad layouts: rows of keys; "⌫" deletes, "清空" clears.
DIGIT_ROWS = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"))
QWERTY = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
SYMBOLS = (".", "_", "-", "@")


class Keypad(QWidget):
    """The on-screen keypad; emits the key, a delete or a clear; layouts per field."""

    key = pyqtSignal(str)
    delete = pyqtSignal()
    clear = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        self._shape: tuple[object, ...] = ()

    def set_keys(self, layout: str, letters: Sequence[str] = ()) -> None:
        """`id` (digits, X), `digits`, `letters` (these letters, digits), `qwerty`, `QWERTY`."""
        shape = (layout, tuple(letters))
        if shape == self._shape:
            return
        self._shape = shape
        clear_layout(self._grid)
        name = "key" if layout in ("id", "digits") else "qkey"
        for r, row in enumerate(_rows(layout, letters)):
            for c, key in enumerate(row):
                self._grid.addWidget(self._key_button(key, name), r, c)

    def _key_button(self, key: str, name: str) -> QPushButton:
        if key == "⌫":
            return button("⌫", self.delete.emit, name)
        if key == "清空":
            return button("C", self.clear.emit, name)
        return button(key, partial(self.key.emit, key), name)


def _rows(layout: str, letters: Sequence[str]) -> Sequence[Sequence[str]]:
    if layout in ("qwerty", "QWERTY"):
        rows: list[list[str]] = [list(r.upper() if layout == "QWERTY" else r) for r in QWERTY]
        rows[2] += ["⌫"]
        rows[3] += [*(SYMBOLS[:2] if layout == "qwerty" else ()), "清空"]
        if layout == "qwerty":
            rows[0] += SYMBOLS[2:]
        return rows
    if layout == "letters":
        keys = [*letters, *"0123456789", "⌫", "清空"]
        per_row = -(-len(keys) // 4)  # four rows, as many keys as it takes
        return [keys[i : i + per_row] for i in range(0, len(keys), per_row)]
    last = ("X", "0", "⌫") if layout == "id" else ("清空", "0", "⌫")
    return [*DIGIT_ROWS, last]
