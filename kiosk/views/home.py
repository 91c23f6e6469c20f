"""首页: the hall's areas with their queues (live waiting counts) and the four entry buttons.

When the queues do not fit the screen (长辈模式, the pause banner, a big hall) they are shown
page by page with big 上一页 / 下一页 buttons; `kiosk.home_pages` decides what each page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.home_pages import Metrics, Page, paginate
from kiosk.presenter import KioskPresenter
from kiosk.state import KioskState, QueueInfo
from kiosk.texts import text
from kiosk.views.common import button, clear_layout, label

COLUMNS = 4
GRID_MARGIN = 9  # around each area's grid of buttons
SPACING = 10  # between buttons, and between an area and the next


class HomePage(QWidget):
    """Queue buttons grouped by area; 智能导办, 过号取号, 预约签到, 绿色通道 along the bottom."""

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__()
        self.p = presenter
        self._queue_buttons: dict[str, QueueButton] = {}
        self._state: KioskState | None = None
        self._built: tuple[object, ...] = ()
        self.pages: list[Page] = []
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)
        col.addWidget(self._grid_area(), 1)
        self.guide_hint = label("", "caption")
        col.addWidget(self.guide_hint)
        actions = QHBoxLayout()
        actions.setSpacing(14)
        self.guide = button("", presenter.open_guide, "primary")
        self.requeue = button("", presenter.open_requeue, "amber")
        self.appointment = button("", presenter.open_appointment)
        self.green = button("", presenter.open_green, "green")
        self.reprint = button("", presenter.reprint, "small")
        # 长辈模式 where a citizen looks first, as big as the other entries (not only the header's)
        self.elderly = button("", presenter.toggle_elderly, "elderly")
        actions.addWidget(self.guide, 3)
        for widget in (self.elderly, self.requeue, self.appointment, self.green):
            actions.addWidget(widget, 2)
        actions.addWidget(self.reprint, 1)
        col.addLayout(actions)

    def _grid_area(self) -> QWidget:
        # Sized by what is left of the screen, never by its content: what does not fit
        # goes to the next page instead of pushing the buttons below out of sight.
        self.area = _Resizing()
        self.area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.area.resized.connect(self._layout_page)
        box = QVBoxLayout(self.area)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(SPACING)
        self.areas = QVBoxLayout()
        self.areas.setContentsMargins(0, 0, 0, 0)
        self.areas.setSpacing(0)
        box.addLayout(self.areas)
        box.addStretch(1)
        self.pager = QWidget()
        bar = QHBoxLayout(self.pager)
        bar.setContentsMargins(0, 0, 0, 0)
        self.prev_page = button("", partial(self.p.turn_home_page, -1))
        self.next_page = button("", partial(self.p.turn_home_page, 1), "primary")
        self.page_label = label("", "caption", wrap=False)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar.addWidget(self.prev_page, 2)
        bar.addWidget(self.page_label, 1)
        bar.addWidget(self.next_page, 2)
        box.addWidget(self.pager)
        self._probe_button = QueueButton(lambda: None)  # measured, never shown
        self._probe_heading = label("综合窗口区", "area", wrap=False)
        for probe in (self._probe_button, self._probe_heading):
            probe.setParent(self.area)
            probe.hide()
        return self.area

    def draw(self, s: KioskState) -> None:
        """Draw the queues and counts in the current language and pause state."""
        self._state = s
        self._layout_page()
        self._refresh(s)

    def _refresh(self, s: KioskState) -> None:
        lang = s.lang
        open_ = s.paused is None
        for code, qb in self._queue_buttons.items():
            queue = s.queue(code)
            if queue is not None:
                qb.show_queue(queue, text("waiting", lang, n=s.counts.get(code, 0)))
            qb.setEnabled(open_)
        self.guide.setText(text("guide", lang))
        self.guide_hint.setText(text("guide_hint", lang))
        self.requeue.setText(f"【{text('requeue', lang)}】")
        self.appointment.setText(f"【{text('appointment', lang)}】")
        self.green.setText(f"【{text('green', lang)}】")
        self.elderly.setText(text("elderly_off" if s.elderly else "elderly", lang))
        self.reprint.setText(text("reprint", lang))
        for b in (self.requeue, self.appointment, self.green):
            b.setEnabled(open_)
        self.reprint.setVisible(s.can_reprint)

    def shown_page(self) -> int:
        """The page of queue buttons on screen (the presenter's, within the pages there are)."""
        last = max(0, len(self.pages) - 1)
        return min(self._state.home_page, last) if self._state else 0

    def _layout_page(self) -> None:
        s = self._state
        if s is None:
            return
        self.pages = paginate(self._areas(s), COLUMNS, self._metrics())
        page = self.shown_page()
        key = (self.pages, page, s.queues, s.lang, s.elderly)
        if key == self._built:
            return
        self._built = key
        self._build(s, self.pages[page] if self.pages else ())
        self._draw_pager(s, page)
        self._refresh(s)  # counts and enabled state on the new buttons

    def _areas(self, s: KioskState) -> list[tuple[str, list[str]]]:
        wanted = set(self.p.config.home_queues)
        areas = []
        for area_code, area_name in s.areas:
            codes = [
                q.code for q in s.queues if q.area == area_code and (not wanted or q.code in wanted)
            ]
            if codes:
                areas.append((area_name, codes))
        return areas

    def _metrics(self) -> Metrics:
        for probe in (self._probe_button, self._probe_heading, self.pager):
            probe.ensurePolished()
        self._probe_button.show_queue(QueueInfo("A", "测", "", (), "A"), "0")
        # A section is its heading, the grid's margins and n rows with n - 1 spacings
        # between them; the room keeps a spacing free above the stretch and the page bar.
        return Metrics(
            height=self.area.height() - SPACING,
            heading=self._probe_heading.sizeHint().height() + 2 * GRID_MARGIN - SPACING,
            row=self._probe_button.sizeHint().height() + SPACING,
            pager=self.pager.sizeHint().height() + SPACING,
        )

    def _build(self, s: KioskState, page: Page) -> None:
        clear_layout(self.areas)
        self._queue_buttons = {}
        for section in page:
            heading = text("continued", s.lang, area=section.area) if section.continued else None
            self.areas.addWidget(label(heading or section.area, "area", wrap=False))
            grid = QGridLayout()
            grid.setContentsMargins(GRID_MARGIN, GRID_MARGIN, GRID_MARGIN, GRID_MARGIN)
            grid.setSpacing(SPACING)
            for c in range(COLUMNS):
                grid.setColumnStretch(c, 1)
            for i, code in enumerate(section.queues):
                qb = QueueButton(partial(self.p.choose_queue, code))
                self._queue_buttons[code] = qb
                grid.addWidget(qb, i // COLUMNS, i % COLUMNS)
            for c in range(len(section.queues), COLUMNS):  # a lone queue is as wide as others
                grid.addWidget(QWidget(), 0, c)
            holder = QWidget()
            holder.setLayout(grid)
            self.areas.addWidget(holder)

    def _draw_pager(self, s: KioskState, page: int) -> None:
        total = len(self.pages)
        self.pager.setVisible(total > 1)
        self.prev_page.setText(text("prev_page", s.lang))
        self.next_page.setText(text("next_page", s.lang))
        self.page_label.setText(text("page_of", s.lang, n=page + 1, total=total))
        self.prev_page.setEnabled(page > 0)
        self.next_page.setEnabled(page < total - 1)


class _Resizing(QWidget):
    """A plain container that says when its size changed (the pages are made to fit it)."""

    resized = pyqtSignal()

    def resizeEvent(self, ev: QResizeEvent | None) -> None:
        """Re-page after the window's layout gave this area another height."""
        super().resizeEvent(ev)
        self.resized.emit()


class QueueButton(QPushButton):
    """One queue: prefix and name, and under it the live waiting count."""

    def __init__(self, on_click: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("queue")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clicked.connect(lambda _=False: on_click())
        lines = QVBoxLayout(self)
        lines.setContentsMargins(16, 6, 16, 6)
        lines.setSpacing(0)
        self.name, self.count = label(wrap=False), label("", "count", wrap=False)
        for lab in (self.name, self.count):
            lab.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            lines.addWidget(lab)

    def show_queue(self, queue: QueueInfo, waiting: str) -> None:
        """Draw the queue's name and count."""
        self.name.setText(f"{queue.prefix}  {queue.name}")
        self.count.setText(waiting)
