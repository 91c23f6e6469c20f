"""The hall TV (综合屏): draws a ScreenView; 16:9 1080p or a vertical 1080×1920 screen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from display.viewmodel import CallLine, ScreenView
from display.views.widgets import QueueChip, Ticker, TvLabel, WindowTileWidget, label

BACKGROUND = "#0a1a30"
MARGIN, GAP = 24, 8  # the screen's side margins and the gap between tiles and chips


@dataclass(frozen=True)
class Metrics:
    """Sizes in pixels for one orientation, chosen to be read across a hall."""

    width: int
    height: int
    title_px: int
    clock_px: int
    caption_px: int
    number_px: int
    window_px: int
    recent_px: int
    recent_cols: int
    tile_code_px: int
    tile_text_px: int
    tile_cols: int
    queue_px: int
    queue_cols: int
    ticker_px: int
    sections: bool  # 窗口状态 / 等候人数 headings (a vertical screen has the room for them)

    def scaled(self, width: int, height: int) -> Metrics:
        """The same screen on a smaller (or bigger) TV: every size in proportion."""
        k = min(width / self.width, height / self.height)
        sizes = {
            name: max(8, round(getattr(self, name) * k))
            for name in self.__dataclass_fields__
            if name.endswith("_px")
        }
        return replace(self, width=width, height=height, **sizes)


# Read from 10 m on a 55-inch 1080p TV: window tiles and recent calls at 48 px, queue names at
# 40 px. Landscape fits the 26 demo windows in 9 columns (3 rows), the 13 queues in 4 columns
# each wide enough for “办不成事”反映 and a three-digit count, and 8 recent calls in 3 rows
# beside the current call.
LANDSCAPE = Metrics(
    width=1920,
    height=1080,
    title_px=46,
    clock_px=40,
    caption_px=34,
    number_px=124,
    window_px=80,
    recent_px=48,
    recent_cols=3,
    tile_code_px=48,
    tile_text_px=48,
    tile_cols=9,
    queue_px=40,
    queue_cols=4,
    ticker_px=30,
    sections=False,
)
PORTRAIT = Metrics(
    width=1080,
    height=1920,
    title_px=46,
    clock_px=40,
    caption_px=34,
    number_px=170,
    window_px=104,
    recent_px=48,
    recent_cols=3,  # three rows of recent calls leave room for two columns of queues
    tile_code_px=48,
    tile_text_px=48,
    tile_cols=6,  # 26 windows in 5 rows
    queue_px=40,
    queue_cols=2,
    ticker_px=32,
    sections=True,
)


class TvScreen(QWidget):
    """The TV window; `show_view` draws what the presenter says, nothing more."""

    def __init__(
        self, layout: str = "landscape", recent: int = 8, size: tuple[int, int] | None = None
    ) -> None:
        super().__init__()
        base = PORTRAIT if layout == "portrait" else LANDSCAPE
        self.m = base.scaled(*size) if size else base
        self.k = min(self.m.width / base.width, self.m.height / base.height)
        self.recent_count = recent
        self.setWindowTitle("一窗 · 大厅综合屏")
        self.setObjectName("tv")
        self.setStyleSheet(f"QWidget#tv {{ background: {BACKGROUND}; }}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.resize(self.m.width, self.m.height)
        self.tiles: list[WindowTileWidget] = []
        self.chips: list[QueueChip] = []
        self.recent_labels: list[TvLabel] = []
        root = QVBoxLayout(self)
        root.setContentsMargins(self.px(MARGIN), self.px(8), self.px(MARGIN), self.px(6))
        root.setSpacing(self.px(GAP))
        root.addLayout(self._header())
        calls = QHBoxLayout() if layout != "portrait" else QVBoxLayout()
        calls.setSpacing(self.px(16))
        wide = layout != "portrait"  # side by side: the recent calls need 3 columns' width
        calls.addWidget(self._latest_panel(), 3)
        calls.addWidget(self._recent_panel(), 4 if wide else 2)
        root.addLayout(calls, 5)
        if self.m.sections:
            root.addWidget(self._section("窗口状态"))
        self.tile_grid = QGridLayout()
        self.tile_grid.setSpacing(self.px(GAP))
        root.addLayout(self.tile_grid)
        if self.m.sections:
            root.addWidget(self._section("等候人数"))
        self.chip_grid = QGridLayout()
        self.chip_grid.setSpacing(self.px(GAP))
        root.addLayout(self.chip_grid)
        self.ticker = Ticker(self.m.ticker_px)
        root.addWidget(self.ticker)

    def px(self, value: int) -> int:
        """A margin or gap of the 1080p design on this screen."""
        return max(1, round(value * self.k))

    def show_view(self, view: ScreenView) -> None:
        """Draw one ScreenView."""
        self.title.setText(view.title)
        self.date.setText(view.date_text)
        self.clock.setText(view.time_text)
        self.banner.setText(view.status_text)
        self.banner.setVisible(bool(view.status_text))
        self._show_latest(view.latest, view.flash_on)
        self._show_recent(view.recent)
        self._show_tiles(view)
        self._show_queues(view)
        self.ticker.set_text(view.notice)

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.title = label("", self.m.title_px, "#ffffff", bold=True, name="title")
        self.date = label("", self.m.clock_px - 8, "#bbdefb", name="date")
        self.clock = label("", self.m.clock_px, "#ffffff", bold=True, name="clock")
        # The connection banner sits in the header so that it never pushes the rest down.
        self.banner = label("", self.m.caption_px - 4, "#ffffff", bold=True, name="banner")
        self.banner.paint("#ffffff", "#b71c1c", "padding: 2px 12px;")
        self.banner.hide()
        row.addWidget(self.title, 1)
        row.addWidget(self.banner)
        row.addSpacing(24)
        row.addWidget(self.date)
        row.addSpacing(24)
        row.addWidget(self.clock)
        return row

    def _latest_panel(self) -> QFrame:
        self.latest = QFrame()
        self.latest.setObjectName("latest")
        box = QVBoxLayout(self.latest)
        box.setContentsMargins(self.px(24), self.px(12), self.px(24), self.px(12))
        box.setSpacing(0)
        self.latest_caption = label("正在叫号", self.m.caption_px, "#bbdefb", name="caption")
        self.latest_number = label("", self.m.number_px, "#ffd54f", bold=True, name="number")
        self.latest_window = label("", self.m.window_px, "#ffffff", bold=True, name="window")
        self.latest_name = label("", self.m.caption_px + 2, "#e3f2fd", name="applicant")
        for lab in (self.latest_number, self.latest_window):
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top = QHBoxLayout()
        top.addWidget(self.latest_caption, 1)  # takes the row: a longer caption never clips
        top.addWidget(self.latest_name)
        box.addLayout(top)
        box.addStretch(1)
        box.addWidget(self.latest_number)
        box.addWidget(self.latest_window)
        box.addStretch(1)
        return self.latest

    def _recent_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("recent")
        panel.setStyleSheet("QFrame#recent { background: #0f2a4a; border-radius: 12px; }")
        box = QVBoxLayout(panel)
        box.setContentsMargins(self.px(20), self.px(12), self.px(20), self.px(12))
        box.addWidget(label("最近叫号", self.m.caption_px, "#bbdefb"))
        grid = QGridLayout()
        grid.setVerticalSpacing(self.px(6))
        grid.setHorizontalSpacing(self.px(40))  # columns apart, so rows read as pairs
        for i in range(self.recent_count):
            lab = label("", self.m.recent_px, "#ffffff", bold=True)
            self.recent_labels.append(lab)
            grid.addWidget(lab, i // self.m.recent_cols, i % self.m.recent_cols)
        box.addLayout(grid)
        box.addStretch(1)
        return panel

    def _section(self, text: str) -> QLabel:
        return label(text, self.m.caption_px - 8, "#90caf9", bold=True)

    def _show_latest(self, call: CallLine | None, flash_on: bool) -> None:
        bg, fg = ("#c62828", "#ffffff") if flash_on else ("#0f2a4a", "#ffd54f")
        self.latest.setStyleSheet(f"QFrame#latest {{ background: {bg}; border-radius: 12px; }}")
        self.latest_number.paint(fg)
        if call is None:
            self.latest_caption.setText("正在叫号")
            self.latest_number.setText("请稍候")
            self.latest_window.setText("")
            self.latest_name.setText("")
            return
        self.latest_caption.setText("重呼 · 请再次留意" if call.recall else "正在叫号")
        caption = "#ffcc80" if call.recall else "#bbdefb"
        self.latest_caption.paint(caption)
        self.latest_number.setText(f"请 {call.number} 号")
        self.latest_window.setText(f"到 {call.window} 号窗口")
        self.latest_name.setText(call.name or "")

    def _show_recent(self, calls: tuple[CallLine, ...]) -> None:
        for i, lab in enumerate(self.recent_labels):
            text = f"{calls[i].number}  →  {calls[i].window}" if i < len(calls) else ""
            lab.setText(f"{text} 转办" if i < len(calls) and calls[i].transfer else text)

    def _show_tiles(self, view: ScreenView) -> None:
        while len(self.tiles) < len(view.windows):
            tile = WindowTileWidget(self.m.tile_code_px, self.m.tile_text_px, self._tile_width())
            tile.setMaximumHeight(int((self.m.tile_code_px + self.m.tile_text_px) * 1.2) + 8)
            n = len(self.tiles)
            self.tile_grid.addWidget(tile, n // self.m.tile_cols, n % self.m.tile_cols)
            self.tiles.append(tile)
        for tile, w in zip(self.tiles, view.windows, strict=False):
            tile.show_tile(w.code, w.text, w.state, w.reason)
        for i, tile in enumerate(self.tiles):
            tile.setVisible(i < len(view.windows))

    def _tile_width(self) -> int:
        """What the grid gives one tile: the screen less its margins and the gaps, shared."""
        inner = self.m.width - 2 * self.px(MARGIN) - (self.m.tile_cols - 1) * self.px(GAP)
        return inner // self.m.tile_cols

    def _show_queues(self, view: ScreenView) -> None:
        while len(self.chips) < len(view.queues):
            chip = QueueChip(self.m.queue_px)
            chip.setMaximumHeight(int(self.m.queue_px * 1.6))
            n = len(self.chips)
            self.chip_grid.addWidget(chip, n // self.m.queue_cols, n % self.m.queue_cols)
            self.chips.append(chip)
        for chip, q in zip(self.chips, view.queues, strict=False):
            chip.show_count(q.name, q.waiting)
        for i, chip in enumerate(self.chips):
            chip.setVisible(i < len(view.queues))
