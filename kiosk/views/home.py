"""首页: the hall's areas with their queues (live waiting counts) and the four entry buttons."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.presenter import KioskPresenter
from kiosk.state import KioskState, QueueInfo
from kiosk.texts import text
from kiosk.views.common import button, clear_layout, label

COLUMNS = 4


class HomePage(QWidget):
    """Queue buttons grouped by area; 智能导办, 过号取号, 预约签到, 绿色通道 along the bottom."""

    def __init__(self, presenter: KioskPresenter) -> None:
        super().__init__()
        self.p = presenter
        self._queue_buttons: dict[str, QueueButton] = {}
        self._shape: tuple[object, ...] = ()
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)
        # 长辈模式 may not fit every queue on one screen: the areas scroll by touch
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        self.areas = QVBoxLayout(holder)
        self.areas.setContentsMargins(0, 0, 0, 0)
        self.areas.setSpacing(6)
        scroll.setWidget(holder)
        col.addWidget(scroll, 1)
        self.guide_hint = label("", "caption")
        col.addWidget(self.guide_hint)
        actions = QHBoxLayout()
        actions.setSpacing(14)
        self.guide = button("", presenter.open_guide, "primary")
        self.requeue = button("", presenter.open_requeue, "amber")
        self.appointment = button("", presenter.open_appointment)
        self.green = button("", presenter.open_green, "green")
        self.reprint = button("", presenter.reprint, "small")
        actions.addWidget(self.guide, 3)
        for widget in (self.requeue, self.appointment, self.green):
            actions.addWidget(widget, 2)
        actions.addWidget(self.reprint, 1)
        col.addLayout(actions)

    def draw(self, s: KioskState) -> None:
        """Draw the queues and counts in the current language and pause state."""
        lang = s.lang
        shape = (s.queues, s.areas, lang, self.p.config.home_queues)
        if shape != self._shape:
            self._shape = shape
            self._build(s)
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
        self.reprint.setText(text("reprint", lang))
        for b in (self.requeue, self.appointment, self.green):
            b.setEnabled(open_)
        self.reprint.setVisible(s.can_reprint)

    def _build(self, s: KioskState) -> None:
        clear_layout(self.areas)
        self._queue_buttons = {}
        wanted = set(self.p.config.home_queues)
        for area_code, area_name in s.areas:
            queues = [
                q for q in s.queues if q.area == area_code and (not wanted or q.code in wanted)
            ]
            if not queues:
                continue
            self.areas.addWidget(label(area_name, "area"))
            grid = QGridLayout()
            grid.setSpacing(10)
            for i, queue in enumerate(queues):
                qb = QueueButton(partial(self.p.choose_queue, queue.code))
                self._queue_buttons[queue.code] = qb
                grid.addWidget(qb, i // COLUMNS, i % COLUMNS)
            holder = QWidget()
            holder.setLayout(grid)
            self.areas.addWidget(holder)
        self.areas.addStretch(1)


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
        self.name, self.count = QLabel(), QLabel()
        self.count.setObjectName("count")
        for lab in (self.name, self.count):
            lab.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            lines.addWidget(lab)

    def show_queue(self, queue: QueueInfo, waiting: str) -> None:
        """Draw the queue's name and count."""
        self.name.setText(f"{queue.prefix}  {queue.name}")
        self.count.setText(waiting)
