"""Small widgets of the hall TV: the CJK font, a window tile, a queue chip and the notice ticker."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QFont, QFontDatabase, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

CJK_FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
_family: list[str] = []


def cjk_family() -> str:
    """Load a CJK font file once (so screenshots do not depend on fontconfig) and name it."""
    if _family:
        return _family[0]
    for path in CJK_FONT_FILES:
        if path.exists():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                _family.append(families[0])
                return families[0]
    _family.append("Sans Serif")
    return _family[0]


def font(px: int, bold: bool = False) -> QFont:
    """The CJK font at a pixel size."""
    f = QFont(cjk_family())
    f.setPixelSize(max(8, px))
    f.setBold(bold)
    return f


class TvLabel(QLabel):
    """A plain-text label that carries its own font in its style sheet (no app sheet resizes it)."""

    def __init__(self, text: str, px: int, color: str, bold: bool = False) -> None:
        super().__init__(text)
        # Pause reasons and hall-file names are shown as typed, never as HTML.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.px, self.bold = px, bold
        self._colours = (color, "transparent", "")
        self.setFont(font(px, bold))
        self.paint(color)

    def paint(self, color: str, background: str = "transparent", extra: str = "") -> None:
        """Set colours (and e.g. padding) while keeping the label's font."""
        self._colours = (color, background, extra)
        weight = "bold" if self.bold else "normal"
        self.setStyleSheet(
            f'QLabel {{ font-family: "{cjk_family()}"; font-size: {self.px}px; '
            f"font-weight: {weight}; color: {color}; background: {background}; {extra} }}"
        )

    def set_px(self, px: int) -> None:
        """Change the font size, keeping the colours."""
        if px != self.px:
            self.px = px
            self.setFont(font(px, self.bold))
            self.paint(*self._colours)


def label(text: str, px: int, color: str, bold: bool = False, name: str = "") -> TvLabel:
    """A label with the CJK font at `px` and a colour."""
    lab = TvLabel(text, px, color, bold)
    if name:
        lab.setObjectName(f"tv-{name}")
    return lab


class WindowTileWidget(QFrame):
    """One window: its code above, its current number (or why it is paused) below.

    Both lines are read from across the hall; the code never shrinks. Only text wider than
    the tile's `width` (暂停服务 or a long pause reason such as 签退待处理) gets smaller, down
    to MIN_TEXT_PX, so that it fits instead of being cut.
    """

    MIN_TEXT_PX = 20
    MARGIN = 4

    COLORS: ClassVar[dict[str, tuple[str, str]]] = {  # (text, background) per window state
        "serving": ("#7CFFB2", "#12385f"),
        "idle": ("#cfd8dc", "#12385f"),
        "paused": ("#ffb74d", "#2b2f3a"),
        "closed": ("#78909c", "#1c2430"),
    }

    def __init__(self, code_px: int, text_px: int, width: int) -> None:
        super().__init__()
        self.text_px, self.room = text_px, width - 2 * self.MARGIN
        self.code = label("", code_px, "#e3f2fd")
        self.text = label("", text_px, "#ffffff", bold=True)
        # The grid gives every tile the same width; a long line must not widen a column.
        for line in (self.code, self.text):
            line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QVBoxLayout(self)
        box.setContentsMargins(self.MARGIN, 2, self.MARGIN, 2)
        box.setSpacing(0)
        box.addWidget(self.code)
        box.addWidget(self.text)

    def show_tile(self, code: str, text: str, state: str, reason: str | None) -> None:
        """Draw a window's state: a paused window shows its reason where the number goes."""
        fg, bg = self.COLORS.get(state, self.COLORS["closed"])
        self.setStyleSheet(f"WindowTileWidget {{ background: {bg}; border-radius: 8px; }}")
        line = reason if state == "paused" and reason else text
        self.code.setText(code)
        self.text.set_px(fitting_px(line, self.text_px, self.MIN_TEXT_PX, self.room, bold=True))
        self.text.setText(line)
        self.text.paint(fg)


def fitting_px(text: str, px: int, smallest: int, room: int, bold: bool = False) -> int:
    """The largest size from `px` down to `smallest` at which `text` fits `room` pixels."""
    while px > smallest and QFontMetrics(font(px, bold)).horizontalAdvance(text) > room:
        px -= 1
    return px


class QueueChip(QFrame):
    """A queue's name and how many wait in it; a name too long beside its count gets smaller."""

    def __init__(self, px: int) -> None:
        super().__init__()
        self.px = px
        self.setStyleSheet("QueueChip { background: #12385f; border-radius: 8px; }")
        self.name = label("", px, "#e3f2fd")
        self.count = label("", px + 2, "#ffd54f", bold=True)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(self)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.setContentsMargins(px // 4, 2, px // 4, 2)
        row.addWidget(self.name, 1)
        row.addWidget(self.count)

    def show_count(self, name: str, waiting: int) -> None:
        """Draw one queue's waiting count."""
        self.count.setText(f"{waiting} 人")
        self.name.setText(name)
        self._fit()

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        """The grid gave the chip its width: fit the name to it."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        # The name keeps half its size free before the count, however many wait.
        inner = self.width() - 2 * (self.px // 4)
        count = QFontMetrics(font(self.count.px, True)).horizontalAdvance(self.count.text())
        room = inner - count - self.px // 2 - 4
        self.name.set_px(fitting_px(self.name.text(), self.px, self.px * 3 // 4, room))


class Ticker(QWidget):
    """The notice line, scrolling right to left; it only animates, it decides nothing."""

    STEP_PX, TICK_MS = 3, 30

    def __init__(self, px: int) -> None:
        super().__init__()
        self._text, self._offset = "", 0
        self._font = font(px)  # its own, not self.font(): an app style sheet may change that
        self.setFixedHeight(int(px * 1.6))
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._step)
        self._timer.start(self.TICK_MS)

    def set_text(self, text: str) -> None:
        """Show a new notice (starts again from the left edge)."""
        if text != self._text:
            self._text, self._offset = text, 0
            self.update()

    def text(self) -> str:
        """The notice shown."""
        return self._text

    def _step(self) -> None:
        width = QFontMetrics(self._font).horizontalAdvance(self._text + "　　　")
        if width <= self.width():
            self._offset = 0
        else:
            self._offset = (self._offset + self.STEP_PX) % width
        self.update()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        """Draw the text twice so the loop has no gap."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.setPen(Qt.GlobalColor.yellow)
        painter.setFont(self._font)
        metrics = QFontMetrics(self._font)
        loop = self._text + "　　　"
        width = metrics.horizontalAdvance(loop)
        y = (self.height() + metrics.ascent() - metrics.descent()) // 2
        x = 16 - self._offset
        while x < self.width():
            painter.drawText(x, y, loop)
            x += max(1, width)
        painter.end()
